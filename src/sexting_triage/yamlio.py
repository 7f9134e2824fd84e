"""Read YAML into plain data while remembering where every value came from.

PyYAML's node tree gives line and column for every key and value; we keep them in a map
keyed by the value's path so pydantic's `loc` and our own checks can point at
`path:line:col`. Duplicate keys (which PyYAML silently overwrites), anchors and aliases
(the "billion laughs" bomb), oversized files and non-UTF-8 bytes are refused here, once,
for every kind of file the tool reads.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader, ReaderError
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from sexting_triage.errors import InputError, Problem

# A rule set is about 25 kB and 600 values; these limits leave ample room while keeping the
# refusal of a hostile file well under a second.
MAX_BYTES = 1024 * 1024
MAX_NODES = 20_000
MAX_DEPTH = 64

PathKey = tuple[str | int, ...]


@dataclass
class Located:
    """Plain data from a YAML file with the position of every value and every mapping key."""

    path: str
    data: Any
    values: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    keys: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    # for block scalars the text starts on the next line; for quoted ones one column in
    styles: dict[PathKey, str | None] = field(default_factory=dict)

    def where(self, loc: PathKey, key: bool = False) -> tuple[int | None, int | None]:
        """Line and column (1-based) of the value at `loc`, or of its nearest ancestor."""
        table = self.keys if key else self.values
        if key and loc in table:
            return table[loc]
        probe = tuple(loc)
        while True:
            if probe in self.values:
                return self.values[probe]
            if not probe:
                return None, None
            probe = probe[:-1]

    def problem(self, loc: PathKey, message: str, key: bool = False,
                offset: tuple[int, int] | None = None) -> Problem:
        line, col = self.where(loc, key)
        if offset is not None and line is not None and col is not None and loc in self.values:
            dline, dcol = offset
            style = self.styles.get(loc)
            if style in ("|", ">"):
                line, col = line + 1 + dline, None
            elif dline == 0:
                col = col + dcol + (1 if style in ("'", '"') else 0)
        return Problem(self.path, line, col, dotted(loc, self.data), message)


def dotted(loc: PathKey, data: Any = None) -> str:
    """`rules[adult-involved].when`: list items named by their id where they have one."""
    out = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            label = str(part)
            if isinstance(node, list) and 0 <= part < len(node):
                item = node[part]
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    label = item["id"]
                node = item
            else:
                node = None
            out += f"[{label}]"
        else:
            out += ("." if out else "") + str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out


class _Refused(yaml.MarkedYAMLError):
    """A file refused while it is read (too many values, nested too deeply)."""


class _NoAliasComposer(Composer):
    """Refuses aliases, too many values and too deep nesting while composing, so a hostile
    file is refused after reading only as far as needed (PyYAML is pure Python here: a
    megabyte of tiny values takes many seconds, and deep nesting would hit the recursion
    limit)."""

    def __init__(self) -> None:
        super().__init__()
        self._count = 0
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:  # type: ignore[override]
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            raise yaml.MarkedYAMLError(
                None, None, "anchors and aliases (*name) are not allowed in these files",
                event.start_mark,
            )
        self._count += 1
        if self._count > MAX_NODES:
            raise _Refused(None, None, f"the file has more than {MAX_NODES:,} values",
                           event.start_mark)
        if self._depth > MAX_DEPTH:
            raise _Refused(None, None, f"nested more than {MAX_DEPTH} levels deep",
                           event.start_mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _Scanner(Scanner):
    """Refuses deep flow nesting (`[[[[...`) as it is scanned: PyYAML keeps a possible
    simple key for every open bracket and re-checks them all for each token, so 100,000
    brackets took over a second before the composer's depth limit was reached."""

    def fetch_flow_collection_start(self, TokenClass: Any) -> None:
        if self.flow_level >= MAX_DEPTH:
            raise _Refused(None, None, f"nested more than {MAX_DEPTH} levels deep",
                           self.get_mark())
        super().fetch_flow_collection_start(TokenClass)  # type: ignore[misc]


class _Resolver(Resolver):
    """The YAML 1.1 resolver without implicit timestamps (dates stay strings)."""


_Resolver.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in Resolver.yaml_implicit_resolvers.items()
}


class _Loader(Reader, _Scanner, Parser, _NoAliasComposer, SafeConstructor, _Resolver):
    def __init__(self, stream: str):
        Reader.__init__(self, stream)
        _Scanner.__init__(self)
        Parser.__init__(self)
        _NoAliasComposer.__init__(self)
        SafeConstructor.__init__(self)
        _Resolver.__init__(self)


def read_file(path: str | os.PathLike[str], kind: str = "file") -> tuple[bytes, str]:
    """Read a small UTF-8 text file (bytes and text), refusing oversized, empty or
    undecodable input before parsing anything."""
    p = str(path)
    if os.path.isdir(p):
        raise InputError([Problem(p, None, None, "", f"is a folder, not a {kind}")])
    try:
        with open(p, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > MAX_BYTES:
                raise InputError([Problem(p, None, None, "",
                                          f"the file is {size:,} bytes: too large for "
                                          f"this {kind} (the limit is {MAX_BYTES:,} bytes)")])
            raw = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise InputError([Problem(p, None, None, "", f"no such {kind}")]) from None
    except OSError as exc:
        raise InputError([Problem(p, None, None, "",
                                  f"cannot read: {exc.strerror or exc}")]) from None
    if len(raw) > MAX_BYTES:
        raise InputError([Problem(p, None, None, "", f"the file is over {MAX_BYTES:,} bytes")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise InputError([Problem(p, line, col, "",
                                  f"byte 0x{raw[exc.start]:02x} is not valid UTF-8: "
                                  "save the file as UTF-8")]) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise InputError([Problem(p, None, None, "", f"the {kind} is empty")])
    return raw, text


def read_text(path: str | os.PathLike[str], kind: str = "file") -> str:
    """The text of a small UTF-8 file (see read_file)."""
    return read_file(path, kind)[1]


def load_yaml(path: str | os.PathLike[str], kind: str = "file",
              text: str | None = None) -> Located:
    """Parse one YAML document into plain data with positions; all errors as InputError."""
    p = str(path)
    if text is None:
        text = read_text(p, kind)
    loader: _Loader | None = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
    except _Refused as exc:
        mark = exc.problem_mark
        raise InputError([Problem(p, mark.line + 1 if mark else None,
                                  mark.column + 1 if mark else None, "",
                                  exc.problem or "refused")]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        msg = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem and "aliases" not in msg:
            msg = f"{exc.context}: {exc.problem}" if "while" not in exc.context else msg
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise InputError([Problem(p, line, col, "", f"YAML syntax error: {msg}")]) from None
    except ReaderError as exc:
        line, col = _line_col(text, exc.position)
        raise InputError([Problem(p, line, col, "",
                                  f"character #x{exc.character:04x} is not allowed in a YAML "
                                  "file (control characters must be escaped)")]) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem(p, None, None, "", f"YAML error: {exc}")]) from None
    except RecursionError:
        raise InputError([Problem(p, None, None, "", "the file is nested too deeply")]) from None
    except (ValueError, OverflowError) as exc:
        # PyYAML's scanner lets some bad escapes (e.g. "\U0011ffff") escape as ValueError
        mark = loader.get_mark() if loader is not None else None
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        msg = ("an escape in a quoted string is not a valid character" if "chr()" in str(exc)
               else str(exc))
        raise InputError([Problem(p, line, col, "", f"YAML syntax error: {msg}")]) from None
    finally:
        if loader is not None:
            loader.dispose()
    if node is None:
        raise InputError([Problem(p, None, None, "", f"the {kind} is empty")])
    out = Located(p, None)
    problems: list[Problem] = []
    counter = [0]
    out.data = _build(node, (), out, loader, problems, counter, 0)
    if problems:
        raise InputError(problems)
    return out


def _build(node: Node, loc: PathKey, out: Located, loader: _Loader,
           problems: list[Problem], counter: list[int], depth: int) -> Any:
    counter[0] += 1
    if counter[0] > MAX_NODES:
        if counter[0] == MAX_NODES + 1:
            problems.append(Problem(out.path, None, None, "",
                                    f"the file has more than {MAX_NODES:,} values"))
        return None
    if depth > MAX_DEPTH:
        problems.append(Problem(out.path, node.start_mark.line + 1, node.start_mark.column + 1,
                                dotted(loc), f"nested more than {MAX_DEPTH} levels deep"))
        return None
    out.values[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, ScalarNode):
        out.styles[loc] = node.style
        try:
            return loader.construct_object(node, deep=True)
        except _CONSTRUCT_ERRORS as exc:
            problems.append(Problem(out.path, node.start_mark.line + 1,
                                    node.start_mark.column + 1, dotted(loc),
                                    _construct_message(node, exc)))
            return None
    if node.tag not in _COLLECTION_TAGS:
        # `!!python/object/apply:os.system [ls]`, `!!set`, `!!omap`: never constructed, but
        # refused rather than read as a plain list or mapping
        problems.append(Problem(out.path, node.start_mark.line + 1, node.start_mark.column + 1,
                                dotted(loc), _construct_message(node, _TAG_REFUSED)))
        return None
    if isinstance(node, SequenceNode):
        return [_build(n, (*loc, i), out, loader, problems, counter, depth + 1)
                for i, n in enumerate(node.value)]
    if isinstance(node, MappingNode):
        result: dict[Any, Any] = {}
        for knode, vnode in node.value:
            if not isinstance(knode, ScalarNode):
                problems.append(Problem(out.path, knode.start_mark.line + 1,
                                        knode.start_mark.column + 1, dotted(loc),
                                        "keys must be plain names"))
                continue
            try:
                key = loader.construct_object(knode)
            except _CONSTRUCT_ERRORS as exc:
                problems.append(Problem(out.path, knode.start_mark.line + 1,
                                        knode.start_mark.column + 1, dotted(loc),
                                        _construct_message(knode, exc)))
                continue
            if isinstance(key, bool):
                key = "yes" if key else "no"
            if not isinstance(key, str | int):
                key = str(key)
            kpos = (knode.start_mark.line + 1, knode.start_mark.column + 1)
            if key in result:
                first = out.keys.get((*loc, key))
                at = f" (first at line {first[0]})" if first else ""
                problems.append(Problem(out.path, *kpos, dotted((*loc, key), None),
                                        f"duplicate key `{key}`{at}"))
                continue
            out.keys[(*loc, key)] = kpos
            result[key] = _build(vnode, (*loc, key), out, loader, problems, counter, depth + 1)
        return result
    return None



_COLLECTION_TAGS = frozenset({"tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"})
_TAG_REFUSED = ConstructorError(None, None, "no constructor for this tag")

# PyYAML's constructors raise these (not only YAMLError) for values such as `!!int x`,
# `!!timestamp x`, an empty `!!int` or a 5,000-digit number.
_CONSTRUCT_ERRORS = (yaml.YAMLError, ValueError, TypeError, AttributeError, OverflowError,
                     LookupError)


def _construct_message(node: Node, exc: Exception) -> str:
    """A one-line message for a value PyYAML cannot construct (no PyYAML context dump)."""
    tag = node.tag or ""
    short = tag.replace("tag:yaml.org,2002:", "!!")
    if tag == "tag:yaml.org,2002:merge":
        return "merge keys (<<) are not allowed in these files"
    if isinstance(exc, ConstructorError) and "constructor" in str(exc.problem):
        return f"the tag {short} is not allowed in these files"
    if isinstance(exc, ValueError) and "digits" in str(exc):
        return "the number is too long"
    return f"cannot read this value as {short}"


def _line_col(text: str, position: int) -> tuple[int, int]:
    """1-based line and column of a character offset in text."""
    before = text[:position]
    return before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1


# ----------------------------------------------------------------------------- fast path

FAST_MAX_CHARS = 64 * 1024
# anchors, aliases, tags, directives, tabs, and a block-scalar header run into a comment
# (`|#`: libyaml accepts it, PyYAML refuses it; found by tests/test_fuzz_loader.py)
_FAST_RISKY = re.compile(r"(?:^|[\s\[\]{},:-])[&*!%]|\t|[|>][-+0-9]*#")


def _fast_parser() -> type | None:
    try:
        from yaml._yaml import CParser
    except ImportError:  # PyYAML built without libyaml
        return None

    class _CLoader(CParser, SafeConstructor, _Resolver):  # type: ignore[misc, valid-type]
        def __init__(self, stream: str):
            CParser.__init__(self, stream)
            SafeConstructor.__init__(self)
            _Resolver.__init__(self)

        def construct_object(self, node: Node, deep: bool = False) -> Any:
            # a plain string is its own value (what SafeConstructor.construct_yaml_str
            # returns), without the constructor's dispatch: most values in these files
            if type(node) is ScalarNode and node.tag == _STR_TAG:
                return node.value
            return super().construct_object(node, deep)

    return _CLoader


_STR_TAG = "tag:yaml.org,2002:str"


def _fast_safe(text: str) -> bool:
    """Small, plain text that cannot reach a limit load_yaml enforces while composing: no
    anchors, aliases, tags or directives, and nesting bounded well below MAX_DEPTH (brackets
    counted, block nesting bounded by each line's indentation and `- ` markers)."""
    if len(text) > FAST_MAX_CHARS:
        return False
    if "\ufeff" in text:  # a byte-order mark inside the text: libyaml reads it otherwise
        return False
    if any(c in text for c in "&*!%\t#") and _FAST_RISKY.search(text):
        return False
    if text.count("[") + text.count("{") > 16:
        return False
    return all(len(line) - len(line.lstrip(" -?:")) <= 40 for line in text.splitlines())


_FAST: list[type | None] = []


def load_yaml_many(path: str | os.PathLike[str], kind: str = "file") -> Located:
    """load_yaml for folders of many small files (a scenario library): the same Located
    result, parsed by libyaml's C parser where the text is small and plain (about four times
    faster), else, and on any problem at all, by load_yaml itself, so refusals and error
    messages are exactly load_yaml's."""
    p = str(path)
    text = read_text(p, kind)
    if not _FAST:
        _FAST.append(_fast_parser())
    parser = _FAST[0]
    if parser is None or not _fast_safe(text):
        return load_yaml(p, kind, text)
    loader = parser(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise yaml.YAMLError("empty")
        out = Located(p, None)
        problems: list[Problem] = []
        out.data = _build(node, (), out, loader, problems, [0], 0)
    except Exception:  # any doubt: the guarded parser decides, and explains
        return load_yaml(p, kind, text)
    finally:
        loader.dispose()
    if problems:
        return load_yaml(p, kind, text)
    out.styles = {k: (v or None) for k, v in out.styles.items()}
    return out
