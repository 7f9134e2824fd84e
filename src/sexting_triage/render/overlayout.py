"""Force overlays as text: the add-only proof (`rules check OVERLAY`), the Markdown change
note a force's policy lead signs (`rules diff BASE OVERLAY --format markdown`) and the
rebase report (`rules rebase`).

Data in, text out: everything is computed by `sexting_triage.overlay`. Every text from the
overlay or rule file is made one line and stripped of control characters for the terminal
(`one_line`), and in Markdown also escaped (`md_text`, `md_code`), so it can never become
markup, a heading, a table row or a link.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sexting_triage.render.markup import md_code, md_text, one_line

if TYPE_CHECKING:
    from sexting_triage.overlay import Change, Proof, Rebase

Esc = Callable[[object], str]

WHAT = {
    "lower-pathway": "get a lower pathway",
    "flag-lost": "lose a flag",
    "action-lost": "lose a national action",
    "reordered": "show the national actions in another order",
    "questions-changed": "are asked other national questions",
    "overrides-stop": "get a pathway after the national questions stopped (out of scope)",
}


def _answers(ex: dict[str, Any], esc: Esc) -> str:
    return ", ".join(f"{esc(k)}={esc(v)}" for k, v in ex.items())


def share(n: int, total: int) -> str:
    """`n` as a percentage that names its whole."""
    if not total or not n:
        return f"0% of the {total:,} situations"
    p = 100 * n / total
    shown = f"{p:.4f}%" if p < 0.01 else f"{p:.2f}%"
    return f"{shown} of the {total:,} situations"


def _head(proof: Proof, esc: Esc) -> list[str]:
    from sexting_triage.overlay import overlay_of

    info = overlay_of(proof.merged)
    b = proof.base
    name = (f"overlay {esc(info.id)} {esc(info.version)} ({esc(info.force)})" if info
            else f"{esc(proof.merged.id)} {esc(proof.merged.version)}")
    lines = [f"{name} on {esc(b.id)} {esc(b.version)}",
             f"base sha256 {b.sha256}"]
    if info:
        lines.append(f"overlay sha256 {info.sha256}")
    return lines


def safety_line(proof: Proof) -> str:
    """The one sentence a sign-off rests on, said outright either way."""
    if proof.holds:
        return (f"No situation gets a lower pathway, loses a flag or loses an action: proved "
                f"over every one of the {proof.situations:,} situations.")
    bad = [f"{proof.situations_changed(k):,} situation(s) {WHAT[k]}" for k in WHAT
           if proof.situations_changed(k)]
    if proof.structure:
        bad.append("the national structure is not kept (" + "; ".join(proof.structure) + ")")
    return "NOT add-only: " + "; ".join(bad) + "."


def _counterexample(c: Change, proof: Proof, esc: Esc) -> list[str]:
    from sexting_triage.engine import decide

    lines = [f"Counterexample ({WHAT.get(c.kind, c.kind)}: {esc(c.subject)}"
             + (f", {esc(c.detail)}" if c.detail else "") + "):",
             f"  answers: {_answers(c.example, esc)}"]
    base_answers = {k: v for k, v in c.example.items() if k in proof.base.question_index}
    try:
        d0, d1 = decide(proof.base, base_answers), decide(proof.merged, c.example)
    except Exception:  # the example always decides; never hide the counterexample itself
        return lines
    lines.append(f"  national: {esc(d0.pathway)}" + (f" with {', '.join(d0.flags)}"
                                                     if d0.flags else ""))
    lines.append(f"  with the overlay: {esc(d1.pathway)}" + (f" with {', '.join(d1.flags)}"
                                                             if d1.flags else ""))
    return lines


def proof_text(proof: Proof) -> str:
    """`rules check OVERLAY` as plain lines (terminal text)."""
    esc = one_line
    lines = _head(proof, esc)
    lines.append(safety_line(proof))
    if proof.holds:
        for kind, label in (("higher-pathway", "get a higher pathway"),
                            ("flag-added", "get an added flag"),
                            ("action-added", "get one or more added actions")):
            n = proof.situations_changed(kind)
            if n:
                lines.append(f"  {n:,} situation(s) {label} ({share(n, proof.situations)})")
    else:
        c = proof.counterexample
        if c is not None:
            lines += _counterexample(c, proof, esc)
    for f in proof.findings:
        lines.append(f"  {f.level} [{esc(f.code)}] {esc(f.subject)}: {esc(f.message)}")
    lines.append("Decision support only: officer judgement, supervision and force policy "
                 "come first.")
    return "\n".join(lines) + "\n"


def provenance_lines(rs: Any) -> list[str]:
    """What a decision's footer says about its rules: the national edition with its file's
    sha256 and, with an overlay, the overlay with its own (one line each, plain text)."""
    from sexting_triage.overlay import overlay_of

    info = overlay_of(rs)
    if info is None:
        return [f"Rule set: {one_line(rs.id)} {one_line(rs.version)} ({one_line(rs.status)}) "
                f"- {one_line(rs.title)}", f"Rule-set sha256: {rs.sha256}"]
    return [f"Rule set: {one_line(rs.id)} {one_line(rs.version)} ({one_line(rs.status)}) - "
            f"{one_line(rs.title)}", f"Rule-set sha256: {info.base_sha256}",
            f"Force overlay: {one_line(info.id)} {one_line(info.version)} "
            f"({one_line(info.force)})", f"Overlay sha256: {info.sha256}"]


def proof_markdown(proof: Proof) -> str:
    return change_note(proof)


def _added_md(proof: Proof) -> list[str]:
    from sexting_triage.overlay import OverlaidRuleSet

    rs = proof.merged
    ov = rs.file if isinstance(rs, OverlaidRuleSet) else None
    if ov is None:
        return []
    d = ov.data
    out = ["## What the overlay adds", ""]
    if d["contacts"]:
        out += ["### Local contacts", "", "| id | service | how to reach it | hours |",
                "|---|---|---|---|"]
        out += [f"| {md_code(c['id'])} | {md_text(c['service'])} | {md_text(c['reach'])} | "
                f"{md_text(c['hours'])} |" for c in d["contacts"]]
        out.append("")
    if d["actions"]:
        out += ["### Actions added to national pathways and flags", "",
                "| added to | when | action | only if |", "|---|---|---|---|"]
        for a in d["actions"]:
            text = a["text"] + (f" (contact {a['contact']})" if a.get("contact") else "")
            out.append(f"| {md_code(a['to'])} | {md_text(a['when'])} | {md_text(text)} | "
                       f"{md_code(a['if']) if a.get('if') else 'always'} |")
        out.append("")
    if d["questions"]:
        out += ["### Local questions", ""]
        for q in d["questions"]:
            where = (f"after {md_code(q['after'])}" if q.get("after")
                     else "after the national questions")
            asked = f"; asked when {md_code(q['ask_when'])}" if q.get("ask_when") else ""
            out.append(f"- {md_code(q['id'])} ({where}{asked}): {md_text(q['text'])}")
        out.append("")
    if d["rules"]:
        out += ["### Local rules", ""]
        for r in d["rules"]:
            effect = r.get("pathway") or r.get("flag") or "adds actions"
            out.append(f"- {md_code(r['id'])}: when {md_code(r['when'])} -> "
                       f"{md_code(effect)}. {md_text(r['reason'])}")
            for a in r["actions"]:
                text = a if isinstance(a, str) else a["text"]
                out.append(f"  - {md_text(text)}")
        out.append("")
    if d["sources"]:
        out += ["### Local sources cited", ""]
        out += [f"- {md_code(k)}: {md_text(s['title'])} ({md_text(s['date'])})"
                for k, s in d["sources"].items()]
        out.append("")
    return out


def _subject_md(c: Change) -> str:
    if c.kind in ("higher-pathway", "lower-pathway", "overrides-stop"):
        a, _, b = c.subject.partition(" -> ")
        return f"{md_code(a)} to {md_code(b)}"
    if c.kind in ("flag-added", "flag-lost"):
        return md_code(c.subject)
    return md_text(c.subject)


def change_note(proof: Proof) -> str:
    """The Markdown change note a force's policy lead signs: what is added, which situations
    get more actions, an added flag or a higher pathway (counts and one example each), and
    an explicit line that no situation gets a lower pathway or loses a flag or an action."""
    from sexting_triage.overlay import overlay_of

    info = overlay_of(proof.merged)
    b = proof.base
    title = (f"{md_text(info.title)} ({md_text(info.id)} {md_text(info.version)})" if info
             else md_text(proof.merged.id))
    out = [f"# Change note: {title}", "",
           f"Local additions of {md_text(info.force) if info else 'the force'} to the national "
           f"edition {md_text(b.id)} {md_text(b.version)} ({md_text(b.title)}).", "",
           "| | id | version | sha256 |", "|---|---|---|---|",
           f"| national edition | {md_code(b.id)} | {md_text(b.version)} | `{b.sha256}` |"]
    if info:
        out.append(f"| overlay | {md_code(info.id)} | {md_text(info.version)} | "
                   f"`{info.sha256}` |")
    out += ["", "## Safety", "", f"**{md_text(safety_line(proof))}**", ""]
    if not proof.holds and proof.counterexample is not None:
        out += [md_text(line) + "  " for line in _counterexample(proof.counterexample, proof,
                                                                str)]
        out.append("")
    out += _added_md(proof)
    out += ["## What changes for officers", "",
            f"Compared over every one of the {proof.situations:,} situations the national "
            "questions and the local questions can produce.", ""]
    sections = (("higher-pathway", "Situations that get a higher pathway",
                 "A local rule raises a pathway of higher precedence. The lower pathway's own "
                 "actions are then not shown, exactly as in the national edition when one of "
                 "its own rules raises the higher pathway; every flag and every other action "
                 "is kept."),
                ("flag-added", "Situations that get an added flag", ""),
                ("action-added", "Situations that get more actions", ""))
    for kind, heading, note in sections:
        changes = proof.of_kind(kind)
        out += [f"### {heading}", ""]
        if note:
            out += [note, ""]
        if not changes:
            out += ["None.", ""]
            continue
        n = proof.situations_changed(kind)
        out += [f"{n:,} situation(s) in all ({share(n, proof.situations)}).", ""]
        for c in changes:
            out.append(f"- {_subject_md(c)}: {c.count:,} situation(s) "
                       f"({share(c.count, proof.situations)}). Example: "
                       f"{_answers(c.example, md_code)}")
        out.append("")
    out += ["## Sign-off", "",
            "Signed off for the force (role and date): ____________________", "",
            "Decision support only: officer judgement, supervision and force policy come "
            "first.", ""]
    return "\n".join(out)


def rebase_text(result: Rebase, path: str) -> str:
    """`rules rebase` as plain lines."""
    esc = one_line
    p = result.proof
    old = result.old_pin
    lines = [f"{esc(path)}: re-proved against {esc(p.base.id)} {esc(p.base.version)} "
             f"(sha256 {p.base.sha256[:12]}); it was pinned to {esc(old['id'])} "
             f"{esc(old['version'])} (sha256 {esc(old['sha256'])[:12]})."]
    lines.append(safety_line(p))
    if not p.holds and p.counterexample is not None:
        lines += _counterexample(p.counterexample, p, esc)
    if result.written:
        lines.append(f"The pin now names {esc(p.base.id)} {esc(p.base.version)} (sha256 "
                     f"{p.base.sha256[:12]}); nothing else in the file changed.")
    elif p.holds:
        lines.append("The pin already names this edition: the file is unchanged.")
    else:
        lines.append("The pin was NOT changed: fix the overlay, then rebase again.")
    if result.duplicates:
        lines.append("Now in the national edition as well (consider removing the local copy):")
        lines += [f"  {d.kind} {esc(d.local)}: same text as national {esc(d.national)}"
                  for d in result.duplicates]
    else:
        lines.append("No local question or action duplicates the national text.")
    return "\n".join(lines) + "\n"
