"""The previous exact analysis (one module, before the analysis package and its speed-ups),
kept unchanged as the reference the fast analysis is tested against: the same counts,
outcomes, findings and invariants on every bundled and generated rule set."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

from sexting_triage import conditions as C
from sexting_triage.conditions import Cond, Value
from sexting_triage.errors import TriageError
from sexting_triage.ruleset import RuleSet

ABSENT = None
_TRUE = C.Const(True)
_FALSE = C.Const(False)

# Steps (one fact fixed on one branch) one analysis may take before it stops with a clear
# error. The bundled rule sets need about 5,000 for `rules check` or `rules diff`; a rule
# set whose conditions tie many far-apart questions together can need astronomically many.
DEFAULT_BUDGET = 30_000


def budget() -> int:
    """The step budget: DEFAULT_BUDGET, or SEXTING_TRIAGE_ANALYSIS_BUDGET when set."""
    import os

    raw = os.environ.get("SEXTING_TRIAGE_ANALYSIS_BUDGET", "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else DEFAULT_BUDGET


class AnalysisTooLarge(TriageError):
    """The exact analysis would take too long: say so rather than run for hours."""

    def __init__(self, names: str, limit: int):
        super().__init__(
            f"{names}: the exact analysis stopped after {limit:,} steps without finishing "
            "(the bundled rule sets need about 5,000). Its conditions tie together too many "
            "questions far apart in the order. Simplify or split them; or, to wait longer, "
            "raise the limit with SEXTING_TRIAGE_ANALYSIS_BUDGET=N.")


# ----------------------------------------------------------------------------- residuals


@cache
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


def _is_const(c: Cond) -> bool:
    return isinstance(c, C.Const)


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


@dataclass
class Agg:
    """Situations with one label: how many, one example, rules that give the outcome."""

    count: int
    example: tuple[tuple[str, tuple[Value | None, ...]], ...]
    extra: tuple[frozenset[str], ...] = ()


# side state: (stopped, asks, stops, best, flags, open, passengers, conds)
SideState = tuple[bool, tuple[Any, ...], tuple[Any, ...], int, frozenset[str],
                  tuple[tuple[int, Cond], ...], tuple[tuple[int, Cond], ...], tuple[Cond, ...]]


class Space:
    """The joint situation space of one or more rule sets (see the module docstring)."""

    def __init__(self, sides: Sequence[Side], pivot: str | None = None,
                 pivot_pairs: Sequence[tuple[tuple[Value, ...], tuple[Value, ...]]] | None = None,
                 extra_conds: Iterable[Cond] = ()):
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
        self.classes = {f: _classes(_example_order(self.domains[f]), conds, f)
                        for f in self.order}
        self.pivot_pairs = pivot_pairs
        # per side: question index by fact, stop rules by the index after which they apply
        self._qidx = [{q.id: n for n, q in enumerate(s.rs.questions)} for s in self.sides]
        self._stop_at: list[dict[int, list[int]]] = []
        for s in self.sides:
            at: dict[int, list[int]] = {}
            for k, (idx, _r) in enumerate(s.rs.stop_rules):
                at.setdefault(idx, []).append(k)
            self._stop_at.append(at)
        self._rank = [{p: n for n, p in enumerate(s.rs.precedence)} for s in self.sides]
        self._memo: dict[Any, dict[Any, Agg]] = {}
        self._cmemo: dict[Any, tuple[int, tuple[Any, ...]]] = {}
        self._smemo: dict[Any, bool] = {}
        self._nomatch: set[Any] = set()
        self._ids: dict[Any, int] = {}
        self.graph: dict[Any, Any] = {}
        self.record_graph = False
        self.reached: dict[str, set[Value]] = {}
        self._steps_left = budget()

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
            asks = tuple(q.ask_when for q in rs.questions)
            stops = tuple(r.when for _, r in rs.stop_rules)
            best = len(rs.precedence)
            open_ = tuple((n, r.when) for n, r in enumerate(rs.rules)
                          if s.outcome and (s.flags or r.pathway is not None))
            st: SideState = (False, asks, stops, best, frozenset(), open_, (), tuple(s.conds))
            st, _ = self._settle(i, st, [])
            st = self._check_stops(i, st, -1, [])
            states.append(st)
        return tuple(states)

    # ------------------------------------------------------------------ one side, one fact

    def _settle(self, i: int, st: SideState, fired: list[int]) -> tuple[SideState, list[int]]:
        """Fire rules whose residual became true, drop false ones, drop rules that can no
        longer change the outcome (kept as passengers when collecting)."""
        stopped, asks, stops, best, flags, open_, pas, conds = st
        side = self.sides[i]
        if not side.outcome:
            return st, fired
        rules = side.rs.rules
        rank = self._rank[i]
        keep: list[tuple[int, Cond]] = []
        for n, c in open_:
            if _is_const(c):
                if c.value:  # type: ignore[union-attr]
                    fired.append(n)
                    r = rules[n]
                    if r.pathway is not None:
                        best = min(best, rank[r.pathway])
                    elif r.flag is not None:
                        flags = flags | {r.flag}
                continue
            keep.append((n, c))
        newpas: list[tuple[int, Cond]] = []
        for n, c in pas:
            if _is_const(c):
                if c.value:  # type: ignore[union-attr]
                    fired.append(n)
                continue
            newpas.append((n, c))
        still: list[tuple[int, Cond]] = []
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
                      if (rules[n].pathway is None or rank[rules[n].pathway] <= best)]
        return (stopped, asks, stops, best, flags, tuple(still), tuple(sorted(newpas)),
                conds), fired

    def _assign(self, i: int, st: SideState, fact: str, value: Value | None,
                fired: list[int]) -> SideState:
        stopped, asks, stops, best, flags, open_, pas, conds = st
        qi = self._qidx[i].get(fact)
        if qi is not None and not stopped:
            asks = tuple(None if (n <= qi or a is None) else subst(a, fact, value)
                         for n, a in enumerate(asks))
            stops = tuple(None if a is None else subst(a, fact, value) for a in stops)
        open_ = tuple((n, subst(c, fact, value)) for n, c in open_)
        pas = tuple((n, subst(c, fact, value)) for n, c in pas)
        conds = tuple(subst(c, fact, value) for c in conds)
        st = (stopped, asks, stops, best, flags, open_, pas, conds)
        st, _ = self._settle(i, st, fired)
        if qi is not None and not stopped:
            st = self._check_stops(i, st, qi, fired)
        return st

    def _check_stops(self, i: int, st: SideState, qi: int, fired: list[int]) -> SideState:
        stopped, asks, stops, best, flags, open_, pas, conds = st
        if stopped:
            return st
        for k in self._stop_at[i].get(qi, ()):
            c = stops[k]
            if c is None:
                continue
            if not _is_const(c):  # cannot happen: every fact it reads is settled
                raise AssertionError(f"stop rule not settled: {C.to_text(c)}")
            if c.value:  # type: ignore[union-attr]
                return self._stop(i, st, qi, fired)
        # stop rules at this index are settled: forget them
        if self._stop_at[i].get(qi):
            stops = tuple(None if k in self._stop_at[i][qi] else a for k, a in enumerate(stops))
        return (stopped, asks, stops, best, flags, open_, pas, conds)

    def _stop(self, i: int, st: SideState, qi: int, fired: list[int]) -> SideState:
        """The questionnaire ended: every later fact of this side is absent."""
        _, _, _, best, flags, open_, pas, conds = st
        rest = [q.id for q in self.sides[i].rs.questions[qi + 1:]]
        for f in rest:
            open_ = tuple((n, subst(c, f, None)) for n, c in open_)
            pas = tuple((n, subst(c, f, None)) for n, c in pas)
            conds = tuple(subst(c, f, None) for c in conds)
        st = (True, (), (), best, flags, open_, pas, conds)
        st, _ = self._settle(i, st, fired)
        return st

    def _asks(self, i: int, st: SideState, fact: str) -> bool:
        qi = self._qidx[i].get(fact)
        if qi is None or st[0]:
            return False
        a = st[1][qi]
        if a is None:
            return True
        if not _is_const(a):
            raise AssertionError(f"ask_when not settled: {C.to_text(a)}")
        return bool(a.value)  # type: ignore[union-attr]

    @staticmethod
    def _done(st: SideState) -> bool:
        return not st[5] and all(_is_const(c) for c in st[7])

    def label(self, i: int, st: SideState) -> tuple[Any, ...]:
        rs = self.sides[i].rs
        best = st[3]
        pathway = rs.precedence[best] if best < len(rs.precedence) else None
        flags = tuple(f for f in rs.flags if f in st[4])
        return (pathway, flags, tuple(bool(c.value) for c in st[7]))  # type: ignore[union-attr]

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
        self._steps_left -= 1
        if self._steps_left < 0:
            raise AnalysisTooLarge(" and ".join(s.rs.path for s in self.sides), budget())
        fact = self.order[pos]
        fired: list[list[int]] = []
        new = []
        for i, st in enumerate(states):
            f: list[int] = []
            new.append(self._assign(i, st, fact, values[i], f))
            fired.append(f)
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
            for values, mult, kvals in self.branches(pos, states):
                new, fired = self.step(pos, states, values)
                child = self.explore(pos + 1, new)
                if self.record_graph:
                    kids.append((values, kvals, self.node_id((pos + 1, new))))
                fact = self.order[pos]
                shown = None if all(v is None for v in values) else values
                for lab, agg in child.items():
                    extra = agg.extra
                    if any(fired):
                        extra = tuple(e | self._responsible(i, lab[i], fired[i])
                                      for i, e in enumerate(extra))
                    ex = ((fact, shown), *agg.example) if shown is not None else agg.example
                    cur = res.get(lab)
                    if cur is None:
                        res[lab] = Agg(agg.count * mult, ex, extra)
                    else:
                        res[lab] = Agg(cur.count + agg.count * mult, cur.example,
                                       tuple(a | b for a, b in zip(cur.extra, extra,
                                                                   strict=True)))
            if self.record_graph:
                self.graph[self.node_id(key)] = ("split", pos, tuple(kids))
        self._memo[key] = res
        return res

    def find(self, pred: Any, pos: int | None = None,
             states: tuple[SideState, ...] | None = None) -> tuple[Any, Agg] | None:
        """The first label (with an example) for which `pred(label)` holds, stopping as
        soon as one is found; None if there is none."""
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
                    ex = ((fact, shown), *agg.example) if shown is not None else agg.example
                    return lab, Agg(agg.count, ex, agg.extra)
        self._nomatch.add(key)
        return None

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
                if gives and self.sat(pos, states, i, c):
                    got.add(r.id)
            extra.append(frozenset(got))
        return {lab: Agg(count, example, tuple(extra))}

    def complete(self, pos: int, qstates: tuple[Any, ...]) -> tuple[int, tuple[Any, ...]]:
        """How many ways the questionnaire can be finished from here, and one of them."""
        key = (pos, qstates)
        hit = self._cmemo.get(key)
        if hit is not None:
            return hit
        if pos == len(self.order):
            res: tuple[int, tuple[Any, ...]] = (1, ())
        else:
            states = tuple((*q, 0, frozenset(), (), (), ()) for q in qstates)
            fact = self.order[pos]
            total = 0
            example: tuple[Any, ...] | None = None
            asked = [self._asks(i, st, fact) for i, st in enumerate(states)]
            if not any(asked):
                new, _ = self.step(pos, states, tuple(None for _ in states))  # type: ignore[arg-type]
                res = self.complete(pos + 1, tuple(st[:3] for st in new))
            else:
                seen = self.reached.setdefault(fact, set())
                for k in self.classes[fact]:
                    values = tuple(k.rep if a else None for a in asked)
                    new, _ = self.step(pos, states, values)  # type: ignore[arg-type]
                    n, ex = self.complete(pos + 1, tuple(st[:3] for st in new))
                    if n:
                        seen.update(k.values)
                    total += n * len(k.values)
                    if example is None and n:
                        example = ((fact, values), *ex)
                res = (total, example or ())
        self._cmemo[key] = res
        return res

    def sat(self, pos: int, states: tuple[SideState, ...], i: int, cond: Cond) -> bool:
        """Whether `cond`, on side i's facts (i = -1: the joint facts, asked by any side),
        holds in some completion from here."""
        qstates = tuple(st[:3] for st in states)
        key = (pos, qstates, i, cond)
        hit = self._smemo.get(key)
        if hit is not None:
            return hit
        if _is_const(cond):
            res = bool(cond.value)  # type: ignore[union-attr]
        elif pos == len(self.order):
            res = False
        else:
            fact = self.order[pos]
            res = False
            for values, _, _ in self.branches(pos, states):
                new, _ = self.step(pos, tuple((*q, 0, frozenset(), (), (), ())
                                              for q in qstates), values)  # type: ignore[arg-type]
                if self.complete(pos + 1, tuple(st[:3] for st in new))[0] == 0:
                    continue
                v = values[i] if i >= 0 else next((x for x in values if x is not None), None)
                if self.sat(pos + 1, new, i, subst(cond, fact, v)):
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


def _classes(domain: tuple[Value, ...], conds: Iterable[Cond], fact: str) -> tuple[Klass, ...]:
    tests = sorted({(t.op, t.value) for c in conds for t in C.tests(c) if t.fact == fact},
                   key=repr)
    groups: dict[tuple[bool, ...], list[Value]] = {}
    for v in domain:
        sig = tuple(C.test_holds(C.Test(fact, op, val), v) for op, val in tests)
        groups.setdefault(sig, []).append(v)
    return tuple(Klass(tuple(vs)) for vs in groups.values())


def side_answers(example: Iterable[tuple[str, tuple[Value | None, ...]]], i: int
                 ) -> dict[str, Value]:
    """Side i's answers in an example from a joint walk."""
    return {f: vs[i] for f, vs in example if vs[i] is not None}


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
    rules = frozenset(r.id for r in rs.rules if space.sat(0, states, 0, r.when))
    return Reachable(frozenset(values), values, rules, pathways, flags, total)


# ----------------------------------------------------------------------------- rules check


@dataclass(frozen=True)
class Finding:
    """One result of `rules check`: an error or a warning, with an example when there is one."""

    level: str  # "error" | "warning"
    code: str
    subject: str
    message: str
    example: dict[str, Value] | None = None
    example_after: dict[str, Value] | None = None

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"level": self.level, "code": self.code, "subject": self.subject,
                             "message": self.message}
        if self.example is not None:
            d["example"] = self.example
        if self.example_after is not None:
            d["example_after"] = self.example_after
        return d


@dataclass(frozen=True)
class InvariantResult:
    id: str
    kind: str
    description: str
    holds: bool
    counterexample: dict[str, Value] | None = None
    counterexample_after: dict[str, Value] | None = None
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id, "kind": self.kind, "description": self.description,
                             "holds": self.holds}
        if self.detail:
            d["detail"] = self.detail
        if self.counterexample is not None:
            d["counterexample"] = self.counterexample
        if self.counterexample_after is not None:
            d["counterexample_after"] = self.counterexample_after
        return d


@dataclass(frozen=True)
class CheckReport:
    situations: int
    findings: tuple[Finding, ...]
    invariants: tuple[InvariantResult, ...]
    outcomes: dict[str, int]

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.level == "error")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.level == "warning")

    @property
    def clean(self) -> bool:
        return not self.errors and all(i.holds for i in self.invariants)


def check(rs: RuleSet) -> CheckReport:
    """Every finding of `rules check`, exact over every reachable situation."""
    findings: list[Finding] = []
    implies = [inv for inv in rs.invariants if inv.kind == "implies"]
    conds = tuple(inv.when if inv.when is not None else _TRUE for inv in implies)
    space = Space([Side(rs, conds=conds)])
    states = space.root()
    total, _ = space.complete(0, tuple(st[:3] for st in states))
    reached = {f: frozenset(v) for f, v in space.reached.items() if v}
    labels = space.explore(0, states)
    outcomes: dict[str, int] = {}
    for lab, agg in labels.items():
        key = lab[0][0] or "(no pathway)"
        outcomes[key] = outcomes.get(key, 0) + agg.count

    gaps = [(lab, agg) for lab, agg in labels.items() if lab[0][0] is None]
    if gaps:
        n = sum(a.count for _, a in gaps)
        findings.append(Finding("error", "no-pathway", "rules",
                                f"{n:,} reachable situation(s) get no pathway",
                                side_answers(gaps[0][1].example, 0)))
    for q in rs.questions:
        if q.id not in reached:
            findings.append(Finding("error", "question-unreachable", q.id,
                                    "this question is never asked in any situation"))
            continue
        missing = [v for v in q.domain if v not in reached[q.id]]
        if missing:
            shown = ", ".join(str(v) for v in missing[:8]) + (" ..." if len(missing) > 8 else "")
            findings.append(Finding("error", "value-unreachable", q.id,
                                    f"answer(s) never possible: {shown}"))
    for r in rs.rules:
        if not space.sat(0, states, 0, r.when):
            findings.append(Finding("error", "rule-never-fires", r.id,
                                    f"this rule never fires (when {r.when_text})"))
    got_p = {lab[0][0] for lab in labels}
    for p in rs.precedence:
        if p not in got_p:
            findings.append(Finding("error", "pathway-unreachable", p,
                                    "no situation is given this pathway"))
    got_f = {f for lab in labels for f in lab[0][1]}
    for f in rs.flags:
        if f not in got_f:
            findings.append(Finding("warning", "flag-never-raised", f,
                                    "no situation raises this flag"))
    for q in rs.questions:
        if q.id in reached and not influential(rs, q.id):
            findings.append(Finding(
                "warning", "question-never-matters", q.id,
                "its answer never changes the pathway or the flags in any situation: "
                "a detail is collected that changes nothing"))
    cited = {c.source for r in rs.rules for c in r.cite}
    for key in rs.sources:
        if key not in cited:
            findings.append(Finding("warning", "source-never-cited", key,
                                    "no rule cites this source"))

    results: list[InvariantResult] = []
    for n, inv in enumerate(implies):
        bad = None
        for lab, agg in labels.items():
            pathway, flags, cvals = lab[0]
            if not cvals[n] or pathway is None:
                continue
            if (inv.pathways and pathway not in inv.pathways) or \
                    not set(inv.flags_include) <= set(flags):
                bad = (lab, agg)
                break
        if bad is None:
            results.append(InvariantResult(inv.id, inv.kind, inv.description, True))
        else:
            (pathway, flags, _), = bad[0]
            results.append(InvariantResult(
                inv.id, inv.kind, inv.description, False, side_answers(bad[1].example, 0),
                detail=f"gives {pathway}" + (f" with flags {', '.join(flags)}" if flags
                                             else " with no flags")))
    for inv in rs.invariants:
        if inv.kind == "monotone":
            results.append(_monotone(rs, inv))
    order = {inv.id: n for n, inv in enumerate(rs.invariants)}
    results.sort(key=lambda r: order[r.id])
    return CheckReport(total, tuple(findings), tuple(results), outcomes)


def _pairs_space(rs: RuleSet, fact: str, pairs: Sequence[tuple[tuple[Value, ...],
                                                               tuple[Value, ...]]],
                 flags: bool = True) -> Space:
    return Space([Side(rs, flags=flags), Side(rs, flags=flags)], pivot=fact, pivot_pairs=pairs)


def _monotone(rs: RuleSet, inv: Any) -> InvariantResult:
    """Changing a fact from `from` to `to` never lowers the pathway (see docs/policy-staff.md
    for what happens to the questions that change is asked)."""
    rank = {p: n for n, p in enumerate(rs.precedence)}
    for fact in inv.facts:
        q = rs.question(fact)
        try:
            a = __import__("sexting_triage.engine", fromlist=["normalize"]).normalize(q, inv.from_)
            b = __import__("sexting_triage.engine", fromlist=["normalize"]).normalize(q, inv.to)
        except ValueError as exc:
            return InvariantResult(inv.id, inv.kind, inv.description, False,
                                   detail=f"{fact}: {exc}")
        space = _pairs_space(rs, fact, [((a,), (b,))], flags=False)
        found = space.find(lambda lab: lab[0][0] is not None and lab[1][0] is not None
                           and rank[lab[1][0]] > rank[lab[0][0]])
        if found is not None:
            lab, agg = found
            pa, pb = lab[0][0], lab[1][0]
            if True:
                return InvariantResult(
                    inv.id, inv.kind, inv.description, False, side_answers(agg.example, 0),
                    side_answers(agg.example, 1),
                    detail=f"changing {fact} from {a} to {b} lowers {pa} to {pb}")
    return InvariantResult(inv.id, inv.kind, inv.description, True)


def influential(rs: RuleSet, fact: str) -> bool:
    """Whether changing this answer alone (questions it gates may then be asked or not)
    changes the pathway or the flags in some situation."""
    probe = Space([Side(rs)])
    ks = probe.classes[fact]
    pairs = [(a.values, b.values) for x, a in enumerate(ks) for b in ks[x + 1:]]
    if not pairs:
        return False
    space = _pairs_space(rs, fact, pairs)
    return space.find(lambda lab: lab[0][:2] != lab[1][:2]) is not None
