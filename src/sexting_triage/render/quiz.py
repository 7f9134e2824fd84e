"""The quiz on the terminal: a case as the trainee reads it, the choices, and a trainer's
feedback (from `scenarios.quiz`). Data in, text out; file text is escaped by `text`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from sexting_triage.scenarios.quiz import Feedback, Score
    from sexting_triage.scenarios.walkthrough import Replay


def case(con: Console, n: int, total: int, rp: Replay) -> None:
    """The story and what the responder established, before the trainee chooses."""
    from sexting_triage.render.terminal import rows, text

    rs, d = rp.ruleset, rp.decision
    con.print(text(f"CASE {n} of {total}: {rp.scenario.title}", "bold underline"))
    rows(con, [("", text(rp.scenario.story))])
    con.print(text("What the responder established:", "bold"))
    rows(con, [("-", text(f"{rs.question(q).text} {rs.question(q).label_of(v)}"))
               for q, v in d.answers.items()])
    con.print()


def choices(heading: str, items: list[tuple[str, str]], none: str | None = None) -> str:
    """A numbered menu as plain lines (printed with print, so a piped session reads well)."""
    from sexting_triage.render.safe import clean

    lines = [heading]
    if none is not None:
        lines.append(f"  0) {none}")
    lines += [f"  {i}) {clean(title)} [{clean(key)}]" for i, (key, title) in
              enumerate(items, 1)]
    return "\n".join(lines)


def feedback(con: Console, fb: Feedback) -> None:
    """The verdict, the reasons for the recommended response, the flags, what was missed."""
    from sexting_triage.render.terminal import rows, text

    con.print(text(fb.verdict, "bold green" if fb.correct else "bold yellow"))
    rows(con, [("-", text(line)) for line in fb.because])
    con.print(text(fb.flags))
    if fb.differences:
        rows(con, [("-", text(line)) for line in fb.differences])
    con.print()


def score(con: Console, s: Score) -> None:
    from sexting_triage.render.terminal import text

    con.print(text(str(s), "bold"))
