"""`rules diff` results as terminal text, a Markdown change note ready for sign-off, or JSON.

Data in, text out: everything here is computed by sexting_triage.diff."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sexting_triage.render.safe import clean

if TYPE_CHECKING:
    from rich.console import Console

    from sexting_triage.diff import DiffReport, Group

ARROW = "→"


def _answers(ex: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in ex.items())


def _pct(n: int, total: int) -> str:
    if not total:
        return "0%"
    p = 100 * n / total
    return f"{p:.4f}%" if p < 0.01 else f"{p:.2f}%"


def structural_lines(s: dict[str, Any], full: bool = False
                     ) -> list[tuple[str, list[str]]]:
    """Sections of plain sentences describing the structural changes (long metadata
    shortened unless `full`)."""
    out: list[tuple[str, list[str]]] = []
    short = (lambda v: str(v)) if full else _short
    meta = [f"{k}: {short(v['old'])} {ARROW} {short(v['new'])}"
            for k, v in s["metadata"].items()]
    out.append(("Metadata", meta))
    src = [f"added {x['key']}: {x['title']} ({x['date']})" for x in s["sources"]["added"]]
    src += [f"removed {x['key']}: {x['title']} ({x['date']})" for x in s["sources"]["removed"]]
    src += [f"changed {x['id']}: " + ", ".join(k for k in x if k != "id")
            for x in s["sources"]["changed"]]
    out.append(("Sources", src))
    q = s["questions"]
    ql = [f"added {x['id']}: \"{x['text']}\"" + (f" (asked when {x['ask_when']})"
                                                   if x["ask_when"] else "")
          for x in q["added"]]
    ql += [f"removed {x['id']}: \"{x['text']}\"" for x in q["removed"]]
    for x in q["changed"]:
        bits = []
        if "text" in x:
            bits.append(f"reworded (was \"{x['text']['old']}\", now \"{x['text']['new']}\")")
        if "help" in x:
            bits.append("help text changed")
        if "type" in x:
            bits.append(f"type {x['type']['old']} {ARROW} {x['type']['new']}")
        if "domain" in x:
            d = x["domain"]
            bits.append("answers " + ", ".join(
                [f"+{v}" for v in d["added"]] + [f"-{v}" for v in d["removed"]]))
        if "ask_when" in x:
            bits.append(f"ask_when {x['ask_when']['old'] or '(always)'} {ARROW} "
                        f"{x['ask_when']['new'] or '(always)'}")
        ql.append(f"changed {x['id']}: " + "; ".join(bits))
    if q["order_changed"]:
        ql.append("the shared questions are asked in a different order")
    out.append(("Questions", ql))
    r = s["rules"]
    rl = [f"added {x['id']}: when {x['when']} {ARROW} {x['effect']}" for x in r["added"]]
    rl += [f"removed {x['id']}: when {x['when']} {ARROW} {x['effect']}" for x in r["removed"]]
    for x in r["changed"]:
        bits = []
        if "when" in x:
            bits.append(f"condition {x['when']['old']} {ARROW} {x['when']['new']}")
        if "effect" in x:
            bits.append(f"effect {x['effect']['old']} {ARROW} {x['effect']['new']}")
        for k in ("reason", "actions", "cite"):
            if k in x:
                bits.append({"reason": "reason reworded", "actions": "actions changed",
                             "cite": "citation changed"}[k])
        rl.append(f"changed {x['id']}: " + "; ".join(bits))
    out.append(("Rules", rl))
    pl = [f"added {x['id']}" for x in s["pathways"]["added"]]
    pl += [f"removed {x['id']}" for x in s["pathways"]["removed"]]
    for x in s["pathways"]["changed"]:
        pl.extend(_actions_lines(x))
    if s["precedence"]:
        pl.append(f"precedence {' > '.join(s['precedence']['old'])} {ARROW} "
                  f"{' > '.join(s['precedence']['new'])}")
    out.append(("Pathways", pl))
    fl = [f"added {x['id']}" for x in s["flags"]["added"]]
    fl += [f"removed {x['id']}" for x in s["flags"]["removed"]]
    for x in s["flags"]["changed"]:
        fl.extend(_actions_lines(x))
    out.append(("Flags", fl))
    il = [f"added {x['id']} ({x['kind']}): {x['description']}" for x in s["invariants"]["added"]]
    il += [f"removed {x['id']}" for x in s["invariants"]["removed"]]
    il += [f"changed {x['id']}: " + ", ".join(k for k in x if k != "id")
           for x in s["invariants"]["changed"]]
    out.append(("Invariants", il))
    return out


def _actions_lines(x: dict[str, Any]) -> list[str]:
    lines = []
    for k in ("title", "summary", "ends_questionnaire", "urgent"):
        if k in x:
            lines.append(f"{x['id']}: {k} changed")
    if "actions" in x:
        a = x["actions"]
        lines.extend(f"{x['id']}: action added: {t}" for t in a["added"])
        lines.extend(f"{x['id']}: action removed: {t}" for t in a["removed"])
        if not a["added"] and not a["removed"]:
            lines.append(f"{x['id']}: actions reordered")
    return lines


def _short(v: Any) -> str:
    text = str(v)
    return text if len(text) <= 90 else text[:87] + "..."


def _group_title(g: Group) -> str:
    if g.kind == "pathway":
        return f"{g.old} {ARROW} {g.new}"
    return f"flag {g.old} {'added' if g.new == 'added' else 'no longer raised'}"


# ----------------------------------------------------------------------------- text


def diff_text(con: Console, rep: DiffReport) -> None:
    from sexting_triage.render.terminal import text

    old, new, beh = rep.old, rep.new, rep.behaviour
    con.print(text(f"rules diff {old.id} {old.version} {ARROW} {new.id} {new.version}", "bold"))
    con.print(text("\nSTRUCTURE", "bold underline"))
    any_struct = False
    for title, lines in structural_lines(rep.structural):
        if not lines:
            continue
        any_struct = True
        con.print(text(f"  {title}:", "bold"))
        for line in lines:
            con.print(text(f"    - {line}"))
    if not any_struct:
        con.print(text("  no structural change"))
    con.print(text("\nBEHAVIOUR (exact, over every situation)", "bold underline"))
    con.print(text(f"  Situations: {beh.total:,}; changed pathway or flags: {beh.changed:,} "
                   f"({_pct(beh.changed, beh.total)})"))
    if not beh.transitions and not beh.flag_changes:
        con.print(text("  no situation gets a different pathway or different flags"))
    for g in [*beh.transitions, *beh.flag_changes]:
        con.print(text(f"\n  {_group_title(g)}: {g.count:,} situation(s)", "bold"))
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


def _outcome(side: dict[str, Any]) -> str:
    if side["pathway"] is not None:
        flags = f" + {', '.join(side['flags'])}" if side["flags"] else ""
        return f"{side['pathway']}{flags}"
    if side["possible"]:
        total = sum(o["count"] for o in side["possible"])
        opts = "; ".join(f"{o['pathway']}{' + ' + ', '.join(o['flags']) if o['flags'] else ''}"
                         f" ({o['count']} of {total})" for o in side["possible"])
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
    return line


# ----------------------------------------------------------------------------- markdown


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


def _md(s: object) -> str:
    return clean(s).replace("|", "\\|")


def diff_markdown(rep: DiffReport) -> str:
    """A change note for sign-off."""
    old, new, beh = rep.old, rep.new, rep.behaviour
    out: list[str] = []
    out.append(f"# Change note: {old.id} {old.version} {ARROW} {new.id} {new.version}")
    out.append("")
    out.append("| | old | new |")
    out.append("|---|---|---|")
    out.append(f"| rule set | {_md(old.id)} {_md(old.version)} | {_md(new.id)} "
               f"{_md(new.version)} |")
    out.append(f"| title | {_md(old.title)} | {_md(new.title)} |")
    out.append(f"| status | {old.status} | {new.status} |")
    out.append(f"| sha256 | `{old.sha256[:16]}` | `{new.sha256[:16]}` |")
    out.append("")
    out.append("## Summary")
    out.append("")
    out.append(f"- Situations compared (every combination of answers either questionnaire "
               f"can produce): **{beh.total:,}**.")
    out.append(f"- Situations whose pathway or flags change: **{beh.changed:,}** "
               f"({_pct(beh.changed, beh.total)}).")
    for g in beh.transitions:
        out.append(f"- `{g.old}` {ARROW} `{g.new}`: {g.count:,} situation(s).")
    for g in beh.flag_changes:
        verb = "newly raised" if g.new == "added" else "no longer raised"
        out.append(f"- flag `{g.old}` {verb}: {g.count:,} situation(s).")
    out.append("")
    out.append("## What changed in the rules")
    out.append("")
    for title, lines in structural_lines(rep.structural, full=True):
        out.append(f"### {title}")
        out.append("")
        if not lines:
            out.append("No change.")
        for line in lines:
            out.append(f"- {_md(line)}")
        out.append("")
    out.append("## Which situations get a different outcome")
    out.append("")
    out.append("Exact over every situation. Each `when` holds for exactly the situations in "
               "its group (a question that is not asked has no answer: `==` and `in` are "
               "then false, `!=` and `not in` true).")
    out.append("")
    if not beh.transitions and not beh.flag_changes:
        out.append("No situation gets a different pathway or different flags.")
        out.append("")
    for g in [*beh.transitions, *beh.flag_changes]:
        out.append(f"### {_md(_group_title(g))} ({g.count:,} situations)")
        out.append("")
        out.append("When:")
        out.append("")
        out.append("```")
        out.append(pretty_when(g.when))
        out.append("```")
        out.append("")
        if g.rules_old:
            out.append(f"Rules responsible in {old.id}: " + ", ".join(f"`{r}`"
                                                                      for r in g.rules_old))
            out.append("")
        if g.rules_new:
            out.append(f"Rules responsible in {new.id}: " + ", ".join(f"`{r}`"
                                                                      for r in g.rules_new))
            out.append("")
        out.append("Example (an answers file both editions accept):")
        out.append("")
        out.append("```yaml")
        out.append("answers:")
        for k, v in g.example.items():
            out.append(f"  {k}: {v}")
        out.append("```")
        out.append("")
    if rep.scenarios:
        out.append("## Scenarios")
        out.append("")
        out.append("Expectations are the scenario's own for each edition; where it has none "
                   f"for {new.id}, the {old.id} expectation is carried over.")
        out.append("")
        out.append(f"| scenario | {old.id} | {new.id} | impact |")
        out.append("|---|---|---|---|")
        for s in rep.scenarios:
            o, n = s["old"], s["new"]
            impact = _impact(s)
            if n["failures"]:
                impact += ": " + "; ".join(n["failures"])
            out.append(f"| {_md(s['scenario'])} | {_md(_outcome(o))} ({o['status']}) | "
                       f"{_md(_outcome(n))} ({n['status']}) | {_md(impact)} |")
        out.append("")
    out.append("## Sign-off")
    out.append("")
    out.append("| role | name | date | decision |")
    out.append("|---|---|---|---|")
    out.append("| Policy lead | | | approve / reject |")
    out.append("| Safeguarding lead | | | approve / reject |")
    out.append("")
    return "\n".join(out)
