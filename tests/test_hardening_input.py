"""Broken and hostile rule-set and answers files through the real CLI: each is refused with
exit 2 and `path:line:col: message` (or the best location there is), never a traceback.

Rule sets go through `rules show PATH` (and `run --rules PATH`), answers files through
`run FILE`. Hostile sizes and shapes (a sparse 300 MB file, a billion-laughs alias bomb, a
1 MB flow list of tiny values, 100,000 levels of nesting) are refused while reading, by the
limits in yamlio, before anything large is built.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROOT
from sexting_triage import yamlio
from sexting_triage.cli import main

COP = (ROOT / "rules" / "cop-2016.yaml").read_text(encoding="utf-8")
FIRST_WHEN = re.search(r"^    when: .*$", COP, re.M)
assert FIRST_WHEN is not None
WHEN_LINE = COP[: FIRST_WHEN.start()].count("\n") + 1


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def refused(capsys: pytest.CaptureFixture[str], args: list[str], path: Path,
            where: str | None, *fragments: str) -> str:
    """Exit 2; the first stderr line at `path:where: ` (where "" is any line:col, "3:" any
    column of line 3, None no position: `path: `); each fragment in the message; no traceback
    and nothing on stdout."""
    code, out, err = cli(capsys, *args)
    assert code == 2, (code, out, err)
    assert out == ""
    assert "Traceback" not in err
    if where is None:
        pattern = re.escape(f"{path}: ")
    else:
        line, _, col = where.partition(":")
        pattern = (re.escape(f"{path}:") + (line or r"\d+") + ":" + (col or r"\d+") + ": ")
    # the first line in the file's order; in a rule set an earlier line may have a
    # problem of its own (e.g. a missing `id`), so look for the expected one
    lines = err.splitlines() if args[0] == "rules" else err.splitlines()[:1]
    assert any(re.match(pattern, x) and fragments[0] in x for x in lines), err
    for fragment in fragments:
        assert fragment in err, err
    return err


def answers_file(tmp_path: Path, content: str | bytes, name: str = "answers.yaml") -> Path:
    p = tmp_path / name
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text(content, encoding="utf-8")
    return p


def rule_with_when(tmp_path: Path, when: str) -> Path:
    """The bundled rule set with its first rule's condition replaced."""
    assert FIRST_WHEN is not None
    text = COP[: FIRST_WHEN.start()] + f"    when: '{when}'" + COP[FIRST_WHEN.end():]
    p = tmp_path / "rules.yaml"
    p.write_text(text, encoding="utf-8")
    return p


# ----------------------------------------------------------------------------- both kinds of file

HOSTILE_YAML: list[tuple[str, str | bytes, str | None, tuple[str, ...]]] = [
    ("syntax-error", "answers:\n  imagery: [yes\n", "3:1", ("YAML syntax error",)),
    ("duplicate-key", "answers:\n  imagery: yes\n  imagery: no\n", "3:3",
     ("duplicate key `imagery` (first at line 2)",)),
    ("tab-indent", "answers:\n\timagery: yes\n", "2:1", ("YAML syntax error",)),
    ("two-documents", "answers: {}\n---\nanswers: {}\n", "2:1", ("single document",)),
    ("non-utf8", b"answers:\n  imagery: caf\xe9\n", "2:15", ("byte 0xe9 is not valid UTF-8",)),
    ("utf16", "answers: {}\n".encode("utf-16"), "1:1", ("not valid UTF-8",)),
    ("nul-byte", b"answers:\n  imagery: yes\x00\n", "2:15", ("character #x0000 is not allowed",)),
    ("raw-escape-char", b"answers:\n  imagery: \x1b[31myes\n", "2:12",
     ("character #x001b is not allowed",)),
    ("empty", "", None, ("is empty",)),
    ("only-whitespace", "  \n\n \n", None, ("is empty",)),
    ("only-comment", "# nothing here\n", None, ("is empty",)),
    ("alias-bomb",
     "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
     + "".join(f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n"
               for p, c in zip("abcdefgh", "bcdefghi", strict=True))
     + "answers: *i\n", "2:8", ("anchors and aliases (*name) are not allowed",)),
    ("deep-flow-nesting", "answers: " + "[" * 100_000 + "]" * 100_000 + "\n", "1:",
     (f"nested more than {yamlio.MAX_DEPTH} levels deep",)),
    ("deep-block-nesting", "".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200
     + "x: 1\n", "65:", (f"nested more than {yamlio.MAX_DEPTH} levels deep",)),
    ("too-many-values", "answers: [" + "1," * 500_000 + "1]\n", "1:",
     (f"more than {yamlio.MAX_NODES:,} values",)),
    ("python-tag-value", "answers:\n  imagery: !!python/object/apply:os.system [echo hi]\n",
     "2:12", ("!!python/object/apply:os.system is not allowed",)),
    ("python-tag-key", "answers:\n  !!python/name:os.system x: yes\n", "2:3",
     ("!!python/name:os.system is not allowed",)),
    ("merge-key", "answers:\n  <<: {imagery: yes}\n", "2:3", ("merge keys (<<) are not allowed",)),
    ("bad-int-tag", "answers:\n  youngest_age: !!int twelve\n", "2:17",
     ("cannot read this value as !!int",)),
    ("empty-int-tag", "answers:\n  youngest_age: !!int\n", "2:17",
     ("cannot read this value as !!int",)),
    ("bad-timestamp-tag", "answers:\n  imagery: !!timestamp soon\n", "2:12",
     ("cannot read this value as !!timestamp",)),
    ("5000-digit-number", "answers:\n  youngest_age: " + "1" * 5000 + "\n", "2:17",
     ("the number is too long",)),
    ("bad-unicode-escape", 'answers:\n  imagery: "\\U0011ffff"\n', "2:",
     ("not a valid character",)),
    ("complex-key", "answers:\n  ? [a, b]\n  : yes\n", "2:5", ("keys must be plain names",)),
    ("not-a-mapping", "- imagery\n- yes\n", "1:1", ("mapping",)),
    ("a-scalar", "just some words\n", "1:1", ("mapping",)),
]


@pytest.mark.parametrize(("name", "content", "where", "fragments"), HOSTILE_YAML,
                         ids=[c[0] for c in HOSTILE_YAML])
def test_hostile_answers_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str,
                              content: str | bytes, where: str | None,
                              fragments: tuple[str, ...]) -> None:
    p = answers_file(tmp_path, content)
    refused(capsys, ["run", str(p)], p, where, *fragments)


@pytest.mark.parametrize(("name", "content", "where", "fragments"), HOSTILE_YAML,
                         ids=[c[0] for c in HOSTILE_YAML])
def test_hostile_rule_set_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str,
                               content: str | bytes, where: str | None,
                               fragments: tuple[str, ...]) -> None:
    p = answers_file(tmp_path, content, "rules.yaml")
    if "mapping" in fragments:
        fragments = ("a rule set is a mapping",)
    refused(capsys, ["rules", "show", str(p)], p, where, *fragments)


def test_huge_sparse_file_refused_by_size_before_reading(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """300 MB (sparse, so the test is fast) is refused from its size alone."""
    for args, name in ((["run"], "answers.yaml"), (["rules", "show"], "rules.yaml")):
        p = tmp_path / name
        with open(p, "wb") as fh:
            fh.truncate(300 * 1024 * 1024)
        refused(capsys, [*args, str(p)], p, None, "the file is 314,572,800 bytes",
                f"the limit is {yamlio.MAX_BYTES:,} bytes")


def test_file_just_over_the_limit_is_refused(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    p = answers_file(tmp_path, "answers:\n  imagery: yes\n" + "#" * yamlio.MAX_BYTES)
    refused(capsys, ["run", str(p)], p, None, "too large")


def test_alias_bomb_is_refused_at_the_first_alias_without_expanding(tmp_path: Path) -> None:
    """Nothing is built: the refusal comes from the composer at the first `*`."""
    import tracemalloc

    bomb = "a: &a [" + ", ".join(["lol"] * 9) + "]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True))
    p = answers_file(tmp_path, bomb)
    tracemalloc.start()
    try:
        with pytest.raises(yamlio.InputError) as exc:
            yamlio.load_yaml(p, "answers file")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "anchors and aliases" in str(exc.value)
    assert peak < 5 * 1024 * 1024  # expanded, it would hold 9**9 (387 million) strings


def test_folder_and_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    refused(capsys, ["run", str(tmp_path)], tmp_path, None, "is a folder")
    refused(capsys, ["rules", "show", str(tmp_path / "x.yaml")], tmp_path / "x.yaml", None,
            "no such rule set")


def test_unreadable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import os

    p = answers_file(tmp_path, "answers: {}\n")
    p.chmod(0)
    if os.access(p, os.R_OK):  # running as root: permissions are not enforced
        pytest.skip("file permissions are not enforced for this user")
    refused(capsys, ["run", str(p)], p, None, "cannot read")


# ----------------------------------------------------------------------------- wrong types

WRONG_ANSWERS = [
    ("answers-a-list", "answers: [yes, no]\n", "1:10", "`answers` must map question ids"),
    ("answers-a-string", "answers: yes\n", "1:10", "`answers` must map question ids"),
    ("rules-a-list", "rules: [cop-2016]\nanswers: {}\n", "1:8", "`rules` must be a rule-set id"),
    ("unknown-top-level", "answer: {imagery: yes}\n", "1:1", "unknown field `answer`"),
    ("yesno-a-list", "answers:\n  imagery: [yes]\n", "2:12", "expected yes, no or unknown"),
    ("yesno-a-mapping", "answers:\n  imagery: {value: yes}\n", "2:12",
     "expected yes, no or unknown"),
    ("yesno-a-number", "answers:\n  imagery: 1\n", "2:12", "expected yes, no or unknown"),
    ("yesno-null", "answers:\n  imagery:\n", "2:", "expected yes, no or unknown"),
    ("choice-a-bool", "answers:\n  sharing_extent: yes\n", "2:19", "expected one of"),
    ("integer-a-float", "answers:\n  youngest_age: 12.5\n", "2:17", "expected a whole number"),
    ("integer-a-bool", "answers:\n  youngest_age: true\n", "2:17", "expected a whole number"),
    ("integer-out-of-range", "answers:\n  youngest_age: 40\n", "2:17", "40 is outside 0 to 17"),
    ("integer-huge-hex", "answers:\n  youngest_age: 0x" + "f" * 5000 + "\n", "2:17",
     "the number is outside 0 to 17"),
    ("integer-unicode-digits", "answers:\n  youngest_age: '٣'\n", "2:17",
     "expected a whole number"),
    ("integer-nan", "answers:\n  youngest_age: .nan\n", "2:17", "expected a whole number"),
]


@pytest.mark.parametrize(("name", "content", "where", "fragment"), WRONG_ANSWERS,
                         ids=[c[0] for c in WRONG_ANSWERS])
def test_wrong_types_in_answers(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str,
                                content: str, where: str, fragment: str) -> None:
    p = answers_file(tmp_path, "rules: cop-2016\n" + content
                     if not content.startswith("rules") else content)
    where = f"{int(where.split(':')[0]) + (0 if content.startswith('rules') else 1)}:" + \
        where.split(":", 1)[1]
    refused(capsys, ["run", str(p)], p, where, fragment)


WRONG_RULES = [
    # (old text, new text, message fragment)
    ("id: cop-2016", "id: [cop-2016]", "valid string"),
    ("\nstatus: ", "\nstatus: 3\nold_status: ", "input should be 'current'"),
    ("questions:\n", "questions: 5\nold_questions:\n", "valid list"),
    ("    type: integer\n    min: 0\n", "    type: integer\n    min: zero\n", "valid integer"),
    ("precedence:", "precedence: {a: 1}\nold_precedence:", "valid list"),
    ("    cite:", "    cite: nope\n    old_cite:", "valid list"),
]


@pytest.mark.parametrize(("old", "new", "fragment"), WRONG_RULES,
                         ids=[f"wrong-type-{i}" for i in range(len(WRONG_RULES))])
def test_wrong_types_in_rule_set(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                 old: str, new: str, fragment: str) -> None:
    assert old in COP
    p = tmp_path / "rules.yaml"
    p.write_text(COP.replace(old, new, 1), encoding="utf-8")
    err = refused(capsys, ["rules", "show", str(p)], p, "", fragment)
    assert re.match(rf"{re.escape(str(p))}:\d+:\d+: ", err)


def test_wrong_types_in_invariants_and_choices_are_problems(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A number where a list belongs used to reach `for x in 5` in the semantic checks."""
    extra = ("  - id: odd\n    description: odd\n    kind: monotone\n    facts: 5\n"
             "    from: 'no'\n    to: 'yes'\n")
    assert "\ninvariants:\n" in COP
    p = tmp_path / "rules.yaml"
    p.write_text(COP.replace("\ninvariants:\n", "\ninvariants:\n" + extra, 1), encoding="utf-8")
    refused(capsys, ["rules", "show", str(p)], p, "", "invariants[odd].facts: input should be "
            "a valid list")

    start = COP.index("    choices:\n      - id: not_shared")
    end = COP.index("\n  - id: ", start) + 1
    p.write_text(COP[:start] + "    choices: 5\n" + COP[end:], encoding="utf-8")
    refused(capsys, ["rules", "show", str(p)], p, "", "questions[sharing_extent].choices: "
            "input should be a valid list")


# ----------------------------------------------------------------------------- conditions

@pytest.mark.parametrize(("when", "construct"), [
    ('adult_involved.__class__ == "yes"', "attribute access is not allowed"),
    ('__import__("os").system("ls") == 0', "function calls are not allowed"),
    ('open("/etc/passwd") == "yes"', "function calls are not allowed"),
    ('adult_involved[0] == "y"', "subscripts are not allowed"),
    ('(lambda: 1) == 1', "lambdas are not allowed"),
    ('[x for x in adult_involved] == "yes"', "comprehensions are not allowed"),
    ('adult_involved == {x: 1 for x in "yes"}', "comprehensions are not allowed"),
    ('adult_involved == "ye" + "s"', "arithmetic is not allowed"),
    ('adult_involved == ("yes" if 1 else "no")', "conditional expressions are not allowed"),
    ('(x := 1) == 1', "assignment expressions are not allowed"),
    ('f"{adult_involved}" == "yes"', "f-strings are not allowed"),
    ('adult_involved is "yes"', "`is` is not allowed"),
])
def test_condition_constructs_rejected_at_load_naming_them(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], when: str, construct: str) -> None:
    p = rule_with_when(tmp_path, when)
    err = refused(capsys, ["rules", "show", str(p)], p, f"{WHEN_LINE}:", construct)
    assert "rules[" in err and "].when: " in err


@pytest.mark.parametrize(("when", "message"), [
    ("not " * 300 + 'adult_involved == "yes"', "nested more than 40 levels deep"),
    ("not (" * 50 + 'adult_involved == "yes"' + ")" * 50, "nested more than 40 levels deep"),
    ("(" * 300 + 'adult_involved == "yes"' + ")" * 300, "too many nested parentheses"),
    ("(" * 2100 + 'adult_involved == "yes"' + ")" * 2100, "longer than 4000 characters"),
    ('adult_involved == "yes" or ' * 200 + 'adult_involved == "yes"', "longer than"),
    ("youngest_age == 0x" + "f" * 3950, "numbers in conditions must be between"),
])
def test_deep_or_huge_conditions_are_clear_errors(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], when: str, message: str) -> None:
    p = rule_with_when(tmp_path, when)
    err = refused(capsys, ["rules", "show", str(p)], p, f"{WHEN_LINE}:", message)
    assert "RecursionError" not in err and "MemoryError" not in err


def test_rule_set_given_to_run_is_checked_the_same_way(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = rule_with_when(tmp_path, 'adult_involved.x == "yes"')
    answers = answers_file(tmp_path, "answers:\n  imagery: no\n")
    refused(capsys, ["run", str(answers), "--rules", str(rules)], rules, f"{WHEN_LINE}:",
            "attribute access is not allowed")
