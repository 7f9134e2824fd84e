"""What changes between two rule sets: structurally, and exactly in behaviour.

Structural: metadata, sources, questions, rules, pathways, flags, precedence, invariants.
Behavioural: both rule sets are walked together over every situation (the answers to the
union of their questions; a fact is present when either questionnaire asks it, and each rule
set sees only what its own questionnaire asks). Situations are grouped by pathway transition
and by flag change; each group gets its exact count, a `when` condition in the rule-set
language that holds for exactly the situations in the group, one example that `run` accepts
for both editions, and the rules that give the outcome on each side.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sexting_triage import conditions as C
from sexting_triage import engine
from sexting_triage.analysis import Side, Space, joint_answers
from sexting_triage.conditions import Cond, Value
from sexting_triage.ruleset import RuleSet

DIFF_SCHEMA = "sexting-triage/diff/1"
NONE = "(no pathway)"
BOTTOM = "\x00absent"  # a fact not asked (inside literal sets only)


# ----------------------------------------------------------------------------- structural


def _change(old: Any, new: Any) -> dict[str, Any] | None:
    return None if old == new else {"old": old, "new": new}


def _fields(pairs: Iterable[tuple[str, Any, Any]]) -> dict[str, Any]:
    out = {}
    for name, a, b in pairs:
        c = _change(a, b)
        if c is not None:
            out[name] = c
    return out


def _keyed(old: dict[str, Any], new: dict[str, Any], describe: Callable[[Any], Any],
           compare: Callable[[Any, Any], dict[str, Any]]) -> dict[str, Any]:
    added = [describe(new[k]) for k in new if k not in old]
    removed = [describe(old[k]) for k in old if k not in new]
    changed = []
    for k in old:
        if k in new:
            d = compare(old[k], new[k])
            if d:
                changed.append({"id": k, **d})
    return {"added": added, "removed": removed, "changed": changed}


def _cond_text(c: Cond | None) -> str | None:
    return None if c is None else C.to_text(c)


def _acts(actions: Sequence[Any]) -> list[str]:
    """Actions as comparable text: the words, when they are due, and where they apply."""
    return [a.text + (f" [{a.when}]" if a.when != "next" else "")
            + (f" (if {a.if_text})" if a.if_text else "") for a in actions]


def _list_change(a: Sequence[Any], b: Sequence[Any]) -> dict[str, Any] | None:
    if list(a) == list(b):
        return None
    return {"added": [x for x in b if x not in a], "removed": [x for x in a if x not in b],
            **({"reordered": True} if set(map(str, a)) == set(map(str, b)) else {})}


def structural(old: RuleSet, new: RuleSet) -> dict[str, Any]:
    """Every structural change, as data (empty lists and dicts when nothing changed)."""
    meta = _fields((k, getattr(old, k), getattr(new, k))
                   for k in ("id", "version", "title", "status", "summary"))
    sources = _keyed(
        old.sources, new.sources,
        lambda s: {"key": s.key, "title": s.title, "date": s.date},
        lambda a, b: _fields((k, getattr(a, k), getattr(b, k))
                             for k in ("title", "date", "publisher", "url", "note")))

    def q_desc(q: Any) -> dict[str, Any]:
        return {"id": q.id, "text": q.text, "ask_when": q.ask_when_text}

    def q_cmp(a: Any, b: Any) -> dict[str, Any]:
        d = _fields([("text", a.text, b.text), ("help", a.help, b.help),
                     ("type", a.type, b.type),
                     ("ask_when", _cond_text(a.ask_when), _cond_text(b.ask_when))])
        dom = _list_change(list(a.domain), list(b.domain))
        if dom is not None:
            d["domain"] = dom
        return d

    questions = _keyed({q.id: q for q in old.questions}, {q.id: q for q in new.questions},
                       q_desc, q_cmp)
    oq = [q.id for q in old.questions if q.id in new.question_index]
    nq = [q.id for q in new.questions if q.id in old.question_index]
    questions["order_changed"] = oq != nq

    def r_desc(r: Any) -> dict[str, Any]:
        return {"id": r.id, "when": r.when_text, "effect": r.effect}

    def r_cmp(a: Any, b: Any) -> dict[str, Any]:
        return _fields([
            ("when", C.to_text(a.when), C.to_text(b.when)), ("effect", a.effect, b.effect),
            ("reason", a.reason, b.reason), ("actions", _acts(a.actions), _acts(b.actions)),
            ("cite", [c.as_dict() for c in a.cite], [c.as_dict() for c in b.cite])])

    rules = _keyed({r.id: r for r in old.rules}, {r.id: r for r in new.rules}, r_desc, r_cmp)

    def p_cmp(a: Any, b: Any) -> dict[str, Any]:
        d = _fields([("title", a.title, b.title), ("summary", a.summary, b.summary),
                     ("ends_questionnaire", a.ends_questionnaire, b.ends_questionnaire)])
        act = _list_change(_acts(a.actions), _acts(b.actions))
        if act is not None:
            d["actions"] = act
        return d

    pathways = _keyed(old.pathways, new.pathways, lambda p: {"id": p.id, "title": p.title},
                      p_cmp)

    def f_cmp(a: Any, b: Any) -> dict[str, Any]:
        d = _fields([("title", a.title, b.title), ("summary", a.summary, b.summary),
                     ("urgent", a.urgent, b.urgent)])
        act = _list_change(_acts(a.actions), _acts(b.actions))
        if act is not None:
            d["actions"] = act
        return d

    flags = _keyed(old.flags, new.flags, lambda f: {"id": f.id, "title": f.title}, f_cmp)

    def i_cmp(a: Any, b: Any) -> dict[str, Any]:
        return _fields([("kind", a.kind, b.kind), ("description", a.description, b.description),
                        ("when", _cond_text(a.when), _cond_text(b.when)),
                        ("pathways", list(a.pathways), list(b.pathways)),
                        ("flags_include", list(a.flags_include), list(b.flags_include)),
                        ("facts", list(a.facts), list(b.facts)),
                        ("from", a.from_, b.from_), ("to", a.to, b.to)])

    invariants = _keyed({i.id: i for i in old.invariants}, {i.id: i for i in new.invariants},
                        lambda i: {"id": i.id, "kind": i.kind, "description": i.description},
                        i_cmp)
    return {
        "metadata": meta,
        "sources": sources,
        "questions": questions,
        "rules": rules,
        "pathways": pathways,
        "precedence": _change(list(old.precedence), list(new.precedence)),
        "flags": flags,
        "invariants": invariants,
    }


def structurally_identical(s: dict[str, Any]) -> bool:
    """True when nothing but the id/version/title/status/summary metadata... is the same:
    i.e. every section is empty (metadata included)."""
    if s["metadata"] or s["precedence"] or s["questions"]["order_changed"]:
        return False
    return all(not s[k][part] for k in ("sources", "questions", "rules", "pathways", "flags",
                                        "invariants")
               for part in ("added", "removed", "changed"))


# ----------------------------------------------------------------------------- behavioural


@dataclass
class Group:
    """Situations that change in the same way."""

    kind: str  # "pathway" | "flag"
    old: str  # pathway id, or for a flag group the flag id
    new: str  # pathway id, or "added" / "removed"
    count: int = 0
    when: str = ""
    example: dict[str, Value] = field(default_factory=dict)
    rules_old: list[str] = field(default_factory=list)
    rules_new: list[str] = field(default_factory=list)
    member: Callable[[Any], bool] = field(default=lambda lab: False, repr=False)

    def as_dict(self) -> dict[str, Any]:
        if self.kind == "pathway":
            head: dict[str, Any] = {"from": self.old, "to": self.new}
        else:
            head = {"flag": self.old, "change": self.new}
        return {**head, "count": self.count, "when": self.when, "example": self.example,
                "rules_old": self.rules_old, "rules_new": self.rules_new}


@dataclass
class Behaviour:
    total: int
    changed: int
    transitions: list[Group]
    flag_changes: list[Group]


def _pathway(lab: Any) -> str:
    return lab[0] if lab[0] is not None else NONE


def behavioural(old: RuleSet, new: RuleSet, simplify: bool = True) -> Behaviour:
    """Exact counts, conditions, examples and responsible rules for every change."""
    space = Space([Side(old, collect=True), Side(new, collect=True)])
    space.record_graph = True
    states = space.root()
    labels = space.explore(0, states)
    total = sum(a.count for a in labels.values())
    changed = sum(a.count for lab, a in labels.items() if lab[0][:2] != lab[1][:2])

    transitions: dict[tuple[str, str], Group] = {}
    flag_groups: dict[tuple[str, str], Group] = {}
    flag_order = list(dict.fromkeys([*old.flags, *new.flags]))
    for lab, agg in labels.items():
        a, b = lab
        pa, pb = _pathway(a), _pathway(b)
        if pa != pb:
            g = transitions.get((pa, pb))
            if g is None:
                g = transitions[(pa, pb)] = Group(
                    "pathway", pa, pb, example=joint_answers(agg.example),
                    member=lambda lab, pa=pa, pb=pb: (_pathway(lab[0]), _pathway(lab[1])) == (
                        pa, pb))
            g.count += agg.count
            g.rules_old = sorted(set(g.rules_old) | {r for r in agg.extra[0]
                                                     if _gives(old, r, pa)})
            g.rules_new = sorted(set(g.rules_new) | {r for r in agg.extra[1]
                                                     if _gives(new, r, pb)})
        for f in flag_order:
            ina, inb = f in a[1], f in b[1]
            if ina == inb:
                continue
            change = "added" if inb else "removed"
            g = flag_groups.get((f, change))
            if g is None:
                g = flag_groups[(f, change)] = Group(
                    "flag", f, change, example=joint_answers(agg.example),
                    member=lambda lab, f=f, inb=inb: (f in lab[0][1]) != inb and (
                        f in lab[1][1]) == inb)
            g.count += agg.count
            if inb:
                g.rules_new = sorted(set(g.rules_new) | {r for r in agg.extra[1]
                                                         if _gives(new, r, f)})
            else:
                g.rules_old = sorted(set(g.rules_old) | {r for r in agg.extra[0]
                                                         if _gives(old, r, f)})
    rank = {p: n for n, p in enumerate(new.precedence)}
    trans = sorted(transitions.values(), key=lambda g: (-g.count, rank.get(g.new, 99), g.old))
    flags = sorted(flag_groups.values(),
                   key=lambda g: (flag_order.index(g.old), g.new != "added"))
    for g in [*trans, *flags]:
        g.when = when_condition(space, states, g.member, simplify)
    return Behaviour(total, changed, trans, flags)


def _gives(rs: RuleSet, rule_id: str, effect: str) -> bool:
    for r in rs.rules:
        if r.id == rule_id:
            return r.effect == effect
    return False


# ----------------------------------------------------------------------------- conditions


Lit = frozenset  # values of one fact (BOTTOM: not asked)
Cube = dict[str, frozenset[Any]]


class _Builder:
    """Turns the explored graph into an exact, readable condition for one group."""

    def __init__(self, space: Space, states: Any, member: Callable[[Any], bool]):
        self.space = space
        self.root = space.node_id((0, states))
        self.member = member
        self.nodes: dict[Any, Any] = {}
        self.red: dict[Any, Any] = {}
        self.hit_memo: dict[Any, bool] = {}
        self.suffix_ids: dict[Any, int] = {}
        self.suffix_cond: dict[int, Cond] = {}

    # -- reduced diagram: ("T",) / ("F",) / (fact, ((values, child), ...))

    def reduce(self, key: Any) -> Any:
        hit = self.red.get(key)
        if hit is not None:
            return hit
        g = self.space.graph[key]
        if g[0] == "leaf":
            labs = g[3]
            res: Any = ("T",) if any(self.member(lab) for lab in labs) else ("F",)
        else:
            fact = self.space.order[g[1]]
            by_child: dict[Any, set[Any]] = {}
            for _values, kvals, child in g[2]:
                r = self.reduce(child)
                by_child.setdefault(r, set()).update(kvals if kvals is not None else (BOTTOM,))
            if len(by_child) == 1:
                res = next(iter(by_child))
            else:
                res = (fact, tuple(sorted(((frozenset(v), c) for c, v in by_child.items()),
                                          key=repr)))
            res = self.nodes.setdefault(res, res)
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

        `tag` names pred: answers are shared between calls per (node, tag, the part of the
        cube about facts at or after the node)."""
        sp = self.space
        items = sorted(cube.items(), key=lambda kv: sp.pos_of[kv[0]])
        memo = self.hit_memo
        n_order = len(sp.order)
        # for each position: the index of the first literal at or after it, and an id for
        # that suffix of the cube (so memo keys stay small)
        start_at = [0] * (n_order + 1)
        k = 0
        for pos in range(n_order + 1):
            while k < len(items) and sp.pos_of[items[k][0]] < pos:
                k += 1
            start_at[pos] = k
        ids = self.suffix_ids
        suffix = [ids.setdefault((tag, tuple(items[j:])), len(ids))
                  for j in range(len(items) + 1)]

        def go(key: int) -> bool:
            g = sp.graph[key]
            pos = g[1]
            start = start_at[pos]
            mkey = (key, suffix[start])
            hit = memo.get(mkey)
            if hit is not None:
                return hit
            if g[0] == "leaf":
                res = any(pred(lab) for lab in g[3])
                if res and start < len(items):
                    sid = suffix[start]
                    cond = self.suffix_cond.get(sid)
                    if cond is None:
                        cond = self.suffix_cond[sid] = cube_cond(dict(items[start:]),
                                                                 sp.domains)
                    res = sp.sat(pos, g[2], -1, cond)
            else:
                lit = cube.get(sp.order[pos])
                res = False
                for _values, kvals, child in g[2]:
                    if lit is not None:
                        if kvals is None:
                            if BOTTOM not in lit:
                                continue
                        elif lit.isdisjoint(kvals):
                            continue
                    if go(child):
                        res = True
                        break
            memo[mkey] = res
            return res

        return go(self.root)

    def safe(self, cube: Cube) -> bool:
        return not self.hits(cube, lambda lab: not self.member(lab), "outside")


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


def _merge(cubes: list[Cube]) -> list[Cube]:
    """Exact two-level simplification: drop cubes inside others, join cubes that differ in
    one fact only (repeat until nothing changes)."""
    cur: list[Cube] = []
    for c in cubes:
        if c not in cur:
            cur.append(dict(c))
    changed = True
    while changed:
        changed = False
        cur = _drop_subsumed(cur)
        for f in sorted({g for c in cur for g in c}):
            groups: dict[frozenset[Any], list[Cube]] = {}
            for c in cur:
                key = frozenset((g, v) for g, v in c.items() if g != f)
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


def _subset(a: Cube, b: Cube) -> bool:
    return all(f in a and a[f] <= b[f] for f in b)


def _drop_subsumed(cubes: list[Cube]) -> list[Cube]:
    out: list[Cube] = []
    for i, c in enumerate(cubes):
        if any(j != i and _subset(c, d) and (not _subset(d, c) or j < i)
               for j, d in enumerate(cubes)):
            continue
        out.append(c)
    return out


def _full(fact: str, vals: frozenset[Any], domains: dict[str, tuple[Value, ...]]) -> bool:
    return set(domains[fact]) | {BOTTOM} <= vals


def when_condition(space: Space, states: Any, member: Callable[[Any], bool],
                   simplify: bool = True) -> str:
    """A condition that holds for exactly the reachable situations whose label is a member."""
    b = _Builder(space, states, member)
    top = b.reduce(b.root)
    if top == ("T",):
        return "true"
    if top == ("F",):
        return "false"
    try:
        cubes = b.cubes(top)
    except OverflowError:
        return _diagram_text(top, space.domains)
    cubes = _merge(cubes)
    if simplify and len(cubes) <= 60:
        cubes = _widen(b, cubes, space)
    return _render(cubes, space)


def _widen(b: _Builder, cubes: list[Cube], space: Space) -> list[Cube]:
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
                    hull = {f: v for f, v in hull.items() if not _full(f, v, space.domains)}
                    if b.safe(hull):
                        cubes = [x for n, x in enumerate(cubes) if n not in (i, j)] + [hull]
                        changed = True
                        break
                if changed:
                    break
        return cubes

    out: list[Cube] = []
    for cube in sorted(cubes, key=len):
        if any(_subset(cube, w) for w in out):
            continue
        cube = dict(cube)
        for f in sorted(cube, key=lambda f: -order[f]):
            if BOTTOM not in cube[f]:
                trial = {**cube, f: cube[f] | {BOTTOM}}
                if _full(f, trial[f], space.domains):
                    trial.pop(f)
                if b.safe(trial):
                    cube = trial
        out.append(drop(cube))
    out = _merge(_expand(b, _merge(out)))
    out = _merge([drop(shorter(c)) for c in absorb(out)])
    return _merge([drop(shorter(c)) for c in absorb(out)])


def _expand(b: _Builder, cubes: list[Cube]) -> list[Cube]:
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


def _render(cubes: list[Cube], space: Space) -> str:
    cond = _factor([{f: lit_cond(f, v, space.domains[f]) for f, v in c.items()}
                    for c in cubes], space.pos_of)
    return C.to_text(cond)


def _flat(kind: type, items: Sequence[Cond]) -> Cond:
    out: list[Cond] = []
    for i in items:
        if isinstance(i, kind):
            out.extend(i.items)  # type: ignore[attr-defined]
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
    cubes = [{f: c for f, c in cube.items() if c != C.Const(True)} for cube in cubes]
    if not cubes:
        return C.Const(False)
    if any(not c for c in cubes):
        return C.Const(True)
    if len(cubes) == 1:
        c = cubes[0]
        return _flat(C.And, [c[f] for f in sorted(c, key=order.get)])
    first = cubes[0]
    common = [f for f in first if all(c.get(f) == first[f] for c in cubes[1:])]
    if common:
        rest = [{f: v for f, v in c.items() if f not in common} for c in cubes]
        lits = [first[f] for f in sorted(common, key=order.get)]
        return _flat(C.And, [*lits, _factor(rest, order)])
    # independent groups of facts whose cubes combine freely
    facts = sorted({f for c in cubes for f in c}, key=order.get)
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
        for p in projections:
            total *= len(p)
        if total == len(unique):
            return _flat(C.And, [_factor(p, order) for p in projections])
    # a product of an earlier and a later block of questions
    unique = []
    for c in cubes:
        if c not in unique:
            unique.append(c)
    cut_points = sorted({order[f] for c in unique for f in c})
    for k in cut_points[1:]:
        early: list[dict[str, Cond]] = []
        late: list[dict[str, Cond]] = []
        for c in unique:
            e = {f: v for f, v in c.items() if order[f] < k}
            la = {f: v for f, v in c.items() if order[f] >= k}
            if e not in early:
                early.append(e)
            if la not in late:
                late.append(la)
        if len(early) > 1 and len(late) > 1 and len(early) * len(late) == len(unique):
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


def _diagram_text(node: Any, domains: dict[str, tuple[Value, ...]]) -> str:
    """Fallback for very large groups: the decision diagram as nested conditions (exact)."""
    memo: dict[int, Cond] = {}

    def go(n: Any) -> Cond:
        if n[0] in ("T", "F"):
            return C.Const(n[0] == "T")
        if id(n) in memo:
            return memo[id(n)]
        fact, kids = n
        alts = []
        for vals, child in kids:
            sub = go(child)
            if isinstance(sub, C.Const) and not sub.value:
                continue
            lit = lit_cond(fact, vals, domains[fact])
            alts.append(lit if isinstance(sub, C.Const) else C.And((lit, sub)))
        res: Cond = C.Const(False) if not alts else alts[0] if len(alts) == 1 else C.Or(
            tuple(alts))
        memo[id(n)] = res
        return res

    return C.to_text(go(node))


# ----------------------------------------------------------------------------- together


@dataclass
class DiffReport:
    old: RuleSet
    new: RuleSet
    structural: dict[str, Any]
    behaviour: Behaviour
    scenarios: list[dict[str, Any]] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return (structurally_identical(self.structural) and self.behaviour.changed == 0
                and not any(s["changed"] for s in self.scenarios))

    def as_dict(self) -> dict[str, Any]:
        return {
            "schema": DIFF_SCHEMA,
            "old": self.old.provenance() | {"title": self.old.title},
            "new": self.new.provenance() | {"title": self.new.title},
            "identical": self.identical,
            "structural": self.structural,
            "transitions": [g.as_dict() for g in self.behaviour.transitions],
            "flag_changes": [g.as_dict() for g in self.behaviour.flag_changes],
            "situations_total": self.behaviour.total,
            "situations_changed": self.behaviour.changed,
            "scenarios": self.scenarios,
        }


def diff(old: RuleSet, new: RuleSet, scenario_paths: Sequence[Any] = ()) -> DiffReport:
    report = DiffReport(old, new, structural(old, new), behavioural(old, new))
    if scenario_paths:
        report.scenarios = scenario_impact(old, new, scenario_paths)
    return report


def possible_outcomes(rs: RuleSet, answers: dict[str, Any]) -> list[dict[str, Any]]:
    """Every outcome the rule set can give once the questions these answers leave open are
    answered (exact, with how many ways of answering them give each)."""
    facts, _ = engine.normalize_answers(rs, answers)
    w = engine.walk(rs, facts, complete=True)
    given = tuple(C.Test(f, "==", facts[f]) for f in w.asked)
    cond: Cond = C.And(given) if len(given) > 1 else (given[0] if given else C.Const(True))
    space = Space([Side(rs, conds=(cond,))])
    counts: dict[tuple[Any, ...], int] = {}
    for lab, agg in space.explore().items():
        pathway, flags, (holds,) = lab[0]
        if holds:
            counts[(pathway, flags)] = counts.get((pathway, flags), 0) + agg.count
    return [{"pathway": p, "flags": list(f), "count": n}
            for (p, f), n in sorted(counts.items(), key=lambda kv: -kv[1])]


def _side(s: Any, rs: RuleSet, carried: Any) -> dict[str, Any]:
    """One scenario under one edition: its own check, or the other edition's expectation
    carried over when this edition has none."""
    from sexting_triage.errors import InputError
    from sexting_triage.scenario import check_scenario, compare

    try:
        r = check_scenario(s, rs)
    except InputError as exc:
        return {"status": "invalid", "pathway": None, "flags": [], "failures": exc.lines(),
                "missing": [], "possible": []}
    d = r.decision
    out: dict[str, Any] = {"status": r.status, "pathway": d.pathway if d else None,
                           "flags": list(d.flags) if d else [], "failures": list(r.failures),
                           "missing": [], "possible": []}
    if d is None:
        facts, _ = engine.normalize_answers(rs, s.answers)
        out["missing"] = list(engine.walk(rs, facts, complete=True).missing)
        if out["missing"]:
            out["possible"] = possible_outcomes(rs, s.answers)
    if r.status == "not-checked" and carried is not None:
        if d is not None:
            fails = compare(carried, d)
        elif out["possible"] and carried.pathway is not None:
            hits = [o for o in out["possible"] if o["pathway"] == carried.pathway]
            if not hits:
                fails = [f"whatever the answers to {', '.join(out['missing'])}, the pathway "
                         f"is not {carried.pathway}"]
            elif len(hits) < len(out["possible"]):
                fails = [f"depending on the answers to {', '.join(out['missing'])}, the "
                         f"pathway may not be {carried.pathway}"]
            else:
                fails = []
        else:
            fails = []
        out["status"] = "failed" if fails else "passed"
        out["failures"] = fails
        out["expectation"] = f"carried over from {carried.key or 'the scenario'}"
    return out


def scenario_impact(old: RuleSet, new: RuleSet, paths: Sequence[Any]) -> list[dict[str, Any]]:
    """Each scenario decided by both editions: what each gives, whether its expectation
    (the new edition's own, or else the old edition's carried over) now fails, and, where
    the scenario does not answer a question the new edition asks, every outcome it could
    give."""
    from pathlib import Path

    from sexting_triage.scenario import RuleSets, load_scenarios

    scenarios = load_scenarios([Path(p) for p in paths], rulesets=RuleSets([old, new]))
    out = []
    for s in scenarios:
        bo = _side(s, old, None)
        bn = _side(s, new, s.expectation_for(old) if s.expectation_for(new) is None else None)
        if bn["missing"]:
            outcomes = {(o["pathway"], tuple(o["flags"])) for o in bn["possible"]}
            changed = outcomes != {(bo["pathway"], tuple(bo["flags"]))}
        else:
            changed = (bo["pathway"], bo["flags"]) != (bn["pathway"], bn["flags"])
        out.append({
            "scenario": s.name, "title": s.title, "old": bo, "new": bn, "changed": changed,
            "now_fails": bn["status"] == "failed" and bo["status"] != "failed",
        })
    return out
