"""Case notes from a decision record alone, in National Decision Model order.

    render_notes(record, "markdown" | "html") -> str

The six parts of the National Decision Model, as a supervisor reads them:

1. Information: the incident reference, when, and every question with its answer;
2. Assessment of threat and risk: the flags (urgent first) and every reason with its source;
3. Powers and policy: the rule-set edition, the guidance it cites, the recording category;
4. Options: the recommended pathway and the pathways that were outweighed;
5. Decision and action: the recommendation, the officer's own decision, the checklist with
   tick boxes (do now, before the end of the shift, next);
6. Review: the provenance (rule set, sha256, tool, the record's own hash) and how to check it.

A record is a file and may have been edited: every value is treated as untrusted text and
escaped for the output (Markdown: no raw HTML, headings, table rows or links can be made;
HTML: every text escaped, one self-contained page with inline CSS, no scripts and no external
resources, and a print stylesheet for A4).
"""

from __future__ import annotations

import html
import re
from typing import Any

from sexting_triage.render.record import flag_labels
from sexting_triage.render.safe import clean

NOTICE = ("Decision support only: officer judgement, supervision and force policy come "
          "first.")
WHEN = (("now", "Do now"), ("today", "Before the end of the shift"), ("next", "Next"))
ROLE_TITLES = (("pathway", "Supports the pathway"), ("flag", "Raises a flag"),
               ("note", "Notes"), ("outweighed", "Outweighed (points to a lower pathway)"))


# ----------------------------------------------------------------------------- reading


def _d(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def _l(v: Any) -> list[Any]:
    return v if isinstance(v, list) else []


def _s(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    return " ".join(clean(v).split()) if isinstance(v, str) else clean(str(v))


def _cite(c: Any) -> str:
    c = _d(c)
    label = f"{_s(c.get('source'))}, {_s(c.get('section'))}"
    if c.get("approximate"):
        label += " (section approximate)"
    if c.get("quote"):
        label += f' - "{_s(c.get("quote"))}"'
    return label


def _actions(decision: dict[str, Any]) -> list[tuple[str, str]]:
    """(when, text) for each action; record schema 1 held plain strings (due next)."""
    out = []
    for a in _l(decision.get("actions")):
        if isinstance(a, dict):
            when = _s(a.get("when"))
            out.append((when if when in dict(WHEN) else "next", _s(a.get("text"))))
        else:
            out.append(("next", _s(a)))
    return out


class _Notes:
    """The record's content as plain strings, in NDM order (built once, written twice)."""

    def __init__(self, rec: dict[str, Any]):
        rec = _d(rec)
        self.rec = rec
        self.decision = _d(rec.get("decision"))
        self.rules = _d(rec.get("rules"))
        p = self.decision.get("pathway")
        self.pathway_id = _s(_d(p).get("id") if isinstance(p, dict) else p)
        self.pathway = _s(_d(p).get("title")) if isinstance(p, dict) else self.pathway_id
        self.flags = flag_labels(self.decision)  # (label, urgent), urgent first
        self.reasons = [_d(r) for r in _l(self.decision.get("reasons"))]
        self.questions = [(_s(_d(q).get("text")), _s(_d(q).get("answer")))
                          for q in _l(rec.get("questions"))]
        if not self.questions:  # a record without the texts: the ids and values
            self.questions = [(_s(k), _s(v)) for k, v in _d(rec.get("answers")).items()]
        self.officer = _d(rec.get("officer")) if rec.get("officer") is not None else None
        self.recording = _d(self.decision.get("recording") or rec.get("recording")) or None

    def edition(self) -> str:
        r = self.rules
        return (f"{_s(r.get('id'))} {_s(r.get('version'))} ({_s(r.get('status'))}) - "
                f"{_s(r.get('title'))}")

    def sources(self) -> list[str]:
        seen: dict[str, None] = {}
        for r in self.reasons:
            for c in _l(r.get("cite")):
                seen.setdefault(_cite(c), None)
        return list(seen)

    def outweighed(self) -> list[str]:
        seen: dict[str, None] = {}
        for r in self.reasons:
            if r.get("role") == "outweighed":
                seen.setdefault(_s(r.get("effect")), None)
        return list(seen)

    def officer_line(self) -> str:
        o = self.officer
        if o is None:
            return "Not recorded in this record."
        if o.get("agrees") is True or o.get("decision") == "agree":
            why = _s(o.get("reason_text"))
            return "The officer agrees with the recommendation" + (f" ({why})." if why else ".")
        return (f"The officer chose another pathway: {_s(o.get('pathway') or o.get('decision'))}"
                f". Reason: {_s(o.get('reason_text') or o.get('reason'))}.")

    def provenance(self) -> list[tuple[str, str]]:
        r, t = self.rules, _d(self.rec.get("tool"))
        return [("Rule set", self.edition()), ("Rule-set sha256", _s(r.get("sha256"))),
                ("Tool", f"{_s(t.get('name')) or 'sexting-triage'} {_s(t.get('version'))}"),
                ("Record made (UTC)", _s(self.rec.get("created"))),
                ("Record sha256", _s(self.rec.get("sha256")))]


# ----------------------------------------------------------------------------- markdown

# Values always sit mid-line (after "- ", "1. ", "| " or a label) and newlines are collapsed,
# so only inline markup needs escaping: emphasis, code, links, images, table cells,
# strikethrough; `<` and `&` become entities (no raw HTML); bare URLs are broken up so no
# link is made.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_AUTOLINK = re.compile(r"(?i)(://|www\.)")


def md(v: Any) -> str:
    """Text for Markdown: one line, inline markup escaped, no raw HTML or link possible."""
    s = html.escape(_s(v), quote=False)
    s = _MD_SPECIAL.sub(r"\\\1", s)
    return _AUTOLINK.sub(lambda m: ":\\/\\/" if m.group(1) == "://" else
                         m.group(1)[:3] + "\\.", s)


def _markdown(n: _Notes) -> str:
    out: list[str] = []
    ref = _s(n.rec.get("incident_ref"))
    out += ["# Case notes: youth-produced sexual imagery", "",
            f"Incident reference: {md(ref) if ref else 'none given'}  ",
            f"Recommended pathway: **{md(n.pathway)}**  ",
            f"Officer's decision: {md(n.officer_line())}", "",
            f"*{md(NOTICE)}*", ""]
    out += ["## 1. Information", "", f"Record made (UTC): {md(n.rec.get('created'))}", "",
            "| Question | Answer |", "|---|---|"]
    out += [f"| {md(q)} | {md(a)} |" for q, a in n.questions]
    out += ["", "## 2. Assessment of threat and risk", ""]
    if n.flags:
        out += [f"- {'URGENT' if u else 'Flag'}: {md(f)}" for f, u in n.flags]
    else:
        out.append("No flags were raised.")
    out.append("")
    num = 0
    for role, title in ROLE_TITLES:
        group = [r for r in n.reasons if r.get("role") == role]
        if not group:
            continue
        out += [f"**{md(title)}**", ""]
        for r in group:
            num += 1
            out.append(f"{num}. {md(r.get('text'))}")
            out += [f"   - Source: {md(_cite(c))}" for c in _l(r.get("cite"))]
        out.append("")
    out += ["## 3. Powers and policy", "", f"Rule set: {md(n.edition())}", "",
            "Guidance cited:", ""]
    out += [f"- {md(s)}" for s in n.sources()] or ["- none"]
    out.append("")
    if n.recording:
        rec = n.recording
        cat = _s(rec.get("title") or rec.get("category")) or "none in this edition"
        out += [f"Recording category: {md(cat)}" +
                (" (provisional)" if rec.get("provisional") else ""), "",
                md(rec.get("reason")), ""]
        if rec.get("treatment"):
            out += [f"How each child is treated: {md(rec.get('treatment'))}", ""]
    out += ["## 4. Options", "", f"- Recommended: {md(n.pathway)}"]
    out += [f"- Outweighed: {md(p)}" for p in n.outweighed()]
    out += ["", "## 5. Decision and action", "",
            f"Recommendation: **{md(n.pathway)}**  ",
            f"Officer's decision: {md(n.officer_line())}", ""]
    acts = _actions(n.decision)
    for when, title in WHEN:
        band = [t for w, t in acts if w == when]
        if band:
            out += [f"**{md(title)}**", ""]
            out += [f"- [ ] {md(t)}" for t in band]
            out.append("")
    out += ["## 6. Review", ""]
    out += [f"- {md(k)}: {md(v)}" for k, v in n.provenance()]
    out += ["", "Check this record with `sexting-triage record verify FILE`.", "",
            "- [ ] Reviewed by a supervisor", "", f"*{md(NOTICE)}*", ""]
    return "\n".join(out)


# ----------------------------------------------------------------------------- html

CSS = """
body { font-family: Arial, Helvetica, sans-serif; font-size: 11pt; line-height: 1.4;
       color: #000; background: #fff; max-width: 48em; margin: 1.5em auto; padding: 0 1em; }
h1 { font-size: 16pt; margin: 0 0 0.4em; }
h2 { font-size: 13pt; border-bottom: 1px solid #444; margin: 1.2em 0 0.4em;
     break-after: avoid; page-break-after: avoid; }
h3 { font-size: 11pt; margin: 0.8em 0 0.2em; break-after: avoid; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #888; padding: 0.2em 0.4em; text-align: left; vertical-align: top; }
tr, li { break-inside: avoid; page-break-inside: avoid; }
.urgent { font-weight: bold; border: 2px solid #000; padding: 0.1em 0.3em; }
.notice { font-weight: bold; margin: 0.6em 0; }
.source { font-style: italic; font-size: 10pt; }
ul.checklist { list-style: none; padding-left: 0.2em; }
ul.checklist li::before { content: "\\2610\\00a0"; font-size: 13pt; }
dl.provenance dt { font-weight: bold; }
dl.provenance dd { margin: 0 0 0.3em 1em; word-break: break-all; }
@page { size: A4; margin: 18mm 16mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 10.5pt; }
  a { color: #000; text-decoration: none; }
}
"""


def h(v: Any) -> str:
    return html.escape(_s(v), quote=True)


def _html(n: _Notes) -> str:
    o: list[str] = []
    ref = _s(n.rec.get("incident_ref"))
    o += ["<!DOCTYPE html>", '<html lang="en-GB">', "<head>", '<meta charset="utf-8">',
          "<title>Case notes" + (f": {h(ref)}" if ref else "") + "</title>",
          f"<style>{CSS}</style>", "</head>", "<body>",
          "<h1>Case notes: youth-produced sexual imagery</h1>",
          f"<p>Incident reference: {h(ref) if ref else 'none given'}<br>",
          f"Recommended pathway: <strong>{h(n.pathway)}</strong><br>",
          f"Officer's decision: {h(n.officer_line())}</p>",
          f'<p class="notice">{h(NOTICE)}</p>']
    o += ["<h2>1. Information</h2>", f"<p>Record made (UTC): {h(n.rec.get('created'))}</p>",
          "<table><thead><tr><th>Question</th><th>Answer</th></tr></thead><tbody>"]
    o += [f"<tr><td>{h(q)}</td><td>{h(a)}</td></tr>" for q, a in n.questions]
    o += ["</tbody></table>", "<h2>2. Assessment of threat and risk</h2>"]
    if n.flags:
        o.append("<ul>")
        o += [f'<li><span class="urgent">URGENT: {h(f)}</span></li>' if u
              else f"<li>Flag: {h(f)}</li>" for f, u in n.flags]
        o.append("</ul>")
    else:
        o.append("<p>No flags were raised.</p>")
    for role, title in ROLE_TITLES:
        group = [r for r in n.reasons if r.get("role") == role]
        if not group:
            continue
        o += [f"<h3>{h(title)}</h3>", "<ol>"]
        for r in group:
            cites = "".join(f'<br><span class="source">Source: {h(_cite(c))}</span>'
                            for c in _l(r.get("cite")))
            o.append(f"<li>{h(r.get('text'))}{cites}</li>")
        o.append("</ol>")
    o += ["<h2>3. Powers and policy</h2>", f"<p>Rule set: {h(n.edition())}</p>",
          "<p>Guidance cited:</p>", "<ul>"]
    o += [f"<li>{h(s)}</li>" for s in n.sources()] or ["<li>none</li>"]
    o.append("</ul>")
    if n.recording:
        rec = n.recording
        cat = _s(rec.get("title") or rec.get("category")) or "none in this edition"
        o.append(f"<p>Recording category: <strong>{h(cat)}</strong>"
                 + (" (provisional)" if rec.get("provisional") else "") +
                 f"<br>{h(rec.get('reason'))}</p>")
        if rec.get("treatment"):
            o.append(f"<p>How each child is treated: {h(rec.get('treatment'))}</p>")
    o += ["<h2>4. Options</h2>", "<ul>", f"<li>Recommended: {h(n.pathway)}</li>"]
    o += [f"<li>Outweighed: {h(p)}</li>" for p in n.outweighed()]
    o += ["</ul>", "<h2>5. Decision and action</h2>",
          f"<p>Recommendation: <strong>{h(n.pathway)}</strong><br>",
          f"Officer's decision: {h(n.officer_line())}</p>"]
    acts = _actions(n.decision)
    for when, title in WHEN:
        band = [t for w, t in acts if w == when]
        if band:
            o += [f"<h3>{h(title)}</h3>", '<ul class="checklist">']
            o += [f"<li>{h(t)}</li>" for t in band]
            o.append("</ul>")
    o += ["<h2>6. Review</h2>", '<dl class="provenance">']
    o += [f"<dt>{h(k)}</dt><dd>{h(v)}</dd>" for k, v in n.provenance()]
    o += ["</dl>", "<p>Check this record with <code>sexting-triage record verify FILE"
          "</code>.</p>", '<ul class="checklist"><li>Reviewed by a supervisor</li></ul>',
          f'<p class="notice">{h(NOTICE)}</p>', "</body>", "</html>", ""]
    return "\n".join(o)


def render_notes(record: dict[str, Any], fmt: str) -> str:
    """The case notes for a record, as `markdown` (or `md`) or `html`."""
    n = _Notes(record)
    if fmt in ("markdown", "md"):
        return _markdown(n)
    if fmt == "html":
        return _html(n)
    raise ValueError(f"unknown case-notes format {fmt!r}: markdown or html")
