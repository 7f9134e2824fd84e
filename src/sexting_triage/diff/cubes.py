"""Cubes: one set of allowed values per fact, the building blocks of a synthesised condition.

A cube `{fact: values}` stands for the situations where each named fact takes one of its
values (`BOTTOM` among them: the fact may also be not asked). A union of cubes is a two-level
condition; `merge` simplifies such a union exactly, `lit_cond` and `cube_cond` turn cubes into
conditions of the rule-set language.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sexting_triage import conditions as C
from sexting_triage.conditions import Cond, Value

BOTTOM = "\x00absent"  # a fact not asked (inside literal sets only)
Cube = dict[str, frozenset[Any]]


def cube_cond(cube: Cube, domains: dict[str, tuple[Value, ...]]) -> Cond:
    items = [lit_cond(f, v, domains[f]) for f, v in cube.items()]
    items = [i for i in items if not (isinstance(i, C.Const) and i.value)]
    if not items:
        return C.Const(True)
    return items[0] if len(items) == 1 else C.And(tuple(items))


@lru_cache(maxsize=50_000)
def lit_cond(fact: str, vals: frozenset[Any], domain: tuple[Value, ...]) -> Cond:
    """A condition true exactly for the values in `vals` (BOTTOM: the fact was not asked)."""
    present = [v for v in domain if v in vals]
    absent_ok = BOTTOM in vals
    if absent_ok:
        out = [v for v in domain if v not in vals]
        if not out:
            return C.Const(True)
        if all(isinstance(v, int) for v in domain):
            inner = _int_cond(fact, out, domain)
            return C.Not(inner)
        if len(out) == 1:
            return C.Test(fact, "!=", out[0])
        return C.Test(fact, "not in", tuple(out))
    if not present:
        return C.Const(False)
    if all(isinstance(v, int) for v in domain):
        return _int_cond(fact, present, domain)
    if len(present) == 1:
        return C.Test(fact, "==", present[0])
    return C.Test(fact, "in", tuple(present))


def _int_cond(fact: str, vals: list[Value], domain: tuple[Value, ...]) -> Cond:
    """Whole numbers as ranges: `age < 13`, `age >= 13`, `age >= 10 and age < 13`."""
    ints = sorted(int(v) for v in vals)
    dom = sorted(int(v) for v in domain)
    runs: list[tuple[int, int]] = []
    for v in ints:
        if runs and v == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], v)
        else:
            runs.append((v, v))
    parts: list[Cond] = []
    for lo, hi in runs:
        if lo == hi:
            parts.append(C.Test(fact, "==", lo))
            continue
        bits: list[Cond] = []
        if lo > dom[0]:
            bits.append(C.Test(fact, ">=", lo))
        if hi < dom[-1]:
            bits.append(C.Test(fact, "<", hi + 1))
        if not bits:
            bits.append(C.Test(fact, ">=", lo))
        parts.append(bits[0] if len(bits) == 1 else C.And(tuple(bits)))
    return parts[0] if len(parts) == 1 else C.Or(tuple(parts))


def merge(cubes: list[Cube]) -> list[Cube]:
    """Exact two-level simplification: drop cubes inside others, join cubes that differ in
    one fact only (repeat until nothing changes)."""
    cur: list[Cube] = []
    for c in cubes:
        if c not in cur:
            cur.append(dict(c))
    changed = True
    items: dict[int, tuple[Cube, frozenset[Any]]] = {}  # each cube's literals, made once

    def literals(c: Cube) -> frozenset[Any]:
        hit = items.get(id(c))
        if hit is None or hit[0] is not c:
            hit = items[id(c)] = (c, frozenset(c.items()))
        return hit[1]

    while changed:
        changed = False
        cur = drop_subsumed(cur)
        for f in sorted({g for c in cur for g in c}):
            groups: dict[frozenset[Any], list[Cube]] = {}
            for c in cur:
                lits = literals(c)
                key = lits - {(f, c[f])} if f in c else lits
                groups.setdefault(key, []).append(c)
            if all(len(v) == 1 for v in groups.values()):
                continue
            new: list[Cube] = []
            for key, cs in groups.items():
                merged = dict(key)
                if len(cs) == 1:
                    merged = cs[0]
                elif all(f in c for c in cs):
                    merged[f] = frozenset().union(*(c[f] for c in cs))
                new.append(merged)
            cur = new
            changed = True
    return cur


def subset(a: Cube, b: Cube) -> bool:
    return all(f in a and a[f] <= b[f] for f in b)


def drop_subsumed(cubes: list[Cube]) -> list[Cube]:
    """The cubes not inside another (of two equal cubes, the first is kept). A cube can be
    inside another only if it names every fact the other names: compared first, as sets."""
    keys = [frozenset(c) for c in cubes]
    out: list[Cube] = []
    for i, c in enumerate(cubes):
        ki = keys[i]
        if any(j != i and keys[j] <= ki and subset(c, d)
               and (not (ki <= keys[j] and subset(d, c)) or j < i)
               for j, d in enumerate(cubes)):
            continue
        out.append(c)
    return out


def full(fact: str, vals: frozenset[Any], domains: dict[str, tuple[Value, ...]]) -> bool:
    """Whether `vals` admits every answer to `fact` and "not asked" (a literal that says
    nothing)."""
    return _every(domains[fact]) <= vals


@lru_cache(maxsize=4096)
def _every(domain: tuple[Value, ...]) -> frozenset[Any]:
    return frozenset(domain) | {BOTTOM}

