"""Small hand-made rule sets whose answers are known, for the analysis and diff tests."""

from __future__ import annotations

import copy
import itertools
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from sexting_triage import engine, loader
from sexting_triage.errors import NoPathway


def cite(section: str = "Scope") -> list[dict[str, str]]:
    return [{"source": "SRC", "section": section}]


def base() -> dict[str, Any]:
    """imagery (yes/no/unknown), age 0-17, extent (asked only when imagery is yes)."""
    return {
        "id": "mini", "version": "1.0", "title": "Mini", "status": "draft",
        "sources": {"SRC": {"title": "Source", "date": "2020"}},
        "questions": [
            {"id": "imagery", "text": "Image?"},
            {"id": "age", "type": "integer", "min": 0, "max": 17, "text": "Age?"},
            {"id": "extent", "type": "choice", "text": "Shared?", "ask_when": 'imagery == "yes"',
             "choices": [{"id": "none", "label": "None"}, {"id": "wide", "label": "Wide"}]},
            {"id": "malice", "text": "Malice?"},
        ],
        "pathways": [
            {"id": "full", "title": "Full", "summary": "Full."},
            {"id": "standard", "title": "Standard", "summary": "Standard."},
            {"id": "light", "title": "Light", "summary": "Light."},
            {"id": "out", "title": "Out", "summary": "Out.", "ends_questionnaire": True},
        ],
        "precedence": ["full", "standard", "light", "out"],
        "flags": [{"id": "judge", "title": "Judge", "summary": "Judge."}],
        "rules": [
            {"id": "no-image", "when": 'imagery == "no"', "pathway": "out", "reason": "Out.",
             "cite": cite()},
            {"id": "in-scope", "when": 'imagery != "no"', "pathway": "light", "reason": "In.",
             "cite": cite()},
            {"id": "image-unknown", "when": 'imagery == "unknown"', "flag": "judge",
             "reason": "Unknown.", "cite": cite()},
            {"id": "young-wide", "when": 'age < 13 and extent == "wide"', "pathway": "full",
             "reason": "Young and wide.", "cite": cite()},
            {"id": "malice", "when": 'malice == "yes"', "pathway": "standard",
             "reason": "Malice.", "cite": cite()},
            {"id": "malice-unknown", "when": 'malice == "unknown"', "flag": "judge",
             "reason": "Malice unknown.", "cite": cite()},
        ],
        "invariants": [],
    }


def rule(data: dict[str, Any], rid: str) -> dict[str, Any]:
    return next(r for r in data["rules"] if r["id"] == rid)


def variant(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(base())
    data.update(changes)
    return data


def save(tmp_path: Path, data: dict[str, Any], name: str = "mini.yaml") -> Path:
    p = tmp_path / name
    p.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return p


def load(tmp_path: Path, data: dict[str, Any], name: str = "mini.yaml"):
    return loader.load_ruleset(save(tmp_path, data, name))


def situations(rs) -> list[dict[str, Any]]:
    """Every situation, one by one (only for small rule sets)."""
    out: list[dict[str, Any]] = []

    def go(answers: dict[str, Any]) -> None:
        q = engine.walk(rs, answers).next
        if q is None:
            out.append(dict(answers))
            return
        for v in q.domain:
            answers[q.id] = v
            go(answers)
            del answers[q.id]

    go({})
    return out


def outcome_counts(rs) -> Counter:
    counts: Counter = Counter()
    for s in situations(rs):
        try:
            d = engine.decide(rs, s)
            counts[(d.pathway, d.flags)] += 1
        except NoPathway:  # a gap: its flags still come from the engine
            facts = engine.walk(rs, s, complete=True).facts
            _, flags, _ = engine.outcome(rs, facts)
            counts[(None, flags)] += 1
    return counts


def joint_situations(old, new, domains: dict[str, tuple]) -> list[dict[str, Any]]:
    """Every joint situation of two small rule sets (a fact asked by either)."""
    facts = list(dict.fromkeys([q.id for q in old.questions] + [q.id for q in new.questions]))
    seen = set()
    out = []
    for values in itertools.product(*(domains[f] for f in facts)):
        full = dict(zip(facts, values, strict=True))
        joint = project(old, new, full)
        key = tuple(sorted(joint.items()))
        if key not in seen:
            seen.add(key)
            out.append(joint)
    return out


def project(old, new, full: dict[str, Any]) -> dict[str, Any]:
    """The joint situation a full assignment gives: the facts either questionnaire asks."""
    asked: set[str] = set()
    for rs in (old, new):
        mine = {k: v for k, v in full.items() if k in rs.question_index}
        asked |= set(engine.walk(rs, mine).asked)
    return {k: v for k, v in full.items() if k in asked}
