"""The add-only proof: the base and the merged rule set walked together over every situation,
exactly, with a counterexample for anything lost, lowered or reordered."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import Any

from sexting_triage import ruleset as R
from sexting_triage.overlay.format import load_overlay
from sexting_triage.overlay.merge import apply, overlay_of
from sexting_triage.serialize import OVERLAY_PROOF_SCHEMA

# ----------------------------------------------------------------------------- the proof


@dataclass(frozen=True)
class Change:
    """Situations that the overlay changes in one (allowed or forbidden) way."""

    kind: str  # higher-pathway | flag-added | action-added | lower-pathway | flag-lost |
    #            action-lost | reordered | questions-changed
    subject: str  # "old -> new" pathways, a flag id, or an action's text
    count: int
    example: dict[str, Any]
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        d = {"kind": self.kind, "subject": self.subject, "count": self.count,
             "example": self.example}
        return d | ({"detail": self.detail} if self.detail else {})


FORBIDDEN = ("lower-pathway", "flag-lost", "action-lost", "reordered", "questions-changed",
             "overrides-stop")


@dataclass(frozen=True)
class Proof:
    """The result of proving an overlay add-only over every situation (see docs/overlays.md
    for what "no action lost" means when a local rule raises a higher pathway)."""

    base: R.RuleSet
    merged: R.RuleSet
    situations: int
    classes: int
    changes: tuple[Change, ...]
    structure: tuple[str, ...]  # problems found in the merged structure itself
    counts: tuple[tuple[str, int], ...] = ()  # situations changed, by kind
    # `rules check` findings about the overlay's own questions, rules and sources
    findings: tuple[Any, ...] = ()

    @property
    def local_errors(self) -> tuple[Any, ...]:
        return tuple(f for f in self.findings if f.level == "error")

    @property
    def failures(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.kind in FORBIDDEN)

    @property
    def holds(self) -> bool:
        return not self.failures and not self.structure

    @property
    def counterexample(self) -> Change | None:
        return self.failures[0] if self.failures else None

    def of_kind(self, kind: str) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.kind == kind)

    def situations_changed(self, kind: str) -> int:
        """Situations with a change of this kind (each situation counted once per kind)."""
        return dict(self.counts).get(kind, 0)

    def as_dict(self) -> dict[str, Any]:
        info = overlay_of(self.merged)
        return {"schema": OVERLAY_PROOF_SCHEMA, "holds": self.holds,
                "base": {"id": self.base.id, "version": self.base.version,
                         "sha256": self.base.sha256},
                "overlay": info.as_dict() if info else None,
                "situations": self.situations,
                "situations_changed": dict(self.counts),
                "structure": list(self.structure),
                "changes": [c.as_dict() for c in self.changes],
                "findings": [f.as_dict() for f in self.findings]}



def _checklist_conds(rs: R.RuleSet) -> tuple[Any, ...]:
    """The conditions that, with the pathway and the flags, decide a situation's checklist:
    the `when` of every rule that adds actions, and every action's `if`."""
    out: list[Any] = [r.when for r in rs.rules if r.actions]
    groups = [*(p.actions for p in rs.pathways.values()), *(f.actions for f in rs.flags.values()),
              *(r.actions for r in rs.rules)]
    out += [a.if_ for acts in groups for a in acts if a.if_ is not None]
    return tuple(dict.fromkeys(out))


def structure_problems(base: R.RuleSet, merged: R.RuleSet) -> list[str]:
    """What the merged rule set must keep of its base, exactly: every base question with its
    `ask_when`, in the base order; every base rule unchanged; every pathway and flag with
    the base's actions first, in order; the same precedence; no new stop rule."""
    out: list[str] = []
    mq = [q.id for q in merged.questions if q.id in base.question_index]
    if mq != [q.id for q in base.questions]:
        out.append("the base questions are not all kept in the base order")
    for q in base.questions:
        if q.id in merged.question_index and merged.question(q.id).ask_when_text != \
                q.ask_when_text:
            out.append(f"question {q.id}: its ask_when changed")
    mr = {r.id: r for r in merged.rules}
    for r in base.rules:
        m = mr.get(r.id)
        if m is None or (m.when_text, m.pathway, m.flag, m.actions) != \
                (r.when_text, r.pathway, r.flag, r.actions):
            out.append(f"rule {r.id}: changed or removed")
    if merged.precedence != base.precedence:
        out.append("the precedence of the pathways changed")
    for kind, bd, md in (("pathway", base.pathways, merged.pathways),
                         ("flag", base.flags, merged.flags)):
        for k, item in bd.items():
            other = md.get(k)
            if other is None or tuple(other.actions[:len(item.actions)]) != item.actions:
                out.append(f"{kind} {k}: its national actions are not all kept, in order")
    base_stops = {r.id for _, r in base.stop_rules}
    for _, r in merged.stop_rules:
        if r.id not in base_stops:
            out.append(f"rule {r.id} raises a pathway that ends the questionnaire")
    return out


def _in_order(sub: list[str], full: list[str]) -> bool:
    it = iter(full)
    return all(x in it for x in sub)


def _adder(found: list[tuple[str, str, str]]) -> Any:
    def add(kind: str, subject: str, detail: str = "") -> None:
        found.append((kind, subject, detail))

    return add


def prove(base: R.RuleSet, merged: R.RuleSet) -> Proof:
    """Prove, over every situation (the exact joint walk of both questionnaires), that the
    merged rule set never gives a lower pathway, never loses a flag and never loses or
    reorders an action of its base. Situations are walked in classes that no condition
    tells apart (pathways, flags, rules that add actions and every action's `if`), so
    deciding one example per class is exact for the whole class."""
    from sexting_triage.analysis import Side, Space, side_answers
    from sexting_triage.engine import decide

    space = Space([Side(base, conds=_checklist_conds(base)),
                   Side(merged, conds=_checklist_conds(merged))])
    labels = space.explore()
    rank = {p: n for n, p in enumerate(base.precedence)}
    groups: dict[tuple[str, str], list[Any]] = {}
    per_kind: dict[str, int] = {}
    total = 0
    for _lab, agg in labels.items():
        total += agg.count
        a0, a1 = side_answers(agg.example, 0), side_answers(agg.example, 1)
        d0, d1 = decide(base, a0), decide(merged, a1)
        found: list[tuple[str, str, str]] = []
        add = _adder(found)
        if {k: v for k, v in a1.items() if k in base.question_index} != a0:
            add("questions-changed", "national questions asked",
                "the overlay changes which national questions are asked")
        r0, r1 = rank[d0.pathway], rank[d1.pathway]
        if base.pathways[d0.pathway].ends_questionnaire and d1.pathway != d0.pathway:
            # the national questions stopped here: the answers that decide a pathway were
            # never asked, so no local rule may give one
            add("overrides-stop", f"{d0.pathway} -> {d1.pathway}")
        elif r1 > r0:
            add("lower-pathway", f"{d0.pathway} -> {d1.pathway}")
        elif r1 < r0:
            add("higher-pathway", f"{d0.pathway} -> {d1.pathway}")
        for f in d0.flags:
            if f not in d1.flags:
                add("flag-lost", f)
        for f in d1.flags:
            if f not in d0.flags:
                add("flag-added", f)
        t0, t1 = list(d0.action_texts), list(d1.action_texts)
        if d0.pathway == d1.pathway:
            must = t0
        else:  # outweighed, as the national edition does when its own rules raise it
            outweighed = {a.text for a in d0.actions
                          if a.from_ == d0.pathway
                          or any(r.id == a.from_ and r.pathway == d0.pathway
                                 for r in base.rules)}
            must = [t for t in t0 if t not in outweighed]
        for t in must:
            if t not in t1:
                add("action-lost", t, f"on {d1.pathway}")
        if d0.pathway == d1.pathway and not _in_order([t for t in t0 if t in t1], t1):
            add("reordered", "national actions", "the national actions are not in their order")
        base_texts = set(t0)
        for a in d1.actions:
            if a.text not in base_texts:
                add("action-added", a.text, f"from {a.from_}")
        for kind, subject, detail in found:
            g = groups.setdefault((kind, subject), [0, a1, detail])
            g[0] += agg.count
        for kind in {k for k, _, _ in found}:
            per_kind[kind] = per_kind.get(kind, 0) + agg.count
    order = {k: n for n, k in enumerate(
        (*FORBIDDEN, "higher-pathway", "flag-added", "action-added"))}
    changes = sorted((Change(k, s, g[0], g[1], g[2]) for (k, s), g in groups.items()),
                     key=lambda c: (order[c.kind], -c.count, c.subject))
    return Proof(base, merged, total, len(labels), tuple(changes),
                 tuple(structure_problems(base, merged)), tuple(sorted(per_kind.items())))


def check_overlay(path: str | os.PathLike[str], base_ref: str | None = None,
                  resolve: Any = None) -> Proof:
    """For `rules check OVERLAY`: load the overlay, its pinned base (or `base_ref`), apply
    and prove it. A pin that does not match is a UsageError (exit 2) saying what to re-check."""
    from sexting_triage.loader import resolve as resolve_ref

    ov = load_overlay(path)
    base = (resolve or resolve_ref)(base_ref or ov.pin["id"])
    merged = apply(base, ov)
    return dataclasses.replace(prove(base, merged), findings=tuple(local_findings(base, merged)))


def local_findings(base: R.RuleSet, merged: R.RuleSet) -> list[Any]:
    """The exact `rules check` of the merged rule set, keeping what concerns the overlay's own
    questions, rules and sources (a local rule that never fires, a local question never
    asked or never mattering, an uncited local source)."""
    from sexting_triage.analysis import check

    national = {*base.question_index, *(r.id for r in base.rules), *base.sources,
                *base.pathways, *base.flags}
    return [f for f in check(merged).findings if f.subject not in national]


