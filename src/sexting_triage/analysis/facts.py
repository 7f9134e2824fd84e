"""The facts of a walk: the merged question order of the rule sets walked together, and
each fact's answer classes (values no condition tells apart, counted as one branch with a
multiplicity; the age splits only at the thresholds the conditions use).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sexting_triage import conditions as C
from sexting_triage.conditions import Cond, Value
from sexting_triage.ruleset import RuleSet


@dataclass(frozen=True, slots=True)
class Klass:
    """Answer values of one fact that no condition tells apart."""

    values: tuple[Value, ...]

    @property
    def rep(self) -> Value:
        return self.values[0]



def merged_order(sets: Sequence[RuleSet]) -> list[str]:
    """The union of the questions, in an order that respects every rule set's order (the
    first rule set's order where both allow it)."""
    import heapq

    from sexting_triage.errors import UsageError

    seqs = [[q.id for q in rs.questions] for rs in sets]
    prio: dict[str, tuple[int, int]] = {}
    succ: dict[str, set[str]] = {}
    indeg: dict[str, int] = {}
    for k, seq in enumerate(seqs):
        for n, f in enumerate(seq):
            prio.setdefault(f, (n, k))
            succ.setdefault(f, set())
            indeg.setdefault(f, 0)
        for a, b in itertools.pairwise(seq):
            if b not in succ[a]:
                succ[a].add(b)
                indeg[b] += 1
    heap = [(prio[f], f) for f, d in indeg.items() if d == 0]
    heapq.heapify(heap)
    order: list[str] = []
    while heap:
        _, f = heapq.heappop(heap)
        order.append(f)
        for g in succ[f]:
            indeg[g] -= 1
            if indeg[g] == 0:
                heapq.heappush(heap, (prio[g], g))
    if len(order) != len(indeg):
        raise UsageError("the two rule sets ask their shared questions in different "
                         "orders, so they cannot be walked together")
    return order


def _example_order(domain: tuple[Value, ...]) -> tuple[Value, ...]:
    """Values in the order examples should prefer them: "no" before "yes" before
    "unknown" (examples read like ordinary cases), older ages first."""
    if set(domain) == {"yes", "no", "unknown"}:
        return ("no", "yes", "unknown")
    if all(isinstance(v, int) for v in domain):
        return tuple(sorted(domain, key=lambda v: -int(v)))
    return domain


def classes_of(domains: Mapping[str, tuple[Value, ...]], order: Iterable[str],
               conds: Iterable[Cond]) -> dict[str, tuple[Klass, ...]]:
    """Each fact's answer classes: values no leaf comparison of any condition tells apart
    (one pass over the conditions, then one per fact)."""
    tests: dict[str, set[tuple[str, Any]]] = {}
    seen: set[Cond] = set()
    for c in conds:
        if c in seen:
            continue
        seen.add(c)
        for t in C.tests(c):
            tests.setdefault(t.fact, set()).add((t.op, t.value))
    return {f: _classes(_example_order(domains[f]), tests.get(f, set()), f) for f in order}


def _classes(domain: tuple[Value, ...], tests: Iterable[tuple[str, Any]], fact: str
             ) -> tuple[Klass, ...]:
    ordered = sorted(tests, key=repr)
    groups: dict[tuple[bool, ...], list[Value]] = {}
    for v in domain:
        sig = tuple(C.test_holds(C.Test(fact, op, val), v) for op, val in ordered)
        groups.setdefault(sig, []).append(v)
    return tuple(Klass(tuple(vs)) for vs in groups.values())
