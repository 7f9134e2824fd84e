"""Structural diff: every change in what two rule sets say, as data.

Metadata, sources (with their checked sections), questions (text, help, type, answers, answer
labels, `ask_when`, order), rules (condition, effect, headline, reason, actions with when they
are due and where they apply, citations), pathways (title, summary, actions, long-term impact),
precedence, flags, recording categories, changelog and invariants. Text changes keep both the
old and the new words so a change note can show them side by side.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sexting_triage import conditions as C
from sexting_triage.conditions import Cond
from sexting_triage.ruleset import Action, RuleSet

SECTIONS = ("sources", "questions", "rules", "pathways", "flags", "recording", "changelog",
            "invariants")


def _change(old: Any, new: Any) -> dict[str, Any] | None:
    return None if old == new else {"old": old, "new": new}


def _fields(pairs: Iterable[tuple[str, Any, Any]]) -> dict[str, Any]:
    out = {}
    for name, a, b in pairs:
        c = _change(a, b)
        if c is not None:
            out[name] = c
    return out


def _keyed(old: dict[str, Any], new: dict[str, Any], describe: Callable[[Any], Any],
           compare: Callable[[Any, Any], dict[str, Any]]) -> dict[str, Any]:
    added = [describe(new[k]) for k in new if k not in old]
    removed = [describe(old[k]) for k in old if k not in new]
    changed = []
    for k in old:
        if k in new:
            d = compare(old[k], new[k])
            if d:
                changed.append({"id": k, **d})
    return {"added": added, "removed": removed, "changed": changed}


def _cond_text(c: Cond | None) -> str | None:
    return None if c is None else C.to_text(c)


def action_text(a: Action) -> str:
    """One action as comparable text: the words, when it is due, and where it applies."""
    return (a.text + (f" [{a.when}]" if a.when != "next" else "")
            + (f" (if {a.if_text})" if a.if_text else ""))


def _acts(actions: Sequence[Any]) -> list[str]:
    return [action_text(a) for a in actions]


def _list_change(a: Sequence[Any], b: Sequence[Any]) -> dict[str, Any] | None:
    if list(a) == list(b):
        return None
    return {"added": [x for x in b if x not in a], "removed": [x for x in a if x not in b],
            **({"reordered": True} if set(map(str, a)) == set(map(str, b)) else {})}


def _cites(cites: Sequence[Any]) -> list[dict[str, Any]]:
    return [c.as_dict() for c in cites]


def _with_actions(d: dict[str, Any], a: Any, b: Any) -> dict[str, Any]:
    act = _list_change(_acts(a.actions), _acts(b.actions))
    if act is not None:
        d["actions"] = act
    return d


def _questions(old: RuleSet, new: RuleSet) -> dict[str, Any]:
    def q_desc(q: Any) -> dict[str, Any]:
        return {"id": q.id, "text": q.text, "ask_when": _cond_text(q.ask_when)}

    def q_cmp(a: Any, b: Any) -> dict[str, Any]:
        d = _fields([("text", a.text, b.text), ("help", a.help, b.help),
                     ("type", a.type, b.type),
                     ("ask_when", _cond_text(a.ask_when), _cond_text(b.ask_when))])
        dom = _list_change(list(a.domain), list(b.domain))
        if dom is not None:
            d["domain"] = dom
        la = {c.id: c.label for c in a.choices if c.id in {x.id for x in b.choices}}
        lb = {c.id: c.label for c in b.choices if c.id in la}
        labels = [{"id": k, "old": la[k], "new": lb[k]} for k in la if la[k] != lb[k]]
        if labels:
            d["labels"] = labels
        return d

    out = _keyed({q.id: q for q in old.questions}, {q.id: q for q in new.questions},
                 q_desc, q_cmp)
    oq = [q.id for q in old.questions if q.id in new.question_index]
    nq = [q.id for q in new.questions if q.id in old.question_index]
    out["order_changed"] = oq != nq
    return out


def _rules(old: RuleSet, new: RuleSet) -> dict[str, Any]:
    def r_desc(r: Any) -> dict[str, Any]:
        return {"id": r.id, "when": C.to_text(r.when), "effect": r.effect}

    def r_cmp(a: Any, b: Any) -> dict[str, Any]:
        d = _fields([
            ("when", C.to_text(a.when), C.to_text(b.when)), ("effect", a.effect, b.effect),
            ("headline", a.headline, b.headline), ("reason", a.reason, b.reason),
            ("cite", _cites(a.cite), _cites(b.cite))])
        return _with_actions(d, a, b)

    return _keyed({r.id: r for r in old.rules}, {r.id: r for r in new.rules}, r_desc, r_cmp)


def _pathways(old: RuleSet, new: RuleSet) -> dict[str, Any]:
    def p_cmp(a: Any, b: Any) -> dict[str, Any]:
        d = _fields([("title", a.title, b.title), ("summary", a.summary, b.summary),
                     ("ends_questionnaire", a.ends_questionnaire, b.ends_questionnaire),
                     ("long_term", a.long_term, b.long_term),
                     ("long_term_cite", _cites(a.long_term_cite), _cites(b.long_term_cite))])
        return _with_actions(d, a, b)

    return _keyed(old.pathways, new.pathways, lambda p: {"id": p.id, "title": p.title}, p_cmp)


def _flags(old: RuleSet, new: RuleSet) -> dict[str, Any]:
    def f_cmp(a: Any, b: Any) -> dict[str, Any]:
        d = _fields([("title", a.title, b.title), ("summary", a.summary, b.summary),
                     ("urgent", a.urgent, b.urgent)])
        return _with_actions(d, a, b)

    return _keyed(old.flags, new.flags, lambda f: {"id": f.id, "title": f.title}, f_cmp)


def _recording(old: RuleSet, new: RuleSet) -> dict[str, Any]:
    """Recording categories keyed by id, plus whether the block itself appears or goes."""
    a, b = old.recording, new.recording
    out: dict[str, Any] = {"added": [], "removed": [], "changed": []}
    if a is None and b is None:
        return out
    if (a is None) != (b is None):
        out["block"] = "added" if a is None else "removed"
    out.update(_fields([("pathways", list(a.pathways) if a else [],
                         list(b.pathways) if b else []),
                        ("note", a.note if a else None, b.note if b else None)]))

    def c_cmp(x: Any, y: Any) -> dict[str, Any]:
        return _fields([("title", x.title, y.title),
                        ("pathways", list(x.pathways), list(y.pathways)),
                        ("when", _cond_text(x.when), _cond_text(y.when)),
                        ("reason", x.reason, y.reason),
                        ("treatment", x.treatment, y.treatment),
                        ("cite", _cites(x.cite), _cites(y.cite))])

    cats = _keyed({c.id: c for c in (a.categories if a else ())},
                  {c.id: c for c in (b.categories if b else ())},
                  lambda c: {"id": c.id, "title": c.title}, c_cmp)
    out.update(cats)
    return out


def _changelog(old: RuleSet, new: RuleSet) -> dict[str, Any]:
    """Entries by version for two versions of one rule set; for two different rule sets
    (their own histories), the new one's entries that the old one does not have."""
    if old.id != new.id:
        seen = {(e.version, e.date, e.changes) for e in old.changelog}
        return {"added": [{"version": e.version, "date": e.date, "changes": list(e.changes)}
                          for e in new.changelog if (e.version, e.date, e.changes) not in seen],
                "removed": [], "changed": []}

    def e_cmp(x: Any, y: Any) -> dict[str, Any]:
        return _fields([("date", x.date, y.date), ("changes", list(x.changes), list(y.changes))])

    return _keyed({e.version: e for e in old.changelog}, {e.version: e for e in new.changelog},
                  lambda e: {"version": e.version, "date": e.date, "changes": list(e.changes)},
                  e_cmp)


def _invariants(old: RuleSet, new: RuleSet) -> dict[str, Any]:
    def i_cmp(a: Any, b: Any) -> dict[str, Any]:
        return _fields([("kind", a.kind, b.kind), ("description", a.description, b.description),
                        ("when", _cond_text(a.when), _cond_text(b.when)),
                        ("pathways", list(a.pathways), list(b.pathways)),
                        ("flags_include", list(a.flags_include), list(b.flags_include)),
                        ("facts", list(a.facts), list(b.facts)),
                        ("from", a.from_, b.from_), ("to", a.to, b.to)])

    return _keyed({i.id: i for i in old.invariants}, {i.id: i for i in new.invariants},
                  lambda i: {"id": i.id, "kind": i.kind, "description": i.description}, i_cmp)


def structural(old: RuleSet, new: RuleSet) -> dict[str, Any]:
    """Every structural change, as data (empty lists and dicts when nothing changed)."""
    meta = _fields((k, getattr(old, k), getattr(new, k))
                   for k in ("id", "version", "title", "status", "summary"))
    sources = _keyed(
        old.sources, new.sources,
        lambda s: {"key": s.key, "title": s.title, "date": s.date},
        lambda a, b: _fields([*((k, getattr(a, k), getattr(b, k))
                                for k in ("title", "date", "publisher", "url", "note")),
                              ("checked_sections", list(a.checked_sections),
                               list(b.checked_sections))]))
    return {
        "metadata": meta,
        "sources": sources,
        "questions": _questions(old, new),
        "rules": _rules(old, new),
        "pathways": _pathways(old, new),
        "precedence": _change(list(old.precedence), list(new.precedence)),
        "flags": _flags(old, new),
        "recording": _recording(old, new),
        "changelog": _changelog(old, new),
        "invariants": _invariants(old, new),
    }


def structurally_identical(s: dict[str, Any]) -> bool:
    """True when every section is empty (metadata included)."""
    if s["metadata"] or s["precedence"] or s["questions"]["order_changed"]:
        return False
    rec = s.get("recording", {})
    if any(k not in ("added", "removed", "changed") for k in rec):
        return False
    return all(not s[k][part] for k in SECTIONS if k in s
               for part in ("added", "removed", "changed"))
