"""Fuzzing the readers: whatever bytes a rule set or answers file holds, loading it gives a
rule set or the tool's own error (a TriageError, shown as `path:line:col: message`), never
anything else.

The number of examples is bounded for CI. For a longer run:

    SEXTING_TRIAGE_FUZZ_EXAMPLES=5000 pytest -m slow tests/test_fuzz_*.py
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import example, given
from hypothesis import strategies as st

from fuzzing import DUMPER, fuzz, get, mutated, scratch
from sexting_triage import loader, yamlio
from sexting_triage.errors import InputError, TriageError
from sexting_triage.ruleset import RuleSet

pytestmark = pytest.mark.slow  # fuzzing: CI runs it with `pytest -m slow`

BUNDLED = {p.name: p.read_text(encoding="utf-8") for p in loader.bundled_paths().values()}
BUNDLED_DATA = {name: yaml.safe_load(text) for name, text in BUNDLED.items()}
_DIR = scratch("fuzz-loader-")


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=DUMPER, allow_unicode=True, sort_keys=False)


def _write(data: bytes | str, name: str = "f.yaml") -> Path:
    p = _DIR / name
    if isinstance(data, str):
        p.write_text(data, encoding="utf-8", errors="surrogatepass")
    else:
        p.write_bytes(data)
    return p


def _only_own_errors(path: Path, answers_too: bool = True) -> None:
    """Both readers give a result or a TriageError; a located error names the file."""
    readers = (loader.load_ruleset, loader.load_answers) if answers_too else (loader.load_ruleset,)
    for read in readers:
        try:
            result = read(path)
        except InputError as exc:
            assert exc.problems
            for problem in exc.problems:
                assert str(problem).startswith(str(path)), str(problem)
                assert "Traceback" not in str(problem)
        except TriageError:
            pass
        else:
            if read is loader.load_ruleset:
                assert isinstance(result, RuleSet)


# ----------------------------------------------------------------------------- raw input

YAML_BITS = st.sampled_from([
    "\n", "  ", "- ", ": ", "a", "id", "rules", "answers", "when", "'", '"', "[", "]", "{", "}",
    ",", "&a", "*a", "!!int", "!!python/object:os.system", "<<", "? ", "|", ">", "#", "---",
    "...", "%YAML 1.1", "\t", "\x00", "\x1b[31m", "\\U0011ffff", "\ufeff", "é", "0x1f",
    "1" * 50, "yes", "no", "~", "null", ".nan", "2001-12-14", "\r\n", "!!binary", "%TAG",
])


@fuzz(150)
@given(st.binary(max_size=400))
def test_any_bytes(raw: bytes) -> None:
    _only_own_errors(_write(raw))


@fuzz(150)
@given(st.lists(YAML_BITS, max_size=60).map("".join))
# found by longer runs: libyaml and PyYAML disagree on these
@example("|#")
@example("a: |-#")
@example("a: >2#\n  x")
@example("\n\ufeff- ")
@example("é\x00")  # a control character after a non-ASCII one: located the same on both paths
def test_yaml_like_text(text: str) -> None:
    path = _write(text)
    _only_own_errors(path)
    _same_as_guarded_parser(path)


def _outcome(path: Path, pure: bool) -> Any:
    saved = yamlio.CParser
    if pure:
        yamlio.CParser = None
    try:
        doc = yamlio.load_yaml(path, "file")
    except InputError as exc:
        if any("syntax error" in p.message for p in exc.problems):
            return "refused"  # a syntax error's wording and position are each parser's own
        return "refused", [str(p) for p in exc.problems]
    finally:
        yamlio.CParser = saved
    # positions of empty values may differ (libyaml marks an empty scalar where the next
    # token starts); everything else must be identical
    values = {k: v for k, v in doc.values.items() if get(doc.data, k) not in (None, "")}
    return doc.data, values, doc.keys


def _same_as_guarded_parser(path: Path) -> None:
    """The C path (libyaml's scanner and parser under our composer) reads what the pure path
    reads, with the same positions, and makes the same refusals of its own (aliases, tags,
    duplicate keys, limits, ambiguous numbers), with the same messages."""
    if yamlio.CParser is not None:
        c, pure = _outcome(path, pure=False), _outcome(path, pure=True)
        if "refused" in (c, pure):
            # a syntax error is each parser's own: libyaml and PyYAML disagree on a few
            # spellings (a tab after a value); both read every file they accept the same way
            return
        assert c == pure  # the tool's own refusals and every result: identical


# ----------------------------------------------------------------------------- generated YAML

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
    st.text(max_size=20),
    st.sampled_from(["yes", "no", "unknown", "imagery", 'imagery == "yes"', "a.b", "f()",
                     "cop-2016", "proportionate-response", "CoP-2016"]),
)
DATA = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=10) | st.sampled_from(
                                ["id", "when", "answers", "rules", "questions", "type",
                                 "choices", "min", "max", "pathway", "flag", "cite"]),
                                inner, max_size=4)),
    max_leaves=25,
)


@fuzz(120)
@given(DATA)
def test_generated_documents(data: Any) -> None:
    path = _write(_dump(data))
    _only_own_errors(path)
    _same_as_guarded_parser(path)


# ----------------------------------------------------------------------------- mutated bundled

@st.composite
def text_mutation(draw: st.DrawFn) -> str:
    """A bundled rule set with a few byte-level edits: lines deleted, duplicated, swapped or
    re-indented, characters inserted, the file cut short."""
    name = draw(st.sampled_from(sorted(BUNDLED)))
    lines = BUNDLED[name].splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "dup", "swap", "indent", "dedent", "insert",
                                   "truncate", "replace"]))
        if op == "delete":
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "indent":
            lines[i] = "  " + lines[i]
        elif op == "dedent":
            lines[i] = lines[i][2:]
        elif op == "insert":
            pos = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:pos] + draw(YAML_BITS) + lines[i][pos:]
        elif op == "truncate":
            lines = lines[:i]
        else:
            pos = draw(st.integers(0, max(len(lines[i]) - 1, 0)))
            lines[i] = lines[i][:pos] + draw(st.characters()) + lines[i][pos + 1:]
    return "".join(lines)


@fuzz(50)
@given(text_mutation())
def test_mutated_bundled_text(text: str) -> None:
    _only_own_errors(_write(text), answers_too=False)


def structure_mutation() -> st.SearchStrategy[Any]:
    """A bundled rule set with values replaced by other types, keys removed or added, list
    items deleted or duplicated: wrong types everywhere."""
    return st.sampled_from(sorted(BUNDLED_DATA)).flatmap(
        lambda name: mutated(BUNDLED_DATA[name], DATA, st.text(max_size=8),
                             ("replace", "delete", "add", "dup")))


@fuzz(50)
@given(structure_mutation())
def test_mutated_bundled_structure(data: Any) -> None:
    _only_own_errors(_write(_dump(data)), answers_too=False)


def test_unmutated_bundled_rule_sets_load() -> None:
    """The mutation tests start from files that load (so a failure is the mutation's)."""
    for name, text in BUNDLED.items():
        assert isinstance(loader.load_ruleset(_write(text, name)), RuleSet)
