"""A decision record as text (terminal), Markdown or HTML, for case notes.

Data in, text out: nothing here decides anything. Every string from the record passes through
render.safe.clean; HTML escapes every value, Markdown escapes what would change its layout.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any

from sexting_triage.render.safe import clean

if TYPE_CHECKING:
    from rich.console import Console


def _s(value: object) -> str:
    return clean("" if value is None else value)


def _d(value: object) -> dict[str, Any]:
    """A mapping from the record, or {}: an edited record may hold anything anywhere."""
    return value if isinstance(value, dict) else {}


def _l(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _answers(rec: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(question id, question text, answer) in the order asked."""
    qs = rec.get("questions")
    if isinstance(qs, list) and all(isinstance(q, dict) for q in qs):
        return [(_s(q.get("id")), _s(q.get("text")), _s(q.get("answer"))) for q in qs]
    return [(_s(k), _s(k), _s(v)) for k, v in _d(rec.get("answers")).items()]


def _cites(reason: dict[str, Any]) -> list[str]:
    out = []
    for c in _l(reason.get("cite")):
        if not isinstance(c, dict):
            continue
        label = f"{_s(c.get('source'))}, {_s(c.get('section'))}"
        if c.get("approximate"):
            label += " (section approximate)"
        if c.get("quote"):
            label += f' - "{_s(c.get("quote"))}"'
        out.append(label)
    return out


def _officer(rec: dict[str, Any]) -> str:
    o = rec.get("officer")
    if o is None:
        return "not recorded"
    o = _d(o)
    why = f" ({_s(o.get('reason_text') or o.get('reason'))})" if o.get("reason") else ""
    if o.get("agrees") is True:
        return f"agrees with the recommendation{why}"
    return f"chose {_s(o.get('pathway'))} instead{why}"


def _signature(rec: dict[str, Any]) -> str:
    sig = rec.get("signature")
    if sig is None:
        return "not signed"
    return (f"{_s(_d(sig).get('alg'))} signature by key {_s(_d(sig).get('key_id'))} (check it "
            "with `sexting-triage record verify --public-key KEY`)")


def _facts(rec: dict[str, Any], intact: bool) -> list[tuple[str, str]]:
    rules = _d(rec.get("rules"))
    tool = _d(rec.get("tool"))
    return [
        ("Incident reference", _s(rec.get("incident_ref") or "none given")),
        ("Officer's decision", _officer(rec)),
        ("Made (UTC)", _s(rec.get("created"))),
        ("Rule set", f"{_s(rules.get('id'))} {_s(rules.get('version'))}: "
                     f"{_s(rules.get('title'))}"),
        ("Rule set sha256", _s(rules.get("sha256"))),
        ("Tool", f"sexting-triage {_s(tool.get('version'))}"),
        ("Record sha256", _s(rec.get("sha256"))),
        ("Signature", _signature(rec)),
        ("Integrity", "the content matches its sha256" if intact else
         "WARNING: the content does not match its sha256 (changed after it was written); "
         "run `sexting-triage record verify`"),
    ]


def _decision(rec: dict[str, Any]) -> dict[str, Any]:
    d = rec.get("decision")
    return d if isinstance(d, dict) else {}


def _pathway(rec: dict[str, Any]) -> tuple[str, str]:
    p = _decision(rec).get("pathway")
    if isinstance(p, dict):
        return _s(p.get("title")), _s(p.get("id"))
    return _s(p), _s(p)


def _reasons(rec: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in _l(_decision(rec).get("reasons")) if isinstance(r, dict)]


def _list(rec: dict[str, Any], key: str) -> list[str]:
    return [_s(x) for x in _l(_decision(rec).get(key))]


URGENT_FLAGS = frozenset({"immediate-safeguarding"})  # for records without flag details


def flag_labels(decision: dict[str, Any]) -> list[tuple[str, bool]]:
    """Each flag of a record's decision as (label, urgent), urgent first: the rule's headline
    or the flag's title where the record keeps them (`flag_details`), the id otherwise."""
    details = {_s(_d(x).get("id")): _d(x) for x in _l(decision.get("flag_details"))}
    out = []
    for f in (_s(x) for x in _l(decision.get("flags"))):
        info = details.get(f, {})
        label = _s(info.get("headline")) or _s(info.get("title")) or f
        urgent = info["urgent"] if isinstance(info.get("urgent"), bool) else f in URGENT_FLAGS
        out.append((label, urgent))
    return sorted(out, key=lambda x: not x[1])


# ----------------------------------------------------------------------------- terminal


def text(con: Console, rec: dict[str, Any], intact: bool) -> None:
    from sexting_triage.render.terminal import rows
    from sexting_triage.render.terminal import text as t

    title, pid = _pathway(rec)
    con.print(t("DECISION RECORD", "bold underline"))
    rows(con, [(f"{k}:", t(v, "" if intact or k != "Integrity" else "bold red"))
               for k, v in _facts(rec, intact)])
    con.print()
    con.print(t("RECOMMENDED PATHWAY: ", "bold") + t(title, "bold") + t(f"  [{pid}]", "dim"))
    flags = [("URGENT: " if u else "") + label for label, u in flag_labels(_decision(rec))]
    con.print(t("FLAGS: ", "bold") + t("; ".join(flags) if flags else "none raised"))
    con.print()
    con.print(t("ANSWERS", "bold underline"))
    rows(con, [(f"{n:>2}.", t(f"{q}  ") + t(a, "bold"))
               for n, (_, q, a) in enumerate(_answers(rec), 1)], indent=1)
    con.print()
    con.print(t("REASONS", "bold underline"))
    items = []
    for n, r in enumerate(_reasons(rec), 1):
        body = t(_s(r.get("text"))) + t(f"  (rule {_s(r.get('rule'))}; {_s(r.get('role'))})",
                                        "dim")
        for c in _cites(r):
            body += t(f"\nSource: {c}", "italic")
        items.append((f"{n:>2}.", body))
    rows(con, items, indent=1)
    con.print()
    con.print(t("ACTIONS (checklist)", "bold underline"))
    rows(con, [("[ ]", t(a)) for a in _list(rec, "actions")])
    con.print()
    con.print(t(_s(rec.get("notice")), "bold"))


# ----------------------------------------------------------------------------- markdown

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def md(s: object) -> str:
    """Escape Markdown so record text is shown, never interpreted (one line)."""
    return _MD_SPECIAL.sub(r"\\\1", _s(s)).replace("\n", " ")


def markdown(rec: dict[str, Any], intact: bool) -> str:
    title, pid = _pathway(rec)
    out = ["# Decision record", ""]
    out += [f"- **{k}:** {md(v)}" for k, v in _facts(rec, intact)]
    out += ["", "## Recommended pathway", "", f"**{md(title)}** ({md(pid)})", ""]
    flags = [("URGENT: " if u else "") + label for label, u in flag_labels(_decision(rec))]
    out += ["## Flags", "", *([f"- {md(f)}" for f in flags] or ["None raised."]), ""]
    out += ["## Answers", "", "| # | Question | Answer |", "|---|---|---|"]
    out += [f"| {n} | {md(q)} | {md(a)} |" for n, (_, q, a) in enumerate(_answers(rec), 1)]
    out += ["", "## Reasons", ""]
    for n, r in enumerate(_reasons(rec), 1):
        out.append(f"{n}. {md(r.get('text'))} (rule {md(r.get('rule'))}; {md(r.get('role'))})")
        out += [f"   - Source: {md(c)}" for c in _cites(r)]
    out += ["", "## Actions", ""]
    out += [f"- [ ] {md(a)}" for a in _list(rec, "actions")]
    out += ["", f"*{md(rec.get('notice'))}*", ""]
    return "\n".join(out)


# ----------------------------------------------------------------------------- html


def _h(s: object) -> str:
    return html.escape(_s(s), quote=True)


def html_doc(rec: dict[str, Any], intact: bool) -> str:
    """A standalone HTML page; every value from the record is escaped."""
    title, pid = _pathway(rec)
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           f"<title>Decision record {_h(rec.get('incident_ref') or '')}</title>",
           "<style>body{font-family:sans-serif;max-width:50em;margin:2em auto;line-height:1.4}"
           "table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2em .5em;"
           "text-align:left;vertical-align:top}.warn{color:#a00;font-weight:bold}</style>",
           "</head>", "<body>", "<h1>Decision record</h1>", "<dl>"]
    for k, v in _facts(rec, intact):
        cls = ' class="warn"' if k == "Integrity" and not intact else ""
        out.append(f"<dt>{_h(k)}</dt><dd{cls}>{_h(v)}</dd>")
    out += ["</dl>", "<h2>Recommended pathway</h2>",
            f"<p><strong>{_h(title)}</strong> (<code>{_h(pid)}</code>)</p>", "<h2>Flags</h2>"]
    flags = [("URGENT: " if u else "") + label for label, u in flag_labels(_decision(rec))]
    out.append("<ul>" + "".join(f"<li>{_h(f)}</li>" for f in flags) + "</ul>" if flags
               else "<p>None raised.</p>")
    out += ["<h2>Answers</h2>", "<table>", "<tr><th>#</th><th>Question</th><th>Answer</th></tr>"]
    out += [f"<tr><td>{n}</td><td>{_h(q)}</td><td>{_h(a)}</td></tr>"
            for n, (_, q, a) in enumerate(_answers(rec), 1)]
    out += ["</table>", "<h2>Reasons</h2>", "<ol>"]
    for r in _reasons(rec):
        cites = "".join(f"<li>Source: {_h(c)}</li>" for c in _cites(r))
        out.append(f"<li>{_h(r.get('text'))} <small>(rule {_h(r.get('rule'))}; "
                   f"{_h(r.get('role'))})</small><ul>{cites}</ul></li>")
    out += ["</ol>", "<h2>Actions</h2>", "<ul>"]
    out += [f"<li>&#9744; {_h(a)}</li>" for a in _list(rec, "actions")]
    out += ["</ul>", f"<p><em>{_h(rec.get('notice'))}</em></p>", "</body>", "</html>", ""]
    return "\n".join(out)
