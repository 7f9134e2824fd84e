"""The reachable-situation space of one rule set, or of two walked together.

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
amount of work per memoised state: its branches rejoin at once.

Two rule sets (for `rules diff`), or one rule set twice with one fact changed (monotone
invariants, "does this question ever matter"), are walked together over the union of their
questions: a fact is in the situation when either side asks it, and each side sees only the
facts its own questionnaire asks.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sexting_triage import conditions as C
from sexting_triage.analysis.budget import Meter
from sexting_triage.conditions import Cond, Value
from sexting_triage.ruleset import RuleSet

ABSENT = None
_TRUE = C.Const(True)
_FALSE = C.Const(False)
FALSE_ID = 0
TRUE_ID = 1


@lru_cache(maxsize=200_000)
def reads(cond: Cond) -> frozenset[str]:
    return C.reads(cond)


@lru_cache(maxsize=200_000)
def subst(cond: Cond, fact: str, value: Value | None) -> Cond:
    """The condition with `fact` fixed to `value` (None: not asked), simplified."""
    if fact not in reads(cond):
        return cond
    if isinstance(cond, C.Test):
        return _TRUE if C.test_holds(cond, value) else _FALSE
    if isinstance(cond, C.Not):
        inner = subst(cond.item, fact, value)
        if isinstance(inner, C.Const):
            return _FALSE if inner.value else _TRUE
        return C.Not(inner)
    if isinstance(cond, C.And | C.Or):
        is_and = isinstance(cond, C.And)
        items: list[Cond] = []
        for item in cond.items:
            r = subst(item, fact, value)
            if isinstance(r, C.Const):
                if r.value != is_and:  # False in an and, True in an or
                    return r
                continue
            items.append(r)
        if not items:
            return _TRUE if is_and else _FALSE
        if len(items) == 1:
            return items[0]
        return C.And(tuple(items)) if is_and else C.Or(tuple(items))
    return cond


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


# ----------------------------------------------------------------------------- the space


@dataclass(frozen=True, slots=True)
class Klass:
    """Answer values of one fact that no condition tells apart."""

    values: tuple[Value, ...]

    @property
    def rep(self) -> Value:
        return self.values[0]


@dataclass
class Side:
    """One rule set's view of the joint walk, and what to track on it.

    outcome: track pathway and flags (and, with `collect`, which rules can give them).
    conds: extra conditions evaluated on this side's facts (invariants, queries)."""

    rs: RuleSet
    outcome: bool = True
    collect: bool = False
    conds: tuple[Cond, ...] = ()
    flags: bool = True


Step = tuple[str, tuple[Value | None, ...]]


class Example:
    """One example situation as (fact, values) steps, iterated in order. The walk builds
    examples backwards, one shared cell per node, instead of copying every suffix (which
    cost memory quadratic in the number of questions)."""

    __slots__ = ("item", "rest")

    def __init__(self, item: Step, rest: Iterable[Step]) -> None:
        self.item = item
        self.rest = rest

    def __iter__(self) -> Iterator[Step]:
        node: Iterable[Step] = self
        while isinstance(node, Example):
            yield node.item
            node = node.rest
        yield from node

    def __repr__(self) -> str:
        return f"Example({list(self)!r})"


@dataclass
class Agg:
    """Situations with one label: how many, one example, rules that give the outcome."""

    count: int
    example: Iterable[Step]
    extra: tuple[frozenset[str], ...] = ()


# side state: (stopped, asks, stops, best, flags, open, passengers, conds); conditions are
# CondTable ids, `asks` entries None once passed or when the question has no ask_when
SideState = tuple[bool, tuple[Any, ...], tuple[Any, ...], int, frozenset[str],
                  tuple[tuple[int, int], ...], tuple[tuple[int, int], ...], tuple[int, ...]]


class _SideIndex:
    """Per side, what reads each fact (so a step touches only those), fixed at setup."""

    def __init__(self, table: CondTable, side: Side) -> None:
        rs = side.rs
        self.qidx = {q.id: n for n, q in enumerate(rs.questions)}
        self.asks0 = tuple(None if q.ask_when is None else table.intern(q.ask_when)
                           for q in rs.questions)
        self.stops0 = tuple(table.intern(r.when) for _, r in rs.stop_rules)
        self.rules0 = tuple(table.intern(r.when) for r in rs.rules)
        self.conds0 = tuple(table.intern(c) for c in side.conds)
        self.ask_readers: dict[str, tuple[int, ...]] = _readers(
            (n, q.ask_when) for n, q in enumerate(rs.questions) if q.ask_when is not None)
        self.stop_readers = _readers((k, r.when) for k, (_, r) in enumerate(rs.stop_rules))
        self.cond_readers = _readers(enumerate(side.conds))
        self.rule_reads = tuple(r.reads | reads(r.when) for r in rs.rules)
        self.stop_at: dict[int, tuple[int, ...]] = {}
        for k, (idx, _r) in enumerate(rs.stop_rules):
            self.stop_at[idx] = (*self.stop_at.get(idx, ()), k)
        self.rank = {p: n for n, p in enumerate(rs.precedence)}
        self._ids = tuple(q.id for q in rs.questions)
        self._later: dict[int, frozenset[str]] = {}

    def later(self, qi: int) -> frozenset[str]:
        """The questions after index qi (all of them for qi = -1)."""
        hit = self._later.get(qi)
        if hit is None:
            hit = self._later[qi] = frozenset(self._ids[qi + 1:])
        return hit


def _readers(items: Iterable[tuple[int, Cond]]) -> dict[str, tuple[int, ...]]:
    out: dict[str, list[int]] = {}
    for n, c in items:
        for f in reads(c):
            out.setdefault(f, []).append(n)
    return {f: tuple(ns) for f, ns in out.items()}


class Space:
    """The joint situation space of one or more rule sets (see the module docstring)."""

    def __init__(self, sides: Sequence[Side], pivot: str | None = None,
                 pivot_pairs: Sequence[tuple[tuple[Value, ...], tuple[Value, ...]]] | None = None,
                 extra_conds: Iterable[Cond] = (), meter: Meter | None = None,
                 table: CondTable | None = None):
        self.sides = list(sides)
        self.pivot = pivot
        self.order = _merged_order([s.rs for s in self.sides])
        self.pos_of = {f: i for i, f in enumerate(self.order)}
        self.domains = self._domains()
        conds: list[Cond] = list(extra_conds)
        for s in self.sides:
            conds += [r.when for r in s.rs.rules]
            conds += [q.ask_when for q in s.rs.questions if q.ask_when is not None]
            conds += [i.when for i in s.rs.invariants if i.when is not None]
            conds += list(s.conds)
        self.classes = classes_of(self.domains, self.order, conds)
        self.pivot_pairs = pivot_pairs
        self.meter = meter if meter is not None else Meter(
            " and ".join(side.rs.path for side in self.sides))
        self.table = table if table is not None else CondTable(self.meter)
        self._ix = [_SideIndex(self.table, s) for s in self.sides]
        self._memo: dict[Any, dict[Any, Agg]] = {}
        self._cmemo: dict[Any, tuple[int, Iterable[Step]]] = {}
        self._smemo: dict[Any, bool] = {}
        self._nomatch: set[Any] = set()
        self._ids: dict[Any, int] = {}
        self.graph: dict[Any, Any] = {}
        self.record_graph = False
        self.reached: dict[str, set[Value]] = {}
        self.fired_ever: list[set[int]] = [set() for _ in self.sides]
        self._collect = any(s.collect for s in self.sides)

    # ------------------------------------------------------------------ setup

    def _domains(self) -> dict[str, tuple[Value, ...]]:
        """Each fact's answers; for a question in both rule sets, the answers both accept
        (so every example is accepted by both)."""
        from sexting_triage.errors import UsageError

        out: dict[str, tuple[Value, ...]] = {}
        for s in self.sides:
            for q in s.rs.questions:
                if q.id in out:
                    keep = set(q.domain)
                    out[q.id] = tuple(v for v in out[q.id] if v in keep)
                    if not out[q.id]:
                        raise UsageError(f"question `{q.id}` has no answer that both rule "
                                         "sets accept, so they cannot be compared")
                else:
                    out[q.id] = tuple(q.domain)
        return out

    def root(self) -> tuple[SideState, ...]:
        states = []
        for i, s in enumerate(self.sides):
            rs = s.rs
            ix = self._ix[i]
            best = len(rs.precedence)
            open_ = tuple((n, ix.rules0[n]) for n, r in enumerate(rs.rules)
                          if s.outcome and (s.flags or r.pathway is not None)
                          and (r.pathway is not None or r.flag is not None))
            st: SideState = (False, ix.asks0, ix.stops0, best, frozenset(), open_, (),
                             ix.conds0)
            st, _ = self._settle(i, st, [])
            st = self._check_stops(i, st, -1, [])
            states.append(st)
        return tuple(states)

    def intern(self, cond: Cond) -> int:
        return self.table.intern(cond)

    # ------------------------------------------------------------------ one side, one fact

    def _settle(self, i: int, st: SideState, fired: list[int]) -> tuple[SideState, list[int]]:
        """Fire rules whose residual became true, drop false ones, drop rules that can no
        longer change the outcome (kept as passengers when collecting)."""
        stopped, asks, stops, best, flags, open_, pas, conds = st
        side = self.sides[i]
        if not side.outcome:
            return st, fired
        consts = [x for x in open_ if x[1] < 2]
        pconsts = [x for x in pas if x[1] < 2] if pas else []
        if not consts and not pconsts:
            return st, fired
        rules = side.rs.rules
        rank = self._ix[i].rank
        best0, flags0 = best, flags
        for n, c in consts:
            if c == TRUE_ID:
                fired.append(n)
                r = rules[n]
                if r.pathway is not None:
                    best = min(best, rank[r.pathway])
                elif r.flag is not None:
                    flags = flags | {r.flag}
        fired.extend(n for n, c in pconsts if c == TRUE_ID)
        keep = [x for x in open_ if x[1] >= 2] if consts else list(open_)
        newpas = [x for x in pas if x[1] >= 2] if pconsts else list(pas)
        if best == best0 and flags == flags0:  # nothing to drop: the outcome is as it was
            return (stopped, asks, stops, best, flags, tuple(keep), tuple(newpas),
                    conds), fired
        still: list[tuple[int, int]] = []
        for n, c in keep:
            r = rules[n]
            if r.pathway is not None:
                rk = rank[r.pathway]
                if rk < best:
                    still.append((n, c))
                elif rk == best and side.collect:
                    newpas.append((n, c))
            elif r.flag is not None:
                if r.flag not in flags:
                    still.append((n, c))
                elif side.collect:
                    newpas.append((n, c))
        if side.collect:
            newpas = [(n, c) for n, c in newpas
                      if (rules[n].pathway is None or rank[str(rules[n].pathway)] <= best)]
        return (stopped, asks, stops, best, flags, tuple(still), tuple(sorted(newpas)),
                conds), fired

    def _assign(self, i: int, st: SideState, fact: str, value: Value | None,
                fired: list[int]) -> SideState:
        stopped, asks, stops, best, flags, open_, pas, conds = st
        ix = self._ix[i]
        tab = self.table
        qi = ix.qidx.get(fact)
        cost = 3 + (len(asks) >> 5)  # memo keys hash the asks: 1 unit per 32 entries
        if qi is not None and not stopped:
            readers = ix.ask_readers.get(fact, ())
            if readers or asks[qi] is not None:  # copy the asks only when one changes
                la = list(asks)
                la[qi] = None
                for n in readers:
                    a = la[n]
                    if n > qi and a is not None:
                        la[n] = tab.subst(a, fact, value)
                asks = tuple(la)
                cost += len(asks)
            sr = ix.stop_readers.get(fact)
            if sr:
                ls = list(stops)
                for k in sr:
                    s = ls[k]
                    if s is not None:
                        ls[k] = tab.subst(s, fact, value)
                stops = tuple(ls)
                cost += len(stops)
        rr = ix.rule_reads
        settled = False  # whether some rule's condition became true or false
        if open_:
            lo = list(open_)
            for k, (n, c) in enumerate(lo):
                if fact in rr[n]:
                    cost += 2
                    c2 = tab.subst(c, fact, value)
                    if c2 != c:
                        lo[k] = (n, c2)
                        settled = settled or c2 < 2
            open_ = tuple(lo)
        if pas:
            lp = list(pas)
            for k, (n, c) in enumerate(lp):
                if fact in rr[n]:
                    cost += 2
                    c2 = tab.subst(c, fact, value)
                    if c2 != c:
                        lp[k] = (n, c2)
                        settled = settled or c2 < 2
            pas = tuple(lp)
        cr = ix.cond_readers.get(fact) if conds else None  # blank states carry none
        if cr:
            lc = list(conds)
            for k in cr:
                lc[k] = tab.subst(lc[k], fact, value)
            conds = tuple(lc)
        self.meter.spend(cost + len(open_) + len(pas) + len(conds))
        st = (stopped, asks, stops, best, flags, open_, pas, conds)
        if settled:
            st, _ = self._settle(i, st, fired)
        if qi is not None and not stopped:
            st = self._check_stops(i, st, qi, fired)
        return st

    def _check_stops(self, i: int, st: SideState, qi: int, fired: list[int]) -> SideState:
        stopped, asks, stops, best, flags, open_, pas, conds = st
        if stopped:
            return st
        at = self._ix[i].stop_at.get(qi)
        if not at:
            return st
        for k in at:
            c = stops[k]
            if c is None:
                continue
            if c >= 2:  # cannot happen: every fact it reads is settled
                raise AssertionError(
                    f"stop rule not settled: {C.to_text(self.table.conds[c])}")
            if c == TRUE_ID:
                return self._stop(i, st, qi, fired)
        # stop rules at this index are settled: forget them
        stops = tuple(None if k in at else a for k, a in enumerate(stops))
        return (stopped, asks, stops, best, flags, open_, pas, conds)

    def _stop(self, i: int, st: SideState, qi: int, fired: list[int]) -> SideState:
        """The questionnaire ended: every later fact of this side is absent."""
        _, _, _, best, flags, open_, pas, conds = st
        rest = self._ix[i].later(qi)
        tab = self.table
        open_ = tuple((n, tab.absent(c, rest)) for n, c in open_)
        pas = tuple((n, tab.absent(c, rest)) for n, c in pas)
        conds = tuple(tab.absent(c, rest) for c in conds)
        st = (True, (), (), best, flags, open_, pas, conds)
        st, _ = self._settle(i, st, fired)
        return st

    def _asks(self, i: int, st: SideState, fact: str) -> bool:
        qi = self._ix[i].qidx.get(fact)
        if qi is None or st[0]:
            return False
        a = st[1][qi]
        if a is None:
            return True
        if a >= 2:
            raise AssertionError(f"ask_when not settled: {C.to_text(self.table.conds[a])}")
        return bool(a == TRUE_ID)

    @staticmethod
    def _done(st: SideState) -> bool:
        return not st[5] and all(c < 2 for c in st[7])

    def label(self, i: int, st: SideState) -> tuple[Any, ...]:
        rs = self.sides[i].rs
        best = st[3]
        pathway = rs.precedence[best] if best < len(rs.precedence) else None
        flags = tuple(f for f in rs.flags if f in st[4])
        return (pathway, flags, tuple(c == TRUE_ID for c in st[7]))

    # ------------------------------------------------------------------ branching

    def branches(self, pos: int, states: tuple[SideState, ...]
                 ) -> list[tuple[tuple[Value | None, ...], int, tuple[Value, ...] | None]]:
        """The ways the walk can go at fact `order[pos]`: side values, a multiplicity, and
        the class of values they stand for (None: nobody asks it)."""
        fact = self.order[pos]
        asked = [self._asks(i, st, fact) for i, st in enumerate(states)]
        if not any(asked):
            return [(tuple(None for _ in states), 1, None)]
        if fact == self.pivot and self.pivot_pairs is not None:
            if not all(asked):
                return []
            return [((a[0], b[0]), len(a) * len(b), None) for a, b in self.pivot_pairs]
        return [(tuple(k.rep if a else None for a in asked), len(k.values), k.values)
                for k in self.classes[fact]]

    def step(self, pos: int, states: tuple[SideState, ...], values: tuple[Value | None, ...]
             ) -> tuple[tuple[SideState, ...], list[list[int]]]:
        fact = self.order[pos]
        fired: list[list[int]] = []
        new = []
        for i, st in enumerate(states):
            f: list[int] = []
            new.append(self._assign(i, st, fact, values[i], f))
            fired.append(f)
            if f:
                self.fired_ever[i].update(f)
        return tuple(new), fired

    def locate(self, answers: Mapping[str, Value]) -> tuple[Any, ...]:
        """The label of one joint situation, found by stepping with its own values (the same
        steps the exploration takes with class representatives)."""
        states = self.root()
        for pos, fact in enumerate(self.order):
            asked = [self._asks(i, st, fact) for i, st in enumerate(states)]
            v = answers.get(fact) if any(asked) else None
            states, _ = self.step(pos, states, tuple(v if a else None for a in asked))
        return tuple(self.label(i, st) for i, st in enumerate(states))

    # ------------------------------------------------------------------ exploring

    def explore(self, pos: int | None = None, states: tuple[SideState, ...] | None = None
                ) -> dict[Any, Agg]:
        """Every label reachable from here, with its count, an example and (collecting)
        the rules that give it."""
        if states is None:
            states = self.root()
            pos = 0
        assert pos is not None
        key = (pos, states)
        hit = self._memo.get(key)
        if hit is not None:
            return hit
        if all(self._done(st) for st in states):
            res = self._leaf(pos, states)
            if self.record_graph:
                self.graph[self.node_id(key)] = ("leaf", pos, states, res)
        else:
            res = {}
            kids = []
            fact = self.order[pos]
            collect = self._collect
            for values, mult, kvals in self.branches(pos, states):
                new, fired = self.step(pos, states, values)
                child = self.explore(pos + 1, new)
                if self.record_graph:
                    kids.append((values, kvals, self.node_id((pos + 1, new))))
                shown = None if all(v is None for v in values) else values
                for lab, agg in child.items():
                    extra = agg.extra
                    if collect and any(fired):
                        extra = tuple(e | self._responsible(i, lab[i], fired[i])
                                      for i, e in enumerate(extra))
                    cur = res.get(lab)
                    if cur is None:
                        ex = (Example((fact, shown), agg.example) if shown is not None
                              else agg.example)
                        res[lab] = Agg(agg.count * mult, ex, extra)
                    elif collect:
                        cur.count += agg.count * mult
                        cur.extra = tuple(a | b for a, b in zip(cur.extra, extra, strict=True))
                        self.meter.spend(1 + sum(len(e) for e in cur.extra))
                    else:  # which rules give the outcome is tracked only when collecting
                        cur.count += agg.count * mult
            if self.record_graph:
                self.graph[self.node_id(key)] = ("split", pos, tuple(kids))
        self._memo[key] = res
        return res

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
        key = (pos, states)
        if key in self._nomatch:
            return None
        hit = self._memo.get(key)
        if hit is not None:
            for lab, agg in hit.items():
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
                got = self.find(pred, pos + 1, new)
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
        """A small integer for an explored state (the recorded graph is keyed by these)."""
        return self._ids.setdefault(key, len(self._ids))

    def _responsible(self, i: int, lab: tuple[Any, ...], fired: list[int]) -> frozenset[str]:
        rules = self.sides[i].rs.rules
        out = set()
        for n in fired:
            r = rules[n]
            if (r.pathway is not None and r.pathway == lab[0]) or (r.flag in lab[1]):
                out.add(r.id)
        return frozenset(out)

    def _leaf(self, pos: int, states: tuple[SideState, ...]) -> dict[Any, Agg]:
        self.meter.spend(1 + sum(len(st[6]) for st in states))
        count, example = self.complete(pos, tuple(st[:3] for st in states))
        if count == 0:
            return {}
        lab = tuple(self.label(i, st) for i, st in enumerate(states))
        extra = []
        for i, st in enumerate(states):
            got = set()
            for n, c in st[6]:
                r = self.sides[i].rs.rules[n]
                gives = (r.pathway is not None and r.pathway == lab[i][0]) or r.flag in lab[i][1]
                if gives and self._sat_id(pos, states, i, c):
                    got.add(r.id)
            extra.append(frozenset(got))
        return {lab: Agg(count, example, tuple(extra))}

    def complete(self, pos: int, qstates: tuple[Any, ...]) -> tuple[int, Iterable[Step]]:
        """How many ways the questionnaire can be finished from here, and one of them."""
        self.meter.spend(self._key_cost(qstates))
        key = (pos, qstates)
        hit = self._cmemo.get(key)
        if hit is not None:
            return hit
        if pos == len(self.order):
            res: tuple[int, Iterable[Step]] = (1, ())
        else:
            states: tuple[SideState, ...] = tuple(
                (*q, 0, frozenset(), (), (), ()) for q in qstates)
            fact = self.order[pos]
            total = 0
            example: Iterable[Step] | None = None
            asked = [self._asks(i, st, fact) for i, st in enumerate(states)]
            if not any(asked):
                new, _ = self.step(pos, states, tuple(None for _ in states))
                res = self.complete(pos + 1, tuple(st[:3] for st in new))
            else:
                seen = self.reached.setdefault(fact, set())
                for k in self.classes[fact]:
                    values = tuple(k.rep if a else None for a in asked)
                    new, _ = self.step(pos, states, values)
                    n, ex = self.complete(pos + 1, tuple(st[:3] for st in new))
                    if n:
                        seen.update(k.values)
                    total += n * len(k.values)
                    if example is None and n:
                        example = Example((fact, values), ex)
                res = (total, example or ())
        self._cmemo[key] = res
        return res

    @staticmethod
    def _key_cost(qstates: tuple[Any, ...]) -> int:
        """Work of one memoised search call: four units (branching, a step, the lookups),
        plus one per 32 asks and stops its key hashes."""
        return 4 + (sum(len(q[1]) + len(q[2]) for q in qstates) >> 5)

    def sat(self, pos: int, states: tuple[SideState, ...], i: int, cond: Cond) -> bool:
        """Whether `cond`, on side i's facts (i = -1: the joint facts, asked by any side),
        holds in some completion from here."""
        return self._sat_id(pos, states, i, self.table.intern(cond))

    def _sat_id(self, pos: int, states: tuple[SideState, ...], i: int, cid: int) -> bool:
        qstates = tuple(st[:3] for st in states)
        self.meter.spend(self._key_cost(qstates))
        key = (pos, qstates, i, cid)
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
            blank: tuple[SideState, ...] = tuple(
                (*q, 0, frozenset(), (), (), ()) for q in qstates)
            for values, _, _ in self.branches(pos, states):
                new, _ = self.step(pos, blank, values)
                if self.complete(pos + 1, tuple(st[:3] for st in new))[0] == 0:
                    continue
                v = values[i] if i >= 0 else next((x for x in values if x is not None), None)
                if self._sat_id(pos + 1, new, i, self.table.subst(cid, fact, v)):
                    res = True
                    break
        self._smemo[key] = res
        return res


def _merged_order(sets: Sequence[RuleSet]) -> list[str]:
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


def side_answers(example: Iterable[tuple[str, tuple[Value | None, ...]]], i: int
                 ) -> dict[str, Value]:
    """Side i's answers in an example from a joint walk."""
    out: dict[str, Value] = {}
    for f, vs in example:
        v = vs[i]
        if v is not None:
            out[f] = v
    return out


def joint_answers(example: Iterable[tuple[str, tuple[Value | None, ...]]]) -> dict[str, Value]:
    """The joint answers (a fact asked by either side) of an example."""
    out: dict[str, Value] = {}
    for f, vs in example:
        for v in vs:
            if v is not None:
                out[f] = v
                break
    return out


# ----------------------------------------------------------------------------- reachable


@dataclass(frozen=True)
class Reachable:
    """What can happen at all: questions asked, values given, rules fired, outcomes."""

    questions: frozenset[str]
    values: dict[str, frozenset[Value]] = field(hash=False)
    rules: frozenset[str]
    pathways: frozenset[str]
    flags: frozenset[str]
    situations: int


def reachable(rs: RuleSet) -> Reachable:
    """Exactly which questions, answer values, rules, pathways and flags a rule set can
    reach, and the number of reachable situations."""
    space = Space([Side(rs)])
    states = space.root()
    total, _ = space.complete(0, tuple(st[:3] for st in states))
    values = {f: frozenset(v) for f, v in space.reached.items() if v}
    outcomes = space.explore(0, states)
    pathways = frozenset(lab[0][0] for lab in outcomes if lab[0][0] is not None)
    flags = frozenset(f for lab in outcomes for f in lab[0][1])
    rules = firing_rules(space, states)
    return Reachable(frozenset(values), values, rules, pathways, flags, total)


def firing_rules(space: Space, states: tuple[SideState, ...], i: int = 0) -> frozenset[str]:
    """The rules of side i that fire in some reachable situation: those seen firing while
    exploring (a reachable prefix made them true), then an exact search for the rest."""
    rs = space.sides[i].rs
    seen = space.fired_ever[i]
    return frozenset(r.id for n, r in enumerate(rs.rules)
                     if n in seen or space.sat(0, states, i, r.when))
