"""The arrow-key triage in-process: prompt_toolkit pipe input, keys sent ahead, pipe closed so
a missing key raises EOFError (saved like an interruption) instead of hanging."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

import sexting_triage.cli.triage as triage_mod
from sexting_triage.cli import main

ROOT = Path(__file__).resolve().parents[1]
ENTER, DOWN, UP, CTRL_C, BACKSPACE = "\r", "\x1b[B", "\x1b[A", "\x03", "\x7f"


def pick(i: int) -> str:
    """Select the i-th entry (0-based) from the top of a select list, then Enter."""
    return DOWN * i + ENTER


YES, NO, UNKNOWN, WHY = pick(0), pick(1), pick(2), pick(3)
BACK = pick(4)  # below Why (the separator is skipped)


def num(n: int) -> str:
    return f"{n}{ENTER}"


# Example 1 of the domain brief (two 15-year-olds, nothing aggravating), in question order.
START = YES + YES + num(15)
INDICATORS = NO * 7  # adult .. sexual_acts (immediate_risk is asked before them)
# then taken without consent, sharing extent, shared without consent, malice, previous
PROPORTIONATE = START + NO + INDICATORS + NO + pick(1) + NO + NO + NO
AGREE = ENTER  # the officer's decision: "I agree" is first
DONE = ENTER + AGREE  # confirm the review, then agree


@pytest.fixture
def state(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("SEXTING_TRIAGE_ACCESSIBLE", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setattr(triage_mod, "stdin_is_interactive", lambda: True)
    return tmp_path / "state" / "sexting-triage" / "sessions"


def run(keys: str, *args: str) -> int:
    with create_pipe_input() as inp, create_app_session(input=inp, output=DummyOutput()):
        inp.send_text(keys)
        inp.close()
        if "--rules" not in args and "--resume" not in args:
            args = ("--rules", "cop-2016", *args)
        return main(["triage", "--no-color", *args])


def screen(capsys) -> str:
    """What the officer saw: the questions (on the terminal: stderr here, as stdout is not
    a terminal) and then the result (stdout)."""
    out, err = capsys.readouterr()
    return err + out


def record_of(path: Path) -> dict:
    return json.loads(path.read_text())


def test_whole_triage_every_question_type(state, tmp_path, capsys):
    rec = tmp_path / "r.json"
    assert run(PROPORTIONATE + DONE, "--record", str(rec), "--incident-ref", "CAD-1234/26") == 0
    out = screen(capsys)
    assert "Do not look at the image to answer this" in out  # help shown with the question
    assert "Question 16 of about 16" in out
    assert "REVIEW YOUR ANSWERS" in out
    assert "RECOMMENDED PATHWAY: Proportionate" in out
    data = record_of(rec)
    assert data["answers"]["youngest_age"] == 15  # integer question
    assert data["answers"]["sharing_extent"] == "intended_recipient"  # choice question
    assert data["answers"]["imagery"] == "yes"  # yes/no/unknown question
    assert data["decision"]["pathway"]["id"] == "proportionate-response"
    assert data["incident_ref"] == "CAD-1234/26"
    assert stat.S_IMODE(rec.stat().st_mode) == 0o600
    assert main(["record", "verify", str(rec)]) == 0
    assert list(state.iterdir()) == []  # a finished session is removed


def test_integer_range_is_validated(state, tmp_path, capsys):
    rec = tmp_path / "r.json"
    keys = YES + YES + "25" + ENTER + BACKSPACE * 2 + num(13) + PROPORTIONATE[len(START):]
    assert run(keys + ENTER, "--record", str(rec)) == 0
    assert record_of(rec)["answers"]["youngest_age"] == 13


def test_urgent_flag_shown_at_once_and_again_at_the_end(state, capsys):
    keys = START + YES + INDICATORS + NO + pick(1) + NO + NO + NO + DONE
    assert run(keys) == 0
    out = screen(capsys)
    first = out.index("URGENT: A child is, or may be, at immediate risk")
    assert first < out.index("Question 5")  # before the next question
    assert out.count("URGENT: A child is, or may be, at immediate risk") == 2
    # in the result the urgent panel comes first, before the pathway
    assert out.index("REVIEW YOUR ANSWERS") < out.rindex("URGENT") < out.index(
        "RECOMMENDED PATHWAY")


def test_unknown_immediate_risk_is_shown_at_once_as_not_yet_known(state, capsys):
    keys = START + UNKNOWN + INDICATORS + NO + pick(1) + NO + NO + NO + DONE
    assert run(keys) == 0
    out = screen(capsys)
    at_once = out[out.index("Question 4"):out.index("Question 5")]
    assert "URGENT: Not yet known: establish now whether the child is safe" in at_once
    # finding out is the first thing to do, before the flag's own actions
    assert at_once.index("[ ] Find out now whether the child is safe") < at_once.index(
        "[ ] If there is, or may be, immediate danger to life")


def test_why_explains_in_the_guidances_words_with_sources(state, capsys):
    keys = START + WHY + PROPORTIONATE[len(START):] + DONE
    assert run(keys) == 0
    out = screen(capsys)
    why = out[out.index("WHY THIS QUESTION"):out.index("Question 5")]
    assert "Source: UKCCIS-2016" in why
    assert "It can raise: A child is, or may be, at immediate risk" in why
    # plain words from the guidance: never a condition or a rule or fact id
    assert "==" not in why and "immediate_risk" not in why and "immediate-risk" not in why


def test_back_and_change_drops_answers_no_longer_reached(state, tmp_path, capsys):
    rec = tmp_path / "r.json"
    # Q1 yes, Q2 yes, then back at Q3 (a text field: type `back`), back again at Q2, and
    # change Q1 to no: everything after it is no longer asked.
    keys = YES + YES + "back" + ENTER + BACK + NO + DONE
    # At Q2 the pointer starts on its current answer (Yes), so Back is 4 down from there.
    assert run(keys, "--record", str(rec)) == 0
    out = screen(capsys)
    assert "was removed: that question no longer applies" in out
    assert "Outside this guidance" in out
    assert record_of(rec)["answers"] == {"imagery": "no"}


def test_back_then_forward_keeps_later_answers_preselected(state, tmp_path, capsys):
    rec = tmp_path / "r.json"
    # At Q4 go back to Q3 (15 prefilled), Enter keeps it, then Q4 is asked again.
    keys = START + BACK + ENTER + PROPORTIONATE[len(START):] + DONE
    assert run(keys, "--record", str(rec)) == 0
    assert record_of(rec)["answers"]["youngest_age"] == 15
    assert screen(capsys).count("Question 4 of about") == 2


def test_review_edit_changes_an_answer_and_asks_what_is_new(state, tmp_path, capsys):
    rec = tmp_path / "r.json"
    # Review: Confirm, separator, then one entry per answer; answer 11 is sexual_acts.
    # Changing it to yes makes atypical_or_violent reached: it is asked, then review again.
    keys = PROPORTIONATE + pick(11) + UP + ENTER + NO + DONE  # pointer starts on "No"
    assert run(keys, "--record", str(rec)) == 0
    answers = record_of(rec)["answers"]
    assert answers["sexual_acts"] == "yes" and answers["atypical_or_violent"] == "no"
    out = screen(capsys)
    assert out.count("REVIEW YOUR ANSWERS") == 2


def test_ctrl_c_saves_and_prints_the_resume_command(state, capsys):
    assert run(START + NO + CTRL_C) == 130
    err = capsys.readouterr().err
    m = re.search(r"To continue: sexting-triage triage --resume (\S+)", err)
    assert m, err
    path = Path(m.group(1))
    data = json.loads(path.read_text())
    assert data["answers"] == {"imagery": "yes", "subject_under_18": "yes", "youngest_age": 15,
                               "immediate_risk": "no"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert list(path.parent.iterdir()) == [path]  # no lock or temporary file left behind
    assert data["rules"]["id"] == "cop-2016" and len(data["rules"]["sha256"]) == 64


def test_missing_keys_are_an_interruption_not_a_hang(state, capsys):
    assert run(YES) == 130
    assert "--resume" in capsys.readouterr().err


def test_resume_continues_at_the_next_question(state, tmp_path, capsys):
    assert run(START + CTRL_C, "--keep-session") == 130
    path = Path(re.search(r"--resume (\S+)", capsys.readouterr().err).group(1))
    rec = tmp_path / "r.json"
    assert run(PROPORTIONATE[len(START):] + DONE, "--resume", str(path),
               "--record", str(rec)) == 0
    out = screen(capsys)
    assert "Resuming the triage" in out and "with 3 answer(s)" in out
    assert "Question 4 of about" in out and "Question 3 of" not in out
    assert record_of(rec)["answers"]["youngest_age"] == 15
    # started with --keep-session, the resumed triage keeps it too, marked finished
    assert json.loads(path.read_text())["finished"]


def test_resume_with_the_file_alone_keeps_every_option_it_was_started_with(
        state, tmp_path, capsys):
    rec = tmp_path / "r.json"
    assert run(START + CTRL_C, "--record", str(rec), "--incident-ref", "CAD-77/26") == 130
    err = capsys.readouterr().err
    line = next(x for x in err.splitlines() if x.startswith("To continue: "))
    assert f"--record {rec}" in line and "--incident-ref CAD-77/26" in line
    path = Path(re.search(r"--resume (\S+)", line).group(1))
    # --list-sessions shows the same whole command
    assert run("", "--list-sessions") == 0
    assert line.removeprefix("To continue: ") in screen(capsys)
    # --resume FILE alone writes the record the triage was started with
    assert run(PROPORTIONATE[len(START):] + DONE, "--resume", str(path)) == 0
    data = record_of(rec)
    assert data["incident_ref"] == "CAD-77/26" and data["answers"]["youngest_age"] == 15
    assert not path.exists()


def test_resume_after_rule_set_change(state, tmp_path, capsys):
    rules = tmp_path / "rules.yaml"
    rules.write_text((ROOT / "rules" / "cop-2016.yaml").read_text())
    # sexual_acts unknown, shared only with the intended recipient, not without consent;
    # stop at malicious_intent.
    keys = START + NO + NO * 6 + UNKNOWN + NO + pick(1) + NO + CTRL_C
    assert run(keys, "--rules", str(rules)) == 130
    path = Path(re.search(r"--resume (\S+)", capsys.readouterr().err).group(1))
    saved = json.loads(path.read_text())
    assert "shared_without_consent" in saved["answers"]

    text = rules.read_text()
    text = text.replace("ask_when: 'sexual_acts == \"yes\"'", "ask_when: 'sexual_acts != \"no\"'")
    text = text.replace("ask_when: 'sharing_extent != \"not_shared\"'",
                        "ask_when: 'sharing_extent in [\"widely\", \"public_or_porn_site\"]'")
    rules.write_text(text)

    rec = tmp_path / "r.json"
    # Only new questions: atypical_or_violent (now reached), then malicious, previous.
    assert run(NO + NO + NO + DONE, "--resume", str(path), "--record", str(rec)) == 0
    out = screen(capsys)
    assert "The rule set has changed since this session was saved" in out
    assert "was dropped: the question is no longer asked" in out
    assert out.count("Question ") == 3
    data = record_of(rec)
    assert "shared_without_consent" not in data["answers"]
    assert data["answers"]["atypical_or_violent"] == "no"
    assert data["rules"]["sha256"] != saved["rules"]["sha256"]


def test_not_a_terminal_exits_3_and_points_to_run(state, monkeypatch, capsys):
    monkeypatch.setattr(triage_mod, "stdin_is_interactive", lambda: False)
    assert main(["triage"]) == 3
    err = capsys.readouterr().err
    assert "sexting-triage run FILE" in err
    assert not state.exists() or list(state.iterdir()) == []


def test_incident_ref_must_be_a_reference(state, tmp_path, capsys):
    rec = str(tmp_path / "r.json")
    assert main(["triage", "--record", rec, "--incident-ref", "Jane Smith"]) == 2
    assert "never a name" in capsys.readouterr().err.lower()
    assert main(["triage", "--record", rec, "--incident-ref", "JaneSmith"]) == 2
    assert main(["triage", "--incident-ref", "CAD-123"]) == 2
    assert "--record" in capsys.readouterr().err


def test_record_is_never_overwritten(state, tmp_path, capsys):
    rec = tmp_path / "r.json"
    rec.write_text("{}")
    assert main(["triage", "--record", str(rec)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert rec.read_text() == "{}"


def test_keep_session_and_list_sessions(state, capsys):
    assert run(PROPORTIONATE + DONE, "--keep-session") == 0
    assert run(START + CTRL_C) == 130
    capsys.readouterr()
    assert main(["triage", "--list-sessions"]) == 0
    out = capsys.readouterr().out
    assert "cop-2016 1." in out
    lines = [ln for ln in out.splitlines() if ln.startswith("20")]
    assert len(lines) == 1 and lines[0].split()[3] == "3"  # only the unfinished one
    assert "1 finished session(s)" in out
    assert len(list(state.glob("*.json"))) == 2


def test_session_dir_option(state, tmp_path, capsys):
    folder = tmp_path / "mine"
    assert run(START + CTRL_C, "--session-dir", str(folder)) == 130
    assert len(list(folder.glob("*.json"))) == 1
    assert main(["triage", "--list-sessions", "--session-dir", str(folder)]) == 0
    assert str(folder) in capsys.readouterr().out


def test_save_scenario(state, tmp_path, capsys):
    pytest.importorskip("sexting_triage.scenarios.save")
    target = tmp_path / "case.yaml"
    assert run(PROPORTIONATE + DONE, "--save-scenario", str(target)) == 0
    assert "proportionate-response" in target.read_text()


def test_empty_session_is_not_kept_on_ctrl_c(state, capsys):
    assert run(CTRL_C) == 130
    assert "nothing to continue" in capsys.readouterr().err
    assert list(state.glob("*.json")) == []


def test_disk_error_surfaces_as_a_plain_message(state, monkeypatch, capsys):
    def boom(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    assert run(YES) == 2
    err = capsys.readouterr().err
    assert "No space left on device" in err and "Traceback" not in err


def test_only_the_prompt_package_imports_questionary():
    src = ROOT / "src" / "sexting_triage"
    importers = sorted(str(p.relative_to(src)) for p in src.rglob("*.py")
                       if re.search(r"^\s*(from|import) (questionary|prompt_toolkit)\b",
                                    p.read_text(), re.M))
    assert importers == ["prompt/arrows.py"]


def test_the_arrow_prompter_module_does_not_load_questionary_until_a_menu():
    import subprocess
    import sys

    code = ("import sys\nimport sexting_triage.prompt.arrows\n"
            "bad = [m for m in sys.modules if m.split('.')[0] in "
            "('questionary', 'prompt_toolkit')]\nsys.exit(1 if bad else 0)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_list_sessions_and_record_commands_do_not_load_questionary(state, tmp_path):
    import subprocess
    import sys

    code = ("import sys\nfrom sexting_triage.cli import main\n"
            "main(['triage', '--list-sessions'])\n"
            "main(['record', 'show', sys.argv[1]])\n"
            "bad = [m for m in sys.modules if m.split('.')[0] in "
            "('questionary', 'prompt_toolkit')]\n"
            "sys.exit(1 if bad else 0)\n")
    example = ROOT / "docs" / "examples" / "record-example.json"
    r = subprocess.run([sys.executable, "-c", code, str(example)], capture_output=True,
                       text=True, env={**os.environ, "XDG_STATE_HOME": str(tmp_path)})
    assert r.returncode == 0, r.stderr


def test_questions_go_to_the_terminal_and_only_the_result_to_stdout(state, capsys):
    assert run(PROPORTIONATE + DONE) == 0
    out, err = capsys.readouterr()
    assert "Question 1 of about" in err and "REVIEW YOUR ANSWERS" in err
    assert "Question" not in out and "REVIEW" not in out
    assert out.lstrip().startswith("RECOMMENDED PATHWAY: Proportionate")


def test_the_officer_records_another_pathway_with_a_reason_from_the_list(state, tmp_path,
                                                                         capsys):
    from sexting_triage import records

    rec = tmp_path / "r.json"
    # another pathway (the 2nd option: the first other pathway), then the 3rd reason
    keys = PROPORTIONATE + ENTER + pick(1) + pick(2)
    assert run(keys, "--record", str(rec)) == 0
    err = capsys.readouterr().err
    assert "Your decision: you chose another pathway" in err
    officer = record_of(rec)["officer"]
    assert officer["agrees"] is False and officer["pathway"] != "proportionate-response"
    assert officer["reason"] == list(records.OFFICER_REASONS)[2]
    assert main(["record", "verify", str(rec)]) == 0


def test_the_officer_agrees(state, tmp_path, capsys):
    rec = tmp_path / "r.json"
    assert run(PROPORTIONATE + DONE, "--record", str(rec)) == 0
    officer = record_of(rec)["officer"]
    assert officer["agrees"] is True and officer["decision"] == "agree"
    assert "Your decision: you agree with the recommendation." in capsys.readouterr().err


def test_one_path_for_two_outputs_is_refused_before_anything(state, tmp_path, capsys):
    target = tmp_path / "x.json"
    assert main(["triage", "--record", str(target), "--save-scenario", str(target)]) == 2
    assert not target.exists()
    assert not state.exists() or list(state.iterdir()) == []


def test_a_superseded_edition_warns_naming_the_current_one(state, capsys):
    assert run(PROPORTIONATE + DONE) == 0
    err = capsys.readouterr().err
    assert "warning: rule set cop-2016" in err and "superseded" in err
    assert "the current edition is cop-2024" in err


def test_resume_hint_keeps_every_option(state, tmp_path, capsys):
    rec = tmp_path / "r.json"
    assert run(START + CTRL_C, "--record", str(rec), "--keep-session") == 130
    hint = re.search(r"To continue: (.*)", capsys.readouterr().err).group(1)
    assert f"--record {rec}" in hint and "--no-color" in hint and "--keep-session" in hint


def test_arrow_review_pages_beyond_one_screen(state, tmp_path, capsys):
    # cop-2024 asks 19 questions here: the review shows 16 answers, then the other 3
    keys = (START + NO + NO * 8 + NO + NO + pick(1) + NO + NO + NO + NO
            + pick(17) + ENTER + AGREE)  # "More answers", then confirm on page 2, agree
    rec = tmp_path / "r.json"
    assert run(keys, "--rules", "cop-2024", "--record", str(rec)) == 0
    err = capsys.readouterr().err
    assert "REVIEW YOUR ANSWERS (page 1 of 2)" in err
    assert "REVIEW YOUR ANSWERS (page 2 of 2)" in err
    assert len(record_of(rec)["answers"]) == 19


def test_the_first_menu_drawn_early_has_questionary_s_lines_cut_into_screen_rows():
    """prompt/first_menu.py: the static first menu, before questionary is loaded."""
    from sexting_triage.prompt import first_menu as fm

    lines = fm.select_lines("Is it?", "(arrow keys, then Enter)",
                            [("Yes", None), ("No", "Not at all"), (" ", None), ("Why", None)],
                            pointed=1)
    plain = ["".join(t for t, _s in line) for line in lines]
    assert plain == ["? Is it? (arrow keys, then Enter)", "   Yes", " \u00bb No", "    ",
                     "   Why", "  Description: Not at all"]
    assert lines[0][1] == (" Is it? ", fm.BOLD)
    # rows of at most the width in cells (a wide character is never split over two rows)
    rows = fm.rows_of([("ab", ""), ("cde\u4e00", "1")], 3)
    assert rows == [[("ab", ""), ("c", "1")], [("de", "1")], [("\u4e00", "1")]]
    assert fm.rows_of([], 80) == [[]]  # an empty line is still one row


def test_no_first_menu_is_drawn_when_the_stream_is_not_a_terminal(capsys):
    import io

    from sexting_triage.prompt import first_menu as fm

    out = io.StringIO()
    assert fm.draw(out, fm.select_lines("Q", "", [("Yes", None)], 0)) is None
    assert out.getvalue() == ""
