"""The recorded graph of a behavioural diff, in the forms the condition synthesiser searches:

- `levels`: the graph level by level, each node a bit of a small mask over its level;
- `label_masks`: for every node, a bit mask of the outcome labels of the leaves below it;
- `completions`: the ways to finish the questionnaire from a leaf (the walk `Space.sat`
  makes), each step taken once per space.

Each is built once per explored space and shared by every group of the diff.
"""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from sexting_triage.analysis import Space
from sexting_triage.diff.cubes import BOTTOM


class Completions:
    """The ways to finish the questionnaire from a leaf of the recorded graph (every
    outcome is settled there, but later questions may still be asked), as a small graph
    over (position, questionnaire states): the walk `Space.sat` makes, each step taken
    once instead of once per condition. A cube's literals hold on a completion when each
    admits its fact's value (BOTTOM: not asked), as `cube_cond` says."""

    def __init__(self, space: Space):
        self.space = space
        self.ids: dict[Any, int] = {}
        self.at: list[tuple[int, Any]] = []  # each node's position and states
        self.kids: list[list[tuple[Any, int]] | None] = []

    def node(self, pos: int, states: Any) -> int:
        key = (pos, tuple(st[:3] for st in states))
        n = self.ids.get(key)
        if n is None:
            n = self.ids[key] = len(self.at)
            self.at.append((pos, states))
            self.kids.append(None)
        return n

    def children(self, n: int) -> list[tuple[Any, int]]:
        """The branches from node n with at least one completion: (the joint value, or
        None for not asked; the child node), as in `Space._sat_id`."""
        out = self.kids[n]
        if out is None:
            sp = self.space
            pos, states = self.at[n]
            out = []
            if pos < len(sp.order):
                qstates = tuple(st[:3] for st in states)
                for values, _, _ in sp.branches(pos, states):
                    new = sp.blank_step(pos, qstates, values)
                    if sp.complete(pos + 1, tuple(st[:3] for st in new))[0] == 0:
                        continue
                    v = next((x for x in values if x is not None), None)
                    out.append((v, self.node(pos + 1, new)))
            self.kids[n] = out
        return out

    def fits(self, starts: list[int], lits: list[frozenset[Any] | None]) -> bool:
        """Whether some completion from one of the nodes `starts` (all at one position)
        keeps every literal (`lits`: by position, None where there is none)."""
        last = len(lits) - 1
        seen: dict[int, bool] = {}
        at = self.at

        def go(m: int) -> bool:
            hit = seen.get(m)
            if hit is not None:
                return hit
            pos = at[m][0]
            res = False
            if pos > last:
                res = True
            else:
                lit = lits[pos]
                for v, child in self.children(m):
                    if lit is not None and (BOTTOM if v is None else v) not in lit:
                        continue
                    if go(child):
                        res = True
                        break
            seen[m] = res
            return res

        return any(go(n) for n in starts)


_COMPLETIONS: WeakKeyDictionary[Space, Completions] = WeakKeyDictionary()


def completions(space: Space) -> Completions:
    hit = _COMPLETIONS.get(space)
    if hit is None:
        hit = _COMPLETIONS[space] = Completions(space)
    return hit


_NOT_ASKED = frozenset({BOTTOM})


class Levels:
    """The recorded graph level by level (a node's level is its position; its children sit
    at the next), each node a bit of a small mask over its level's nodes: masks stay a few
    machine words wide however large the graph grows."""

    def __init__(self, space: Space):
        graph = space.graph
        self.size = len(graph)
        n_levels = len(space.order) + 2
        self.where: dict[int, tuple[int, int]] = {}  # node id: (level, bit)
        self.ids: list[list[int]] = [[] for _ in range(n_levels)]  # level: node ids by bit
        self.leaves = [0] * n_levels  # level: mask of its leaves
        for key in sorted(graph):
            pos = graph[key][1]
            at = self.ids[pos]
            self.where[key] = (pos, 1 << len(at))
            if graph[key][0] == "leaf":
                self.leaves[pos] |= 1 << len(at)
            at.append(key)
        # level: for each node (by bit), its branches as (answer values, {BOTTOM} for not
        # asked; the child's bit), and all its children's bits together
        self.kids: list[list[list[tuple[Any, int]]]] = []
        self.every: list[list[int]] = []
        for at in self.ids:
            kids = []
            every = []
            for key in at:
                g = graph[key]
                mine = ([] if g[0] == "leaf" else
                        [(_NOT_ASKED if kvals is None else frozenset(kvals),
                          self.where[child][1]) for _values, kvals, child in g[2]])
                kids.append(mine)
                m = 0
                for _kvals, bit in mine:
                    m |= bit
                every.append(m)
            self.kids.append(kids)
            self.every.append(every)
        self._admitting: list[dict[frozenset[Any], list[int]]] = [{} for _ in self.ids]
        self._steps: list[dict[tuple[frozenset[Any] | None, int], int]] = [
            {} for _ in self.ids]

    def step(self, pos: int, front: int, lit: frozenset[Any] | None) -> int:
        """The children (at level pos + 1) of the nodes in `front` (at level pos) along the
        branches `lit` admits (None: every branch). Remembered per (level, literal, front)
        and shared by every group's searches: a third of the steps recur across them."""
        memo = self._steps[pos]
        out = memo.get((lit, front))
        if out is None:
            out = 0
            through = self.every[pos] if lit is None else self.admitting(pos, lit)
            rest = front
            while rest:
                low = rest & -rest
                rest ^= low
                out |= through[low.bit_length() - 1]
            memo[(lit, front)] = out
        return out

    def admitting(self, pos: int, lit: frozenset[Any]) -> list[int]:
        """For each node of level pos (by bit), its children along the branches whose values
        meet `lit`: made once per (level, literal), as cubes reuse a handful of literals."""
        hit = self._admitting[pos].get(lit)
        if hit is None:
            admits = lit.isdisjoint
            hit = []
            for mine in self.kids[pos]:
                m = 0
                for kvals, bit in mine:  # two branches may lead to one child: or, not sum
                    if not admits(kvals):
                        m |= bit
                hit.append(m)
            self._admitting[pos][lit] = hit
        return hit


_LEVELS: WeakKeyDictionary[Space, Levels] = WeakKeyDictionary()


def levels(space: Space) -> Levels:
    hit = _LEVELS.get(space)
    if hit is None or hit.size != len(space.graph):
        hit = _LEVELS[space] = Levels(space)
    return hit


_MASKS: WeakKeyDictionary[Space, tuple[list[Any], dict[int, int]]] = WeakKeyDictionary()


def label_masks(space: Space) -> tuple[list[Any], dict[int, int]]:
    """The labels of the recorded graph, and for every node a bit mask of the labels of
    the leaves below it (bit n: labels[n]; the bit just past the labels: a leaf no
    situation reaches). Computed once per space and shared by every group: a node whose
    mask has no bit a test wants is answered without walking under it."""
    hit = _MASKS.get(space)
    if hit is not None and len(hit[1]) == len(space.graph):
        return hit
    graph = space.graph
    labels: list[Any] = []
    index: dict[Any, int] = {}
    for g in graph.values():
        if g[0] == "leaf":
            for lab in g[3]:
                if lab not in index:
                    index[lab] = len(labels)
                    labels.append(lab)
    empty = 1 << len(labels)
    masks: dict[int, int] = {}
    for key in sorted(graph, key=lambda k: -graph[k][1]):  # children sit at later positions
        g = graph[key]
        if g[0] == "leaf":
            m = 0
            for lab in g[3]:
                m |= 1 << index[lab]
            masks[key] = m or empty
        else:
            m = 0
            for _values, _kvals, child in g[2]:
                m |= masks[child]
            masks[key] = m
    _MASKS[space] = (labels, masks)
    return labels, masks
