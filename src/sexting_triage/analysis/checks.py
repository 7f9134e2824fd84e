"""The catalogue of `rules check`: one function per static check, registered in CHECKS.

Each check reads a `Context` (the rule set and its exact walk, computed once) and yields
`Finding`s. An error makes `rules check` fail (exit 1); a warning is reported and never
fails it (there is no strict mode). To add a check: write a function here with a docstring
saying what it finds and why it matters, add it to CHECKS, and give it a passing and a
failing example in tests/test_analysis_checks.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from sexting_triage.analysis.actions import checklist_conds
from sexting_triage.analysis.invariants import (
    InvariantResult,
    implies_invariants,
    implies_result,
    monotone_result,
)
from sexting_triage.analysis.pairs import Recorded, influential_in
from sexting_triage.analysis.reachable import firing_rules
from sexting_triage.analysis.residual import _TRUE, reads
from sexting_triage.analysis.results import side_answers
from sexting_triage.analysis.space import Space
from sexting_triage.analysis.stepping import Side
from sexting_triage.conditions import Value
from sexting_triage.ruleset import Cite, RuleSet


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


class Context:
    """The rule set and its exact single walk (tracking the `implies` invariants), shared by
    every check; each part is computed the first time a check asks for it."""

    def __init__(self, rs: RuleSet) -> None:
        self.rs = rs
        self.implies = implies_invariants(rs)
        conds = tuple(inv.when if inv.when is not None else _TRUE for inv in self.implies)
        self.space = Space([Side(rs, conds=conds)])

    @cached_property
    def walk(self) -> Recorded:
        return Recorded(self.space)

    @property
    def labels(self) -> dict[Any, Any]:
        return self.walk.labels

    @cached_property
    def situations(self) -> int:
        return self.space.complete(0, tuple(st[:3] for st in self.walk.states))[0]

    @cached_property
    def reached(self) -> dict[str, frozenset[Value]]:
        _ = self.situations  # counting visits every reachable answer
        return {f: frozenset(v) for f, v in self.space.reached.items() if v}

    @cached_property
    def firing(self) -> frozenset[str]:
        return firing_rules(self.space, self.walk.states)

    @cached_property
    def outcomes(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for lab, agg in self.labels.items():
            key = lab[0][0] or "(no pathway)"
            out[key] = out.get(key, 0) + agg.count
        return out

    def influential(self, fact: str) -> bool:
        """Whether the answer ever changes the pathway or the flags."""
        return influential_in(self.walk, fact, skip=len(self.implies))

    def changes_actions(self, fact: str) -> bool:
        """Whether the answer ever changes what decides the checklist: a rule that adds
        actions firing, or an action's `if` (oldest_age does: no crime outcome under 10).
        Only the conditions that read the fact, or a question whose asking it can change,
        can differ between the two situations of a pair, so only those are tracked."""
        closure = gated_by(self.rs, fact)
        conds = tuple(c for c in checklist_conds(self.rs) if reads(c) & closure)
        if not conds:
            return False
        # pathway and flags never differ here (influential said so): track only the conditions
        rec = Recorded(Space([Side(self.rs, outcome=False, conds=conds)],
                             meter=self.space.meter, table=self.space.table))
        return influential_in(rec, fact, skip=0)

    def cites(self) -> Iterator[tuple[str, Cite]]:
        """Every citation in the rule set, with where it is."""
        for r in self.rs.rules:
            for c in r.cite:
                yield f"rule {r.id}", c
        for p in self.rs.pathways.values():
            for c in p.long_term_cite:
                yield f"pathway {p.id} long_term", c
        if self.rs.recording is not None:
            for k in self.rs.recording.categories:
                for c in k.cite:
                    yield f"recording category {k.id}", c


Check = Callable[[Context], Iterator[Finding]]


def gated_by(rs: RuleSet, fact: str) -> frozenset[str]:
    """The fact and every question whose asking can depend on it (through `ask_when`, or
    every later question when a rule that ends the questionnaire reads one of them)."""
    out = {fact}
    for n, q in enumerate(rs.questions):
        if q.ask_when is not None and reads(q.ask_when) & out:
            out.add(q.id)
        if any(idx < n and reads(r.when) & out for idx, r in rs.stop_rules):
            out.add(q.id)
    return frozenset(out)


def no_pathway(ctx: Context) -> Iterator[Finding]:
    """Reachable situations that get no pathway. A gap means an officer finishes the
    questionnaire and is told nothing; the design forbids a silent default."""
    gaps = [(lab, agg) for lab, agg in ctx.labels.items() if lab[0][0] is None]
    if gaps:
        n = sum(a.count for _, a in gaps)
        yield Finding("error", "no-pathway", "rules",
                      f"{n:,} reachable situation(s) get no pathway",
                      side_answers(gaps[0][1].example, 0))


def question_unreachable(ctx: Context) -> Iterator[Finding]:
    """Questions never asked, and answers that can never be given (their `ask_when` can
    never hold). Dead questions hide mistakes in conditions and mislead rule authors."""
    for q in ctx.rs.questions:
        if q.id not in ctx.reached:
            yield Finding("error", "question-unreachable", q.id,
                          "this question is never asked in any situation")
            continue
        missing = [v for v in q.domain if v not in ctx.reached[q.id]]
        if missing:
            shown = ", ".join(str(v) for v in missing[:8]) + (" ..." if len(missing) > 8 else "")
            yield Finding("error", "value-unreachable", q.id,
                          f"answer(s) never possible: {shown}")


def rule_never_fires(ctx: Context) -> Iterator[Finding]:
    """Rules whose condition holds in no reachable situation: a reason that can never be
    given, usually a typo or a contradiction with the questions' skips."""
    for r in ctx.rs.rules:
        if r.id not in ctx.firing:
            yield Finding("error", "rule-never-fires", r.id,
                          f"this rule never fires (when {r.when_text})")


def pathway_unreachable(ctx: Context) -> Iterator[Finding]:
    """Pathways no situation is given: declared advice that no case can ever reach."""
    got = {lab[0][0] for lab in ctx.labels}
    for p in ctx.rs.precedence:
        if p not in got:
            yield Finding("error", "pathway-unreachable", p,
                          "no situation is given this pathway")


def flag_never_raised(ctx: Context) -> Iterator[Finding]:
    """Flags no situation raises: an urgent or review prompt that can never appear."""
    got = {f for lab in ctx.labels for f in lab[0][1]}
    for f in ctx.rs.flags:
        if f not in got:
            yield Finding("warning", "flag-never-raised", f, "no situation raises this flag")


def question_never_matters(ctx: Context) -> Iterator[Finding]:
    """Questions whose answer never changes the pathway, the flags or the checklist (whether
    a rule that adds actions fires, whether an action's `if` holds): officers are asked for
    a detail of a child's case that changes nothing."""
    for q in ctx.rs.questions:
        if q.id in ctx.reached and not ctx.influential(q.id) and \
                not ctx.changes_actions(q.id):
            yield Finding(
                "warning", "question-never-matters", q.id,
                "its answer never changes the pathway, the flags or the actions offered in any "
                "situation: "
                "a detail is collected that changes nothing")


def source_never_cited(ctx: Context) -> Iterator[Finding]:
    """Sources that nothing cites: a document listed as a basis that no rule rests on."""
    cited = {c.source for _, c in ctx.cites()}
    for key in ctx.rs.sources:
        if key not in cited:
            yield Finding("warning", "source-never-cited", key, "no rule cites this source")


def citation_unchecked(ctx: Context) -> Iterator[Finding]:
    """Citations that claim an exact section (not marked `approximate: true`) which is not
    among the headings its source declares as checked against the real document. An
    officer or supervisor relies on a citation to find the guidance; a heading nobody
    checked may not exist (issue 10: a 2016 heading cited as a current one)."""
    sources = ctx.rs.sources
    for where, c in ctx.cites():
        src = sources.get(c.source)
        if src is None or c.approximate or not src.checked_sections:
            continue
        if c.section not in src.checked_sections:
            yield Finding(
                "warning", "citation-unchecked", c.source,
                f"{where} cites section \"{c.section}\", which is not among the checked "
                f"sections of {c.source}; mark it `approximate: true` or check it and add "
                "it to `checked_sections`")


def source_unchecked(ctx: Context) -> Iterator[Finding]:
    """Sources that declare no checked sections but are cited as exact (without
    `approximate: true`): every such citation is a claim nobody has verified."""
    sources = ctx.rs.sources
    exact: dict[str, list[str]] = {}
    for where, c in ctx.cites():
        src = sources.get(c.source)
        if src is not None and not c.approximate and not src.checked_sections:
            exact.setdefault(c.source, []).append(where)
    for key, wheres in exact.items():
        shown = ", ".join(wheres[:5]) + (" ..." if len(wheres) > 5 else "")
        yield Finding(
            "warning", "source-unchecked", key,
            f"declares no checked sections, yet {len(wheres)} citation(s) give an exact "
            f"section ({shown}); mark them `approximate: true` or list the checked "
            "headings in `checked_sections`")


CHECKS: tuple[Check, ...] = (
    no_pathway,
    question_unreachable,
    rule_never_fires,
    pathway_unreachable,
    flag_never_raised,
    question_never_matters,
    source_never_cited,
    citation_unchecked,
    source_unchecked,
)


def invariants(ctx: Context) -> tuple[InvariantResult, ...]:
    """Every declared invariant, proved or refuted, in the rule set's order."""
    results = [implies_result(n, inv, ctx.labels) for n, inv in enumerate(ctx.implies)]
    results += [monotone_result(ctx.walk, inv) for inv in ctx.rs.invariants
                if inv.kind == "monotone"]
    order = {inv.id: n for n, inv in enumerate(ctx.rs.invariants)}
    results.sort(key=lambda r: order[r.id])
    return tuple(results)


def check(rs: RuleSet, checks: tuple[Check, ...] = CHECKS) -> CheckReport:
    """Every finding of `rules check`, exact over every reachable situation."""
    ctx = Context(rs)
    findings = [f for c in checks for f in c(ctx)]
    return CheckReport(ctx.situations, tuple(findings), invariants(ctx), ctx.outcomes)
