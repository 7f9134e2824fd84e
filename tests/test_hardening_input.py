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
from typing import Any

import pytest

from conftest import ROOT
from sexting_triage import reading, yamlio
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
    # (a warning such as "rule set ... is superseded" may come first)
    said = [x for x in err.splitlines() if not x.startswith("warning:")]
    lines = said if args[0] == "rules" else said[:1]
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
    ("nul-after-non-ascii", "answers:\n  imagery: café\x00\n".encode(), "2:16",
     ("character #x0000 is not allowed",)),
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
    # YAML 1.1 reads these as other numbers (octal 15, 15, sexagesimal 90, binary 5)
    ("leading-zero-number", "answers:\n  youngest_age: 017\n", "2:17",
     ("`017` is not a plain number: YAML 1.1 would read it as 15",)),
    ("underscore-number", "answers:\n  youngest_age: 1_5\n", "2:17",
     ("`1_5` is not a plain number",)),
    ("sexagesimal-number", "answers:\n  youngest_age: 1:30\n", "2:17",
     ("`1:30` is not a plain number: YAML 1.1 would read it as 90",)),
    ("binary-number", "answers:\n  youngest_age: 0b101\n", "2:17",
     ("`0b101` is not a plain number",)),
    # libyaml refuses the escape itself, PyYAML reads it: both are refused at the string
    ("lone-surrogate-escape", 'answers:\n  imagery: "\\ud800"\n', "2:", ("escape",)),
    ("utf8-encoded-surrogate", b"answers:\n  imagery: \xed\xa0\x80\n", "2:12",
     ("byte 0xed is not valid UTF-8",)),
    ("byte-order-mark-inside", "answers:\n  imagery: y\ufeffes\n", "2:13",
     ("byte-order mark (U+FEFF) inside the file",)),
    ("block-header-into-comment", "answers:\n  imagery: |#\n", "2:",
     ("found '#'",)),
]


@pytest.fixture(params=["libyaml", "pure"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each hostile file through both YAML paths: libyaml's C parser under the tool's
    composer (where PyYAML has it) and PyYAML's pure-Python parser."""
    if request.param == "pure":
        monkeypatch.setattr(yamlio, "CParser", None)
    elif yamlio.CParser is None:
        pytest.skip("PyYAML is installed without libyaml")
    assert yamlio.parser_name() == request.param
    return str(request.param)


@pytest.mark.parametrize(("name", "content", "where", "fragments"), HOSTILE_YAML,
                         ids=[c[0] for c in HOSTILE_YAML])
def test_hostile_answers_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str,
                              content: str | bytes, where: str | None,
                              fragments: tuple[str, ...], parser: str) -> None:
    p = answers_file(tmp_path, content)
    if name == "not-a-mapping":  # `run` reads a list as a file of scenarios, and says so
        code, out, err = cli(capsys, "run", str(p))
        assert code == 2 and out == "" and "Traceback" not in err
        assert "holds several scenarios" in err and "scenarios check" in err
        return
    refused(capsys, ["run", str(p)], p, where, *fragments)


@pytest.mark.parametrize(("name", "content", "where", "fragments"), HOSTILE_YAML,
                         ids=[c[0] for c in HOSTILE_YAML])
def test_hostile_rule_set_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str,
                               content: str | bytes, where: str | None,
                               fragments: tuple[str, ...], parser: str) -> None:
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
                f"the limit is {reading.MAX_BYTES:,} bytes")


def test_file_just_over_the_limit_is_refused(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    p = answers_file(tmp_path, "answers:\n  imagery: yes\n" + "#" * reading.MAX_BYTES)
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


# ----------------------------------------------------------------------------- special files

def _commands(path: Path, tmp_path: Path) -> list[tuple[str, list[str]]]:
    """Every way a file reaches the one reader: (what it is read as, the command)."""
    answers = answers_file(tmp_path, "answers:\n  imagery: no\n", "ok.yaml")
    return [
        ("answers file", ["run", str(path)]),
        ("rule set", ["run", str(answers), "--rules", str(path)]),
        ("rule set", ["rules", "show", str(path)]),
        ("session file", ["triage", "--accessible", "--session-dir", str(tmp_path / "s"),
                          "--resume", str(path)]),
        ("decision record", ["record", "verify", str(path)]),
        ("decision record", ["record", "show", str(path)]),
    ]


@pytest.fixture
def no_hang() -> Any:
    """Fail (instead of hanging the suite) if a command blocks reading."""
    import signal

    def hung(_sig: int, _frame: object) -> None:
        raise AssertionError("the command blocked reading its input")

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


@pytest.mark.parametrize("kind", ["fifo", "folder", "/dev/zero", "/dev/urandom"])
def test_fifo_device_or_folder_is_refused_at_once(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], no_hang: None, kind: str) -> None:
    """A named pipe nobody writes to, an endless device or a folder, given as any input
    file, is refused (exit 2) from fstat before a byte is read: never read forever."""
    import os

    if kind == "fifo":
        path = tmp_path / "pipe.yaml"
        os.mkfifo(path)
        what = "is a named pipe (FIFO)"
    elif kind == "folder":
        path = tmp_path / "folder.yaml"
        path.mkdir()
        what = "is a folder"
    else:
        path = Path(kind)
        if not path.exists():
            pytest.skip(f"{kind} is not available here")
        what = "is a device"
    for read_as, args in _commands(path, tmp_path):
        article = "an" if read_as[0] in "aeiou" else "a"
        refused(capsys, args, path, None, f"{what}, not {article} {read_as}")


def test_file_name_over_the_file_system_limit(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """ENAMETOOLONG: exit 2 saying the name is too long, for every input (the message
    starts with the path, shortened, so the option's argument is recognisable)."""
    path = tmp_path / ("x" * 300 + ".yaml")
    for _read_as, args in _commands(path, tmp_path):
        code, _out, err = cli(capsys, *args)
        assert code == 2, (args, err)
        assert "Traceback" not in err
        assert "the file name is longer than the file system allows" in err, err
        assert err.startswith(str(path)[:60]), err


def test_on_and_off_are_words_yes_and_true_are_booleans(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`on` is not read as yes (YAML 1.1 would): it is refused as an answer; `yes` and
    `true` are accepted for yes/no; a quoted "017" is text, read as the number 17."""
    p = answers_file(tmp_path, "answers:\n  imagery: on\n")
    refused(capsys, ["run", str(p)], p, "2:", "expected yes, no or unknown")
    for spelling in ("yes", "true", "Yes"):
        p = answers_file(tmp_path, f"answers:\n  imagery: {spelling}\n  subject_under_18: no\n")
        code, out, err = cli(capsys, "run", str(p), "--json")
        assert code == 0, err
        assert '"imagery": "yes"' in out
    data = yamlio.load_yaml(answers_file(tmp_path, 'a: "017"\nb: 17\nc: 0x11\non: 1\n')).data
    assert data == {"a": "017", "b": 17, "c": 17, "on": 1}


# ----------------------------------------------------------------------------- JSON files

def _session_text(tmp_path: Path) -> str:
    from sexting_triage import loader
    from sexting_triage import session as S

    rs = loader.resolve("cop-2016")
    s = S.Session.create(tmp_path / "made", rs, "cop-2016")
    s.set_answers({"imagery": "yes"})
    s.release()
    return s.path.read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", ["session", "record"])
def test_duplicate_keys_in_json_make_it_invalid(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str) -> None:
    """json keeps the last of two equal keys, silently: a record or session holding one
    twice (an edited answer appended below the original) is refused, at the second key."""
    import json

    if kind == "session":
        text = _session_text(tmp_path)
        doc = json.loads(text)
        edited = text.replace('"imagery": "yes"', '"imagery": "yes",\n    "imagery": "no"')
        path = tmp_path / "s.json"
        args = ["triage", "--accessible", "--session-dir", str(tmp_path / "s"), "--resume",
                str(path)]
    else:
        from sexting_triage import loader, records
        from sexting_triage.engine import decide
        from test_records import ANSWERS

        doc = records.build(decide(loader.resolve("cop-2016"), ANSWERS), "CAD-1-26")
        text = records.dumps(doc)
        edited = text.replace('"imagery": "yes"', '"imagery": "yes",\n    "imagery": "no"', 1)
        path = tmp_path / "r.json"
        args = ["record", "verify", str(path)]
    assert edited != text and json.loads(edited) != doc  # plain json takes the second
    path.write_text(edited, encoding="utf-8")
    line = edited[: edited.index('"imagery": "no"')].count("\n") + 1
    refused(capsys, args, path, f"{line}:", 'the key "imagery" appears twice in one object')


@pytest.mark.parametrize("kind", ["session", "record"])
def test_lone_surrogate_in_json_is_refused_with_its_place(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str) -> None:
    """`"\\ud800"` decodes to half a character, which can be neither printed nor saved:
    the file is refused at the escape (a proper pair, an emoji, is fine)."""
    from sexting_triage import files

    text = '{\n  "schema": "x",\n  "a": "ok \\ud83d\\ude00",\n  "b": "bad \\ud800 here"\n}\n'
    path = tmp_path / f"{kind}.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(yamlio.InputError) as exc:
        files.load_json(path, f"{kind} file")
    assert str(exc.value).startswith(f"{path}:4:13: ")
    assert "lone surrogate" in str(exc.value)
    args = (["record", "verify", str(path)] if kind == "record" else
            ["triage", "--accessible", "--session-dir", str(tmp_path), "--resume", str(path)])
    refused(capsys, args, path, "4:13", "lone surrogate")
