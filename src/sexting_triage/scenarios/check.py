"""Checking a scenario against a rule set: decide with the engine, compare with the scenario's
expectation, and say in plain sentences why they differ (naming the rule that made the
difference). Pure: nothing here prints."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sexting_triage import conditions as C
from sexting_triage import engine
from sexting_triage.errors import InputError, MissingAnswers, NoPathway, Problem, UsageError
from sexting_triage.ruleset import Rule, RuleSet
from sexting_triage.scenarios.format import Expectation, Scenario
from sexting_triage.scenarios.load import (
    RuleSets,
    answer_problems,
    expect_problems,
    load_scenarios,
    sorted_problems,
)


@dataclass(frozen=True)
class ScenarioResult:
    """The outcome of checking one scenario against one rule set.

    `status` is passed, failed, or not-checked (the scenario's expect has no block for this
    rule set: nothing was compared, so it neither passes nor fails). `passed` is True only
    when status is passed. `decision` is the engine's decision (None if the answers are
    incomplete for this rule set). Failures and warnings are plain sentences."""

    scenario: Scenario
    ruleset: RuleSet
    status: Literal["passed", "failed", "not-checked"]
    failures: tuple[str, ...]
    warnings: tuple[str, ...]
    decision: engine.Decision | None

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @property
    def checked(self) -> bool:
        return self.status != "not-checked"


def check_scenario(s: Scenario, rs: RuleSet, strict: bool = False) -> ScenarioResult:
    """Decide the scenario's answers under `rs` and compare with its expectation.

    Raises InputError (path:line:col) if an answer value or an expect id is invalid for this
    rule set. Answers the rule set does not ask are warnings, or failures with `strict`.
    A scenario with no expectation for `rs` is `not-checked` (its decision is still given)."""
    problems = answer_problems(s, rs)
    e = s.expectation_for(rs)
    if e is not None:
        problems.extend(expect_problems(s, e, rs))
    if problems:
        raise InputError(sorted_problems(problems))
    failures: list[str] = []
    warnings: list[str] = []
    try:
        d: engine.Decision | None = engine.decide(rs, s.answers)
    except MissingAnswers as exc:
        d = None
        more = f" (and, depending on those, {', '.join(exc.maybe)})" if exc.maybe else ""
        failures.append(f"the answers are incomplete for {rs.id}: it asks "
                        f"{', '.join(exc.missing)}{more}, which the scenario does not answer")
    except NoPathway as exc:
        d = None
        failures.append(str(exc))
    if d is not None:
        for ig in d.ignored:
            if ig.why == "not-in-rule-set" and ig.question in s.edition_questions:
                continue  # an answer for another edition this scenario is written for
            why = (f"{rs.id} has no question `{ig.question}`" if ig.why == "not-in-rule-set"
                   else f"{rs.id} does not ask `{ig.question}` with these answers")
            msg = f"{s.where(('answers', ig.question))}: answer ignored: {why}"
            (failures if strict else warnings).append(msg)
    if e is None:  # nothing to compare; an incomplete case is still worth knowing about
        return ScenarioResult(s, rs, "not-checked", (),
                              tuple(warnings + [f"{s.name}: {f}" for f in failures]), d)
    if d is not None:
        failures.extend(compare(e, d))
    return ScenarioResult(s, rs, "failed" if failures else "passed", tuple(failures),
                          tuple(warnings), d)


def _facts_text(rule: Rule, facts: Mapping[str, Any]) -> str:
    parts = []
    for f in sorted(rule.reads, key=lambda x: x):
        v = facts.get(f)
        parts.append(f"{f} = {v}" if v is not None else f"{f} not asked")
    return "; ".join(parts)


def _why_not(rule: Rule, facts: Mapping[str, Any]) -> str:
    return f"rule `{rule.id}` needs {rule.when_text.strip()} (here: {_facts_text(rule, facts)})"


def _why(rule: Rule, facts: Mapping[str, Any]) -> str:
    return f"rule `{rule.id}` fired ({rule.when_text.strip()}; here: {_facts_text(rule, facts)})"


_CHECK_WORDS = {
    "pathway": "expected pathway {want}, got {got}",
    "flag_missing": "expected flag {flag}, not raised",
    "flag_extra": "flag {flag} was raised but not expected",
}


def compare(e: Expectation, d: engine.Decision) -> list[str]:
    """Plain sentences for every way the decision differs from the expectation, each naming
    the rule that made the difference."""
    rs = d.ruleset
    facts = d.answers
    fired = {r.rule for r in d.reasons}
    out: list[str] = []
    if e.pathway is not None and e.pathway != d.pathway:
        head = _CHECK_WORDS["pathway"].format(want=e.pathway, got=d.pathway)
        if rs.pathways[d.pathway].rank < rs.pathways[e.pathway].rank:
            raisers = [r for r in rs.rules if r.id in fired and r.pathway == d.pathway]
            out.append(head + ": " + "; ".join(_why(r, facts) for r in raisers)
                       + f", and {d.pathway} outranks {e.pathway}")
        else:
            wanted = [r for r in rs.rules if r.pathway == e.pathway]
            if not wanted:
                out.append(head + f": no rule in {rs.id} raises {e.pathway}")
            else:
                out.append(head + f": {_none_fired(wanted, e.pathway, facts)}")
    raised = set(d.flags)
    missing = [f for f in (e.flags or ()) if f not in raised]
    missing += [f for f in e.flags_include or () if f not in raised and f not in missing]
    for f in missing:
        out.append(_missing_flag(f, rs, facts, _CHECK_WORDS["flag_missing"].format(flag=f)))
    if e.flags is not None:
        for f in d.flags:
            if f not in e.flags:
                raisers = [r for r in rs.rules if r.id in fired and r.flag == f]
                out.append(_CHECK_WORDS["flag_extra"].format(flag=f) + ": "
                           + "; ".join(_why(r, facts) for r in raisers))
    by_id = {r.id: r for r in rs.rules}
    for rid in e.reasons_include or ():
        if rid not in fired:
            out.append(f"expected rule {rid} to fire; it did not: "
                       f"{_why_not(by_id[rid], facts)}")
    for rid in e.reasons_exclude or ():
        if rid in fired:
            out.append(f"expected rule {rid} not to fire; {_why(by_id[rid], facts)}")
    return out


def _missing_flag(f: str, rs: RuleSet, facts: Mapping[str, Any], head: str) -> str:
    wanted = [r for r in rs.rules if r.flag == f]
    if not wanted:
        return head + f": no rule in {rs.id} raises it"
    return head + ": " + _none_fired(wanted, f, facts)


def _misses(rule: Rule, facts: Mapping[str, Any]) -> int:
    """How many parts of a rule's condition are false here (0 for a rule that fires)."""
    parts = rule.when.items if isinstance(rule.when, C.And) else (rule.when,)
    return sum(not C.evaluate(p, facts) for p in parts)


def _none_fired(wanted: list[Rule], effect: str, facts: Mapping[str, Any]) -> str:
    """`no rule raising X fired`, naming the rules nearest to firing."""
    near = sorted(wanted, key=lambda r: _misses(r, facts))[:2]
    if len(wanted) == 1:
        return f"the only rule raising {effect} did not fire: {_why_not(near[0], facts)}"
    return (f"none of the {len(wanted)} rules raising {effect} fired; nearest: "
            + "; ".join(_why_not(r, facts) for r in near))


# ----------------------------------------------------------------------------- which checks


def select(scenarios: list[Scenario], tags: Iterable[str] | None) -> list[Scenario]:
    """The scenarios carrying any of the tags (all of them when no tag is given)."""
    wanted = set(tags or ())
    if not wanted:
        return scenarios
    chosen = [s for s in scenarios if set(s.tags) & wanted]
    if not chosen:
        known = sorted({t for s in scenarios for t in s.tags})
        raise UsageError(f"no scenario has the tag {', '.join(sorted(wanted))} (tags in these "
                         f"files: {', '.join(known) or 'none'})")
    return chosen


def given_rulesets(refs: Iterable[str] | None, cache: RuleSets) -> list[RuleSet]:
    """The rule sets named with --rules, each once."""
    out: list[RuleSet] = []
    for ref in refs or ():
        rs = cache.get(ref)
        if rs.id not in {r.id for r in out}:
            out.append(rs)
    return out


def targets(s: Scenario, given: list[RuleSet], cache: RuleSets) -> list[RuleSet]:
    """The rule sets to check a scenario against: those given, else its own (`editions`)."""
    if given:
        return given
    out = []
    for ref in s.editions():
        try:
            out.append(cache.get(ref, s.path))
        except UsageError as exc:
            loc = ("rules",) if s.rules else ("expect", ref) if ref else ("expect",)
            raise InputError([s.problem(loc, str(exc), key=not s.rules)]) from None
    return out


def run_checks(paths: list[Path], refs: Iterable[str] | None, strict: bool,
               tags: Iterable[str] | None = None, cache: RuleSets | None = None
               ) -> list[ScenarioResult]:
    """Every scenario against its rule sets; every invalid file reported at once."""
    cache = cache or RuleSets()
    given = given_rulesets(refs, cache)
    scenarios = select(load_scenarios(paths, rulesets=cache,
                                      known_ids=[r.id for r in given]), tags)
    results: list[ScenarioResult] = []
    problems: list[Problem] = []
    for s in scenarios:
        try:
            for rs in targets(s, given, cache):
                results.append(check_scenario(s, rs, strict=strict))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return results


def summary(results: list[ScenarioResult]) -> dict[str, int]:
    """Counts for the summary line and the JSON document."""
    return {"scenarios": len({r.scenario.name for r in results}), "checks": len(results),
            "passed": sum(r.status == "passed" for r in results),
            "failed": sum(r.status == "failed" for r in results),
            "not_checked": sum(r.status == "not-checked" for r in results)}


def unchecked_editions(results: list[ScenarioResult]) -> list[str]:
    """Rule sets against which no scenario was compared (none states what they give)."""
    ids = dict.fromkeys(r.ruleset.id for r in results)
    return [i for i in ids if all(r.status == "not-checked" for r in results
                                  if r.ruleset.id == i)]
