"""What a rule set can reach at all: questions asked, answer values given, rules fired,
pathways and flags, and the number of reachable situations (exact, from one walk)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sexting_triage.analysis.space import Space
from sexting_triage.analysis.stepping import Side, SideState
from sexting_triage.conditions import Value
from sexting_triage.ruleset import RuleSet


@dataclass(frozen=True)
class Reachable:
    """What can happen at all: questions asked, values given, rules fired, outcomes."""

    questions: frozenset[str]
    values: dict[str, frozenset[Value]] = field(hash=False)
    rules: frozenset[str]
    pathways: frozenset[str]
    flags: frozenset[str]
    situations: int


def reachable(rs: RuleSet) -> Reachable:
    """Exactly which questions, answer values, rules, pathways and flags a rule set can
    reach, and the number of reachable situations."""
    space = Space([Side(rs)])
    states = space.root()
    total, _ = space.complete(0, tuple(st[:3] for st in states))
    values = {f: frozenset(v) for f, v in space.reached.items() if v}
    outcomes = space.explore(0, states)
    pathways = frozenset(lab[0][0] for lab in outcomes if lab[0][0] is not None)
    flags = frozenset(f for lab in outcomes for f in lab[0][1])
    rules = firing_rules(space, states)
    return Reachable(frozenset(values), values, rules, pathways, flags, total)


def firing_rules(space: Space, states: tuple[SideState, ...], i: int = 0) -> frozenset[str]:
    """The rules of side i that fire in some reachable situation: those seen firing while
    exploring (a reachable prefix made them true), then an exact search for the rest."""
    rs = space.sides[i].rs
    seen = space.fired_ever[i]
    return frozenset(r.id for n, r in enumerate(rs.rules)
                     if n in seen or space.sat(0, states, i, r.when))
