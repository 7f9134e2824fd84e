"""Behavioural diff: both rule sets walked together over every situation.

A situation is the answers to the union of both questionnaires (a fact is present when
either asks it; each rule set sees only what its own questionnaire asks). Situations are
grouped by pathway transition and by flag change; each group gets its exact count, a `when`
condition that holds for exactly its situations (see `synthesise`), one example that `run`
accepts for both editions, and the rules that give the outcome on each side.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sexting_triage.analysis import Side, Space, joint_answers
from sexting_triage.conditions import Value
from sexting_triage.diff.synthesise import when_condition
from sexting_triage.ruleset import RuleSet

NONE = "(no pathway)"


@dataclass
class Group:
    """Situations that change in the same way."""

    kind: str  # "pathway" | "flag"
    old: str  # pathway id, or for a flag group the flag id
    new: str  # pathway id, or "added" / "removed"
    count: int = 0
    when: str = ""
    example: dict[str, Value] = field(default_factory=dict)
    rules_old: list[str] = field(default_factory=list)
    rules_new: list[str] = field(default_factory=list)
    member: Callable[[Any], bool] = field(default=lambda lab: False, repr=False)


@dataclass
class Behaviour:
    """The exact behavioural change between two rule sets: how many situations, and each
    group of changes."""

    total: int
    changed: int
    transitions: list[Group]
    flag_changes: list[Group]


def _pathway(lab: Any) -> str:
    return lab[0] if lab[0] is not None else NONE


def _transition_member(pa: str, pb: str) -> Callable[[Any], bool]:
    def member(lab: Any) -> bool:
        return (_pathway(lab[0]), _pathway(lab[1])) == (pa, pb)

    return member


def _flag_member(f: str, inb: bool) -> Callable[[Any], bool]:
    def member(lab: Any) -> bool:
        return (f in lab[0][1]) != inb and (f in lab[1][1]) == inb

    return member


def behavioural(old: RuleSet, new: RuleSet, simplify: bool = True) -> Behaviour:
    """Exact counts, conditions, examples and responsible rules for every change."""
    space = Space([Side(old, collect=True), Side(new, collect=True)])
    space.record_graph = True
    states = space.root()
    labels = space.explore(0, states)
    total = sum(a.count for a in labels.values())
    changed = sum(a.count for lab, a in labels.items() if lab[0][:2] != lab[1][:2])

    transitions: dict[tuple[str, str], Group] = {}
    flag_groups: dict[tuple[str, str], Group] = {}
    flag_order = list(dict.fromkeys([*old.flags, *new.flags]))
    for lab, agg in labels.items():
        a, b = lab
        pa, pb = _pathway(a), _pathway(b)
        if pa != pb:
            g = transitions.get((pa, pb))
            if g is None:
                g = transitions[(pa, pb)] = Group(
                    "pathway", pa, pb, example=joint_answers(agg.example),
                    member=_transition_member(pa, pb))
            g.count += agg.count
            g.rules_old = sorted(set(g.rules_old) | {r for r in agg.extra[0]
                                                     if _gives(old, r, pa)})
            g.rules_new = sorted(set(g.rules_new) | {r for r in agg.extra[1]
                                                     if _gives(new, r, pb)})
        for f in flag_order:
            ina, inb = f in a[1], f in b[1]
            if ina == inb:
                continue
            change = "added" if inb else "removed"
            g = flag_groups.get((f, change))
            if g is None:
                g = flag_groups[(f, change)] = Group(
                    "flag", f, change, example=joint_answers(agg.example),
                    member=_flag_member(f, inb))
            g.count += agg.count
            if inb:
                g.rules_new = sorted(set(g.rules_new) | {r for r in agg.extra[1]
                                                         if _gives(new, r, f)})
            else:
                g.rules_old = sorted(set(g.rules_old) | {r for r in agg.extra[0]
                                                         if _gives(old, r, f)})
    rank = {p: n for n, p in enumerate(new.precedence)}
    trans = sorted(transitions.values(), key=lambda g: (-g.count, rank.get(g.new, 99), g.old))
    flags = sorted(flag_groups.values(),
                   key=lambda g: (flag_order.index(g.old), g.new != "added"))
    for g in [*trans, *flags]:
        g.when = when_condition(space, states, g.member, simplify)
    return Behaviour(total, changed, trans, flags)


def _gives(rs: RuleSet, rule_id: str, effect: str) -> bool:
    for r in rs.rules:
        if r.id == rule_id:
            return r.effect == effect
    return False

