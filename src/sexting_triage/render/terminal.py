"""Decisions and rule sets as terminal text (rich), in plain text when not a terminal or when
colour is off. Colour never carries meaning alone: every label says it in words too.

The result screen is ordered so an officer can act in ten seconds: an urgent flag's panel and
its actions first; then the pathway in one sentence; then the checklists (do now, before the
end of the shift, next); then every reason with its citation, each once, grouped; then how the
case is recorded and how each child is treated; what the outcome means in the long term; and
last the provenance and the reminder that officer judgement comes first. No action is listed
twice. It fits 80 columns and nothing is cut: long text wraps with a hanging indent.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING

from sexting_triage import __version__
from sexting_triage.render.safe import clean
from sexting_triage.serialize import NOTICE

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from sexting_triage.engine import ActionItem, Decision, Reason
    from sexting_triage.ruleset import Cite, Flag, RuleSet

PATHWAY_STYLE = {
    "full-investigation": "bold red",
    "standard-investigation": "bold yellow",
    "proportionate-response": "bold green",
    "out-of-scope": "bold blue",
}
WHEN_HEADINGS = (("now", "DO NOW"), ("today", "BEFORE THE END OF THE SHIFT"), ("next", "NEXT"))
REASON_GROUPS = (
    ("pathway", "Supports the pathway"),
    ("flag", "Raises a flag"),
    ("note", "Notes"),
    ("outweighed", "Outweighed (points to a lower pathway; kept for the record)"),
)


def _broken_pipe() -> None:
    """rich's default exits with status 1 on a broken pipe; let `cli.main` decide instead."""
    raise BrokenPipeError


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
    con.on_broken_pipe = _broken_pipe  # type: ignore[method-assign]
    return con


def rows(con: Console, items: list[tuple[str, Text]], indent: int = 2) -> None:
    """Marker + text rows; on a terminal wrapped with a hanging indent."""
    if not items:
        return
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
    grid.add_column(overflow="fold")
    for marker, body in items:
        if markers:
            grid.add_row(text(marker), body)
        else:
            grid.add_row(body)
    con.print(Padding(grid, (0, 0, 0, indent)))


def text(s: object, style: str = "") -> Text:
    from rich.text import Text

    return Text(clean(s), style=style)


def heading(con: Console, s: str) -> None:
    con.print()
    con.print(text(s, "bold underline"))


def cite_label(c: Cite) -> str:
    label = f"{c.source}, {c.section}"
    if c.approximate:
        label += " (section approximate)"
    if c.quote:
        label += f' - "{c.quote}"'
    return label


def sources_text(cites: Iterable[Cite]) -> Text:
    out = text("")
    for c in cites:
        out += text(f"\nSource: {cite_label(c)}", "italic")
    return out


def flag_block(con: Console, flag: Flag, headline: str | None = None,
               actions: Iterable[str] | None = None) -> None:
    """One flag: its label (the rule's headline when it has one), summary and actions. Used
    the moment an urgent flag is known, and at the top of the result."""
    kind = "URGENT" if flag.urgent else "NOTE"
    style = "bold white on red" if flag.urgent else "bold magenta"
    con.print(text(f" {kind}: {headline or flag.title} ", style))
    if headline and headline != flag.title:
        rows(con, [("", text(flag.title, "bold"))])
    rows(con, [("", text(flag.summary))])
    todo = [a.text for a in flag.actions] if actions is None else list(actions)
    rows(con, [("[ ]", text(a)) for a in todo])


def headline_of(d: Decision, fid: str) -> str | None:
    """The headline of the first rule that raised this flag and carries one."""
    for r in d.reasons:
        if r.role == "flag" and r.effect == fid and getattr(r, "headline", None):
            return r.headline
    return None


def _items(d: Decision) -> list[ActionItem]:
    """The decision's checklist as items (older decisions held plain strings: due next)."""
    from sexting_triage.engine import ActionItem

    out: list[ActionItem] = []
    for a in d.actions:
        out.append(a if isinstance(a, ActionItem) else ActionItem(str(a), "next", d.pathway))
    return out


def _raised_by(d: Decision, fid: str) -> set[str]:
    return {fid} | {r.rule for r in d.reasons if r.role == "flag" and r.effect == fid}


def decision(con: Console, d: Decision) -> None:
    """The result screen (see the module docstring for its order)."""
    rs = d.ruleset
    p = rs.pathways[d.pathway]
    items = _items(d)
    shown: set[int] = set()

    # 1. urgent flags, each with the actions that came from it, before anything else
    for fid in d.flags:
        flag = rs.flags[fid]
        if not flag.urgent:
            continue
        origin = _raised_by(d, fid)
        mine = [i for i, a in enumerate(items) if a.from_ in origin and i not in shown]
        shown.update(mine)
        flag_block(con, flag, headline_of(d, fid), [items[i].text for i in mine])
        con.print()

    # 2. the pathway in one sentence, and the flags that are not urgent
    con.print(text("RECOMMENDED PATHWAY: ", "bold") +
              text(p.title, PATHWAY_STYLE.get(p.id, "bold")))
    rows(con, [("", text(p.summary))])
    for fid in d.flags:
        flag = rs.flags[fid]
        if not flag.urgent:
            con.print(text(f" NOTE: {headline_of(d, fid) or flag.title} ", "bold magenta"))
            rows(con, [("", text(flag.summary))])
    if not d.flags:
        con.print(text("No flags raised.", "dim"))

    # 3. the checklists, by when each action is due
    for when, title in WHEN_HEADINGS:
        band = [a for i, a in enumerate(items) if a.when == when and i not in shown]
        if band:
            heading(con, title)
            rows(con, [("[ ]", text(a.text)) for a in band])
    other = [a for i, a in enumerate(items)
             if a.when not in dict(WHEN_HEADINGS) and i not in shown]
    if other:
        heading(con, "ALSO")
        rows(con, [("[ ]", text(a.text)) for a in other])

    # 4. every reason, once, grouped, with its citations
    reasons_section(con, d.reasons)

    # 5. recording and how each child is treated; long-term impact
    recording_section(con, d)
    if d.long_term:
        body, cites = d.long_term
        heading(con, "WHAT THIS MEANS LATER")
        rows(con, [("", text(body) + sources_text(cites))])

    # 6. provenance and the reminder
    con.print()
    footer(con, rs)


def reasons_section(con: Console, reasons: Iterable[Reason]) -> None:
    heading(con, "REASONS (every rule that applied, with its source)")
    seen: set[tuple[str, str]] = set()
    unique = []
    for r in reasons:
        key = (r.rule, r.text)
        if key not in seen:
            seen.add(key)
            unique.append(r)
    n = 0
    for role, title in REASON_GROUPS:
        group = [r for r in unique if r.role == role]
        if not group:
            continue
        con.print(text(f" {title}:", "bold"))
        entries = []
        for r in group:
            n += 1
            entries.append((f"{n:>2}.", text(r.text) + sources_text(r.cite)))
        rows(con, entries, indent=1)


def recording_section(con: Console, d: Decision) -> None:
    rec = getattr(d, "recording", None)
    if rec is None:
        return
    heading(con, "RECORDING")
    if rec.category is None:
        rows(con, [("", text(rec.reason or "This edition gives no recording category.") +
                    sources_text(rec.cite))])
        return
    title = rec.title or rec.category
    label = text(f"Category: {title}", "bold")
    if rec.provisional:
        label += text(" (provisional: some answers are not known)")
    body = [("", label), ("", text(rec.reason) + sources_text(rec.cite))]
    if rec.treatment:
        body.append(("", text(f"How each child is treated: {rec.treatment}")))
    rows(con, body)


def footer(con: Console, rs: RuleSet) -> None:
    """Provenance (rule-set edition, its sha256, the tool version) and the reminder."""
    rows(con, [("", text(f"Rule set: {rs.id} {rs.version} ({rs.status}) - {rs.title}", "dim")),
               ("", text(f"Rule-set sha256: {rs.sha256}", "dim")),
               ("", text(f"Tool: sexting-triage {__version__}", "dim"))], indent=0)
    con.print(text(NOTICE, "bold"))


def why_text(rs: RuleSet, qid: str) -> list[tuple[str, list[Cite]]]:
    """What "Why am I asked this?" says, in the guidance's words: the first sentence of each
    distinct reason of the rules that read this answer, with their citations, and what the
    answer can lead to. Never a condition or an id."""
    readers = [r for r in rs.rules if qid in r.reads]
    out: list[tuple[str, list[Cite]]] = []
    seen: set[str] = set()
    for r in readers:
        sentence = first_sentence(r.reason)
        if sentence in seen:
            continue
        seen.add(sentence)
        if r.pathway is not None:
            lead = f"It can lead to: {rs.pathways[r.pathway].title}."
        elif r.flag is not None:
            lead = f"It can raise: {rs.flags[r.flag].title}."
        else:
            lead = ""
        out.append((f"{sentence} {lead}".strip(), list(r.cite)))
    return out


def first_sentence(s: str) -> str:
    s = " ".join(s.split())
    for end in (". ", "? ", "! "):
        i = s.find(end)
        if 0 < i < len(s) - 2:
            return s[: i + 1]
    return s


def why_asked(con: Console, rs: RuleSet, qid: str) -> None:
    """"Why am I asked this?": what the guidance says about this fact, with its sources, in
    plain sentences; which earlier answer brought the question in (as that question's text,
    never a condition)."""
    q = rs.question(qid)
    con.print(text(f"WHY THIS QUESTION: {q.text}", "bold"))
    if q.help:
        rows(con, [("", text(q.help))])
    facts = sorted((f for f in q.reads if f in rs.question_index),
                   key=lambda f: rs.question_index[f])
    earlier = [rs.question(f).text for f in facts] if q.ask_when is not None else []
    if earlier:
        rows(con, [("", text("It is asked because of your answer to: " +
                             "; ".join(f'"{t}"' for t in earlier)))])
    said = why_text(rs, qid)
    if not said:
        rows(con, [("", text("No rule in this rule set uses this answer; it is kept in the "
                             "record."))])
    else:
        rows(con, [("", text("What the guidance says:"))])
        limit = 4
        rows(con, [("-", text(s) + sources_text(c)) for s, c in said[:limit]])
        if len(said) > limit:
            rows(con, [("", text(f"(and {len(said) - limit} more; `sexting-triage rules show` "
                                 "lists every rule)", "dim"))])
    con.print()
