"""`rules list` and `rules show` as terminal text. Data in, text out.

Every text from a rule file reaches the terminal through `render.terminal.text`, which strips
escape sequences, control and bidi characters and never reads rich markup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from sexting_triage.ruleset import Question, RuleSet


def editions(rs: RuleSet) -> str:
    return ", ".join(f"{k} ({s.date})" for k, s in rs.sources.items())


def domain_text(q: Question) -> str:
    if q.type == "integer":
        return f"a whole number from {q.min} to {q.max}"
    return ", ".join(str(v) for v in q.domain)


def list_text(con: Console, sets: list[RuleSet], default: str | None) -> None:
    """One line per rule set when piped (no wrapped table cells), a table on a terminal."""
    from rich.table import Table

    from sexting_triage.render.terminal import text

    if con.soft_wrap:
        for s in sets:
            mark = " (default)" if s.id == default else ""
            con.print(text(f"{s.id}{mark}  {s.version}  {s.status}  {s.title}  "
                           f"[{editions(s)}]"))
        return
    table = Table("id", "version", "status", "title", "editions", box=None, pad_edge=False)
    for s in sets:
        mark = " (default)" if s.id == default else ""
        table.add_row(text(s.id + mark), text(s.version), text(s.status), text(s.title),
                      text(editions(s)))
    con.print(table)


def show_text(con: Console, rs: RuleSet) -> None:
    """Sources, questions (in the order asked), pathways, flags and rules, then provenance."""
    from sexting_triage.render.terminal import footer, text

    con.print(text(f"{rs.id} {rs.version}: {rs.title} ({rs.status})", "bold"))
    if rs.summary:
        con.print(text(rs.summary))
    con.print(text("\nSOURCES", "bold underline"))
    for k, s in rs.sources.items():
        con.print(text(f"  {k}: {s.title} ({s.date})"))
    con.print(text("\nQUESTIONS (in the order asked)", "bold underline"))
    for n, q in enumerate(rs.questions, 1):
        con.print(text(f"{n:>3}. {q.id}: {q.text}"))
        con.print(text(f"     answers: {domain_text(q)}", "dim"))
        if q.ask_when_text:
            con.print(text(f"     asked when: {q.ask_when_text}", "dim"))
    con.print(text("\nPATHWAYS (highest precedence first)", "bold underline"))
    for pid in rs.precedence:
        p = rs.pathways[pid]
        con.print(text(f"  {p.id}: {p.title}"))
    con.print(text("\nFLAGS", "bold underline"))
    for f in rs.flags.values():
        con.print(text(f"  {f.id}: {f.title}" + (" (urgent)" if f.urgent else "")))
    if rs.recording is not None and rs.recording.categories:
        con.print(text("\nRECORDING CATEGORIES (the first that applies)", "bold underline"))
        for c in rs.recording.categories:
            parts = ([f"pathway {', '.join(c.pathways)}"] if c.pathways else []) + (
                [f"when {c.when_text}"] if c.when_text else [])
            con.print(text(f"  {c.id}: {c.title} ({', or '.join(parts) or 'otherwise'})"))
    con.print(text("\nRULES", "bold underline"))
    for r in rs.rules:
        con.print(text(f"  {r.id}: when {r.when_text} -> {r.effect}"))
        con.print(text("     " + "; ".join(f"{c.source}, {c.section}" for c in r.cite), "dim"))
    con.print()
    footer(con, rs)
