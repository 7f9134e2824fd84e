"""Regenerate docs/triage-example.svg and docs/examples/record-example.json: one triage
(worked example 7 of the domain brief, with the cop-2016 rules) as a terminal picture,
through the real triage loop and result screen, and the decision record it writes.

The arrow-key menus cannot be captured by rich, so each question is drawn as it stays on the
screen once answered (`? question  answer`), as questionary leaves it.

Run from the repository root: /work/venv/bin/python docs/make_triage_svg.py
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

from sexting_triage import records
from sexting_triage.accessible import ReviewItem
from sexting_triage.cli.triage import Triage
from sexting_triage.conditions import Value
from sexting_triage.loader import resolve
from sexting_triage.prompts import ArrowPrompter
from sexting_triage.render.terminal import decision, text
from sexting_triage.ruleset import Question

DOCS = Path(__file__).resolve().parent
OUT = DOCS / "triage-example.svg"
RECORD = DOCS / "examples" / "record-example.json"
WHEN = datetime(2026, 11, 28, 9, 0, 0, tzinfo=UTC)

# A 14-year-old's image, sent to her boyfriend, forwarded by him to a year-group chat without
# her agreement; she says she wants to die.
ANSWERS: dict[str, Value] = {
    "imagery": "yes", "subject_under_18": "yes", "youngest_age": 14, "immediate_risk": "yes",
    "adult_involved": "no", "coercion": "no", "grooming_or_exploitation": "no",
    "profit_motive": "no", "capacity_concern": "no", "wider_child_protection": "no",
    "sexual_acts": "no", "sharing_extent": "widely", "shared_without_consent": "yes",
    "malicious_intent": "no", "previous_incidents": "no",
}


class Replay(ArrowPrompter):
    """Answers from ANSWERS, drawn the way the answered prompts stay on screen."""

    def ask(self, q: Question, number: int, current: Value | None,
            can_go_back: bool) -> Value:
        self._header(q, number)
        value = ANSWERS[q.id]
        self.con.print(text("? ", "bold #5f819d") + text(q.text, "bold") +
                       text(f" {q.label_of(value)}", "#ff9d00"))
        return value

    def review(self, items: list[ReviewItem]) -> str | None:
        self._review_list(items)
        self.con.print(text("? ", "bold #5f819d") + text("Review", "bold") +
                       text(" These answers are right: show the result", "#ff9d00"))
        return None


def main() -> None:
    rs = resolve("cop-2016")
    con = Console(record=True, width=100, file=io.StringIO(), force_terminal=True,
                  color_system="truecolor", highlight=False, markup=False, emoji=False)
    con.print(text("$ sexting-triage triage --rules cop-2016 --record case.json "
                   "--incident-ref CAD-1234/26", "bold"))
    con.print(text(f"Triage with rule set {rs.id} {rs.version}: {rs.title}", "bold"))
    d = Triage(rs, Replay(con), con).run()
    con.print()
    decision(con, d)
    OUT.write_text(con.export_svg(title="sexting-triage triage"))
    RECORD.write_text(records.dumps(records.build(d, "CAD-1234/26", WHEN)))
    print(f"wrote {OUT} and {RECORD}")


if __name__ == "__main__":
    main()
