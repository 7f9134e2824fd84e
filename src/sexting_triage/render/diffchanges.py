"""The structural changes of a diff as plain sentences, for the terminal and the change note.

Each change is one sentence and, where words changed, its details: the old and the new text
side by side ("was: ...", "now: ..."), for every reworded question, help text, answer label,
reason, headline, action, title, summary, long-term text, recording category and source
field. The sentences are built with a `Words` formatter, so the same wording is escaped for
the terminal or for Markdown: every text from a rule file goes through `Words.text` (or
`Words.quote`), every id and condition through `Words.code`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ARROW = "→"

Item = tuple[str, list[str]]  # a sentence, and its details


@dataclass(frozen=True)
class Words:
    text: Callable[[object], str]  # text from a file, escaped for the output
    code: Callable[[object], str]  # an id or a condition

    def quote(self, v: object) -> str:
        return f'"{self.text(v)}"'

    def value(self, v: object) -> str:
        """An old or new value: quoted text, a list of texts, or (none)."""
        if v is None or v == [] or v == "":
            return "(none)"
        if isinstance(v, list):
            return "; ".join(self.value(x) for x in v)
        if isinstance(v, dict) and "source" in v:  # a citation
            return (f"{self.text(v['source'])}, {self.quote(v.get('section', ''))}"
                    + (" (section approximate)" if v.get("approximate") else "")
                    + (f", quoting {self.quote(v['quote'])}" if v.get("quote") else ""))
        if isinstance(v, dict):
            return ", ".join(f"{self.text(k)} {self.value(x)}" for k, x in v.items())
        if isinstance(v, bool):
            return "yes" if v else "no"
        return self.quote(v)


def _was_now(w: Words, change: dict[str, Any]) -> list[str]:
    return [f"was: {w.value(change['old'])}", f"now: {w.value(change['new'])}"]


def _fields(w: Words, x: dict[str, Any], names: dict[str, str], head: str) -> list[Item]:
    """One sentence per changed field, with the old and new words."""
    return [(f"{head}: {label}", _was_now(w, x[k])) for k, label in names.items() if k in x]


def _actions(w: Words, x: dict[str, Any], head: str) -> list[Item]:
    if "actions" not in x:
        return []
    a = x["actions"]
    out: list[Item] = [(f"{head}: action added", [w.quote(t)]) for t in a["added"]]
    out += [(f"{head}: action removed", [w.quote(t)]) for t in a["removed"]]
    if a["added"] and a["removed"]:  # reworded, retimed or given a condition: show both
        out = [(f"{head}: actions changed", [*(f"was: {w.quote(t)}" for t in a["removed"]),
                                             *(f"now: {w.quote(t)}" for t in a["added"])])]
    if not a["added"] and not a["removed"]:
        out.append((f"{head}: actions reordered", []))
    return out


def _metadata(w: Words, s: dict[str, Any]) -> list[Item]:
    out: list[Item] = []
    for k, v in s["metadata"].items():
        if k in ("id", "version", "status"):
            out.append((f"{k}: {w.code(v['old'])} {ARROW} {w.code(v['new'])}", []))
        else:
            out.append((f"{k} changed", _was_now(w, v)))
    return out


def _sources(w: Words, s: dict[str, Any]) -> list[Item]:
    src = s["sources"]
    out: list[Item] = [(f"added {w.code(x['key'])}: {w.text(x['title'])} ({w.text(x['date'])})",
                        []) for x in src["added"]]
    out += [(f"removed {w.code(x['key'])}: {w.text(x['title'])} ({w.text(x['date'])})", [])
            for x in src["removed"]]
    for x in src["changed"]:
        out += _fields(w, x, {k: k.replace("_", " ") + " changed" for k in x if k != "id"},
                       f"changed {w.code(x['id'])}")
    return out


def _questions(w: Words, s: dict[str, Any]) -> list[Item]:
    q = s["questions"]
    out: list[Item] = [(f"added {w.code(x['id'])}: {w.quote(x['text'])}"
                        + (f" (asked when {w.code(x['ask_when'])})" if x["ask_when"] else ""),
                        []) for x in q["added"]]
    out += [(f"removed {w.code(x['id'])}: {w.quote(x['text'])}", []) for x in q["removed"]]
    for x in q["changed"]:
        head = f"changed {w.code(x['id'])}"
        out += _fields(w, x, {"text": "question reworded", "help": "help text changed"}, head)
        if "type" in x:
            out.append((f"{head}: type {w.code(x['type']['old'])} {ARROW} "
                        f"{w.code(x['type']['new'])}", []))
        if "domain" in x:
            d = x["domain"]
            bits = [f"+{w.code(v)}" for v in d["added"]] + [f"-{w.code(v)}" for v in d["removed"]]
            out.append((f"{head}: answers " + (", ".join(bits) or "reordered"), []))
        for lab in x.get("labels", []):
            out.append((f"{head}: answer {w.code(lab['id'])} relabelled", _was_now(w, lab)))
        if "ask_when" in x:
            aw = x["ask_when"]
            out.append((f"{head}: asked when {w.code(aw['old'] or 'always')} {ARROW} "
                        f"{w.code(aw['new'] or 'always')}", []))
    if q["order_changed"]:
        out.append(("the shared questions are asked in a different order", []))
    return out


def _rules(w: Words, s: dict[str, Any]) -> list[Item]:
    r = s["rules"]
    out: list[Item] = [(f"added {w.code(x['id'])}: when {w.code(x['when'])} {ARROW} "
                        f"{w.code(x['effect'])}", []) for x in r["added"]]
    out += [(f"removed {w.code(x['id'])}: when {w.code(x['when'])} {ARROW} "
             f"{w.code(x['effect'])}", []) for x in r["removed"]]
    for x in r["changed"]:
        head = f"changed {w.code(x['id'])}"
        if "when" in x:
            out.append((f"{head}: condition changed", [f"was: {w.code(x['when']['old'])}",
                                                       f"now: {w.code(x['when']['new'])}"]))
        if "effect" in x:
            out.append((f"{head}: effect {w.code(x['effect']['old'])} {ARROW} "
                        f"{w.code(x['effect']['new'])}", []))
        out += _fields(w, x, {"reason": "reason reworded", "headline": "headline changed",
                              "cite": "citation changed"}, head)
        out += _actions(w, x, head)
    return out


def _pathways_flags(w: Words, s: dict[str, Any], key: str) -> list[Item]:
    part = s[key]
    out: list[Item] = [(f"added {w.code(x['id'])}: {w.text(x['title'])}", [])
                       for x in part["added"]]
    out += [(f"removed {w.code(x['id'])}", []) for x in part["removed"]]
    for x in part["changed"]:
        head = w.code(x["id"])
        out += _fields(w, x, {"title": "title changed", "summary": "summary changed",
                              "ends_questionnaire": "whether it ends the questions changed",
                              "urgent": "whether it is urgent changed",
                              "long_term": "long-term impact reworded",
                              "long_term_cite": "long-term impact citation changed"}, head)
        out += _actions(w, x, head)
    if key == "pathways" and s["precedence"]:
        p = s["precedence"]
        out.append(("precedence changed", [
            "was: " + " > ".join(w.code(x) for x in p["old"]),
            "now: " + " > ".join(w.code(x) for x in p["new"])]))
    return out


def _recording(w: Words, s: dict[str, Any]) -> list[Item]:
    rec = s.get("recording") or {}
    out: list[Item] = []
    if rec.get("block") == "added":
        out.append(("recording categories introduced", []))
    elif rec.get("block") == "removed":
        out.append(("recording categories dropped", []))
    out += _fields(w, rec, {"pathways": "the pathways it covers changed",
                            "note": "note reworded"}, "recording")
    out += [(f"added category {w.code(x['id'])}: {w.text(x['title'])}", [])
            for x in rec.get("added", [])]
    out += [(f"removed category {w.code(x['id'])}", []) for x in rec.get("removed", [])]
    for x in rec.get("changed", []):
        out += _fields(w, x, {"title": "title changed", "pathways": "pathways changed",
                              "when": "condition changed", "reason": "reason reworded",
                              "treatment": "how each child is treated reworded",
                              "cite": "citation changed"}, f"category {w.code(x['id'])}")
    return out


def _changelog(w: Words, s: dict[str, Any]) -> list[Item]:
    log = s.get("changelog") or {"added": [], "removed": [], "changed": []}
    out: list[Item] = [(f"new entry {w.text(x['version'])} ({w.text(x['date'])})",
                        [w.text(c) for c in x["changes"]]) for x in log["added"]]
    out += [(f"entry {w.text(x['version'])} removed", []) for x in log["removed"]]
    for x in log["changed"]:
        out += _fields(w, x, {"date": "date changed", "changes": "changes reworded"},
                       f"entry {w.text(x['id'])}")
    return out


def _invariants(w: Words, s: dict[str, Any]) -> list[Item]:
    inv = s["invariants"]
    out: list[Item] = [(f"added {w.code(x['id'])} ({w.code(x['kind'])}): "
                        f"{w.text(x['description'])}", []) for x in inv["added"]]
    out += [(f"removed {w.code(x['id'])}", []) for x in inv["removed"]]
    for x in inv["changed"]:
        head = f"changed {w.code(x['id'])}"
        if "when" in x:
            out.append((f"{head}: condition changed", [
                f"was: {w.code(x['when']['old'] or 'none')}",
                f"now: {w.code(x['when']['new'] or 'none')}"]))
        out += _fields(w, x, {k: k + " changed" for k in x if k not in ("id", "when")}, head)
    return out


def structural_items(s: dict[str, Any], w: Words) -> list[tuple[str, list[Item]]]:
    """Sections of sentences describing the structural changes, with old and new words."""
    return [("Metadata", _metadata(w, s)), ("Sources", _sources(w, s)),
            ("Questions", _questions(w, s)), ("Rules", _rules(w, s)),
            ("Pathways", _pathways_flags(w, s, "pathways")),
            ("Flags", _pathways_flags(w, s, "flags")), ("Recording", _recording(w, s)),
            ("Changelog", _changelog(w, s)), ("Invariants", _invariants(w, s))]
