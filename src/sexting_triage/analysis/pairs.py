"""Questions about one answer changed: "does this question ever matter", "does changing
this fact from `from` to `to` ever lower the pathway".

Both are asked of pairs of situations that agree on everything before the changed fact,
differ in it, keep every later answer both ask, and let newly asked questions take any
answer (docs/policy-staff.md). The single walk of the rule set is explored once and
recorded; at every recorded state that asks the fact, the two children (one per answer)
are walked together from there by a pair `Space` sharing the same condition table, so the
part before the fact is never walked twice, and the pair walk's memo of states that found
nothing serves every fact and every state.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sexting_triage.analysis.results import Agg
from sexting_triage.analysis.space import Space
from sexting_triage.analysis.stepping import Side, SideState
from sexting_triage.conditions import Value
from sexting_triage.ruleset import RuleSet

Label = tuple[Any, ...]


class Recorded:
    """One rule set's single walk, explored once with its graph recorded."""

    def __init__(self, space: Space) -> None:
        assert len(space.sides) == 1
        self.space = space
        space.record_graph = True
        self.states = space.root()
        self.labels = space.explore(0, self.states)
        self.root = space.node_id((0, self.states))
        # the first way into every node: (parent, the values on that edge)
        self.parent: dict[int, tuple[int, tuple[Value | None, ...]]] = {}
        self.at: dict[int, list[int]] = {}
        todo = [self.root]
        seen = {self.root}
        while todo:
            nid = todo.pop()
            g = space.graph[nid]
            self.at.setdefault(g[1], []).append(nid)
            if g[0] != "split":
                continue
            for values, _kvals, child in g[2]:
                if child not in seen:
                    seen.add(child)
                    self.parent[child] = (nid, values)
                    todo.append(child)
        for nodes in self.at.values():
            nodes.sort()
        self._pairs: dict[Any, Space] = {}

    def prefix(self, nid: int) -> list[tuple[str, tuple[Value | None, ...]]]:
        """The answers on the first path from the root to a node, as pair values."""
        out: list[tuple[str, tuple[Value | None, ...]]] = []
        while nid in self.parent:
            nid, values = self.parent[nid]
            pos = self.space.graph[nid][1]
            if values[0] is not None:
                out.append((self.space.order[pos], (values[0], values[0])))
        out.reverse()
        return out

    def pair_space(self, tag: Any, flags: bool = True, conds: bool = True) -> Space:
        """The pair walk for one predicate (its memo of dead ends is the predicate's)."""
        sp = self._pairs.get(tag)
        if sp is None:
            side = self.space.sides[0]
            sides = [Side(side.rs, side.outcome, side.collect,
                          side.conds if conds else (), side.flags and flags)
                     for _ in range(2)]
            sp = self._pairs[tag] = Space(sides, meter=self.space.meter,
                                          table=self.space.table)
        return sp

    def _strip(self, st: SideState, flags: bool, conds: bool) -> SideState:
        """A recorded state without what the predicate does not look at (flag rules, the
        tracked conditions), so that pair states differing only there are walked once."""
        if flags and conds:
            return st
        stopped, asks, stops, best, fl, open_, pas, cs = st
        if not flags:
            rules = self.space.sides[0].rs.rules
            open_ = tuple(x for x in open_ if rules[x[0]].pathway is not None)
            pas = tuple(x for x in pas if rules[x[0]].pathway is not None)
            fl = frozenset()
        return (stopped, asks, stops, best, fl, open_, pas, cs if conds else ())

    def search(self, fact: str, pairs: Sequence[tuple[tuple[Value, ...], tuple[Value, ...]]],
               pred: Callable[[Label], bool], tag: Any, flags: bool = True,
               conds: bool = True) -> tuple[Label, Agg] | None:
        """A pair of situations, differing in `fact` as one of `pairs` says (class values,
        first and second side), whose pair label satisfies pred; None if there is none.
        Without `flags` or `conds`, pred must not read the labels' flags or conditions."""
        sp = self.space
        if fact not in sp.pos_of:
            return None
        pos = sp.pos_of[fact]
        walk = self.pair_space(tag, flags, conds)
        for nid in self.at.get(pos, ()):
            g = sp.graph[nid]
            if g[0] != "split":
                continue
            kids: dict[Value, int] = {}
            for _values, kvals, child in g[2]:
                if kvals is None:
                    break
                for v in kvals:
                    kids[v] = child
            if not kids:
                continue
            for a_vals, b_vals in pairs:
                ka, kb = kids.get(a_vals[0]), kids.get(b_vals[0])
                if ka is None or kb is None or ka == kb:
                    continue
                sa = self._strip(sp.node_key(ka)[1][0], flags, conds)
                sb = self._strip(sp.node_key(kb)[1][0], flags, conds)
                if sa == sb:
                    continue
                got = walk.find(pred, pos + 1, (sa, sb))
                if got is not None:
                    lab, agg = got
                    ex = (*self.prefix(nid), (fact, (a_vals[0], b_vals[0])), *agg.example)
                    return lab, Agg(agg.count, tuple(ex), agg.extra)
        return None


def recorded(rs: RuleSet, side: Side | None = None) -> Recorded:
    return Recorded(Space([side or Side(rs)]))


def changes_outcome(skip: int) -> Callable[[Label], bool]:
    """The two situations differ in pathway, flags or a tracked condition after the first
    `skip` (those are not about the outcome: invariants' conditions)."""
    def differ(lab: Label) -> bool:
        a, b = lab
        return bool(a[:2] != b[:2] or a[2][skip:] != b[2][skip:])

    return differ


def influential_in(rec: Recorded, fact: str, skip: int | None = None) -> bool:
    """Whether changing this answer alone (questions it gates may then be asked or not)
    changes the pathway, the flags or (from the `skip`-th on) a tracked condition in some
    situation."""
    ks = rec.space.classes.get(fact, ())
    pairs = [(a.values, b.values) for x, a in enumerate(ks) for b in ks[x + 1:]]
    if not pairs:
        return False
    n = len(rec.space.sides[0].conds)
    if skip is None:
        skip = n
    return rec.search(fact, pairs, changes_outcome(skip), ("influential", skip),
                      conds=skip < n) is not None


def influential(rs: RuleSet, fact: str) -> bool:
    """Whether changing this answer alone (questions it gates may then be asked or not)
    changes the pathway or the flags in some situation."""
    return influential_in(recorded(rs), fact)
