"""Accessible mode: numbered options on plain lines, typed answers, `back` and `why`, plain
sentences for mistakes; usable from a script through a pipe."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

import sexting_triage.cli.triage as triage_mod
from sexting_triage.cli import main
from sexting_triage.prompt.accessible import BACK, WHY, parse_reply

# Example 1 of the domain brief, typed: numbers, ids and labels all work.
PROPORTIONATE = ["1", "yes", "15", "no", "2", "n", "no", "no", "no", "no", "No", "no",
                 "intended_recipient", "2", "no", "no"]


def screen(capsys) -> str:
    """What the officer saw: questions (stderr, since stdout is not a terminal) then the
    result (stdout)."""
    out, err = capsys.readouterr()
    return err + out


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("SEXTING_TRIAGE_ACCESSIBLE", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    return tmp_path / "state" / "sexting-triage" / "sessions"


def run(monkeypatch, lines: list[str], *args: str, flag: bool = True) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(f"{x}\n" for x in lines)))
    return main(["triage", "--rules", "cop-2016", *(["--accessible"] if flag else []), *args])


def test_whole_triage_from_piped_lines(env, monkeypatch, capsys, tmp_path):
    rec = tmp_path / "r.json"
    assert run(monkeypatch, [*PROPORTIONATE, ""], "--record", str(rec)) == 0
    out = screen(capsys)
    assert "Question 1 of about 18: Is a nude, semi-nude or sexual photo or video involved?" in out
    assert "  1) Yes\n  2) No\n  3) Not known\n" in out
    assert "  2) Only with the person it was meant for" in out
    assert "RECOMMENDED PATHWAY: Proportionate" in out
    assert "\x1b[" not in out  # no colour, no redraws
    answers = json.loads(rec.read_text())["answers"]
    assert answers["youngest_age"] == 15 and answers["sharing_extent"] == "intended_recipient"
    assert answers["shared_without_consent"] == "no"  # typed as "2"


def test_environment_variable_turns_it_on(env, monkeypatch, capsys):
    monkeypatch.setenv("SEXTING_TRIAGE_ACCESSIBLE", "1")
    assert run(monkeypatch, [*PROPORTIONATE, "ok"], flag=False) == 0
    assert "  1) Yes" in screen(capsys)


def test_term_dumb_uses_it_on_a_terminal(env, monkeypatch, capsys):
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.setattr(triage_mod, "stdin_is_interactive", lambda: True)
    assert run(monkeypatch, [*PROPORTIONATE, ""], flag=False) == 0
    assert "  1) Yes" in screen(capsys)


def test_term_dumb_alone_does_not_read_a_pipe(env, monkeypatch, capsys):
    monkeypatch.setenv("TERM", "dumb")
    assert run(monkeypatch, PROPORTIONATE, flag=False) == 3
    assert "sexting-triage run FILE" in capsys.readouterr().err


def test_mistakes_get_plain_sentences(env, monkeypatch, capsys):
    lines = ["7", "maybe", "1", "back", "1", "1", "x", "40", "15", *PROPORTIONATE[3:], ""]
    assert run(monkeypatch, lines) == 0
    out = screen(capsys)
    assert "Sorry: 7 is not one of the options. Type a number from 1 to 3" in out
    assert "Sorry: That is not one of the answers." in out
    assert "Sorry: That is not a number. Type a whole number from 0 to 17" in out
    assert "Sorry: 40 is outside the range." in out


def test_back_at_the_first_question_is_explained(env, monkeypatch, capsys):
    assert run(monkeypatch, ["back", *PROPORTIONATE, ""]) == 0
    assert "This is the first question, so there is nothing to go back to." in (
        screen(capsys))


def test_back_why_and_enter_keeps_the_answer(env, monkeypatch, capsys, tmp_path):
    rec = tmp_path / "r.json"
    lines = ["1", "1", "15", "why", "back", "", *PROPORTIONATE[3:], ""]
    assert run(monkeypatch, lines, "--record", str(rec)) == 0
    out = screen(capsys)
    assert "WHY THIS QUESTION: Is any child at immediate risk" in out
    assert "Press Enter to keep: 15." in out
    assert json.loads(rec.read_text())["answers"]["youngest_age"] == 15


def test_review_change_by_number(env, monkeypatch, capsys, tmp_path):
    rec = tmp_path / "r.json"
    lines = [*PROPORTIONATE, "99", "4", "yes", ""]
    assert run(monkeypatch, lines, "--record", str(rec)) == 0
    out = screen(capsys)
    assert "Sorry: type a number from 1 to 16" in out
    # at once, and at the end
    assert out.count("URGENT: A child is, or may be, at immediate risk") == 2
    data = json.loads(rec.read_text())
    assert data["answers"]["immediate_risk"] == "yes"
    assert "immediate-safeguarding" in data["decision"]["flags"]


def test_end_of_input_saves_and_prints_resume(env, monkeypatch, capsys):
    assert run(monkeypatch, PROPORTIONATE[:5]) == 130
    err = capsys.readouterr().err
    assert "Input ended before the triage finished. 5 answer(s) saved" in err
    path = Path(re.search(r"--resume (\S+)", err).group(1))
    assert run(monkeypatch, [*PROPORTIONATE[5:], ""], "--resume", str(path)) == 0
    assert "Proportionate" in screen(capsys)
    assert not path.exists()


def test_parse_reply_accepts_numbers_ids_and_labels(cop2016):
    yn = cop2016.question("imagery")
    assert parse_reply(yn, "3", None, True) == "unknown"
    assert parse_reply(yn, "Not known", None, True) == "unknown"
    assert parse_reply(yn, " Y ", None, True) == "yes"
    assert parse_reply(yn, "", "no", True) == "no"
    assert parse_reply(yn, "?", None, True) is WHY
    assert parse_reply(yn, "BACK", None, True) is BACK
    choice = cop2016.question("sharing_extent")
    assert parse_reply(choice, "few_others", None, True) == "few_others"
    assert parse_reply(choice, "5", None, True) == "public_or_porn_site"
    age = cop2016.question("youngest_age")
    assert parse_reply(age, "3", None, True) == 3  # a number, not option 3
    for bad in ("", "18", "-1", "twelve"):
        with pytest.raises(ValueError):
            parse_reply(age, bad, None, True)
    with pytest.raises(ValueError, match="first question"):
        parse_reply(yn, "back", None, False)


def test_changing_an_early_answer_drops_later_ones_with_one_notice(env, monkeypatch, capsys,
                                                                   tmp_path):
    rec = tmp_path / "r.json"
    assert run(monkeypatch, [*PROPORTIONATE, "1", "no", ""], "--record", str(rec)) == 0
    out = screen(capsys)
    assert "Note: 15 later answers no longer apply and were removed" in out
    assert "Outside this guidance" in out
    assert json.loads(rec.read_text())["answers"] == {"imagery": "no"}


def test_review_fits_80_by_24_and_pages_beyond(cop2016):
    from rich.console import Console

    from sexting_triage.prompt.accessible import PlainPrompter, ReviewItem

    long_q = cop2016.questions[0]
    items = [ReviewItem(n, q, q.domain[0]) for n, q in
             enumerate([*cop2016.questions, *cop2016.questions], 1)]
    assert len(items) > 24 and len(long_q.text) > 10
    buf = io.StringIO()
    con = Console(file=buf, width=80, no_color=True, soft_wrap=True)
    # Enter on page 1 shows page 2; there a number picks that answer to change
    prompter = PlainPrompter(con, io.StringIO("\n20\n"))
    assert prompter.review(items) == items[19].question.id
    pages = buf.getvalue().split("Review your answers")[1:]
    assert len(pages) == 2 and "(page 1 of 3, answers 1 to 16 of 36)" in pages[0]
    for page in pages:
        lines = page.splitlines()
        assert len(lines) <= 24
        assert all(len(line) <= 80 for line in lines), max(lines, key=len)
    text = buf.getvalue()
    for it in items[:32]:  # each answer on the two pages shown, once
        assert text.count(f"\n{it.number:>2}) ") == 1
