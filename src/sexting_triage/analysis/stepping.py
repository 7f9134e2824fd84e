"""One step of the walk: the state of each side, and how fixing one fact changes it.

A side's state holds, as `CondTable` ids, the residual `ask_when` of each question, the
residual stop rules, the best pathway so far, the flags, the rules still open (and, when
collecting which rules give the outcome, the passengers), and the tracked extra conditions.
`Walk` sets the sides up and steps them (engine.walk semantics: questions in order,
`ask_when` skips, an `ends_questionnaire` pathway stops early; a skipped fact is absent).
A step touches only the conditions that read the fact it fixes; `Space` (space.py) searches
over these steps.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sexting_triage import conditions as C
from sexting_triage.analysis.budget import Meter
from sexting_triage.analysis.facts import classes_of, merged_order
from sexting_triage.analysis.residual import TRUE_ID, CondTable, reads
from sexting_triage.conditions import Cond, Value
from sexting_triage.ruleset import RuleSet


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
        # the rules that read each fact, by number (ascending: the order of the open rules)
        self.rule_readers = _readers(
            (n, f) for n, rr in enumerate(self.rule_reads) for f in sorted(rr))
        self.stop_at: dict[int, tuple[int, ...]] = {}
        for k, (idx, _r) in enumerate(rs.stop_rules):
            self.stop_at[idx] = (*self.stop_at.get(idx, ()), k)
        self.rank = {p: n for n, p in enumerate(rs.precedence)}
        # each rule's pathway rank (None: a flag rule) and flag, by rule number
        # (-1: a pathway missing from the precedence, looked up when met, failing as before)
        self.prank: tuple[int | None, ...] = tuple(
            None if r.pathway is None else self.rank.get(r.pathway, -1) for r in rs.rules)
        self.flag_of = tuple(r.flag for r in rs.rules)
        self._ids = tuple(q.id for q in rs.questions)
        self._later: dict[int, frozenset[str]] = {}

    def later(self, qi: int) -> frozenset[str]:
        """The questions after index qi (all of them for qi = -1)."""
        hit = self._later.get(qi)
        if hit is None:
            hit = self._later[qi] = frozenset(self._ids[qi + 1:])
        return hit


def _readers(items: Iterable[tuple[int, Cond | str]]) -> dict[str, tuple[int, ...]]:
    """For each fact, the numbers of the items that read it (an item is a condition, or
    one fact it reads), in the order given."""
    out: dict[str, list[int]] = {}
    for n, c in items:
        for f in (c,) if isinstance(c, str) else reads(c):
            out.setdefault(f, []).append(n)
    return {f: tuple(ns) for f, ns in out.items()}

def _fix_rules(rules: tuple[tuple[int, int], ...], readers: tuple[int, ...], tab: CondTable,
               fact: str, value: Value | None
               ) -> tuple[tuple[tuple[int, int], ...], int, list[int]]:
    """(rule number, condition id) pairs with `fact` fixed to `value` in the conditions of
    the rules that read it (`readers`, ascending): the new pairs (the same tuple when none
    changed), the work units spent, and where a condition became true or false on this
    step (ascending positions). The pairs are in rule order, so each reader is found by
    bisection: a step costs the few rules that read its fact, not every open rule."""
    out: list[tuple[int, int]] | None = None
    cost = 0
    settled: list[int] = []
    size = len(rules)
    k = 0
    for n in readers:
        k = bisect_left(rules, (n,), k, size)  # (n,) sorts just before every (n, c)
        if k == size:
            break
        if rules[k][0] != n:
            continue
        cost += 2
        c = rules[k][1]
        c2 = tab.subst(c, fact, value)
        if c2 != c:
            if out is None:
                out = list(rules)
            out[k] = (n, c2)
            if c2 < 2:
                settled.append(k)
    return (rules if out is None else tuple(out)), cost, settled


def _without(pairs: tuple[tuple[int, int], ...], at: list[int]) -> list[tuple[int, int]]:
    """The pairs but those at positions `at` (ascending)."""
    out = list(pairs)
    for k in reversed(at):
        del out[k]
    return out


class Walk:
    """The sides walked together over the merged order of their facts, one step at a time."""

    def __init__(self, sides: Sequence[Side], pivot: str | None = None,
                 pivot_pairs: Sequence[tuple[tuple[Value, ...], tuple[Value, ...]]] | None = None,
                 extra_conds: Iterable[Cond] = (), meter: Meter | None = None,
                 table: CondTable | None = None):
        self.sides = list(sides)
        self.pivot = pivot
        self.order = merged_order([s.rs for s in self.sides])
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
        self.fired_ever: list[set[int]] = [set() for _ in self.sides]
        self._collect = any(s.collect for s in self.sides)
        # one side's step: (side, id of the state, position, value) -> (new state, rules
        # fired, units, the state); and every state a step made, interned
        self._amemo: dict[Any, tuple[SideState, list[int], int, SideState]] = {}
        self._canon: dict[SideState, SideState] = {}
        # the branches at a position for each pattern of which sides ask its fact (shared)
        self._brmemo: dict[Any, list[tuple[tuple[Value | None, ...], int,
                                           tuple[Value, ...] | None]]] = {}
        # each side's question index of the fact at each position (None: not its question)
        self._qat = tuple(tuple(ix.qidx.get(f) for ix in self._ix) for f in self.order)


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
            states.append(self._canon.setdefault(st, st))
        return tuple(states)

    def intern(self, cond: Cond) -> int:
        return self.table.intern(cond)

    # ------------------------------------------------------------------ one side, one fact

    def _settle(self, i: int, st: SideState, fired: list[int]) -> tuple[SideState, list[int]]:
        """Fire rules whose residual became true, drop false ones, drop rules that can no
        longer change the outcome (kept as passengers when collecting)."""
        if not self.sides[i].outcome:
            return st, fired
        at = [k for k, x in enumerate(st[5]) if x[1] < 2]
        pat = [k for k, x in enumerate(st[6]) if x[1] < 2]
        if not at and not pat:
            return st, fired
        return self._settle_at(i, st, at, pat, fired), fired

    def _settle_at(self, i: int, st: SideState, at: list[int], pat: list[int],
                   fired: list[int]) -> SideState:
        """`_settle` given where the settled conditions are: the positions `at` of the open
        rules and `pat` of the passengers (ascending; a step knows which conditions it
        settled, and a state at rest holds none)."""
        stopped, asks, stops, best, flags, open_, pas, conds = st
        side = self.sides[i]
        if not side.outcome:
            return st
        ix = self._ix[i]
        prank = ix.prank
        flag_of = ix.flag_of
        best0, flags0 = best, flags
        for k in at:
            n, c = open_[k]
            if c == TRUE_ID:
                fired.append(n)
                rk = prank[n]
                if rk is not None:
                    best = min(best, rk if rk >= 0 else self._rank(i, n))
                else:
                    fl = flag_of[n]
                    if fl is not None:
                        flags = flags | {fl}
        for k in pat:
            n, c = pas[k]
            if c == TRUE_ID:
                fired.append(n)
        keep = _without(open_, at) if at else open_
        if best == best0 and flags == flags0:  # nothing to drop: the outcome is as it was
            return (stopped, asks, stops, best, flags, tuple(keep) if at else open_,
                    tuple(_without(pas, pat)) if pat else pas, conds)
        newpas = _without(pas, pat) if pat else list(pas)
        collect = side.collect
        still: list[tuple[int, int]] = []
        for x in keep:
            n = x[0]
            rk = prank[n]
            if rk is not None:
                if rk < 0:
                    rk = self._rank(i, n)
                if rk < best:
                    still.append(x)
                elif rk == best and collect:
                    newpas.append(x)
            elif flag_of[n] is not None:
                if flag_of[n] not in flags:
                    still.append(x)
                elif collect:
                    newpas.append(x)
        if collect:
            newpas = [x for x in newpas if (rk := prank[x[0]]) is None
                      or (rk if rk >= 0 else self._rank(i, x[0])) <= best]
        return (stopped, asks, stops, best, flags, tuple(still), tuple(sorted(newpas)),
                conds)

    def _rank(self, i: int, n: int) -> int:
        """Rule n's pathway rank, looked up (a pathway missing from the precedence fails)."""
        return self._ix[i].rank[str(self.sides[i].rs.rules[n].pathway)]

    def _assign(self, i: int, st: SideState, fact: str, value: Value | None,
                fired: list[int]) -> tuple[SideState, int]:
        """Side i's state with `fact` fixed to `value`, and the units spent on the step
        itself (a new substitution also spends, once, in the table)."""
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
        rr = ix.rule_readers.get(fact)
        at: list[int] = []  # where a rule's condition became true or false
        pat: list[int] = []
        if rr and open_:
            open_, spent, at = _fix_rules(open_, rr, tab, fact, value)
            cost += spent
        if rr and pas:
            pas, spent, pat = _fix_rules(pas, rr, tab, fact, value)
            cost += spent
        cr = ix.cond_readers.get(fact) if conds else None  # blank states carry none
        if cr:
            lc = list(conds)
            for k in cr:
                lc[k] = tab.subst(lc[k], fact, value)
            conds = tuple(lc)
        cost += len(open_) + len(pas) + len(conds)
        self.meter.spend(cost)
        st = (stopped, asks, stops, best, flags, open_, pas, conds)
        if at or pat:
            st = self._settle_at(i, st, at, pat, fired)
        if qi is not None and not stopped:
            st = self._check_stops(i, st, qi, fired)
        return st, cost

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
        the class of values they stand for (None: nobody asks it). The list is shared by
        every call with the same pattern of asking sides: iterate it, do not change it."""
        asked = self.asked(pos, states)
        key = (pos, asked)
        hit = self._brmemo.get(key)
        if hit is None:
            hit = self._brmemo[key] = self._branches(pos, asked)
        return hit

    def _branches(self, pos: int, asked: tuple[bool, ...]
                  ) -> list[tuple[tuple[Value | None, ...], int, tuple[Value, ...] | None]]:
        fact = self.order[pos]
        if not any(asked):
            return [(tuple(None for _ in asked), 1, None)]
        if fact == self.pivot and self.pivot_pairs is not None:
            if not all(asked):
                return []
            return [((a[0], b[0]), len(a) * len(b), None) for a, b in self.pivot_pairs]
        return [(tuple(k.rep if a else None for a in asked), len(k.values), k.values)
                for k in self.classes[fact]]

    def asked(self, pos: int, states: Iterable[tuple[Any, ...]]) -> tuple[bool, ...]:
        """Whether each side asks fact `order[pos]` (states, or their first three fields)."""
        out = []
        for qi, st in zip(self._qat[pos], states, strict=True):
            if qi is None or st[0]:
                out.append(False)
                continue
            a = st[1][qi]
            if a is not None and a >= 2:
                raise AssertionError(
                    f"ask_when not settled: {C.to_text(self.table.conds[a])}")
            out.append(a is None or a == TRUE_ID)
        return tuple(out)

    def step(self, pos: int, states: tuple[SideState, ...], values: tuple[Value | None, ...]
             ) -> tuple[tuple[SideState, ...], list[list[int]]]:
        """Every side's state with fact `order[pos]` fixed, and the rules that fired on each
        side (shared lists: read them, do not change them). One side's step recurs under
        many joint states: it is taken once, and a repeat spends the units the step itself
        spent (its substitutions are in the table by then, and cost nothing again)."""
        fired: list[list[int]] = []
        new = []
        memo = self._amemo
        units = 0
        for i, st in enumerate(states):
            # keyed by identity: the entry keeps `st` alive, so its id is not reused while
            # the entry lasts; equal states are one object (new states are interned), and
            # an equal state made elsewhere only takes the step again, spending the same
            key = (i, id(st), pos, values[i])
            hit = memo.get(key)
            if hit is None:
                f: list[int] = []
                nst, cost = self._assign(i, st, self.order[pos], values[i], f)
                nst = self._canon.setdefault(nst, nst)
                memo[key] = hit = (nst, f, cost, st)
                if f:
                    self.fired_ever[i].update(f)
            else:
                units += hit[2]
            new.append(hit[0])
            fired.append(hit[1])
        if units:
            self.meter.spend(units)
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
