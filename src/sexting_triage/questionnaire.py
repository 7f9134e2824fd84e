"""The one questionnaire controller every front end drives.

The interactive triage (both prompters), `run`, session resume, the scenario walkthrough and
the quiz all ask this controller what to ask next, how far through the officer is, which
earlier answers a change makes irrelevant, and the moment each flag and reason becomes
certain. It uses the engine only (`walk`, `decide`): no front end computes any of this.

A flag or reason is *certain* once the rule behind it fires on the answers so far and every
fact the rule reads is settled: answered, or a question that will not be asked. That is the
same rule `decide` applies at the end, so what a walkthrough shows at step N is what the
triage shows after the N-th answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sexting_triage.conditions import Value
from sexting_triage.engine import (
    Decision,
    FlagNotice,
    Reason,
    certain_rules,
    decide,
    flag_notice,
    normalize,
    normalize_answers,
    walk,
)
from sexting_triage.errors import InvalidAnswers, MissingAnswers
from sexting_triage.ruleset import Question, Rule, RuleSet


@dataclass(frozen=True, slots=True)
class Progress:
    """'Question `number` of about `about`': `about` counts the questions already answered
    before this one and those that can still be asked (it shrinks as answers rule some out)."""

    number: int
    about: int

    def __str__(self) -> str:
        return f"question {self.number} of about {self.about}"


@dataclass(frozen=True, slots=True)
class Step:
    """What one answer did: the answer, where it stood, which later answers it made
    irrelevant, and the flags and reasons that became certain with it (`notices`: the panel
    of each new flag, with its headline and actions, as a front end shows it at once)."""

    question: Question
    value: Value
    progress: Progress
    dropped: tuple[str, ...]
    new_reasons: tuple[Reason, ...]
    notices: tuple[FlagNotice, ...]

    @property
    def new_flags(self) -> tuple[str, ...]:
        """The flags that became certain with this answer, in the rule set's flag order."""
        return tuple(n.flag for n in self.notices)


@dataclass(frozen=True, slots=True)
class Dropped:
    """A saved answer that could not be kept on restore, and why (plain words)."""

    question: str
    why: str


class Questionnaire:
    """One questionnaire over a rule set: answers so far, in question order, reached only."""

    def __init__(self, rs: RuleSet, answers: Mapping[str, Any] | None = None):
        facts, problems = normalize_answers(rs, answers or {})
        if problems:
            raise InvalidAnswers(problems)
        self.rs = rs
        self._answers: dict[str, Value] = facts
        self._prune()
        # given but not used (not reached, or not in this rule set): reported by decision()
        # as ignored, as `run` must
        self._ignored = {k: v for k, v in (answers or {}).items() if k not in self._answers}

    # -- restore

    @classmethod
    def restore(cls, rs: RuleSet, saved: Mapping[str, Any]
                ) -> tuple[Questionnaire, tuple[Dropped, ...]]:
        """Saved answers (a session, a record) checked again against `rs`: answers to
        questions it does not have, values it does not accept, and answers it no longer
        reaches are dropped, each with the reason."""
        dropped: list[Dropped] = []
        facts: dict[str, Value] = {}
        for qid, value in saved.items():
            if qid not in rs.question_index:
                dropped.append(Dropped(qid, "this rule set has no such question"))
                continue
            try:
                facts[qid] = normalize(rs.question(qid), value)
            except ValueError as exc:
                dropped.append(Dropped(qid, f"the answer is no longer accepted ({exc})"))
        q = cls(rs, facts)
        dropped += [Dropped(k, "the question is no longer asked with these answers")
                    for k in rs.question_index if k in facts and k not in q._answers]
        return q, tuple(dropped)

    # -- state

    @property
    def answers(self) -> dict[str, Value]:
        """The answers kept: reached questions only, in question order."""
        return dict(self._answers)

    @property
    def current(self) -> Question | None:
        """The first reached question without an answer, or None when there is none."""
        return walk(self.rs, self._answers).next

    @property
    def done(self) -> bool:
        return self.current is None

    def _before(self, qid: str) -> dict[str, Value]:
        pos = self.rs.question_index[qid]
        return {k: v for k, v in self._answers.items() if self.rs.question_index[k] < pos}

    def _prune(self) -> tuple[str, ...]:
        """Keep only the answers the questionnaire still reaches, in question order."""
        reached = set(walk(self.rs, self._answers, complete=True).asked)
        dropped = tuple(k for k in self._answers if k not in reached)
        index = self.rs.question_index
        self._answers = {k: v for k, v in sorted(self._answers.items(),
                                                 key=lambda kv: index[kv[0]])
                         if k in reached}
        return dropped

    # -- moving about

    def previous(self, qid: str) -> Question | None:
        """The question asked just before `qid` (for "Go back"), or None for the first."""
        asked = walk(self.rs, self._before(qid)).asked
        return self.rs.question(asked[-1]) if asked else None

    def following(self, qid: str) -> Question | None:
        """The next question reached after `qid`, answered or not (None: the end)."""
        pos = self.rs.question_index[qid]
        upto = {k: v for k, v in self._answers.items() if self.rs.question_index[k] <= pos}
        return walk(self.rs, upto).next

    def progress(self, qid: str) -> Progress:
        """Where `qid` stands: its number among the questions asked, and about how many
        there will be, counting only questions that can still be asked."""
        before = self._before(qid)
        w = walk(self.rs, before, complete=True)
        number = len(w.asked) + 1
        return Progress(number, max(number, len(w.asked) + len(w.missing) + len(w.maybe)))

    def review(self) -> list[tuple[Question, Value]]:
        """Every answer once, in the order asked."""
        return [(self.rs.question(k), v) for k, v in self._answers.items()]

    # -- answering

    def answer(self, qid: str, value: Any) -> Step:
        """Record (or change) one answer; drop the answers it makes irrelevant; say what
        became certain. Raises InvalidAnswers for a value outside the question's domain."""
        q = self.rs.question(qid)
        try:
            v = normalize(q, value)
        except ValueError as exc:
            from sexting_triage.errors import AnswerProblem

            raise InvalidAnswers([AnswerProblem(qid, value, str(exc))]) from None
        progress = self.progress(qid)
        _, before = certain_rules(self.rs, self._answers)
        self._answers[qid] = v
        dropped = self._prune()
        facts, now = certain_rules(self.rs, self._answers)
        flags_before = set(_flags(self.rs, before))
        new_flags = tuple(f for f in _flags(self.rs, now) if f not in flags_before)
        rules_before = {r.id for r in before}
        return Step(q, v, progress, dropped,
                    tuple(_reason(r) for r in now if r.id not in rules_before),
                    tuple(flag_notice(self.rs, f, now, facts) for f in new_flags))

    # -- what is certain so far

    def certain_flags(self) -> tuple[str, ...]:
        """The flags already certain from the answers so far, in the rule set's flag order."""
        return _flags(self.rs, certain_rules(self.rs, self._answers)[1])

    def notices(self, flags: tuple[str, ...] | None = None) -> tuple[FlagNotice, ...]:
        """The panel of each flag in `flags` (default: every flag already certain), with the
        headline and the actions of the rules that raised it so far, then the flag's own."""
        facts, rules = certain_rules(self.rs, self._answers)
        return tuple(flag_notice(self.rs, f, rules, facts)
                     for f in (_flags(self.rs, rules) if flags is None else flags))

    def settled_reasons(self) -> tuple[Reason, ...]:
        """The reasons already certain from the answers so far, in rule order. The role is
        provisional until the end (a pathway reason may yet be outweighed)."""
        return tuple(_reason(r) for r in certain_rules(self.rs, self._answers)[1])

    def decision(self) -> Decision:
        """The decision for the answers so far (MissingAnswers if the questionnaire is not
        finished)."""
        return decide(self.rs, {**self._ignored, **self._answers})


def _flags(rs: RuleSet, rules: tuple[Rule, ...]) -> tuple[str, ...]:
    """The flags these rules raise, in the rule set's flag order."""
    raised = {r.flag for r in rules if r.flag is not None}
    return tuple(f for f in rs.flags if f in raised)


def _reason(r: Rule) -> Reason:
    """A certain rule as a reason (its role provisional until the end)."""
    return Reason(r.id, r.reason, r.cite, r.effect,
                  "flag" if r.flag else "note" if r.pathway is None else "pathway", r.headline)


def replay(rs: RuleSet, answers: Mapping[str, Any]) -> list[Step]:
    """Drive a questionnaire through a complete set of answers, one step per question asked
    (walkthroughs and quizzes). Answers to questions never reached are not used; a reached
    question without an answer raises MissingAnswers naming it."""
    q = Questionnaire(rs)
    facts, problems = normalize_answers(rs, answers)
    if problems:
        raise InvalidAnswers(problems)
    steps = []
    while (nxt := q.current) is not None:
        if nxt.id not in facts:
            w = walk(rs, facts, complete=True)
            raise MissingAnswers(list(w.missing) or [nxt.id], list(w.maybe))
        steps.append(q.answer(nxt.id, facts[nxt.id]))
    return steps
