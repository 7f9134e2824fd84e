"""Write a union of cubes as a readable and/or condition: common parts first, independent
parts as a conjunction, otherwise split on the literal most cubes share."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sexting_triage import conditions as C
from sexting_triage.conditions import Cond
from sexting_triage.diff.cubes import Cube, lit_cond

if TYPE_CHECKING:
    from sexting_triage.analysis import Space


_TRUE = C.Const(True)


def render(cubes: list[Cube], space: Space) -> str:
    cond = _factor([{f: lit_cond(f, v, space.domains[f]) for f, v in c.items()}
                    for c in cubes], space.pos_of)
    return C.to_text(cond)


def _flat(kind: type[C.And] | type[C.Or], items: Sequence[Cond]) -> Cond:
    out: list[Cond] = []
    for i in items:
        if isinstance(i, kind):
            out.extend(i.items)
        else:
            out.append(i)
    return out[0] if len(out) == 1 else kind(tuple(out))


def _or(items: Sequence[Cond]) -> Cond:
    """`a and x or b and x` -> `(a or b) and x` (conjuncts common to every alternative)."""
    flat = _flat(C.Or, items)
    if not isinstance(flat, C.Or):
        return flat
    parts = [list(i.items) if isinstance(i, C.And) else [i] for i in flat.items]
    common = [x for x in parts[0] if all(x in p for p in parts[1:])]
    if not common:
        return flat
    rest = [[x for x in p if x not in common] for p in parts]
    if any(not r for r in rest):
        return _flat(C.And, common)
    alts = _or([r[0] if len(r) == 1 else C.And(tuple(r)) for r in rest])
    return _flat(C.And, [alts, *common])


def _factor(cubes: list[dict[str, Cond]], order: dict[str, int]) -> Cond:
    """A readable and/or form of a union of cubes: common literals first, independent parts
    as a conjunction, otherwise split on the literal most cubes share."""
    cubes = [{f: c for f, c in cube.items() if c != _TRUE} for cube in cubes]
    if not cubes:
        return C.Const(False)
    if any(not c for c in cubes):
        return C.Const(True)
    if len(cubes) == 1:
        c = cubes[0]
        return _flat(C.And, [c[f] for f in sorted(c, key=lambda f: order[f])])
    first = cubes[0]
    common = [f for f in first if all(c.get(f) == first[f] for c in cubes[1:])]
    if common:
        rest = [{f: v for f, v in c.items() if f not in common} for c in cubes]
        lits = [first[f] for f in sorted(common, key=lambda f: order[f])]
        return _flat(C.And, [*lits, _factor(rest, order)])
    # independent groups of facts whose cubes combine freely
    facts = sorted({f for c in cubes for f in c}, key=lambda f: order[f])
    parent = {f: f for f in facts}

    def find(f: str) -> str:
        while parent[f] != f:
            f = parent[f]
        return f

    for c in cubes:
        fs = list(c)
        for f in fs[1:]:
            parent[find(f)] = find(fs[0])
    comps: dict[str, list[str]] = {}
    for f in facts:
        comps.setdefault(find(f), []).append(f)
    if len(comps) > 1:
        groups = list(comps.values())
        projections = []
        for g in groups:
            seen: list[dict[str, Cond]] = []
            for c in cubes:
                p = {f: c[f] for f in g if f in c}
                if p not in seen:
                    seen.append(p)
            projections.append(seen)
        unique: list[dict[str, Cond]] = []
        for c in cubes:
            if c not in unique:
                unique.append(c)
        total = 1
        for proj in projections:
            total *= len(proj)
        if total == len(unique):
            return _flat(C.And, [_factor(p, order) for p in projections])
    # a product of an earlier and a later block of questions (each cube compared as the
    # ids of its literals sorted by position, so telling the blocks apart is a slice)
    lid: dict[tuple[str, Cond], int] = {}
    unique = []
    keyed: list[tuple[dict[str, Cond], tuple[int, ...], tuple[int, ...]]] = []
    known: set[tuple[int, ...]] = set()
    for c in cubes:
        items = sorted(c.items(), key=lambda kv: order[kv[0]])
        key = tuple(lid.setdefault(kv, len(lid)) for kv in items)
        if key not in known:
            known.add(key)
            unique.append(c)
            keyed.append((c, tuple(order[f] for f, _ in items), key))
    cut_points = sorted({order[f] for c in unique for f in c})
    for k in cut_points[1:]:
        # the first cube of each distinct early and late part (the parts are written out
        # only for a cut that splits the cubes into a product)
        early_at: dict[tuple[int, ...], dict[str, Cond]] = {}
        late_at: dict[tuple[int, ...], dict[str, Cond]] = {}
        for c, positions, key in keyed:
            cut = bisect_left(positions, k)
            early_at.setdefault(key[:cut], c)
            late_at.setdefault(key[cut:], c)
            if len(early_at) * len(late_at) > len(unique):
                break  # both only grow: no product at this cut
        if len(early_at) > 1 and len(late_at) > 1 and \
                len(early_at) * len(late_at) == len(unique):
            early = [{f: v for f, v in c.items() if order[f] < k} for c in early_at.values()]
            late = [{f: v for f, v in c.items() if order[f] >= k} for c in late_at.values()]
            return _flat(C.And, [_factor(early, order), _factor(late, order)])
    counts: dict[tuple[str, Cond], int] = {}
    for c in cubes:
        for f, v in c.items():
            counts[(f, v)] = counts.get((f, v), 0) + 1
    (bf, bv), n = max(counts.items(), key=lambda kv: (kv[1], -order[kv[0][0]]))
    if n < 2:
        return _or([_factor([c], order) for c in cubes])
    inside = [{f: v for f, v in c.items() if f != bf} for c in cubes if c.get(bf) == bv]
    outside = [c for c in cubes if c.get(bf) != bv]
    left = _flat(C.And, [bv, _factor(inside, order)])
    if not outside:
        return left
    return _or([left, _factor(outside, order)])
