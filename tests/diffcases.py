"""Shared by the diff tests: group membership decided directly by the engine, the exactness
check of a behavioural diff, and the bundled pair's behaviour computed once per run."""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from typing import Any

from sexting_triage import conditions as C
from sexting_triage import engine
from sexting_triage.diff import Behaviour, behavioural
from sexting_triage.loader import resolve
from sexting_triage.ruleset import RuleSet
from sexting_triage.serialize import diff_group_doc

DOMAINS = {"imagery": ("yes", "no", "unknown"), "age": tuple(range(18)),
           "extent": ("none", "wide"), "malice": ("yes", "no", "unknown"),
           "power": ("yes", "no", "unknown")}


def outcome(rs: RuleSet, answers: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    d = engine.decide(rs, answers)
    return d.pathway, d.flags


def member(group: Any, old: RuleSet, new: RuleSet, joint: dict[str, Any]) -> bool:
    (pa, fa), (pb, fb) = outcome(old, joint), outcome(new, joint)
    if group.kind == "pathway":
        return bool((pa, pb) == (group.old, group.new))
    return (group.old in fa, group.old in fb) == ((False, True) if group.new == "added"
                                                  else (True, False))


def assert_exact(old: RuleSet, new: RuleSet, beh: Behaviour,
                 joints: list[dict[str, Any]]) -> None:
    """Every group's count and `when` agree with deciding every situation directly."""
    counts: Counter[tuple[str, str, str]] = Counter()
    for joint in joints:
        for g in [*beh.transitions, *beh.flag_changes]:
            inside = member(g, old, new, joint)
            assert C.evaluate(C.parse(g.when), joint) == inside, (diff_group_doc(g), joint)
            counts[(g.kind, g.old, g.new)] += inside
    for g in [*beh.transitions, *beh.flag_changes]:
        assert counts[(g.kind, g.old, g.new)] == g.count
        assert member(g, old, new, g.example)


@lru_cache(maxsize=1)
def bundled_pair() -> tuple[RuleSet, RuleSet, Behaviour]:
    """cop-2016, cop-2024 and their behavioural diff (exact; computed once per test run)."""
    old, new = resolve("cop-2016"), resolve("cop-2024")
    return old, new, behavioural(old, new)
