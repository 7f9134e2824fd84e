"""Terminal safety through the real CLI: text from rule files and answers files (question
texts, titles, reasons, actions, citations, answer keys) holding rich markup, ANSI escape
sequences (colour, screen clear, window title), C1 controls, carriage returns, backspaces or
bidirectional overrides is shown literally or stripped, never interpreted."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from helpers import CLEAN
from sexting_triage.cli import main

COP = (ROOT / "rules" / "cop-2016.yaml").read_text(encoding="utf-8")

# YAML double-quoted escapes: \e is ESC, \a BEL, \x9b the one-byte CSI, \u202e right-to-left
HOSTILE_YAML = (r" [bold red]MARKUP[/bold red] [link=http://x]L[/link] \e[31mRED\e[0m"
                r" \e]0;pwned\a \e[2J\e[H \x9b2J \r\b\x7f \u202eevil \e]8;;http://x\e\\")
CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
SGR = re.compile(r"\x1b\[[0-9;]*m")


def hostile_rules(tmp_path: Path) -> Path:
    """The bundled rule set with the hostile text appended to every double-quoted text,
    title, reason, section and action."""
    pattern = re.compile(r'^(\s+(?:text|title|reason|section|summary|- )(?::\s*)?)"(.*)"$', re.M)
    text, n = pattern.subn(lambda m: f'{m.group(1)}"{m.group(2)}{HOSTILE_YAML}"', COP)
    assert n > 40
    p = tmp_path / "hostile.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def clean_answers(tmp_path: Path, extra: dict[str, str] | None = None) -> Path:
    from sexting_triage.loader import load_ruleset

    qids = {q.id for q in load_ruleset(ROOT / "rules" / "cop-2016.yaml").questions}
    answers = {k: v for k, v in CLEAN.items() if k in qids} | (extra or {})
    p = tmp_path / "answers.yaml"
    p.write_text(yaml.safe_dump({"answers": answers}, allow_unicode=True), encoding="utf-8")
    return p


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def assert_inert(output: str, colour: bool = False) -> None:
    """Markup shown literally; no escape or control character left, except rich's own
    colour codes when colour is on."""
    if colour:
        output = SGR.sub("", output)
    words = re.sub(r"\s+", " ", output)  # on a terminal long lines wrap at any space
    assert "[bold red]MARKUP[/bold red]" in words
    assert "[link=http://x]L[/link]" in words
    assert not CONTROLS.search(output), repr(CONTROLS.search(output))
    assert "pwned" not in output  # the window-title sequence went as a whole


@pytest.mark.parametrize("args", [["rules", "show"], ["rules", "show", "--no-color"]])
def test_rules_show_never_interprets_file_text(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str],
                                               args: list[str]) -> None:
    code, out, err = cli(capsys, *args, str(hostile_rules(tmp_path)))
    assert code == 0, err
    assert_inert(out)
    assert "RED" in out and "evil" in out  # the words stay; only the controls go


def test_run_result_screen_never_interprets_file_text(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    rules = hostile_rules(tmp_path)
    code, out, err = cli(capsys, "run", str(clean_answers(tmp_path)), "--rules", str(rules))
    assert code == 0, err
    assert_inert(out)
    assert "[ ] " in out  # the checklist rendered


def test_with_colour_forced_only_rich_colour_codes_reach_the_terminal(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm-256color")
    rules = hostile_rules(tmp_path)
    code, out, err = cli(capsys, "run", str(clean_answers(tmp_path)), "--rules", str(rules))
    assert code == 0, err
    assert SGR.search(out), "colour was not on: the test would prove nothing"
    assert_inert(out, colour=True)


def test_json_output_escapes_every_control_character(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """JSON is data: the text is kept exactly, but as \\u escapes, never raw controls."""
    rules = hostile_rules(tmp_path)
    code, out, err = cli(capsys, "run", str(clean_answers(tmp_path)), "--rules", str(rules),
                         "--json")
    assert code == 0, err
    assert not CONTROLS.search(out.replace("\n", "")), repr(CONTROLS.search(out))
    doc = json.loads(out)
    assert "\x1b]0;pwned\x07" in doc["pathway"]["title"]  # kept exactly, as data


def test_answer_keys_and_values_in_warnings_and_errors_are_stripped(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hostile_key = "\x1b]0;pwned\x07\x1b[2Jkey[bold]"
    p = clean_answers(tmp_path, {hostile_key: "yes"})
    code, _out, err = cli(capsys, "run", str(p), "--rules", "cop-2016")
    assert code == 0, err
    assert "key[bold]" in err and "ignored" in err
    assert not CONTROLS.search(err) and "pwned" not in err

    p.write_text(yaml.safe_dump({"answers": {"imagery": "\x1b[2Jyes\x9b"}}), encoding="utf-8")
    code, _, err = cli(capsys, "run", str(p), "--rules", "cop-2016")
    assert code == 2
    assert not CONTROLS.search(err.replace("\n", "")), repr(err)


def test_error_messages_quoting_file_text_are_stripped(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """A rule-set problem that quotes the file (an unknown field, an unknown fact) passes
    through the same cleaning."""
    text = COP.replace("\nrules:\n", '\n"\\e]0;pwned\\a\\e[2Jcolour": red\nrules:\n', 1)
    text = text.replace("when: 'imagery == \"no\"'",
                        "when: 'imagery == \"no\" or x\\u202e == \"\\x1b[2J\"'", 1)
    p = tmp_path / "r.yaml"
    p.write_text(text, encoding="utf-8")
    code, _, err = cli(capsys, "rules", "show", str(p))
    assert code == 2 and "unknown field" in err
    assert not CONTROLS.search(err.replace("\n", "")), repr(err)
    assert "pwned" not in err


def test_triage_accessible_never_interprets_file_text(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The question texts, help, options, review, urgent flags and result of a typed triage."""
    import io
    import sys

    from sexting_triage import engine, loader

    rules = hostile_rules(tmp_path)
    rs = loader.load_ruleset(rules)
    answers = {k: v for k, v in CLEAN.items() if k in rs.question_index} | {
        "immediate_risk": "yes"}
    facts: dict[str, object] = {}
    lines = []
    while (q := engine.next_question(rs, facts)) is not None:
        facts[q.id] = answers[q.id]
        lines += ["why", str(answers[q.id])]  # `why` prints the rules and their sources too
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join([*lines, ""]) + "\n"))
    code, out, err = cli(capsys, "triage", "--accessible", "--rules", str(rules),
                         "--session-dir", str(tmp_path / "s"))
    assert code == 0, err
    assert_inert(out)  # the result
    assert_inert(err)  # the questions, help, options, why, review and urgent flags


def test_typed_control_characters_are_not_echoed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """What a person (or a script) types is never echoed back raw, even when it is not an
    answer; a 1 MB line is just a wrong answer."""
    import io
    import sys

    typed = "\x1b]0;pwned\x07\x1b[2Jyes[bold]\n" + "y" * 1_000_000 + "\n\x9b2J\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(typed))
    code, out, err = cli(capsys, "triage", "--accessible", "--rules", "cop-2016",
                         "--session-dir", str(tmp_path / "s"))
    assert code == 130  # input ended: nothing was a valid answer
    assert (out + err).count("Sorry:") == 3  # the questions are on the terminal: stderr here
    assert not CONTROLS.search((out + err).replace("\n", "")) and "pwned" not in out
    assert "y" * 1000 not in out + err
