"""Which actions each class of reachable situations is offered.

The situations are walked in classes that no condition tells apart for the checklist: the
pathway, the flags, the `when` of every rule that adds actions and every action's `if` are
tracked on the walk, and those decide the checklist (engine.checklist reads nothing else).
Deciding one example per class with the engine is therefore exact for the whole class.
"""

from __future__ import annotations

from dataclasses import dataclass

from sexting_triage.analysis.results import side_answers
from sexting_triage.analysis.space import Space
from sexting_triage.analysis.stepping import Side
from sexting_triage.conditions import Cond, Value
from sexting_triage.ruleset import RuleSet


@dataclass(frozen=True)
class ActionClass:
    """Reachable situations with one pathway, one flag set and one checklist."""

    pathway: str
    flags: tuple[str, ...]
    actions: tuple[tuple[str, str, str], ...]  # (text, when, from), in the decision's order
    count: int
    example: dict[str, Value]

    @property
    def texts(self) -> frozenset[str]:
        return frozenset(a[0] for a in self.actions)


def checklist_conds(rs: RuleSet) -> tuple[Cond, ...]:
    """The conditions that, with the pathway and the flags, decide a situation's checklist:
    the `when` of every rule that adds actions, and every action's `if`."""
    out: list[Cond] = [r.when for r in rs.rules if r.actions]
    groups = [*(p.actions for p in rs.pathways.values()),
              *(f.actions for f in rs.flags.values()), *(r.actions for r in rs.rules)]
    out += [a.if_ for acts in groups for a in acts if a.if_ is not None]
    return tuple(dict.fromkeys(out))


def action_classes(rs: RuleSet) -> list[ActionClass]:
    """Every reachable class with its checklist, largest first. Situations that get no
    pathway (a rule-set defect `rules check` reports) have no checklist and are left out."""
    from sexting_triage.engine import decide

    space = Space([Side(rs, conds=checklist_conds(rs))])
    merged: dict[tuple[str, tuple[str, ...], tuple[tuple[str, str, str], ...]],
                 ActionClass] = {}
    for lab, agg in space.explore().items():
        if lab[0][0] is None:
            continue
        example = side_answers(agg.example, 0)
        d = decide(rs, example)
        acts = tuple((a.text, a.when, a.from_) for a in d.actions)
        key = (d.pathway, d.flags, acts)
        cur = merged.get(key)
        merged[key] = ActionClass(d.pathway, d.flags, acts, agg.count, example) if cur is None \
            else ActionClass(cur.pathway, cur.flags, acts, cur.count + agg.count, cur.example)
    return sorted(merged.values(), key=lambda c: (-c.count, c.pathway, c.flags))
