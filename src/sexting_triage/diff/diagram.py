"""The exact condition of a group too large to list as cubes, read off its decision diagram.

A reduced diagram node is `("T",)`, `("F",)` or `(fact, ((values, child), ...))`; children
are shared, so writing the diagram out as nested `or`s of `and`s can repeat a shared part once
per path that reaches it (exponentially many times). Instead, wherever every path from a node
to the target passes through one later node (its nearest *must-pass* node), the condition is
written once as "reach that node, and then go on from it": a chain of independent checks
becomes a conjunction, each part written once. Work is linear in the diagram for such
chains; nodes are remembered by identity, never hashed (a shared diagram hashes slowly).
"""

from __future__ import annotations

from typing import Any

from sexting_triage import conditions as C
from sexting_triage.conditions import Cond, Value
from sexting_triage.diff.cubes import lit_cond

Node = Any


def diagram_cond(root: Node, domains: dict[str, tuple[Value, ...]]) -> Cond:
    """An exact condition for the paths from `root` to the true terminal."""
    live_memo: dict[tuple[int, int], bool] = {}
    must_memo: dict[tuple[int, int], frozenset[int]] = {}
    cond_memo: dict[tuple[int, int], Cond] = {}
    true = ("T",)
    keep: list[Node] = [root]  # ids stay valid while the nodes are alive

    def is_target(n: Node, t: Node) -> bool:
        return n is t or (t is true and n[0] == "T")

    def live(n: Node, t: Node) -> bool:
        """Whether some path from n reaches the target t."""
        if is_target(n, t):
            return True
        if n[0] in ("T", "F"):
            return False
        key = (id(n), id(t))
        hit = live_memo.get(key)
        if hit is None:
            hit = live_memo[key] = any(live(c, t) for _, c in n[1])
        return hit

    def must(n: Node, t: Node) -> frozenset[int]:
        """The nodes on every path from n to t (n included, t excluded)."""
        if is_target(n, t):
            return frozenset()
        key = (id(n), id(t))
        hit = must_memo.get(key)
        if hit is None:
            sets = [must(c, t) for _, c in n[1] if live(c, t)]
            inter = frozenset.intersection(*sets) if sets else frozenset()
            hit = must_memo[key] = inter | {id(n)}
        return hit

    by_id: dict[int, Node] = {}

    def index(n: Node) -> None:
        stack = [n]
        while stack:
            x = stack.pop()
            if id(x) in by_id:
                continue
            by_id[id(x)] = x
            keep.append(x)
            if x[0] not in ("T", "F"):
                stack.extend(c for _, c in x[1])

    index(root)

    def cond(n: Node, t: Node) -> Cond:
        if is_target(n, t):
            return C.Const(True)
        key = (id(n), id(t))
        hit = cond_memo.get(key)
        if hit is not None:
            return hit
        later = [by_id[m] for m in must(n, t) if m != id(n)]
        if later:
            # the nearest: every other must-pass node comes after it
            m = max(later, key=lambda x: len(must(x, t)))
            res = _and(cond(n, m), cond(m, t))
        else:
            fact, kids = n
            alts = []
            for vals, child in kids:
                if not live(child, t):
                    continue
                lit = lit_cond(fact, vals, domains[fact])
                alts.append(_and(lit, cond(child, t)))
            res = (C.Const(False) if not alts else alts[0] if len(alts) == 1
                   else C.Or(tuple(alts)))
        cond_memo[key] = res
        return res

    if root[0] in ("T", "F"):
        return C.Const(root[0] == "T")
    return cond(root, true)


def _and(a: Cond, b: Cond) -> Cond:
    if isinstance(a, C.Const):
        return b if a.value else a
    if isinstance(b, C.Const):
        return a if b.value else b
    items = [*(a.items if isinstance(a, C.And) else (a,)),
             *(b.items if isinstance(b, C.And) else (b,))]
    return C.And(tuple(items))


def diagram_text(root: Node, domains: dict[str, tuple[Value, ...]]) -> str:
    """The diagram's exact condition as text in the rule-set language."""
    return C.to_text(diagram_cond(root, domains))
