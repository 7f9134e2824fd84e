"""`rules diff` results as terminal text or a Markdown change note ready for sign-off.

Data in, text out: everything here is computed by sexting_triage.diff. Every percentage says
what it is a percentage of. Every text from a rule or scenario file is escaped for where it
goes: stripped of control and bidi characters for the terminal; in the change note also made
one line and escaped, so it can never become raw HTML, a heading, a table row, a code span or a
link (`render.markup`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sexting_triage.render.diffchanges import ARROW, Words, structural_items
from sexting_triage.render.markup import md_code, md_text, one_line

if TYPE_CHECKING:
    from rich.console import Console

    from sexting_triage.diff import DiffReport, Group
    from sexting_triage.ruleset import RuleSet

TERMINAL = Words(text=one_line, code=one_line)
MARKDOWN = Words(text=md_text, code=md_code)
TEXT_MD = Words(text=md_text, code=md_text)  # headings and table cells: no code spans


def _overlay(rs: RuleSet, w: Words) -> str | None:
    """`+ overlay ID VERSION` for a rule set with a force overlay applied, else None."""
    from sexting_triage.overlay import overlay_of

    info = overlay_of(rs)
    return None if info is None else f"overlay {w.code(info.id)} {w.text(info.version)}"


def edition(rs: RuleSet, w: Words) -> str:
    """A rule set's id and version, and its overlay's."""
    ov = _overlay(rs, w)
    return f"{w.code(rs.id)} {w.text(rs.version)}" + (f" + {ov}" if ov else "")


def _answers(ex: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in ex.items())


def _pct(n: int, total: int) -> str:
    if not total or not n:
        return "0%"
    p = 100 * n / total
    return f"{p:.4f}%" if p < 0.01 else f"{p:.2f}%"


def share(n: int, total: int) -> str:
    """`n` as a percentage that names its whole."""
    return f"{_pct(n, total)} of the {total:,} situations compared"


def lower(rep: DiffReport) -> int:
    """Situations whose pathway is lower in the new edition (by its precedence; no pathway
    is lowest)."""
    order = list(rep.new.precedence) + [p for p in rep.old.precedence
                                         if p not in rep.new.precedence]

    def rank(p: str) -> int:
        return order.index(p) if p in order else len(order)

    return sum(g.count for g in rep.behaviour.transitions if rank(g.new) > rank(g.old))


def _safety_lines(rep: DiffReport, w: Words = TERMINAL) -> list[str]:
    """Whether any situation gets a lower pathway or loses a flag, said outright."""
    down = lower(rep)
    total = rep.behaviour.total
    lost = [g for g in rep.behaviour.flag_changes if g.new == "removed"]
    return [("No situation gets a lower pathway." if not down else
             f"{down:,} situation(s) get a lower pathway ({share(down, total)})."),
            ("No situation loses a flag." if not lost else
             "Flags no longer raised: " + "; ".join(
                 f"{w.code(g.old)} in {g.count:,} situation(s)" for g in lost) + ".")]


def _group_title(g: Group, w: Words = TERMINAL) -> str:
    if g.kind == "pathway":
        return f"{w.code(g.old)} {ARROW} {w.code(g.new)}"
    return f"flag {w.code(g.old)} {'newly raised' if g.new == 'added' else 'no longer raised'}"


def _outcome(side: dict[str, Any]) -> str:
    if side["pathway"] is not None:
        flags = f" + {', '.join(side['flags'])}" if side["flags"] else ""
        return f"{side['pathway']}{flags}"
    if side["possible"]:
        total = sum(o["count"] for o in side["possible"])
        opts = "; ".join(f"{o['pathway']}{' + ' + ', '.join(o['flags']) if o['flags'] else ''}"
                         f" ({o['count']} of the {total} ways of answering them)"
                         for o in side["possible"])
        return f"unanswered {', '.join(side['missing'])}: {opts}"
    return "no decision"


def _impact(s: dict[str, Any]) -> str:
    if s["now_fails"]:
        return "NOW FAILS"
    if s["new"]["status"] == "failed":
        return "fails in both"
    if s["new"]["missing"]:
        return "needs answers"
    return "changes outcome" if s["changed"] else "same"


def _scenario_line(s: dict[str, Any], old_id: str, new_id: str) -> str:
    o, n = s["old"], s["new"]
    line = (f"{_impact(s)}: {s['scenario']}: {old_id} {_outcome(o)} ({o['status']}) {ARROW} "
            f"{new_id} {_outcome(n)} ({n['status']})")
    if n["failures"]:
        line += " - " + "; ".join(n["failures"])
    return one_line(line)


def pretty_when(when: str) -> str:
    """A long condition with one top-level `and` part per line (still valid to paste into
    a rule file: conditions may span lines)."""
    from sexting_triage import conditions as C

    cond = C.parse(when)
    if not isinstance(cond, C.And) or len(when) <= 80:
        return when
    parts = []
    for item in cond.items:
        text = C.to_text(item)
        parts.append(f"({text})" if isinstance(item, C.Or) else text)
    return "\n  and ".join(parts)


# ----------------------------------------------------------------------------- text


def diff_text(con: Console, rep: DiffReport) -> None:
    from sexting_triage.render.terminal import text

    old, new, beh = rep.old, rep.new, rep.behaviour
    w = TERMINAL
    con.print(text(f"rules diff {edition(old, w)} {ARROW} {edition(new, w)}", "bold"))
    con.print(text("\nSTRUCTURE", "bold underline"))
    any_struct = False
    for title, items in structural_items(rep.structural, w):
        if not items:
            continue
        any_struct = True
        con.print(text(f"  {title}:", "bold"))
        for head, details in items:
            con.print(text(f"    - {head}"))
            for d in details:
                con.print(text(f"        {d}"))
    if not any_struct:
        con.print(text("  no structural change"))
    con.print(text("\nBEHAVIOUR (exact, over every situation)", "bold underline"))
    con.print(text(f"  Situations compared (every combination of answers either "
                   f"questionnaire can produce): {beh.total:,}"))
    con.print(text(f"  Pathway or flags change in {beh.changed:,} "
                   f"({share(beh.changed, beh.total)})"))
    for line in _safety_lines(rep):
        con.print(text(f"  {line}"))
    if not beh.transitions and not beh.flag_changes:
        con.print(text("  no situation gets a different pathway or different flags"))
    for g in [*beh.transitions, *beh.flag_changes]:
        con.print(text(f"\n  {_group_title(g)}: {g.count:,} situation(s), "
                       f"{share(g.count, beh.total)}", "bold"))
        con.print(text("    when: " + pretty_when(g.when).replace("\n", "\n        ")))
        con.print(text(f"    for example: {_answers(g.example)}", "dim"))
        if g.rules_old:
            con.print(text(f"    rules ({old.id}): {', '.join(g.rules_old)}", "dim"))
        if g.rules_new:
            con.print(text(f"    rules ({new.id}): {', '.join(g.rules_new)}", "dim"))
    if rep.scenarios:
        con.print(text("\nSCENARIOS", "bold underline"))
        for s in rep.scenarios:
            con.print(text("  " + _scenario_line(s, old.id, new.id)))
    con.print()
    con.print(text("Result: identical" if rep.identical else "Result: differences found",
                   "bold"))


# ----------------------------------------------------------------------------- markdown


def diff_markdown(rep: DiffReport) -> str:
    """A change note for sign-off."""
    old, new, beh = rep.old, rep.new, rep.behaviour
    w = MARKDOWN
    out: list[str] = []
    out.append(f"# Change note: {edition(old, TEXT_MD)} {ARROW} {edition(new, TEXT_MD)}")
    out.append("")
    out.append("| | old | new |")
    out.append("|---|---|---|")
    out.append(f"| rule set | {md_text(old.id)} {md_text(old.version)} | {md_text(new.id)} "
               f"{md_text(new.version)} |")
    out.append(f"| title | {md_text(old.title)} | {md_text(new.title)} |")
    out.append(f"| status | {md_text(old.status)} | {md_text(new.status)} |")
    out.append(f"| sha256 | `{old.sha256[:16]}` | `{new.sha256[:16]}` |")
    ov_old, ov_new = _overlay(old, TEXT_MD), _overlay(new, TEXT_MD)
    if ov_old or ov_new:
        out.append(f"| force overlay | {ov_old or '(none)'} | {ov_new or '(none)'} |")
    out.append("")
    out.append("## Summary")
    out.append("")
    out.append(f"- Situations compared (every combination of answers either questionnaire "
               f"can produce): **{beh.total:,}**.")
    out.append(f"- Situations whose pathway or flags change: **{beh.changed:,}** "
               f"({share(beh.changed, beh.total)}).")
    out.extend(f"- {line}" for line in _safety_lines(rep, w))
    for g in beh.transitions:
        out.append(f"- {_group_title(g, w)}: {g.count:,} situation(s) "
                   f"({share(g.count, beh.total)}).")
    for g in beh.flag_changes:
        out.append(f"- {_group_title(g, w)}: {g.count:,} situation(s) "
                   f"({share(g.count, beh.total)}).")
    out.append("")
    out.append("## What changed in the rules")
    out.append("")
    out.append("Reworded items show the old text (was) and the new text (now).")
    out.append("")
    for title, items in structural_items(rep.structural, w):
        out.append(f"### {title}")
        out.append("")
        if not items:
            out.append("No change.")
        for head, details in items:
            out.append(f"- {head}")
            out.extend(f"  - {d}" for d in details)
        out.append("")
    out.extend(_behaviour_md(rep))
    if rep.scenarios:
        out.extend(_scenarios_md(rep))
    out.append("## Sign-off")
    out.append("")
    out.append("| role | name | date | decision |")
    out.append("|---|---|---|---|")
    out.append("| Policy lead | | | approve / reject |")
    out.append("| Safeguarding lead | | | approve / reject |")
    out.append("")
    return "\n".join(out)


def _behaviour_md(rep: DiffReport) -> list[str]:
    old, new, beh = rep.old, rep.new, rep.behaviour
    out = ["## Which situations get a different outcome", "",
           "Exact over every situation. Each `when` holds for exactly the situations in "
           "its group (a question that is not asked has no answer: `==` and `in` are "
           "then false, `!=` and `not in` true).", ""]
    if not beh.transitions and not beh.flag_changes:
        out += ["No situation gets a different pathway or different flags.", ""]
    for g in [*beh.transitions, *beh.flag_changes]:
        out += [f"### {_group_title(g, MARKDOWN)} ({g.count:,} situations, "
                f"{share(g.count, beh.total)})", "", "When:", "", "```",
                pretty_when(g.when), "```", ""]
        if g.rules_old:
            out += [f"Rules responsible in {md_text(old.id)}: "
                    + ", ".join(md_code(r) for r in g.rules_old), ""]
        if g.rules_new:
            out += [f"Rules responsible in {md_text(new.id)}: "
                    + ", ".join(md_code(r) for r in g.rules_new), ""]
        out += ["Example (an answers file both editions accept):", "", "```yaml", "answers:"]
        out += [f"  {k}: {v}" for k, v in g.example.items()]
        out += ["```", ""]
    return out


def _scenarios_md(rep: DiffReport) -> list[str]:
    old, new = rep.old, rep.new
    out = ["## Scenarios", "",
           "Expectations are the scenario's own for each edition; where it has none for "
           f"{md_text(new.id)}, the {md_text(old.id)} expectation is carried over.", "",
           f"| scenario | {md_text(old.id)} | {md_text(new.id)} | impact |", "|---|---|---|---|"]
    for s in rep.scenarios:
        o, n = s["old"], s["new"]
        impact = _impact(s)
        if n["failures"]:
            impact += ": " + "; ".join(n["failures"])
        out.append(f"| {md_text(s['scenario'])} | {md_text(_outcome(o))} ({o['status']}) | "
                   f"{md_text(_outcome(n))} ({n['status']}) | {md_text(impact)} |")
    out.append("")
    return out
