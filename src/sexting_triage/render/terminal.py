"""Decisions and rule sets as terminal text (rich), in plain text when not a terminal or when
colour is off. Colour never carries meaning alone: every label says it in words too."""

from __future__ import annotations

import os
import sys
from typing import IO, TYPE_CHECKING

from sexting_triage.render.jsonout import NOTICE
from sexting_triage.render.safe import clean

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from sexting_triage.engine import Decision
    from sexting_triage.ruleset import Cite, Flag, RuleSet

PATHWAY_STYLE = {
    "full-investigation": "bold red",
    "standard-investigation": "bold yellow",
    "proportionate-response": "bold green",
    "out-of-scope": "bold blue",
}


def console(file: IO[str] | None = None, no_color: bool = False, stderr: bool = False,
            width: int | None = None) -> Console:
    """A console built at run time, so NO_COLOR and --no-color are honoured."""
    from rich.console import Console

    off = no_color or "NO_COLOR" in os.environ
    con = Console(file=file or (sys.stderr if stderr else sys.stdout), no_color=off,
                  highlight=False, markup=False, emoji=False, width=width,
                  color_system=None if off else "auto")
    # Piped into case notes or a file: whole lines, no hard wrapping.
    con.soft_wrap = not con.is_terminal
    return con


def rows(con: Console, items: list[tuple[str, Text]], indent: int = 2) -> None:
    """Marker + text rows; on a terminal wrapped with a hanging indent."""
    if con.soft_wrap:
        for marker, body in items:
            lead = " " * indent + (marker + " " if marker else "")
            con.print(lead + body.plain.replace("\n", "\n" + " " * len(lead)))
        return
    from rich.padding import Padding
    from rich.table import Table

    grid = Table.grid(padding=(0, 1))
    markers = any(marker for marker, _ in items)
    if markers:
        grid.add_column(no_wrap=True)
    grid.add_column()
    for marker, body in items:
        if markers:
            grid.add_row(text(marker), body)
        else:
            grid.add_row(body)
    con.print(Padding(grid, (0, 0, 0, indent)))


def text(s: object, style: str = "") -> Text:
    from rich.text import Text

    return Text(clean(s), style=style)


def cite_label(c: Cite) -> str:
    label = f"{c.source}, {c.section}"
    if c.approximate:
        label += " (section approximate)"
    if c.quote:
        label += f' - "{c.quote}"'
    return label


def flag_block(con: Console, flag: Flag) -> None:
    """One flag with its label, summary and actions (used at once and again at the end)."""
    kind = "URGENT" if flag.urgent else "NOTE"
    style = "bold white on red" if flag.urgent else "bold magenta"
    con.print(text(f" {kind}: {flag.title} ", style) + text(f"  [{flag.id}]", "dim"))
    rows(con, [("", text(flag.summary))])
    rows(con, [("[ ]", text(a.text)) for a in flag.actions])


def decision(con: Console, d: Decision) -> None:
    """The result screen: pathway and flags first, then reasons with citations, then the
    actions as a checklist, then the rule-set edition and the decision-support reminder."""
    rs = d.ruleset
    p = rs.pathways[d.pathway]
    con.print(text("RECOMMENDED PATHWAY: ", "bold") + text(p.title, PATHWAY_STYLE.get(p.id, "bold"))
              + text(f"  [{p.id}]", "dim"))
    rows(con, [("", text(p.summary))])
    con.print()
    if d.flags:
        con.print(text("FLAGS", "bold underline"))
        for fid in d.flags:
            flag_block(con, rs.flags[fid])
    else:
        con.print(text("FLAGS: none raised", "bold"))
    con.print()
    con.print(text("REASONS (every rule that applied, with its source)", "bold underline"))
    order = {"pathway": 0, "flag": 1, "outweighed": 2}
    items = []
    for n, r in enumerate(sorted(d.reasons, key=lambda r: order[r.role]), 1):
        tag = {"pathway": "supports the pathway", "flag": f"raises {r.effect}",
               "outweighed": f"points to {r.effect}, outweighed"}[r.role]
        body = text(r.text) + text(f"  ({tag}; rule {r.rule})", "dim")
        for c in r.cite:
            body += text(f"\nSource: {cite_label(c)}", "italic")
        items.append((f"{n:>2}.", body))
    rows(con, items, indent=1)
    con.print()
    con.print(text("ACTIONS (checklist)", "bold underline"))
    rows(con, [("[ ]", text(a.text)) for a in d.actions])
    con.print()
    footer(con, rs)


def footer(con: Console, rs: RuleSet) -> None:
    con.print(text(f"Rule set: {rs.id} {rs.version} - {rs.title} ({rs.status}); "
                   f"sha256 {rs.sha256[:12]}", "dim"))
    con.print(text(NOTICE, "bold"))


def why_asked(con: Console, rs: RuleSet, qid: str) -> None:
    """"Why am I asked this?": the rules that read this fact, what they raise, and their
    sources, so a responder can see the guidance behind every question."""
    q = rs.question(qid)
    con.print(text(f"WHY THIS QUESTION: {q.text}", "bold"))
    if q.ask_when_text:
        con.print(text(f"  Asked because of earlier answers: {q.ask_when_text}", "dim"))
    readers = [r for r in rs.rules if qid in r.reads]
    if not readers:
        con.print(text("  No rule in this rule set reads this answer; it is kept in the record."))
    for r in readers:
        target = rs.pathways[r.pathway].title if r.pathway else rs.flags[r.flag or ""].title
        con.print(text(f"  - {r.id} ({r.when_text}) -> {target}"))
        for c in r.cite:
            con.print(text(f"      Source: {cite_label(c)}", "italic"))
    con.print()
