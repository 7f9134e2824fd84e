"""The quiz session behind `sexting-triage scenarios quiz` (and `walkthrough --quiz`): ask a
trainee which pathway and which flags, reveal the answer with a trainer's explanation, and
score the session.

The command itself is declared in `cli/scenarios.py` with the other scenario commands and
imports this module only when a quiz runs. Answers are read with plain input(), so a class
can pipe them in; the choices, parsing, scoring and feedback are the quiz model's
(`scenarios.quiz`), the screens are `render.quiz`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from sexting_triage.errors import EXIT_NOT_INTERACTIVE

if TYPE_CHECKING:
    from sexting_triage.scenarios.walkthrough import Replay

T = TypeVar("T")


class _InputEnded(Exception):
    pass


def _ask(prompt: str) -> str:
    """One line from the trainee (plain input(), so a class can pipe answers in)."""
    try:
        got = input(prompt)
    except (EOFError, OSError):  # input ended, or there is no readable input at all
        print()
        raise _InputEnded() from None
    if not sys.stdin.isatty():
        print(got)  # piped: echo, so the transcript reads like a session
    return got


def _ask_until(prompt: str, retry: str, parse: Callable[[str], T | None]) -> T:
    """Ask until the answer parses (five tries), saying how to answer after each miss."""
    for _ in range(5):
        got = parse(_ask(prompt))
        if got is not None:
            return got
        print(retry)
    raise _InputEnded()


def run_quiz(replays: list[Replay], no_color: bool) -> int:
    """Ask, reveal, explain, score. Returns the exit code (3 if input ends early)."""
    from sexting_triage.render import quiz as render
    from sexting_triage.render.terminal import console, text
    from sexting_triage.scenarios import quiz as model

    con = console(no_color=no_color)
    score = model.Score()
    try:
        for n, rp in enumerate(replays, 1):
            rs = rp.ruleset
            render.case(con, n, len(replays), rp)
            sys.stdout.flush()
            paths = model.pathway_choices(rs)
            print(render.choices("Which pathway do the rules recommend?", paths))
            pathway = _ask_until(f"Your answer (1-{len(paths)}): ",
                                 f"  Please type a number from 1 to {len(paths)}.",
                                 partial(model.parse_pathway, rs))
            flags: tuple[str, ...] = ()
            if rs.flags:
                print(render.choices("Does any flag apply? Type the numbers that apply, "
                                     "separated by commas, or 0 for none.",
                                     model.flag_choices(rs), none="No flag applies"))
                flags = _ask_until("Your answer: ", f"  Please type numbers from 1 to "
                                   f"{len(rs.flags)} separated by commas, or 0.",
                                   partial(model.parse_flags, rs))
            fb = model.feedback(rp.decision, pathway, flags)
            score.add(fb)
            render.feedback(con, fb)
            if n < len(replays) and sys.stdin.isatty():  # time to talk it through
                _ask("-- press Enter for the next case --")
    except _InputEnded:
        con.print(text(f"Input ended before the quiz finished ({score.done} of "
                       f"{len(replays)} cases answered).", "bold"))
        render.score(con, score)
        return EXIT_NOT_INTERACTIVE
    render.score(con, score)
    return 0
