"""End to end: the installed console script in a real pseudo-terminal, driven as a person
would (arrow keys and Enter, back, Ctrl-C then --resume, accessible mode)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

EXE = Path(sys.executable).parent / "sexting-triage"
ENTER, DOWN, CTRL_C = "\r", "\x1b[B", "\x03"

pytestmark = [pytest.mark.skipif(not EXE.exists(), reason="console script not installed"),
              pytest.mark.slow]

# (text the question shows, keys) for example 1 of the domain brief, cop-2016.
START = [
    ("photo or video involved", ENTER),
    ("under 18, or do they", ENTER),
    ("youngest child pictured", "15" + ENTER),
    ("immediate risk of harm", DOWN + ENTER),
    ("Has any adult", DOWN + ENTER),
]
REST = [
    ("pressured, threatened", DOWN + ENTER),
    ("grooming or sexual exploitation", DOWN + ENTER),
    ("money, gifts", DOWN + ENTER),
    ("capacity to consent", DOWN + ENTER),
    ("other child protection", DOWN + ENTER),
    ("show sexual acts", DOWN + ENTER),
    ("Was the image taken", DOWN + ENTER),
    ("How far has the image", DOWN + ENTER),
    ("without the knowledge", DOWN + ENTER),
    ("hurt, humiliate", DOWN + ENTER),
    ("similar behaviour before", DOWN + ENTER),
    ("These answers are right", ENTER),
]
DECIDE = [("RECOMMENDED PATHWAY", ""), ("YOUR DECISION", ENTER)]  # then: I agree


@pytest.fixture
def env(tmp_path):
    e = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR",
                                                           "SEXTING_TRIAGE_ACCESSIBLE")}
    e.update(XDG_STATE_HOME=str(tmp_path / "state"), TERM="xterm", COLUMNS="100", LINES="40")
    # pexpect is not a terminal emulator: it never answers prompt_toolkit's cursor-position
    # request, which would cost a timeout on every prompt.
    e["PROMPT_TOOLKIT_NO_CPR"] = "1"
    return e


def spawn(env: dict[str, str], *args: str):
    return pexpect.spawn(str(EXE), ["triage", "--rules", "cop-2016", *args], env=env,
                         encoding="utf-8", timeout=30, dimensions=(40, 100))


def drive(child, steps) -> None:
    for pattern, keys in steps:
        child.expect_exact(pattern)
        child.send(keys)


def finish(child) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


def test_arrow_keys_through_a_whole_triage_with_back(env, tmp_path):
    rec = tmp_path / "r.json"
    child = spawn(env, "--record", str(rec))
    drive(child, START[:4])
    # At "any adult": Why (3 down), then Go back (4 down) to immediate risk, keep "No".
    drive(child, [("Has any adult", DOWN * 3 + ENTER), ("WHY THIS QUESTION", ""),
                  ("Has any adult", DOWN * 4 + ENTER), ("immediate risk of harm", ENTER)])
    drive(child, [("Has any adult", DOWN + ENTER), *REST])
    child.expect_exact("RECOMMENDED PATHWAY")
    child.expect_exact("Proportionate")
    drive(child, [("YOUR DECISION", ENTER)])
    assert finish(child) == 0
    import json

    data = json.loads(rec.read_text())
    assert data["answers"]["immediate_risk"] == "no"
    assert data["answers"]["youngest_age"] == 15
    assert list((tmp_path / "state" / "sexting-triage" / "sessions").iterdir()) == []


def test_ctrl_c_half_way_then_resume_to_the_end(env, tmp_path):
    child = spawn(env)
    drive(child, START)
    child.expect_exact("pressured, threatened")
    child.send(CTRL_C)
    child.expect(r"To continue: sexting-triage triage --resume (\S+)")
    path = child.match.group(1)
    assert finish(child) == 130
    assert Path(path).exists()

    child = pexpect.spawn(str(EXE), ["triage", "--resume", path], env=env, encoding="utf-8",
                          timeout=30, dimensions=(40, 100))
    child.expect_exact("with 5 answer(s)")
    drive(child, [*REST, *DECIDE])
    assert finish(child) == 0
    assert not Path(path).exists()


def test_urgent_flag_appears_before_the_next_question(env):
    child = spawn(env)
    drive(child, START[:3])
    child.expect_exact("immediate risk of harm")
    child.send(ENTER)  # Yes
    child.expect_exact("URGENT")
    i = child.expect_exact(["Has any adult", "RECOMMENDED"])
    assert i == 0
    child.send(CTRL_C)
    assert finish(child) == 130


def test_accessible_mode_in_a_terminal(env):
    child = spawn(env, "--accessible")
    replies = ["1", "yes", "15", "2", "2", "no", "no", "no", "no", "no", "no", "no", "2",
               "no", "no", "no", "", ""]
    child.expect_exact("1) Yes")
    for reply in replies[:-1]:
        child.expect_exact("> ")
        child.sendline(reply)
    child.expect_exact("RECOMMENDED PATHWAY")
    child.expect_exact("YOUR DECISION")
    out = child.before or ""
    assert "\x1b[" not in re.sub(r"\x1b\[\?[0-9;]*[a-zA-Z]", "", out)
    child.expect_exact("> ")
    child.sendline(replies[-1])
    child.expect_exact("Your decision: you agree")
    assert finish(child) == 0


def test_result_redirected_to_a_file_questions_stay_on_the_terminal(env, tmp_path):
    """`triage > result.txt`: every question is on the terminal, only the result in the file."""
    out = tmp_path / "result.txt"
    child = pexpect.spawn("bash", ["-c", f"{EXE} triage --rules cop-2016 > {out}"], env=env,
                          encoding="utf-8", timeout=30, dimensions=(40, 100))
    drive(child, [*START, *REST, ("YOUR DECISION", ENTER)])
    child.expect_exact("Your decision: you agree")
    assert finish(child) == 0
    text = out.read_text(encoding="utf-8")
    assert "RECOMMENDED PATHWAY" in text
    assert "Question" not in text and "Why am I asked this?" not in text
    assert "\x1b[" not in text  # a file, not a terminal: plain text


def test_accessible_with_stdout_redirected(env, tmp_path):
    out = tmp_path / "result.txt"
    child = pexpect.spawn("bash", ["-c", f"{EXE} triage --rules cop-2016 --accessible > {out}"],
                          env=env, encoding="utf-8", timeout=30, dimensions=(40, 100))
    child.expect_exact("Question 1 of about")
    for reply in ["1", "yes", "15", "2", "2", "no", "no", "no", "no", "no", "no", "no", "2",
                  "no", "no", "no", "", ""]:
        child.expect_exact("> ")
        child.sendline(reply)
    assert finish(child) == 0
    text = out.read_text(encoding="utf-8")
    assert "RECOMMENDED PATHWAY" in text and "Question" not in text


def spawn_between_stty(env: dict[str, str]):
    """The triage run by a shell that prints the terminal's settings (`stty -g`) before and
    after it, each on a line of its own after a marker."""
    script = (f"echo STTY=$(stty -g); {EXE} triage --rules cop-2016; rc=$?; "
              "echo STTY=$(stty -g) EXIT=$rc")
    child = pexpect.spawn("bash", ["-c", script], env=env, encoding="utf-8", timeout=30,
                          dimensions=(40, 100))
    child.expect(r"STTY=(\S+)")
    return child, child.match.group(1)


def test_keys_typed_at_the_first_menu_are_kept_unechoed_and_the_terminal_restored(env):
    """The first menu is drawn before questionary is loaded (prompt/first_menu.py): keys typed
    at once are neither echoed nor lost, and the terminal's settings are exactly as before."""
    child, before = spawn_between_stty(env)
    child.expect_exact("Why am I asked this?")
    child.send(DOWN + DOWN + "\x1b[A" + "\x1b[A" + ENTER)  # down twice, up twice: Yes
    child.expect_exact("under 18, or do they")
    assert "^[" not in (child.before or "")  # no echo of the arrow keys
    child.send(ENTER)  # Yes: the next menu works as ever
    child.expect_exact("youngest child pictured")
    child.send(CTRL_C)
    child.expect_exact("To continue: sexting-triage triage --resume")
    child.expect(r"STTY=(\S+) EXIT=(\d+)")
    assert (child.match.group(1), child.match.group(2)) == (before, "130")
    assert finish(child) == 0


def test_ctrl_c_at_the_first_menu_stops_and_restores_the_terminal(env):
    child, before = spawn_between_stty(env)
    child.expect_exact("Why am I asked this?")
    child.send(CTRL_C)  # before questionary has loaded: read by the real menu once it has
    child.expect_exact("nothing to continue")
    child.expect(r"STTY=(\S+) EXIT=(\d+)")
    assert (child.match.group(1), child.match.group(2)) == (before, "130")
    assert finish(child) == 0
