"""Coverage: what a set of scenarios exercises under one rule set (pathways, flags, rules,
questions and answer values), against everything reachable according to the exact analysis
(`sexting_triage.analysis.reachable`); whole numbers are grouped into the ranges the
conditions tell apart."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sexting_triage import conditions as C
from sexting_triage import engine
from sexting_triage.ruleset import RuleSet
from sexting_triage.scenarios.check import check_scenario
from sexting_triage.scenarios.check import targets as checked_against
from sexting_triage.scenarios.format import Scenario
from sexting_triage.scenarios.load import RuleSets


@dataclass(frozen=True)
class Targets:
    """What can happen under a rule set: the reachable questions (in order), the answer
    values per question (whole numbers grouped into the ranges the conditions tell apart),
    rules, pathways and flags."""

    questions: tuple[str, ...]
    values: dict[str, tuple[str, ...]]
    rules: tuple[str, ...]
    pathways: tuple[str, ...]
    flags: tuple[str, ...]


def _int_tests(rs: RuleSet, qid: str) -> list[C.Test]:
    conds = [r.when for r in rs.rules] + [q.ask_when for q in rs.questions if q.ask_when]
    return [t for c in conds for t in C.tests(c) if t.fact == qid]


def int_classes(rs: RuleSet, qid: str) -> list[tuple[int, int]]:
    """The ranges of a whole-number question that every condition treats alike."""
    q = rs.question(qid)
    assert q.min is not None and q.max is not None
    ts = _int_tests(rs, qid)
    out: list[tuple[int, int]] = []
    prev: tuple[bool, ...] | None = None
    for v in range(q.min, q.max + 1):
        sig = tuple(C.test_holds(t, v) for t in ts)
        if sig == prev:
            out[-1] = (out[-1][0], v)
        else:
            out.append((v, v))
            prev = sig
    return out


def _range_label(lo: int, hi: int) -> str:
    return str(lo) if lo == hi else f"{lo}-{hi}"


def value_label(rs: RuleSet, qid: str, value: Any, classes: dict[str, list[tuple[int, int]]]
                ) -> str:
    """The coverage label of an answer: the value, or its range for whole numbers."""
    if rs.question(qid).type != "integer":
        return str(value)
    if qid not in classes:
        classes[qid] = int_classes(rs, qid)
    for lo, hi in classes[qid]:
        if lo <= value <= hi:
            return _range_label(lo, hi)
    return str(value)


def _values(rs: RuleSet, questions: Iterable[str]) -> dict[str, tuple[str, ...]]:
    out = {}
    for qid in questions:
        q = rs.question(qid)
        out[qid] = (tuple(_range_label(lo, hi) for lo, hi in int_classes(rs, qid))
                    if q.type == "integer" else tuple(str(v) for v in q.domain))
    return out


def reachable_targets(rs: RuleSet) -> Targets:
    """Everything reachable in the rule set, from the exact analysis (analysis.reachable),
    with whole numbers grouped into the ranges the conditions tell apart."""
    from sexting_triage import analysis

    reach = analysis.reachable(rs)
    classes: dict[str, list[tuple[int, int]]] = {}
    questions = tuple(q.id for q in rs.questions if q.id in reach.questions)
    values = {}
    for qid in questions:
        got = {value_label(rs, qid, v, classes) for v in reach.values.get(qid, ())}
        values[qid] = tuple(v for v in _values(rs, [qid])[qid] if v in got)
    return Targets(questions, values,
                   tuple(r.id for r in rs.rules if r.id in reach.rules),
                   tuple(p for p in rs.precedence if p in reach.pathways),
                   tuple(f for f in rs.flags if f in reach.flags))


@dataclass(frozen=True)
class Coverage:
    """What a set of scenarios exercises under one rule set, against what is reachable."""

    ruleset: RuleSet
    scenarios: int
    decided: int
    targets: Targets
    pathways: dict[str, int]
    flags: dict[str, int]
    rules: dict[str, int]
    questions: dict[str, int]
    values: dict[str, dict[str, int]]

    def missing(self) -> dict[str, list[str]]:
        """Reachable things no scenario exercises, by kind."""
        t = self.targets
        return {
            "pathways": [p for p in t.pathways if not self.pathways.get(p)],
            "flags": [f for f in t.flags if not self.flags.get(f)],
            "rules": [r for r in t.rules if not self.rules.get(r)],
            "questions": [q for q in t.questions if not self.questions.get(q)],
            "values": [f"{q}={v}" for q in t.questions for v in t.values.get(q, ())
                       if not self.values.get(q, {}).get(v)],
        }

    def counts(self) -> dict[str, tuple[int, int]]:
        """(exercised, reachable) by kind."""
        miss = self.missing()
        t = self.targets
        total = {"pathways": len(t.pathways), "flags": len(t.flags), "rules": len(t.rules),
                 "questions": len(t.questions),
                 "values": sum(len(v) for v in t.values.values())}
        return {k: (total[k] - len(miss[k]), total[k]) for k in total}


def coverage(rs: RuleSet, decisions: list[engine.Decision], scenarios: int | None = None,
             targets: Targets | None = None) -> Coverage:
    """Count, per pathway, flag, rule, question and answer value, the decisions that
    exercise it."""
    targets = targets or reachable_targets(rs)
    classes: dict[str, list[tuple[int, int]]] = {}
    pathways: dict[str, int] = {}
    flags: dict[str, int] = {}
    rules: dict[str, int] = {}
    questions: dict[str, int] = {}
    values: dict[str, dict[str, int]] = {}
    for d in decisions:
        pathways[d.pathway] = pathways.get(d.pathway, 0) + 1
        for f in d.flags:
            flags[f] = flags.get(f, 0) + 1
        for r in d.fired:
            rules[r] = rules.get(r, 0) + 1
        for qid, v in d.answers.items():
            questions[qid] = questions.get(qid, 0) + 1
            label = value_label(rs, qid, v, classes)
            per = values.setdefault(qid, {})
            per[label] = per.get(label, 0) + 1
    return Coverage(rs, len(decisions) if scenarios is None else scenarios, len(decisions),
                    targets, pathways, flags, rules, questions, values)


def library_coverage(scenarios: list[Scenario], given: list[RuleSet], cache: RuleSets
                     ) -> list[Coverage]:
    """One coverage per rule set: each given rule set (all scenarios against each), else
    every rule set the scenarios are checked against."""
    by_rs: dict[str, tuple[RuleSet, list[engine.Decision], int]] = {
        rs.id: (rs, [], 0) for rs in given}
    for s in scenarios:
        for rs in checked_against(s, given, cache):
            first, decided, n = by_rs.setdefault(rs.id, (rs, [], 0))
            r = check_scenario(s, rs)
            if r.decision is not None:
                decided.append(r.decision)
            by_rs[rs.id] = (first, decided, n + 1)
    return [coverage(rs, ds, n) for rs, ds, n in by_rs.values()]
