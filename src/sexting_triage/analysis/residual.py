"""Conditions as residuals: each condition partially evaluated as the walk fixes facts.

Residual conditions are interned as small integers (`CondTable`; 0 is false, 1 is true), so a
walk's state is a tuple of integers that hashes in one pass; each substitution (a fact fixed
to a value, or not asked) is computed once per (condition, fact, value) with the engine's own
leaf semantics (conditions.test_holds).
"""

from __future__ import annotations

from functools import lru_cache

from sexting_triage import conditions as C
from sexting_triage.analysis.budget import Meter
from sexting_triage.conditions import Cond, Value

_TRUE = C.Const(True)
_FALSE = C.Const(False)
FALSE_ID = 0
TRUE_ID = 1


@lru_cache(maxsize=200_000)
def reads(cond: Cond) -> frozenset[str]:
    return C.reads(cond)


def subst(cond: Cond, fact: str, value: Value | None) -> Cond:
    """The condition with `fact` fixed to `value` (None: not asked), simplified."""
    return cond if fact not in reads(cond) else _subst_tree(cond, fact, value)


def _subst_tree(cond: Cond, fact: str, value: Value | None) -> Cond:
    """`subst` without its cache (whose keys hash every subtree again): linear in the size
    of the condition; the table caches the result."""
    if isinstance(cond, C.Test):
        if cond.fact != fact:
            return cond
        return _TRUE if C.test_holds(cond, value) else _FALSE
    if isinstance(cond, C.Not):
        inner = _subst_tree(cond.item, fact, value)
        if inner is cond.item:
            return cond
        if isinstance(inner, C.Const):
            return _FALSE if inner.value else _TRUE
        return C.Not(inner)
    if isinstance(cond, C.And | C.Or):
        is_and = isinstance(cond, C.And)
        items: list[Cond] = []
        same = True
        for item in cond.items:
            r = _subst_tree(item, fact, value)
            if r is not item:
                same = False
            if isinstance(r, C.Const):
                if r.value != is_and:  # False in an and, True in an or
                    return r
                continue
            items.append(r)
        if same:
            return cond
        if not items:
            return _TRUE if is_and else _FALSE
        if len(items) == 1:
            return items[0]
        return C.And(tuple(items)) if is_and else C.Or(tuple(items))
    return cond


class CondTable:
    """Conditions interned as integers (0 is false, 1 is true), with their reads and every
    substitution computed once."""

    __slots__ = ("_subst", "conds", "ids", "meter", "reads", "size")

    def __init__(self, meter: Meter | None = None) -> None:
        self.conds: list[Cond] = [_FALSE, _TRUE]
        self.ids: dict[Cond, int] = {_FALSE: FALSE_ID, _TRUE: TRUE_ID}
        self.reads: list[frozenset[str]] = [frozenset(), frozenset()]
        self.size: list[int] = [1, 1]  # leaf comparisons: the work of one substitution
        self._subst: dict[tuple[int, str, Value | None], int] = {}
        self.meter = meter

    def intern(self, cond: Cond) -> int:
        if isinstance(cond, C.Const):
            return TRUE_ID if cond.value else FALSE_ID
        hit = self.ids.get(cond)
        if hit is not None:
            return hit
        n = len(self.conds)
        self.conds.append(cond)
        self.ids[cond] = n
        leaves = list(C.tests(cond))
        self.reads.append(frozenset(t.fact for t in leaves))
        self.size.append(len(leaves))
        return n

    def subst(self, cid: int, fact: str, value: Value | None) -> int:
        if fact not in self.reads[cid]:
            return cid
        key = (cid, fact, value)
        hit = self._subst.get(key)
        if hit is None:
            if self.meter is not None:  # rebuilding, hashing and interning the result
                self.meter.spend(4 * self.size[cid])
            hit = self._subst[key] = self.intern(_subst_tree(self.conds[cid], fact, value))
        return hit

    def absent(self, cid: int, facts: frozenset[str]) -> int:
        """The condition with every one of `facts` not asked."""
        for f in sorted(self.reads[cid] & facts):
            cid = self.subst(cid, f, None)
        return cid
