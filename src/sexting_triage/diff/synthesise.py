"""The condition synthesiser: an exact, readable `when` for one group of situations.

The behavioural diff records the explored graph of both rule sets walked together. For one
group (a membership test on the pair of outcomes) the graph is reduced to a decision diagram,
listed as cubes, simplified exactly (`cubes.merge`), then widened using the situations that
cannot happen (a fact not asked, an answer that cannot go with the others) while every check
against the reachable space keeps it exact, and finally factored into a readable condition.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sexting_triage.analysis import Space
from sexting_triage.diff.cubes import BOTTOM, Cube, full, merge, subset
from sexting_triage.diff.diagram import diagram_text
from sexting_triage.diff.factor import render
from sexting_triage.diff.recorded import completions, label_masks, levels

TRUE: Any = ("T",)
FALSE: Any = ("F",)


def _values_text(values: frozenset[Any]) -> str:
    """A set of answer values as text that does not depend on the hash seed."""
    return "{" + ", ".join(sorted(map(repr, values))) + "}"


class Builder:
    """Turns the explored graph into an exact, readable condition for one group."""

    def __init__(self, space: Space, states: Any, member: Callable[[Any], bool]):
        self.space = space
        self.root = space.node_id((0, states))
        self.member = member
        self.nodes: dict[Any, Any] = {}
        self.red: dict[Any, Any] = {}
        self.node_repr: dict[int, str] = {id(TRUE): repr(TRUE), id(FALSE): repr(FALSE)}
        self.answers: dict[Any, bool] = {}
        self.labels, self.masks = label_masks(space)
        self.pred_masks: dict[str, int] = {}
        self.member_mask = self.pred_mask(member)
        self.steps: dict[str, list[dict[tuple[frozenset[Any] | None, int], int]]] = {}
        self.ok_bits: dict[str, list[int]] = {}
        self.leaf_starts: dict[tuple[int, int], list[int]] = {}
        self.trail: dict[str, tuple[list[Any], list[int], list[tuple[int, int]]]] = {}
        self.levels = levels(space)
        self.completions = completions(space)

    def pred_mask(self, pred: Callable[[Any], bool]) -> int:
        """The bits of the labels (see `label_masks`) for which `pred` holds."""
        out = 0
        for n, lab in enumerate(self.labels):
            if pred(lab):
                out |= 1 << n
        return out

    # -- reduced diagram: ("T",) / ("F",) / (fact, ((values, child), ...))

    def reduce(self, key: Any) -> Any:
        hit = self.red.get(key)
        if hit is not None:
            return hit
        g = self.space.graph[key]
        m = self.masks[key]
        if not m & self.member_mask:  # no member below: every leaf is false
            res: Any = FALSE
        elif not m & ~self.member_mask:  # members only, and no empty leaf: every leaf true
            res = TRUE
        else:  # a split (a leaf has one label, or none)
            fact = self.space.order[g[1]]
            # reduced nodes are interned, so equal means identical: children are told apart
            # by id (hashing a shared diagram walks all of it)
            by_child: dict[int, tuple[Any, set[Any]]] = {}
            for _values, kvals, child in g[2]:
                r = self.reduce(child)
                hit_r = by_child.get(id(r))
                if hit_r is None:
                    hit_r = by_child[id(r)] = (r, set())
                hit_r[1].update(kvals if kvals is not None else (BOTTOM,))
            if len(by_child) == 1:
                res = next(iter(by_child.values()))[0]
            else:
                rep = self.node_repr
                pairs = [(frozenset(v), c) for c, v in by_child.values()]
                # sorted by the text of each (values, child) pair, the child's made once; the
                # values are written in sorted order, never in a set's iteration order (which
                # follows the hash seed, and would make the same diff read differently)
                keyed = sorted((f"({_values_text(fs)}, {rep[id(c)]})", n)
                               for n, (fs, c) in enumerate(pairs))
                kids = tuple(pairs[n] for _, n in keyed)
                ikey = (fact, tuple((fs, id(c)) for fs, c in kids))
                hit_n = self.nodes.get(ikey)
                if hit_n is None:
                    res = (fact, kids)
                    self.nodes[ikey] = res
                    rep[id(res)] = f"({fact!r}, ({', '.join(k for k, _ in keyed)}))"
                else:
                    res = hit_n
        self.red[key] = res
        return res

    def cubes(self, node: Any, limit: int = 5000) -> list[Cube]:
        memo: dict[Any, list[Cube]] = {}

        def walk(n: Any) -> list[Cube]:
            if n[0] == "T":
                return [{}]
            if n[0] == "F":
                return []
            hit = memo.get(id(n))
            if hit is not None:
                return hit
            out: list[Cube] = []
            fact, kids = n
            for vals, child in kids:
                for c in walk(child):
                    out.append({fact: vals, **c})
                    if len(out) > limit:
                        raise OverflowError
            memo[id(n)] = out
            return out

        return walk(node)

    # -- exact checks against the reachable space

    def hits(self, cube: Cube, pred: Callable[[Any], bool], tag: str = "any") -> bool:
        """Whether some reachable situation inside `cube` has a label satisfying pred.

        `tag` names pred: the same cube asked again with the same tag is answered at once
        (widening asks many twice)."""
        pos_of = self.space.pos_of
        lits: list[frozenset[Any] | None] = [None] * (max(map(pos_of.__getitem__, cube),
                                                          default=-1) + 1)
        for f, v in cube.items():
            lits[pos_of[f]] = v
        key = (tag, tuple(lits))
        known = self.answers.get(key)
        if known is not None:
            return known
        found = self._search(lits, pred, tag)
        self.answers[key] = found
        return found

    def _search(self, lits: list[frozenset[Any] | None], pred: Callable[[Any], bool],
                tag: str) -> bool:
        """The search behind `hits` (`lits`: the cube's literal at each position up to its
        last, None where it has none): level by level, the set of nodes (a bit mask over
        the nodes of the level, see `Levels`) reachable inside the cube so far that still
        have a label satisfying pred below. The step from one level's set to the next, under
        the literal about that level's fact, is remembered per (tag, level, literal, set):
        cubes share their first literals, and different literals often leave the same set,
        so most steps are answered at once. Widening asks about cubes that differ from the
        one asked before in one literal: the search resumes where the two first differ,
        from the sets the last search (same tag) passed through. A leaf met on the way is a
        hit if the rest of the cube can still hold on one of its completions
        (`Completions.fits`, what `Space.sat` says)."""
        lv = self.levels
        steps = self.steps.get(tag)
        if steps is None:
            steps = self.steps[tag] = [{} for _ in lv.leaves]
        ok = self.ok_bits.get(tag)
        if ok is None:
            want = self.pred_masks.get(tag)
            if want is None:
                want = self.pred_masks[tag] = self.pred_mask(pred)
            ok = [0] * len(lv.leaves)
            for key, m in self.masks.items():
                if m & want:
                    pos, bit = lv.where[key]
                    ok[pos] |= bit
            self.ok_bits[tag] = ok
        last = len(lits) - 1
        leaf_at = lv.leaves
        # where the last search of this tag went: its literals, the set at the start of each
        # level it reached, the leaves it met
        prev = self.trail.get(tag)
        pos0, front = lv.where[self.root]
        if prev is None:
            fronts = [0] * pos0 + [front & ok[pos0]]
            front = fronts[pos0]
            met: list[tuple[int, int]] = []  # leaves met: checked last, the costlier test
        else:
            plits, pfronts, pmet = prev
            end = min(len(lits), len(plits), len(pfronts) - 1)
            while pos0 < end and lits[pos0] is plits[pos0]:
                pos0 += 1
            fronts = pfronts[:pos0 + 1]
            front = fronts[pos0]
            met = [m for m in pmet if m[0] < pos0]
        self.trail[tag] = (lits, fronts, met)
        for pos in range(pos0, last + 1):
            if not front:
                break
            leaves = front & leaf_at[pos]
            if leaves:
                met.append((pos, leaves))
                front ^= leaves
                if not front:
                    break
            lit = lits[pos]
            level = steps[pos]
            nxt = level.get((lit, front))
            if nxt is None:
                nxt = level[(lit, front)] = lv.step(pos, front, lit) & ok[pos + 1]
            front = nxt
            fronts.append(front)
        if front:
            return True
        return any(self._leaf_hit(lits, leaves, pos) for pos, leaves in met)

    def _leaf_hit(self, lits: list[frozenset[Any] | None], leaves: int, pos: int) -> bool:
        """Whether one of `leaves` (a mask over level pos, each with a label satisfying the
        test) has a completion inside the literals `lits` (by position) at or after pos."""
        starts = self.leaf_starts.get((pos, leaves))
        if starts is None:
            comp = self.completions
            graph = self.space.graph
            ids = self.levels.ids[pos]
            starts = self.leaf_starts[(pos, leaves)] = [
                comp.node(pos, graph[ids[n]][2]) for n in range(leaves.bit_length())
                if leaves >> n & 1]
        return self.completions.fits(starts, lits)

    def safe(self, cube: Cube) -> bool:
        return not self.hits(cube, lambda lab: not self.member(lab), "outside")



# Above this many cubes, merging (quadratic in the cubes) and factoring would take too long on
# a large rule file; the decision diagram is written out instead (exact, less polished).
MAX_CUBES = 300


def when_condition(space: Space, states: Any, member: Callable[[Any], bool],
                   simplify: bool = True) -> str:
    """A condition that holds for exactly the reachable situations whose label is a member."""
    b = Builder(space, states, member)
    top = b.reduce(b.root)
    if top == ("T",):
        return "true"
    if top == ("F",):
        return "false"
    try:
        cubes = b.cubes(top, MAX_CUBES)
    except OverflowError:  # too many to simplify in seconds: the diagram, factored, exactly
        return diagram_text(top, space.domains)
    cubes = merge(cubes)
    if simplify and len(cubes) <= 60:
        cubes = _widen(b, cubes, space)
    return render(cubes, space)


def _widen(b: Builder, cubes: list[Cube], space: Space) -> list[Cube]:
    """Use the situations that cannot happen (a fact not asked, a question skipped, an
    answer that cannot go with the others) to drop literals and absorb cubes into others,
    keeping the condition exact over every reachable situation."""
    order = space.pos_of

    def drop(cube: Cube) -> Cube:
        for f in sorted(cube, key=lambda f: order[f]):
            trial = {k: v for k, v in cube.items() if k != f}
            if b.safe(trial):
                cube = trial
        return cube

    def shorter(cube: Cube) -> Cube:
        """Where a fact is always asked inside the cube, whether the literal also admits
        "not asked" changes nothing: pick the shorter way to write it."""
        cube = dict(cube)
        for f in list(cube):
            if b.hits({**cube, f: frozenset({BOTTOM})}, lambda lab: True):
                continue
            present = cube[f] - {BOTTOM}
            if not present:
                continue
            others = len(space.domains[f]) - len(present)
            cube[f] = present | {BOTTOM} if others < len(present) else present
        return cube

    def absorb(cubes: list[Cube]) -> list[Cube]:
        """Replace two cubes by the smallest cube containing both, where that adds no
        situation outside the group."""
        cubes = list(cubes)
        changed = True
        while changed and len(cubes) > 1:
            changed = False
            for i in range(len(cubes)):
                for j in range(i + 1, len(cubes)):
                    c, d = cubes[i], cubes[j]
                    hull = {f: c[f] | d[f] for f in c if f in d}
                    hull = {f: v for f, v in hull.items() if not full(f, v, space.domains)}
                    if b.safe(hull):
                        cubes = [x for n, x in enumerate(cubes) if n not in (i, j)] + [hull]
                        changed = True
                        break
                if changed:
                    break
        return cubes

    out: list[Cube] = []
    for cube in sorted(cubes, key=len):
        if any(subset(cube, w) for w in out):
            continue
        cube = dict(cube)
        for f in sorted(cube, key=lambda f: -order[f]):
            if BOTTOM not in cube[f]:
                trial = {**cube, f: cube[f] | {BOTTOM}}
                if full(f, trial[f], space.domains):
                    trial.pop(f)
                if b.safe(trial):
                    cube = trial
        out.append(drop(cube))
    out = merge(_expand(b, merge(out)))
    out = merge([drop(shorter(c)) for c in absorb(out)])
    return merge([drop(shorter(c)) for c in absorb(out)])


def _expand(b: Builder, cubes: list[Cube]) -> list[Cube]:
    """Add literals that already hold throughout a cube (typically "not asked here"), so
    cubes that differ only in them can be joined."""
    out = []
    for n, cube in enumerate(cubes):
        cube = dict(cube)
        for other in cubes[:n] + cubes[n + 1:]:
            for g, lit in other.items():
                if g in cube:
                    continue
                wider = lit | {BOTTOM}
                outside = {v for v in b.space.domains[g] if v not in wider}
                if outside and not b.hits({**cube, g: frozenset(outside)}, lambda lab: True):
                    cube[g] = frozenset(wider)
        out.append(cube)
    return out

