"""Read YAML into plain data while remembering where every value came from.

PyYAML's node tree gives line and column for every key and value; we keep them in a map
keyed by the value's path so pydantic's `loc` and our own checks can point at
`path:line:col`. Duplicate keys (which PyYAML silently overwrites), anchors and aliases
(the "billion laughs" bomb), oversized files and non-UTF-8 bytes are refused here, once,
for every kind of file the tool reads. Reading the bytes (size, file kind, UTF-8) is
`reading.py`'s job; this module composes YAML with marks.
"""

from __future__ import annotations

import os
import re
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.error import Mark
from yaml.events import AliasEvent, ScalarEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader, ReaderError
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from sexting_triage.errors import InputError, Problem
from sexting_triage.located import Located as Located  # re-exported: the readers take both here
from sexting_triage.located import PathKey as PathKey
from sexting_triage.located import dotted
from sexting_triage.reading import (
    LONE_SURROGATE,
    line_col,
    read_text,
    whole_text,
)
from sexting_triage.reading import read_file as read_file  # the loader and overlays read here

# A rule set is about 25 kB and 600 values; these limits (and reading.MAX_BYTES) leave
# ample room while keeping the refusal of a hostile file well under a second.
MAX_NODES = 20_000
MAX_DEPTH = 64


class _Refused(yaml.MarkedYAMLError):
    """A file refused while it is read (too many values, nested too deeply)."""


class _NoAliasComposer(Composer):
    """Refuses aliases, too many values and too deep nesting while composing, so a hostile
    file is refused after reading only as far as needed (PyYAML is pure Python here: a
    megabyte of tiny values takes many seconds, and deep nesting would hit the recursion
    limit)."""

    def __init__(self, text: str | None = None) -> None:
        super().__init__()
        self._count = 0
        self._depth = 0
        self._text = text

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        event = self.peek_event()  # type: ignore[attr-defined]
        if isinstance(event, AliasEvent):
            raise yaml.MarkedYAMLError(
                None, None, "anchors and aliases (*name) are not allowed in these files",
                event.start_mark,  # type: ignore[arg-type]
            )
        self._count += 1
        if self._count > MAX_NODES:
            raise _Refused(None, None, f"the file has more than {MAX_NODES:,} values",
                           event.start_mark)
        if self._depth > MAX_DEPTH:
            raise _Refused(None, None, f"nested more than {MAX_DEPTH} levels deep",
                           event.start_mark)
        if isinstance(event, ScalarEvent) and event.style in ("|", ">"):
            self._check_block_header(event.start_mark)
        self._depth += 1
        try:
            node = super().compose_node(parent, index)
            assert node is not None
            return node
        finally:
            self._depth -= 1

    def _check_block_header(self, mark: Any) -> None:
        """A block-scalar header run into a comment (`|#`, `>2#`) is refused, as PyYAML's
        scanner refuses it; libyaml alone would accept it, and both paths must agree."""
        text = getattr(self, "_text", None)
        if text is None or mark is None:
            return
        lines = text.split("\n", mark.line + 1)
        if mark.line >= len(lines):
            return
        header = lines[mark.line][mark.column:]
        rest = header[1:].lstrip("-+0123456789") if header[:1] in ("|", ">") else ""
        if rest.startswith("#"):
            col = mark.column + len(header) - len(rest)
            raise yaml.MarkedYAMLError(
                "while scanning a block scalar", mark,
                "expected chomping or indentation indicators, but found '#'",
                Mark(mark.name, 0, mark.line, col, None, None))  # type: ignore[arg-type]


class _Scanner(Scanner):
    """Refuses deep flow nesting (`[[[[...`) as it is scanned: PyYAML keeps a possible
    simple key for every open bracket and re-checks them all for each token, so 100,000
    brackets took over a second before the composer's depth limit was reached."""

    def fetch_flow_collection_start(self, TokenClass: Any) -> None:
        if self.flow_level >= MAX_DEPTH:
            raise _Refused(None, None, f"nested more than {MAX_DEPTH} levels deep",
                           self.get_mark())  # type: ignore[attr-defined]
        super().fetch_flow_collection_start(TokenClass)


class _Resolver(Resolver):
    """The YAML 1.1 resolver without implicit timestamps (dates stay strings)."""


_Resolver.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in Resolver.yaml_implicit_resolvers.items()
}
# `on` and `off` are words here, not booleans (see _scalar); yes/no/true/false stay booleans
_BOOL_TAG = "tag:yaml.org,2002:bool"
_BOOL = re.compile(r"^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE)$")
for _first in "oO":
    _Resolver.yaml_implicit_resolvers[_first] = [
        (tag, rx) for tag, rx in _Resolver.yaml_implicit_resolvers.get(_first, [])
        if tag != _BOOL_TAG]
for _first in "yYnNtTfF":
    _Resolver.yaml_implicit_resolvers[_first] = [
        (tag, _BOOL if tag == _BOOL_TAG else rx)
        for tag, rx in _Resolver.yaml_implicit_resolvers.get(_first, [])]


class _Loader(Reader, _Scanner, Parser, _NoAliasComposer, SafeConstructor, _Resolver):
    """The pure-Python path: PyYAML's reader, scanner and parser."""

    def __init__(self, stream: str):
        Reader.__init__(self, stream)
        _Scanner.__init__(self)
        Parser.__init__(self)
        _NoAliasComposer.__init__(self)
        SafeConstructor.__init__(self)
        _Resolver.__init__(self)


CParser: Any
try:  # libyaml's C scanner and parser, where PyYAML was built with it
    from yaml._yaml import CParser
except ImportError:  # pragma: no cover - depends on how PyYAML was installed
    CParser = None


def _c_loader() -> type | None:
    """The C path: libyaml scans and parses (events with marks), and our composer builds the
    nodes, so every refusal made while composing (aliases, too many values, depth) and every
    position is the same as on the pure path."""
    if CParser is None:
        return None

    class _CLoader(_NoAliasComposer, CParser, SafeConstructor, _Resolver):  # type: ignore[misc]
        def __init__(self, stream: str):
            CParser.__init__(self, stream)
            _NoAliasComposer.__init__(self, stream)
            SafeConstructor.__init__(self)
            _Resolver.__init__(self)

    return _CLoader


_C_LOADER: list[type | None] = []


def parser_name() -> str:
    """Which path reads YAML here: "libyaml" (C) or "pure" (PyYAML's Python parser)."""
    return "libyaml" if _loader_class() is not _Loader else "pure"


def _loader_class() -> type:
    if CParser is None:
        return _Loader
    if not _C_LOADER:
        _C_LOADER.append(_c_loader())
    return _C_LOADER[0] or _Loader


def load_yaml(path: str | os.PathLike[str], kind: str = "file",
              text: str | None = None) -> Located:
    """Parse one YAML document into plain data with positions; all errors as InputError."""
    p = str(path)
    if text is None:
        text = read_text(p, kind)
    if "\ufeff" in text[1:]:
        line, col = line_col(text, text.index("\ufeff", 1))
        raise InputError([Problem(p, line, col, "", "a byte-order mark (U+FEFF) inside the "
                                  "file is not allowed: remove it")])
    loader: Any = None
    cls = _loader_class()
    try:
        loader = cls(text)
        node = loader.get_single_node()
    except _Refused as exc:
        mark = exc.problem_mark
        raise InputError([Problem(p, mark.line + 1 if mark else None,
                                  mark.column + 1 if mark else None, "",
                                  exc.problem or "refused")]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        msg = exc.problem or exc.context or "invalid YAML"
        if "maximum nesting depth" in msg:  # libyaml's own limit (deeper than ours)
            raise InputError([Problem(p, mark.line + 1 if mark else None,
                                      mark.column + 1 if mark else None, "",
                                      f"nested more than {MAX_DEPTH} levels deep")]) from None
        if exc.context and exc.problem and "aliases" not in msg:
            msg = f"{exc.context}: {exc.problem}" if "while" not in exc.context else msg
        if "invalid Unicode character escape" in msg:  # libyaml's words for "\U0011ffff"
            msg = "an escape in a quoted string is not a valid character"
        at = (mark.line + 1, mark.column + 1) if mark else None
        raise InputError([Problem(p, at[0] if at else None, at[1] if at else None, "",
                                  f"YAML syntax error: {msg}")]) from None
    except ReaderError as exc:
        line, col = line_col(text, _char_offset(text, exc.position, cls))
        raise InputError([Problem(p, line, col, "",
                                  f"character #x{exc.character:04x} is not allowed in a YAML "
                                  "file (control characters must be escaped)")]) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem(p, None, None, "", f"YAML error: {exc}")]) from None
    except RecursionError:
        raise InputError([Problem(p, None, None, "", "the file is nested too deeply")]) from None
    except (ValueError, OverflowError) as exc:
        # PyYAML's scanner lets some bad escapes (e.g. "\U0011ffff") escape as ValueError
        mark = loader.get_mark() if isinstance(loader, _Loader) else None
        at = (mark.line + 1, mark.column + 1) if mark else None
        msg = ("an escape in a quoted string is not a valid character" if "chr()" in str(exc)
               else str(exc))
        raise InputError([Problem(p, at[0] if at else None, at[1] if at else None, "",
                                  f"YAML syntax error: {msg}")]) from None
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


def _char_offset(text: str, position: int, cls: type) -> int:
    """libyaml reports a reader error's position in UTF-8 bytes; PyYAML in characters."""
    if cls is _Loader:
        return position
    return len(text.encode("utf-8")[:position].decode("utf-8", "ignore"))


def _build(node: Node, loc: PathKey, out: Located, loader: Any,
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
        out.styles[loc] = node.style or None  # libyaml says "" for plain, PyYAML None
        try:
            value = _scalar(loader, node)
        except _CONSTRUCT_ERRORS as exc:
            problems.append(Problem(out.path, node.start_mark.line + 1,
                                    node.start_mark.column + 1, dotted(loc),
                                    _construct_message(node, exc)))
            return None
        except _Unclear as exc:
            problems.append(Problem(out.path, node.start_mark.line + 1,
                                    node.start_mark.column + 1, dotted(loc), str(exc)))
            return None
        return value
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
                key = _scalar(loader, knode)
            except _CONSTRUCT_ERRORS as exc:
                problems.append(Problem(out.path, knode.start_mark.line + 1,
                                        knode.start_mark.column + 1, dotted(loc),
                                        _construct_message(knode, exc)))
                continue
            except _Unclear as exc:
                problems.append(Problem(out.path, knode.start_mark.line + 1,
                                        knode.start_mark.column + 1, dotted(loc), str(exc)))
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



class _Unclear(Exception):
    """A value YAML 1.1 reads differently from how it looks (see _scalar)."""


_INT_TAG = "tag:yaml.org,2002:int"
_PLAIN_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*|0x[0-9a-fA-F]+)")


def _scalar(loader: Any, node: ScalarNode) -> Any:
    """One scalar's value, read the safe way where YAML 1.1 would surprise a reader:

    - a number written `017` (octal 15 in YAML 1.1), `0o17`, `0b101`, `1_5` or `1:30`
      (sexagesimal 90) is refused, saying how to write it: never read as another number;
    - `on` and `off` stay words (YAML 1.1 reads them as true and false); `yes`, `no`, `true`
      and `false` are booleans, which yes/no answers accept;
    - text holding a lone surrogate (a `\\ud800` escape with no partner) is refused; an
      escaped surrogate pair becomes its character."""
    if (node.tag == _INT_TAG and not node.style and not _PLAIN_INT.fullmatch(node.value)
            and loader.resolve(ScalarNode, node.value, (True, False)) == _INT_TAG):
        raise _Unclear(f"`{node.value}` is not a plain number: YAML 1.1 would read it as "
                       f"{_yaml11_int(node.value)}; write the number in decimal digits only "
                       f"(or quote it, \"{node.value}\", if it is text)")
    value = loader.construct_object(node, deep=True)
    if isinstance(value, str):
        joined = whole_text(value)
        if joined is None:
            raise _Unclear(LONE_SURROGATE)
        return joined
    return value


def _yaml11_int(text: str) -> str:
    try:
        return str(SafeConstructor().construct_yaml_int(ScalarNode(_INT_TAG, text)))
    except _CONSTRUCT_ERRORS:
        return "another number"


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


def load_yaml_many(path: str | os.PathLike[str], kind: str = "file") -> Located:
    """load_yaml, kept for readers of many small files (a scenario library): there is one
    reading path, libyaml's C parser where PyYAML has it, PyYAML's pure one otherwise."""
    return load_yaml(path, kind)
