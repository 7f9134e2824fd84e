"""The search over the reachable-situation space of one rule set, or of two walked together:
every label with its exact count and an example (`explore`), the first label matching a test
(`find`), the number of completions (`complete`) and whether a condition can still hold
(`sat`). The steps it searches over are in `stepping`, residual conditions in `residual`,
the facts and their answer classes in `facts`, what a search yields in `results`.

A *situation* is a complete answers mapping the questionnaire can produce (engine.walk
semantics: questions in order, `ask_when` skips, an `ends_questionnaire` pathway stops early;
a skipped fact is absent). The space is far too large to list one by one (cop-2016 reaches
92 million situations), so `Space` walks it symbolically:

* answer values that no condition tells apart form one class with a multiplicity (the age
  splits only at the thresholds the conditions use);
* every condition is partially evaluated as facts are fixed (with conditions.test_holds, the
  engine's own leaf semantics), and a branch is split further only while some tracked
  outcome is still open; the rest of the sub-space is then counted in one step;
* states with the same residual conditions have the same future, so results are memoised.

Speed: residual conditions are interned as small integers (`CondTable`), so a state is a
tuple of integers that hashes in one pass, each substitution is computed once per
(condition, fact, value), and a step touches only the conditions that read the fact it
fixes. A question whose conditions share no facts with the others then costs a constant
amount of work per memoised state: its branches rejoin at once. Side states (and the
questionnaire's asks and stops) are interned, so the memos know them by identity instead of
hashing them again; one side's step, which recurs under many joint states, is taken once
(a repeat spends the units the step did, so the budget counts the same work).

Two rule sets (for `rules diff`), or one rule set twice with one fact changed (monotone
invariants, "does this question ever matter"), are walked together over the union of their
questions: a fact is in the situation when either side asks it, and each side sees only the
facts its own questionnaire asks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import Any

from sexting_triage.analysis.budget import Meter
from sexting_triage.analysis.residual import TRUE_ID, CondTable
from sexting_triage.analysis.results import Agg, Example, Step
from sexting_triage.analysis.stepping import Side, SideState, Walk
from sexting_triage.conditions import Cond, Value

ABSENT = None


def _join(a: tuple[frozenset[str], ...], b: tuple[frozenset[str], ...]
          ) -> tuple[frozenset[str], ...]:
    """Side by side union of two tuples of responsible rule sets (a set kept when the other
    adds nothing to it)."""
    if len(a) == 2:  # two rule sets compared: the common case, without a generator
        a0, a1 = a
        b0, b1 = b
        return (a0 if b0 <= a0 else a0 | b0, a1 if b1 <= a1 else a1 | b1)
    return tuple(x if y <= x else x | y for x, y in zip(a, b, strict=True))


def _settled(states: tuple[SideState, ...]) -> bool:
    """Whether every side's outcome and tracked conditions are settled (`Walk._done`)."""
    for st in states:
        if st[5]:
            return False
        for c in st[7]:
            if c >= 2:
                return False
    return True


_ask_part = itemgetter(slice(0, 3))  # a state's asks and stops: (stopped, asks, stops)


class Space(Walk):
    """The joint situation space of one or more rule sets (see the module docstring)."""

    def __init__(self, sides: Sequence[Side], pivot: str | None = None,
                 pivot_pairs: Sequence[tuple[tuple[Value, ...], tuple[Value, ...]]] | None = None,
                 extra_conds: Iterable[Cond] = (), meter: Meter | None = None,
                 table: CondTable | None = None):
        super().__init__(sides, pivot, pivot_pairs, extra_conds, meter, table)
        # (position, ids of the interned side states) -> (labels, node id)
        self._memo: dict[Any, tuple[dict[Any, Agg], int]] = {}
        self._cmemo: dict[Any, tuple[int, Iterable[Step]]] = {}
        self._smemo: dict[Any, bool] = {}
        self._bmemo: dict[Any, tuple[tuple[SideState, ...], int, tuple[Any, ...], int]] = {}
        self._qcanon: dict[tuple[Any, ...], tuple[tuple[Any, ...], int]] = {}
        self._lmemo: dict[Any, tuple[frozenset[str], int]] = {}
        self._nomatch: set[Any] = set()
        self._rmemo: dict[int, tuple[list[int], dict[Any, frozenset[str]]]] = {}
        # node ids by (position, ids of the interned side states), and each id's state
        self._nids: dict[Any, int] = {}
        self._nkeys: list[tuple[int, tuple[SideState, ...]]] = []
        self.graph: dict[Any, Any] = {}
        self.record_graph = False
        self.reached: dict[str, set[Value]] = {}


    def explore(self, pos: int | None = None, states: tuple[SideState, ...] | None = None
                ) -> dict[Any, Agg]:
        """Every label reachable from here, with its count, an example and (collecting)
        the rules that give it."""
        if states is None:
            states = self.root()
            pos = 0
        assert pos is not None
        return self._explore(pos, self._canonical(states))[0]

    def _canonical(self, states: tuple[SideState, ...]) -> tuple[SideState, ...]:
        """The interned side states equal to `states` (the walk's memos know a state by
        the identity of its interned sides, which live as long as the walk)."""
        canon = self._canon
        return tuple([canon.setdefault(st, st) for st in states])

    def _explore(self, pos: int, states: tuple[SideState, ...]) -> tuple[dict[Any, Agg], int]:
        """`explore` from interned states, and the node id of the state (-1 when explored
        unrecorded). The labels under every branch are merged: counts times multiplicities,
        the first branch's example, the responsible rules of every branch together; merging
        spends, per label met again, one unit plus one per responsible rule so far (counted
        first, spent once). One frame per position: the recursion is as deep as the order."""
        key = (pos, tuple(map(id, states)))
        hit = self._memo.get(key)
        if hit is not None:
            return hit
        if _settled(states):
            res = self._leaf(pos, states)
            node: tuple[Any, ...] = ("leaf", pos, states, res)
        else:
            res = {}
            kids = []
            fact = self.order[pos]
            collect = self._collect
            record = self.record_graph
            units = 0
            for values, mult, kvals in self.branches(pos, states):
                new, fired = self.step(pos, states, values)
                child, cid = self._explore(pos + 1, new)
                if record:
                    kids.append((values, kvals,
                                 cid if cid >= 0 else self.node_id((pos + 1, new))))
                shown = None if values.count(None) == len(values) else values
                # the sides where rules fired on this step (only they can add rules)
                who = []
                if collect:
                    for i, f in enumerate(fired):
                        if f:
                            who.append((i, f, self._gives(f)))
                for lab, agg in child.items():
                    extra = agg.extra
                    if who:
                        more = list(extra)
                        for i, f, gives in who:
                            got = gives.get(lab[i])
                            if got is None:
                                got = gives[lab[i]] = self._responsible(i, lab[i], f)
                            if got:
                                more[i] = more[i] | got
                        extra = tuple(more)
                    cur = res.get(lab)
                    if cur is None:
                        ex = (Example((fact, shown), agg.example) if shown is not None
                              else agg.example)
                        res[lab] = Agg(agg.count * mult, ex, extra)
                    else:
                        cur.count += agg.count * mult
                        if collect:  # the rules giving an outcome are tracked when collecting
                            joined = cur.extra
                            if extra != joined:
                                cur.extra = joined = _join(joined, extra)
                            units += 1 + sum(map(len, joined))
            if units:
                self.meter.spend(units)
            node = ("split", pos, tuple(kids))
        nid = -1
        if self.record_graph:
            nid = self._node(key, pos, states)
            self.graph[nid] = node
        out = self._memo[key] = (res, nid)
        return out

    def find(self, pred: Any, pos: int | None = None,
             states: tuple[SideState, ...] | None = None) -> tuple[Any, Agg] | None:
        """The first label (with an example) for which `pred(label)` holds, stopping as
        soon as one is found; None if there is none. A search from the root forgets what
        an earlier search did not match; a search from given states keeps it (call
        `forget` between searches with different predicates)."""
        if states is None:  # a new search: what did not match before may match now
            states = self.root()
            pos = 0
            self._nomatch = set()
        assert pos is not None
        return self._find(pred, pos, self._canonical(states))

    def _find(self, pred: Any, pos: int, states: tuple[SideState, ...]
              ) -> tuple[Any, Agg] | None:
        """`find` from interned states."""
        key = (pos, tuple(map(id, states)))
        if key in self._nomatch:
            return None
        hit = self._memo.get(key)
        if hit is not None:
            for lab, agg in hit[0].items():
                if pred(lab):
                    return lab, agg
            self._nomatch.add(key)
            return None
        if all(self._done(st) for st in states):
            for lab, agg in self._leaf(pos, states).items():
                if pred(lab):
                    return lab, agg
        else:
            fact = self.order[pos]
            for values, _, _ in self.branches(pos, states):
                new, _ = self.step(pos, states, values)
                got = self._find(pred, pos + 1, new)
                if got is not None:
                    lab, agg = got
                    shown = None if all(v is None for v in values) else values
                    ex = Example((fact, shown), agg.example) if shown is not None else agg.example
                    return lab, Agg(agg.count, ex, agg.extra)
        self._nomatch.add(key)
        return None

    def forget(self) -> None:
        """Forget which states `find` found no match under (a new predicate follows)."""
        self._nomatch = set()

    def node_id(self, key: Any) -> int:
        """A small integer for an explored state, key = (position, states) (the recorded
        graph is keyed by these)."""
        pos, states = key
        states = self._canonical(states)
        return self._node((pos, tuple(map(id, states))), pos, states)

    def _node(self, ikey: Any, pos: int, states: tuple[SideState, ...]) -> int:
        """`node_id` given interned states and their key (position, ids of the states)."""
        nid = self._nids.get(ikey)
        if nid is None:
            nid = self._nids[ikey] = len(self._nkeys)
            self._nkeys.append((pos, states))
        return nid

    def node_key(self, nid: int) -> tuple[int, tuple[SideState, ...]]:
        """The (position, states) of a node id (the inverse of `node_id`)."""
        return self._nkeys[nid]

    def _gives(self, fired: list[int]) -> dict[Any, frozenset[str]]:
        """What the rules of one fired list give, by the side's label (filled by the merge).
        The fired lists are shared by the steps that fire them (and kept alive here), so
        this is worked out once per list and outcome."""
        hit = self._rmemo.get(id(fired))
        if hit is None or hit[0] is not fired:
            hit = self._rmemo[id(fired)] = (fired, {})
        return hit[1]

    def _responsible(self, i: int, lab: tuple[Any, ...], fired: list[int]) -> frozenset[str]:
        """The rules of `fired` (side i) that give label `lab` (its pathway or a flag)."""
        rules = self.sides[i].rs.rules
        out = set()
        for n in fired:
            r = rules[n]
            if (r.pathway is not None and r.pathway == lab[0]) or (r.flag in lab[1]):
                out.add(r.id)
        return frozenset(out)

    def _leaf(self, pos: int, states: tuple[SideState, ...]) -> dict[Any, Agg]:
        units = 1
        for st in states:
            units += len(st[6])
        self.meter.spend(units)
        q, kc = self._qintern(tuple(map(_ask_part, states)))
        count, example = self._complete(pos, q, kc)
        if count == 0:
            return {}
        lab = tuple(self.label(i, st) for i, st in enumerate(states))
        extra = tuple(self._givers(pos, states, q, kc, i, lab[i], st[6]) if st[6]
                      else frozenset() for i, st in enumerate(states))
        return {lab: Agg(count, example, extra)}

    def _givers(self, pos: int, states: tuple[SideState, ...], q: tuple[Any, ...], kc: int,
                i: int, lab: tuple[Any, ...], pas: tuple[tuple[int, int], ...]
                ) -> frozenset[str]:
        """The passengers of side i (rules that cannot change its outcome) that give it
        (its pathway or a flag) in some completion from here. Leaves with the same
        questionnaire state, outcome and passengers recur: they are answered once, and a
        repeat spends what its `sat` look-ups (all memoised by then) would."""
        key = (pos, id(q), i, lab[0], lab[1], pas)
        hit = self._lmemo.get(key)
        if hit is not None:
            if hit[1]:
                self.meter.spend(hit[1] * kc)
            return hit[0]
        rules = self.sides[i].rs.rules
        got = set()
        asked = 0
        for n, c in pas:
            r = rules[n]
            if (r.pathway is not None and r.pathway == lab[0]) or r.flag in lab[1]:
                asked += 1
                if self._sat_q(pos, states, q, kc, i, c):
                    got.add(r.id)
        out = frozenset(got)
        self._lmemo[key] = (out, asked)
        return out

    def _qintern(self, qstates: tuple[Any, ...]) -> tuple[tuple[Any, ...], int]:
        """The interned asks and stops equal to `qstates` (the questionnaire's memos know
        them by identity; interned ones live as long as the walk), and their key cost."""
        hit = self._qcanon.get(qstates)
        if hit is None:
            hit = self._qcanon[qstates] = (qstates, self._key_cost(qstates))
        return hit

    def complete(self, pos: int, qstates: tuple[Any, ...]) -> tuple[int, Iterable[Step]]:
        """How many ways the questionnaire can be finished from here, and one of them."""
        return self._complete(pos, *self._qintern(qstates))

    def _complete(self, pos: int, q: tuple[Any, ...], kc: int) -> tuple[int, Iterable[Step]]:
        """`complete` from interned asks and stops `q` (key cost `kc`)."""
        self.meter.spend(kc)
        key = (pos, id(q))
        hit = self._cmemo.get(key)
        if hit is not None:
            return hit
        if pos == len(self.order):
            res: tuple[int, Iterable[Step]] = (1, ())
        else:
            fact = self.order[pos]
            total = 0
            example: Iterable[Step] | None = None
            asked = self.asked(pos, q)
            if not any(asked):
                res = self._complete(pos + 1, *self._blank(pos, q, (None,) * len(asked))[1:])
            else:
                seen = self.reached.setdefault(fact, set())
                for k in self.classes[fact]:
                    values = tuple(k.rep if a else None for a in asked)
                    n, ex = self._complete(pos + 1, *self._blank(pos, q, values)[1:])
                    if n:
                        seen.update(k.values)
                    total += n * len(k.values)
                    if example is None and n:
                        example = Example((fact, values), ex)
                res = (total, example or ())
        self._cmemo[key] = res
        return res

    def blank_step(self, pos: int, qstates: tuple[Any, ...], values: tuple[Value | None, ...]
                   ) -> tuple[SideState, ...]:
        """One step of the questionnaire alone (states with no rule, outcome or condition
        left: the asks and stops of `qstates`), as `complete` and `sat` take it. The same
        step recurs for many conditions and completions: it is taken once, and a repeat
        spends the work units the first one did."""
        return self._blank(pos, self._qintern(qstates)[0], values)[0]

    def _blank(self, pos: int, q: tuple[Any, ...], values: tuple[Value | None, ...]
               ) -> tuple[tuple[SideState, ...], tuple[Any, ...], int]:
        """`blank_step` from interned `q`, and the new states' asks and stops (interned)
        with their key cost."""
        key = (pos, id(q), values)
        hit = self._bmemo.get(key)
        if hit is not None:
            self.meter.spend(hit[1])
            return hit[0], hit[2], hit[3]
        before = self.meter.left
        blank: tuple[SideState, ...] = tuple((*x, 0, frozenset(), (), (), ()) for x in q)
        new, _ = self.step(pos, blank, values)
        nq, nkc = self._qintern(tuple(map(_ask_part, new)))
        self._bmemo[key] = (new, before - self.meter.left, nq, nkc)
        return new, nq, nkc

    @staticmethod
    def _key_cost(qstates: tuple[Any, ...]) -> int:
        """Work of one memoised search call: four units (branching, a step, the lookups),
        plus one per 32 asks and stops its key hashes."""
        n = 0
        for q in qstates:
            n += len(q[1]) + len(q[2])
        return 4 + (n >> 5)

    def sat(self, pos: int, states: tuple[SideState, ...], i: int, cond: Cond) -> bool:
        """Whether `cond`, on side i's facts (i = -1: the joint facts, asked by any side),
        holds in some completion from here."""
        return self._sat_id(pos, states, i, self.table.intern(cond))

    def _sat_id(self, pos: int, states: tuple[SideState, ...], i: int, cid: int) -> bool:
        return self._sat_q(pos, states, *self._qintern(tuple(map(_ask_part, states))), i, cid)

    def _sat_q(self, pos: int, states: tuple[SideState, ...], q: tuple[Any, ...], kc: int,
               i: int, cid: int) -> bool:
        """`_sat_id` given the states' interned asks and stops `q` (key cost `kc`)."""
        self.meter.spend(kc)
        key = (pos, id(q), i, cid)
        hit = self._smemo.get(key)
        if hit is not None:
            return hit
        if cid < 2:
            res = cid == TRUE_ID
        elif pos == len(self.order):
            res = False
        else:
            fact = self.order[pos]
            res = False
            for values, _, _ in self.branches(pos, states):
                new, nq, nkc = self._blank(pos, q, values)
                if self._complete(pos + 1, nq, nkc)[0] == 0:
                    continue
                v = values[i] if i >= 0 else next((x for x in values if x is not None), None)
                if self._sat_q(pos + 1, new, nq, nkc, i, self.table.subst(cid, fact, v)):
                    res = True
                    break
        self._smemo[key] = res
        return res
