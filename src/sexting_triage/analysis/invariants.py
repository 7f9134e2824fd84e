"""A rule set's declared invariants, proved exactly over every reachable situation or
refuted with a counterexample (`implies`: a condition forces a pathway or flags;
`monotone`: changing a fact from one answer to another never lowers the pathway)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sexting_triage.analysis.pairs import Recorded
from sexting_triage.analysis.results import side_answers
from sexting_triage.conditions import Value
from sexting_triage.ruleset import Invariant, RuleSet


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


def implies_invariants(rs: RuleSet) -> list[Invariant]:
    """The `implies` invariants, in order: check() tracks their conditions on its walk."""
    return [inv for inv in rs.invariants if inv.kind == "implies"]


def implies_result(n: int, inv: Invariant, labels: dict[Any, Any]) -> InvariantResult:
    """The n-th implies invariant against the labels of the walk that tracked it."""
    for lab, agg in labels.items():
        pathway, flags, cvals = lab[0]
        if not cvals[n] or pathway is None:
            continue
        if (inv.pathways and pathway not in inv.pathways) or \
                not set(inv.flags_include) <= set(flags):
            return InvariantResult(
                inv.id, inv.kind, inv.description, False, side_answers(agg.example, 0),
                detail=f"gives {pathway}" + (f" with flags {', '.join(flags)}" if flags
                                             else " with no flags"))
    return InvariantResult(inv.id, inv.kind, inv.description, True)


def monotone_result(rec: Recorded, inv: Invariant) -> InvariantResult:
    """Changing a fact from `from` to `to` never lowers the pathway (see docs/policy-staff.md
    for what happens to the questions that change is asked)."""
    from sexting_triage.engine import normalize

    rs = rec.space.sides[0].rs
    rank = {p: n for n, p in enumerate(rs.precedence)}

    def lowers(lab: Any) -> bool:
        return bool(lab[0][0] is not None and lab[1][0] is not None
                    and rank[lab[1][0]] > rank[lab[0][0]])

    for fact in inv.facts:
        q = rs.question(fact)
        try:
            a = normalize(q, inv.from_)
            b = normalize(q, inv.to)
        except ValueError as exc:
            return InvariantResult(inv.id, inv.kind, inv.description, False,
                                   detail=f"{fact}: {exc}")
        found = rec.search(fact, [((a,), (b,))], lowers, "lowers", flags=False,
                           conds=False)
        if found is not None:
            lab, agg = found
            return InvariantResult(
                inv.id, inv.kind, inv.description, False, side_answers(agg.example, 0),
                side_answers(agg.example, 1),
                detail=f"changing {fact} from {a} to {b} lowers {lab[0][0]} to {lab[1][0]}")
    return InvariantResult(inv.id, inv.kind, inv.description, True)
