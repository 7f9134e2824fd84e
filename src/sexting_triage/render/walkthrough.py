"""A scenario replayed step by step, as terminal text (classroom) or Markdown (handout).

Data in, text out: the steps come from the walkthrough model (`scenarios.walkthrough`), which
takes them from the questionnaire controller; nothing here decides anything. Text from a rule
or scenario file never becomes terminal control sequences or Markdown markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from sexting_triage.render.jsonout import NOTICE
from sexting_triage.render.safe import clean

if TYPE_CHECKING:
    from rich.console import Console

    from sexting_triage.engine import Reason
    from sexting_triage.ruleset import RuleSet
    from sexting_triage.scenarios.format import Expectation
    from sexting_triage.scenarios.walkthrough import Replay, Step


def _effect(r: Reason, final: bool = True) -> str:
    """What a fired rule does; during the steps an outweighed pathway is not given away."""
    if r.role == "flag":
        return f"raises flag {r.effect}"
    if r.role == "note":
        return "adds a note"
    if r.role == "outweighed" and final:
        return f"points to {r.effect}, outweighed by a higher pathway"
    return f"points to {r.effect}"


def expectation_line(e: Expectation | None, failures: tuple[str, ...]) -> str:
    if e is None:
        return "This scenario states no expectation for this rule set."
    if failures:
        return "The scenario's expectation does NOT hold: " + "; ".join(failures)
    return "The scenario's expectation holds: " + ", ".join(
        f"{k} {v if isinstance(v, str) else '[' + ', '.join(v) + ']'}"
        for k, v in e.as_dict().items())


# ----------------------------------------------------------------------------- terminal


def text_intro(con: Console, rp: Replay) -> None:
    from sexting_triage.render.terminal import rows, text

    s, rs = rp.scenario, rp.ruleset
    con.print(text(f"SCENARIO: {s.title}", "bold"))
    con.print(text(f"Rule set: {rs.id} {rs.version} - {rs.title}", "dim"))
    if s.tags:
        con.print(text("Tags: " + ", ".join(s.tags), "dim"))
    con.print()
    con.print(text("THE CASE", "bold underline"))
    rows(con, [("", text(s.story))])
    con.print()


def text_step(con: Console, step: Step, total: int, rs: RuleSet) -> None:
    from sexting_triage.render.terminal import cite_label, flag_block, rows, text

    con.print(text(f"STEP {step.number} of {total}", "bold underline")
              + text(f"  [{step.question.id}]", "dim"))
    items = [("Q:", text(step.question.text, "bold"))]
    if step.question.help:
        items.append(("", text("Help: " + step.question.help, "italic")))
    items.append(("A:", text(step.answer, "bold cyan")))
    if step.note:
        items.append(("Note:", text(step.note, "yellow")))
    for r in step.reasons:
        body = text(f"Rule {r.rule} fires ({_effect(r, final=False)}): ", "bold") + text(r.text)
        for c in r.cite:
            body += text(f"\nSource: {cite_label(c)}", "italic")
        items.append(("->", body))
    # one marker width for every step, so the columns do not shift as notes come and go
    rows(con, [(marker.ljust(5), body) for marker, body in items])
    for n in step.notices:
        flag_block(con, rs.flags[n.flag], n.headline, [a.text for a in n.actions])
    con.print()


def text_result(con: Console, rp: Replay) -> None:
    from sexting_triage.render.terminal import decision, rows, text

    extra = rp.unused_notes
    if extra:
        con.print(text("TRAINER NOTES FOR QUESTIONS NOT ASKED IN THIS CASE", "bold underline"))
        rows(con, [(f"{q}:", text(n, "yellow")) for q, n in extra.items()])
        con.print()
    con.print(text("RESULT", "bold underline"))
    decision(con, rp.decision)
    con.print()
    con.print(text(expectation_line(rp.expectation, rp.failures),
                   "bold red" if rp.failures else "bold"))


# ----------------------------------------------------------------------------- markdown

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|!&~])")
# what would start a block if it began a line: a list item, a numbered item, a heading or
# rule underline, a quote
_MD_LEADING = re.compile(r"^([-+=>]|\d+(?=[.)]))")


def md(s: object) -> str:
    """File text made inert inside a Markdown line: control, bidi and format characters
    removed, one line, every markup character escaped (no raw HTML, link, emphasis or table
    cell can start)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(clean(s).split()))


def md_block(s: object) -> str:
    """File text that starts a line: as `md`, and what would open a block there (a list
    item, a numbered item, a heading underline, a quote) escaped too."""
    return _MD_LEADING.sub(lambda m: m.group(1) + "\\" if m.group(1)[0].isdigit()
                           else "\\" + m.group(1), md(s), count=1)


def markdown(rp: Replay) -> str:
    """A printable handout: the case, each step with its notes and rules, then the result."""
    from sexting_triage.render.terminal import cite_label

    s, d, rs = rp.scenario, rp.decision, rp.ruleset
    p = rs.pathways[d.pathway]
    lines: list[str] = [f"# {md(s.title)}", ""]
    lines += [f"*Rule set: {md(rs.id)} {md(rs.version)} ({md(rs.title)}), "
              f"sha256 {rs.sha256[:12]}*", ""]
    if s.tags:
        lines += ["Tags: " + ", ".join(md(t) for t in s.tags), ""]
    lines += ["## The case", "", md_block(s.story), "", "## Step by step", ""]
    for st in rp.steps:
        lines.append(f"### {st.number}. {md(st.question.text)}")
        lines.append("")
        if st.question.help:
            lines += [f"*{md(st.question.help)}*", ""]
        lines += [f"**Answer:** {md(st.answer)}", ""]
        if st.note:
            lines += [f"> **Trainer note:** {md(st.note)}", ""]
        for r in st.reasons:
            lines.append(f"- **Rule `{r.rule}` fires** ({md(_effect(r, final=False))}): "
                         f"{md(r.text)}")
            for c in r.cite:
                lines.append(f"  - Source: {md(cite_label(c))}")
        for notice in st.notices:
            f = rs.flags[notice.flag]
            kind = "URGENT" if f.urgent else "NOTE"
            lines.append(f"- **{kind}: {md(notice.headline or f.title)}** - {md(f.summary)}")
            lines += [f"  - [ ] {md(a.text)}" for a in notice.actions]
        if st.reasons or st.new_flags:
            lines.append("")
    extra = rp.unused_notes
    if extra:
        lines += ["## Notes for questions not asked in this case", ""]
        lines += [f"- `{md(q)}`: {md(n)}" for q, n in extra.items()] + [""]
    lines += ["## Result", "", f"**Recommended pathway: {md(p.title)}** (`{p.id}`)", "",
              md_block(p.summary), ""]
    if d.flags:
        lines += ["**Flags:**", ""]
        lines += [f"- {'URGENT' if rs.flags[f].urgent else 'NOTE'}: {md(rs.flags[f].title)} "
                  f"(`{f}`)" for f in d.flags] + [""]
    else:
        lines += ["**Flags:** none raised", ""]
    lines += ["**Reasons:**", ""]
    for n, r in enumerate(d.reasons, 1):
        lines.append(f"{n}. {md(r.text)} ({md(_effect(r))}; rule `{r.rule}`)")
        for c in r.cite:
            lines.append(f"   - Source: {md(cite_label(c))}")
    lines += ["", "**Actions:**", ""]
    lines += [f"- [ ] {md(a.text)}" for a in d.actions]
    lines += ["", md(expectation_line(rp.expectation, rp.failures)), "", f"*{md(NOTICE)}*", ""]
    return "\n".join(lines)


def iter_text(con: Console, rp: Replay) -> Iterator[None]:
    """The replay in pieces, yielding between steps so a caller can pause for the class."""
    text_intro(con, rp)
    for st in rp.steps:
        yield None
        text_step(con, st, len(rp.steps), rp.ruleset)
    yield None


def quiz_markdown(cases: list[Replay]) -> str:
    """A printable quiz: each case with what the responder established and boxes for the
    pathway and flags, then an answer key with the reasons (trainer notes left out)."""
    lines: list[str] = ["# Quiz: which pathway, and which flags?", "",
                        "For each case, tick the pathway the rules recommend and every flag "
                        "that applies.", ""]
    for n, rp in enumerate(cases, 1):
        s, d, rs = rp.scenario, rp.decision, rp.ruleset
        lines += [f"## Case {n}: {md(s.title)}", "", md_block(s.story), "",
                  "**What the responder established:**", ""]
        lines += [f"- {md(rs.question(q).text)} **{md(rs.question(q).label_of(v))}**"
                  for q, v in d.answers.items()]
        lines += ["", "**Pathway:**", ""]
        lines += [f"- [ ] {md(rs.pathways[p].title)}" for p in rs.precedence]
        lines += ["", "**Flags:**", "", "- [ ] No flag applies"]
        lines += [f"- [ ] {md(rs.flags[f].title)}" for f in rs.flags] + [""]
    lines += ["---", "", "# Answer key", ""]
    for n, rp in enumerate(cases, 1):
        d, rs = rp.decision, rp.ruleset
        flags = ", ".join(md(rs.flags[f].title) for f in d.flags) or "none"
        lines += [f"{n}. **{md(rs.pathways[d.pathway].title)}**; flags: {flags} "
                  f"(rule set {md(rs.id)} {md(rs.version)})"]
        lines += [f"   - {md(r.text)}" for r in d.reasons if r.role in ("pathway", "flag")]
    lines += ["", f"*{md(NOTICE)}*", ""]
    return "\n".join(lines)
