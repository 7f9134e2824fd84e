"""Scenario impact: each scenario decided by both editions, with its expectations checked and,
where the new edition asks questions the scenario does not answer, every outcome it could give."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sexting_triage import conditions as C
from sexting_triage import engine
from sexting_triage.analysis import Side, Space
from sexting_triage.conditions import Cond
from sexting_triage.ruleset import RuleSet


def possible_outcomes(rs: RuleSet, answers: dict[str, Any]) -> list[dict[str, Any]]:
    """Every outcome the rule set can give once the questions these answers leave open are
    answered (exact, with how many ways of answering them give each)."""
    facts, _ = engine.normalize_answers(rs, answers)
    w = engine.walk(rs, facts, complete=True)
    given = tuple(C.Test(f, "==", facts[f]) for f in w.asked)
    cond: Cond = C.And(given) if len(given) > 1 else (given[0] if given else C.Const(True))
    space = Space([Side(rs, conds=(cond,))])
    counts: dict[tuple[Any, ...], int] = {}
    for lab, agg in space.explore().items():
        pathway, flags, (holds,) = lab[0]
        if holds:
            counts[(pathway, flags)] = counts.get((pathway, flags), 0) + agg.count
    return [{"pathway": p, "flags": list(f), "count": n}
            for (p, f), n in sorted(counts.items(), key=lambda kv: -kv[1])]


def _side(s: Any, rs: RuleSet, carried: Any) -> dict[str, Any]:
    """One scenario under one edition: its own check, or the other edition's expectation
    carried over when this edition has none."""
    from sexting_triage.errors import InputError
    from sexting_triage.scenarios.check import check_scenario, compare

    try:
        r = check_scenario(s, rs)
    except InputError as exc:
        return {"status": "invalid", "pathway": None, "flags": [], "failures": exc.lines(),
                "missing": [], "possible": []}
    d = r.decision
    out: dict[str, Any] = {"status": r.status, "pathway": d.pathway if d else None,
                           "flags": list(d.flags) if d else [], "failures": list(r.failures),
                           "missing": [], "possible": []}
    if d is None:
        facts, _ = engine.normalize_answers(rs, s.answers)
        out["missing"] = list(engine.walk(rs, facts, complete=True).missing)
        if out["missing"]:
            out["possible"] = possible_outcomes(rs, s.answers)
    if r.status == "not-checked" and carried is not None:
        if d is not None:
            fails = compare(carried, d)
        elif out["possible"] and carried.pathway is not None:
            hits = [o for o in out["possible"] if o["pathway"] == carried.pathway]
            if not hits:
                fails = [f"whatever the answers to {', '.join(out['missing'])}, the pathway "
                         f"is not {carried.pathway}"]
            elif len(hits) < len(out["possible"]):
                fails = [f"depending on the answers to {', '.join(out['missing'])}, the "
                         f"pathway may not be {carried.pathway}"]
            else:
                fails = []
        else:
            fails = []
        out["status"] = "failed" if fails else "passed"
        out["failures"] = fails
        out["expectation"] = f"carried over from {carried.key or 'the scenario'}"
    return out


def scenario_impact(old: RuleSet, new: RuleSet, paths: Sequence[Any]) -> list[dict[str, Any]]:
    """Each scenario decided by both editions: what each gives, whether its expectation
    (the new edition's own, or else the old edition's carried over) now fails, and, where
    the scenario does not answer a question the new edition asks, every outcome it could
    give."""
    from pathlib import Path

    from sexting_triage.scenarios.load import RuleSets, load_scenarios

    scenarios = load_scenarios([Path(p) for p in paths], rulesets=RuleSets([old, new]))
    out = []
    for s in scenarios:
        bo = _side(s, old, None)
        bn = _side(s, new, s.expectation_for(old) if s.expectation_for(new) is None else None)
        if bn["missing"]:
            outcomes = {(o["pathway"], tuple(o["flags"])) for o in bn["possible"]}
            changed = outcomes != {(bo["pathway"], tuple(bo["flags"]))}
        else:
            changed = (bo["pathway"], bo["flags"]) != (bn["pathway"], bn["flags"])
        out.append({
            "scenario": s.name, "title": s.title, "old": bo, "new": bn, "changed": changed,
            "now_fails": bn["status"] == "failed" and bo["status"] != "failed",
        })
    return out
