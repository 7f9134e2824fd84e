"""The walkthrough model: a scenario replayed one question at a time, as a class sees it.

Every step comes from the questionnaire controller (`questionnaire.replay`): the question, the
scripted answer, how far through the responder is, and the flags and reasons the controller
says became certain with that answer. Nothing here decides what fires or when, so a step shows
exactly what the triage would show after the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from sexting_triage import engine, loader
from sexting_triage.errors import UsageError
from sexting_triage.questionnaire import Progress, replay
from sexting_triage.ruleset import Question, RuleSet
from sexting_triage.scenarios.check import check_scenario, targets
from sexting_triage.scenarios.format import Expectation, Scenario
from sexting_triage.scenarios.load import RuleSets


@dataclass(frozen=True)
class Step:
    """One question of the replay: what was asked and answered, the trainer's note, and what
    became certain with the answer."""

    number: int
    question: Question
    answer: str
    progress: Progress
    note: str | None
    reasons: tuple[engine.Reason, ...]
    notices: tuple[engine.FlagNotice, ...]

    @property
    def new_flags(self) -> tuple[str, ...]:
        return tuple(n.flag for n in self.notices)


@dataclass(frozen=True)
class Replay:
    """A scenario ready to show: its decision, its steps, and how it compares with what the
    scenario expects (`failures` empty when it holds; `expectation` None when it states none
    for this rule set)."""

    scenario: Scenario
    ruleset: RuleSet
    decision: engine.Decision
    steps: tuple[Step, ...]
    expectation: Expectation | None
    failures: tuple[str, ...]
    warnings: tuple[str, ...]

    @property
    def unused_notes(self) -> dict[str, str]:
        """Trainer notes for questions this replay never reaches."""
        return {q: n for q, n in self.scenario.notes.items() if q not in self.decision.answers}


def steps(s: Scenario, rs: RuleSet) -> list[Step]:
    """The questions in the order the responder meets them, each with what the controller
    says became certain once its answer is known."""
    out = []
    for n, st in enumerate(replay(rs, s.answers), 1):
        out.append(Step(n, st.question, st.question.label_of(st.value), st.progress,
                        s.notes.get(st.question.id), st.new_reasons, st.notices))
    return out


def edition(s: Scenario, ref: str | None, cache: RuleSets) -> RuleSet:
    """The rule set to replay under: the one given, else the one the scenario names, else
    the current edition when the scenario states what it gives (an unkeyed expectation, or a
    block for it), else the first edition its expectation is keyed by."""
    if ref is not None:
        return cache.get(ref)
    if s.rules:
        return cache.get(s.rules, s.path)
    current = loader.default_id()
    if any(e.key in (None, current) for e in s.expect):
        return cache.get(current)
    return targets(s, [], cache)[0]


def prepare(s: Scenario, rs: RuleSet) -> Replay:
    """The scenario decided and replayed under `rs`. UsageError when its answers do not
    make a complete case under `rs`."""
    r = check_scenario(s, rs)
    if r.decision is None:
        why = r.failures or tuple(w.removeprefix(f"{s.name}: ") for w in r.warnings)
        raise UsageError(f"{s.name}: cannot replay under {rs.id}: " + "; ".join(why))
    return Replay(s, rs, r.decision, tuple(steps(s, rs)), s.expectation_for(rs),
                  r.failures, r.warnings)
