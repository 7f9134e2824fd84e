"""Regenerate the terminal pictures in docs/ (rich's SVG export of the real screens) and the
example decision record:

- docs/triage-example.svg: one triage (worked example 7 of the domain brief, cop-2024)
  through the real triage loop, questionnaire controller and result screen;
- docs/examples/record-example.json: the decision record that triage writes;
- docs/walkthrough-example.svg: `sexting-triage scenarios walkthrough` on a library scenario;
- docs/change-note-example.svg: `sexting-triage rules diff cop-2016 cop-2024`.

The walkthrough and the change note are the real commands, run with their console recorded.
The arrow-key menus cannot be captured by rich, so each question of the triage is drawn as it
stays on the screen once answered (`? question  answer`), as questionary leaves it.

Run from the repository root:  python docs/make_pictures.py          (write the files)
                               python docs/make_pictures.py --check  (exit 1 if any is stale)
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
RECORD = DOCS / "examples" / "record-example.json"
WHEN = datetime(2026, 11, 28, 9, 0, 0, tzinfo=UTC)
WIDTH = 100
WALKTHROUGH_SCENARIO = "scenarios/non-consensual-sharing/ex-uploads-to-pornography-site.yaml"

# A 14-year-old's image, sent to her boyfriend, forwarded by him to a year-group chat without
# her agreement; she says she wants to die.
ANSWERS: dict[str, Any] = {
    "imagery": "yes", "subject_under_18": "yes", "youngest_age": 14, "immediate_risk": "yes",
    "adult_involved": "no", "coercion": "no", "financial_sextortion": "no",
    "grooming_or_exploitation": "no", "profit_motive": "no", "capacity_concern": "no",
    "wider_child_protection": "no", "sexual_acts": "no", "ai_or_altered": "no",
    "taken_without_consent": "no", "sharing_extent": "widely",
    "shared_without_consent": "yes", "malicious_intent": "no", "previous_incidents": "no",
    "power_imbalance": "no",
}


def recording_console() -> Console:
    return Console(record=True, width=WIDTH, file=io.StringIO(), force_terminal=True,
                   color_system="truecolor", highlight=False, markup=False, emoji=False,
                   legacy_windows=False)


def triage_picture() -> tuple[str, str]:
    from sexting_triage import records
    from sexting_triage.cli.triage import Triage
    from sexting_triage.loader import resolve
    from sexting_triage.prompt.accessible import ReviewItem, progress_label, review_line
    from sexting_triage.prompt.arrows import ArrowPrompter
    from sexting_triage.render.terminal import decision, text
    from sexting_triage.ruleset import Question

    class Replay(ArrowPrompter):
        """Answers from ANSWERS, drawn the way the answered prompts stay on screen."""

        def ask(self, q: Question, number: int, current: Any, can_go_back: bool,
                about: int | None = None) -> Any:
            self._header(q, number, about)
            value = ANSWERS[q.id]
            self.con.print(text("? ", "bold #5f819d") + text(q.text, "bold") +
                           text(f" {q.label_of(value)}", "#ff9d00"))
            return value

        def review(self, items: list[ReviewItem]) -> str | None:
            self.con.print()
            self.con.print(text("REVIEW YOUR ANSWERS", "bold underline"))
            for it in items:
                self.con.print(text("  " + review_line(it, 76)))
            self.con.print(text("? ", "bold #5f819d") + text("Review", "bold") +
                           text(" These answers are right: show the result", "#ff9d00"))
            return None

    assert progress_label  # the same label the real prompters use
    rs = resolve("cop-2024")
    con = recording_console()
    con.print(text("$ sexting-triage triage --record case.json --incident-ref CAD-1234/26",
                   "bold"))
    con.print(text(f"Triage with rule set {rs.id} {rs.version}: {rs.title}", "bold"))
    d = Triage(rs, Replay(con), con).run()
    con.print()
    decision(con, d)
    con.print()
    con.print(text("? ", "bold #5f819d") + text("YOUR DECISION: do you agree with the "
                                                "recommended pathway?", "bold") +
              text(f" I agree: {rs.pathways[d.pathway].title}", "#ff9d00"))
    rec = records.build(d, "CAD-1234/26", officer={"decision": "agree"}, now=WHEN)
    return con.export_svg(title="sexting-triage triage"), records.dumps(rec)


def command_picture(argv: list[str], title: str) -> str:
    """A real command, run in-process with every console it builds recorded."""
    from sexting_triage import cli
    from sexting_triage.render import terminal

    con = recording_console()
    original: Callable[..., Any] = terminal.console

    def recorded(*_a: Any, **_k: Any) -> Console:
        return con

    terminal.console = recorded  # type: ignore[assignment]
    try:
        con.print(f"$ sexting-triage {' '.join(argv)}", style="bold")
        cli.main(argv)
    finally:
        terminal.console = original  # type: ignore[assignment]
    return con.export_svg(title=f"sexting-triage {title}")


def pictures() -> dict[Path, str]:
    import os

    os.environ.pop("NO_COLOR", None)
    triage_svg, record = triage_picture()
    return {
        DOCS / "triage-example.svg": triage_svg,
        RECORD: record,
        DOCS / "walkthrough-example.svg": command_picture(
            ["scenarios", "walkthrough", WALKTHROUGH_SCENARIO, "--rules", "cop-2024"],
            "scenarios walkthrough"),
        DOCS / "change-note-example.svg": command_picture(
            ["rules", "diff", "cop-2016", "cop-2024"], "rules diff"),
    }


def main() -> int:
    import os

    os.chdir(ROOT)
    check = "--check" in sys.argv[1:]
    stale = []
    for path, content in pictures().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != content:
            stale.append(path)
            if not check:
                from sexting_triage import files

                files.atomic_write(path, content.encode("utf-8"), mode=None)
    for path in stale:
        print(f"{'stale' if check else 'wrote'}: {path.relative_to(ROOT)}")
    if check and stale:
        print("run: python docs/make_pictures.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
