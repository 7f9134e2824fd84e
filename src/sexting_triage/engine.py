"""The decision engine: pure functions of (rule set, answers). No I/O, no printing.

`next_question` drives every questionnaire; `decide` gives the recommended pathway, the flags,
every reason that fired with its citation, and the actions. Every front end and analysis is
built on these two.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sexting_triage.conditions import Value
from sexting_triage.errors import AnswerProblem, InvalidAnswers, MissingAnswers, NoPathway
from sexting_triage.ruleset import WHEN_ORDER, Action, Cite, Question, Rule, RuleSet

_BOOL = {True: "yes", False: "no"}
_WORDS = {"yes": "yes", "no": "no", "unknown": "unknown", "not known": "unknown",
          "not_known": "unknown", "y": "yes", "n": "no"}


def normalize(question: Question, value: Any) -> Value:
    """One answer checked against its question's domain; ValueError says why it is wrong."""
    kind = type(value)
    if (kind is str or kind is int) and value in question.accepts:
        canonical: Value = value  # already canonical: the common case, kept cheap
        return canonical
    if question.type == "yesno":
        if isinstance(value, bool):
            return _BOOL[value]
        if isinstance(value, str) and value.strip().lower() in _WORDS:
            return _WORDS[value.strip().lower()]
        raise ValueError("expected yes, no or unknown")
    if question.type == "choice":
        ids = [c.id for c in question.choices]
        if isinstance(value, str) and value.strip() in ids:
            return value.strip()
        raise ValueError("expected one of " + ", ".join(ids))
    assert question.min is not None and question.max is not None
    if isinstance(value, str):
        digits = value.strip().removeprefix("-")
        # ASCII only and short: int() of "²" fails and of 5,000 digits refuses
        if digits.isascii() and digits.isdigit() and len(digits) <= 18:
            value = int(value.strip())
    if type(value) is not int:
        raise ValueError(f"expected a whole number from {question.min} to {question.max}")
    if not question.min <= value <= question.max:
        shown = str(value) if abs(value) < 10**18 else "the number"
        raise ValueError(f"{shown} is outside {question.min} to {question.max}")
    return value


def normalize_answers(rs: RuleSet, answers: Mapping[str, Any]
                      ) -> tuple[dict[str, Value], list[AnswerProblem]]:
    """Answers for this rule set's questions, normalised; problems for invalid values.

    Answers to questions this rule set does not have are left out (decide reports them as
    ignored)."""
    out: dict[str, Value] = {}
    problems = []
    index, questions = rs.question_index, rs.questions
    for qid, value in answers.items():
        pos = index.get(qid)
        if pos is None:
            continue
        q = questions[pos]
        kind = type(value)
        if (kind is str or kind is int) and value in q.accepts:
            out[qid] = value  # canonical already: skip the call (the hot path of analyses)
            continue
        try:
            out[qid] = normalize(q, value)
        except ValueError as exc:
            problems.append(AnswerProblem(qid, value, str(exc)))
    return out, problems


@dataclass(frozen=True, slots=True)
class Walk:
    """How the questionnaire runs with some answers: what is asked, what is still needed."""

    asked: tuple[str, ...]
    facts: dict[str, Value]
    next: Question | None
    stopped_by: Rule | None
    missing: tuple[str, ...] = ()
    maybe: tuple[str, ...] = ()


def walk(rs: RuleSet, answers: Mapping[str, Value], complete: bool = False) -> Walk:
    """Follow the questions in order with (normalised) answers.

    Stops at the first reached question without an answer, unless `complete`, in which case
    it carries on to list every missing answer (and those that depend on a missing one)."""
    facts: dict[str, Value] = {}
    asked: list[str] = []
    missing: list[str] = []
    maybe: list[str] = []
    unsure: set[str] = set()
    for q, stops in rs.steps:
        for rule in stops:
            if not (unsure and rule.reads & unsure) and rule.test(facts):
                return Walk(tuple(asked), facts, None, rule, tuple(missing), tuple(maybe))
        qid = q.id
        if q.ask is not None:
            if unsure and q.reads & unsure:
                if qid in answers:
                    facts[qid] = answers[qid]
                    asked.append(qid)
                else:
                    maybe.append(qid)
                    unsure.add(qid)
                continue
            if not q.ask(facts):
                continue
        if qid in answers:
            facts[qid] = answers[qid]
            asked.append(qid)
            continue
        if not complete:
            return Walk(tuple(asked), facts, q, None)
        missing.append(qid)
        unsure.add(qid)
    for rule in rs.final_stops:
        if not (unsure and rule.reads & unsure) and rule.test(facts):
            return Walk(tuple(asked), facts, None, rule, tuple(missing), tuple(maybe))
    return Walk(tuple(asked), facts, None, None, tuple(missing), tuple(maybe))


def next_question(rs: RuleSet, answers: Mapping[str, Any]) -> Question | None:
    """The next question to ask given the answers so far, or None when there is nothing left.

    Raises InvalidAnswers if a given answer is outside its question's domain."""
    facts, problems = normalize_answers(rs, answers)
    if problems:
        raise InvalidAnswers(problems)
    return walk(rs, facts).next


@dataclass(frozen=True, slots=True)
class Reason:
    """A rule that fired: what it raised, why, and where the guidance says so.

    `role` is `pathway` (supports the recommended pathway), `flag`, `note` (raises neither:
    context the officer should read), or `outweighed` (raised a pathway of lower precedence:
    still shown, since every reason belongs in the record). `headline`, for a flag reason,
    titles that flag's panel."""

    rule: str
    text: str
    cite: tuple[Cite, ...]
    effect: str
    role: str
    headline: str | None = None

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"rule": self.rule, "text": self.text, "effect": self.effect,
                             "role": self.role, "cite": [c.as_dict() for c in self.cite]}
        if self.headline:
            d["headline"] = self.headline
        return d


@dataclass(frozen=True, slots=True)
class ActionItem:
    """One checklist item: what to do, when (now, today: before the end of the shift, next),
    and the rule, flag or pathway id it comes from."""

    text: str
    when: str
    from_: str

    def as_dict(self) -> dict[str, str]:
        return {"text": self.text, "when": self.when, "from": self.from_}


@dataclass(frozen=True, slots=True)
class RecordingResult:
    """How the decision is recorded (NPCC-2024 categories), or, with `category` None, why
    this edition gives no category (`reason`). `provisional`: some answer is not known."""

    category: str | None
    title: str | None
    reason: str
    treatment: str | None
    cite: tuple[Cite, ...]
    provisional: bool

    def as_dict(self) -> dict[str, Any]:
        return {"category": self.category, "title": self.title, "reason": self.reason,
                "treatment": self.treatment, "cite": [c.as_dict() for c in self.cite],
                "provisional": self.provisional}


@dataclass(frozen=True, slots=True)
class Ignored:
    """An answer the decision did not use, and why (not asked, or not in the rule set)."""

    question: str
    why: str  # "not-asked" | "not-in-rule-set"

    def as_dict(self) -> dict[str, str]:
        return {"question": self.question, "why": self.why}


@dataclass(frozen=True)
class Decision:
    """What the rules give for one set of answers: pathway, flags, reasons with
    citations, actions and recording."""

    ruleset: RuleSet = field(repr=False)
    pathway: str
    flags: tuple[str, ...]
    reasons: tuple[Reason, ...]
    actions: tuple[ActionItem, ...]
    asked: tuple[str, ...]
    answers: dict[str, Value]
    ignored: tuple[Ignored, ...] = field(default=())
    recording: RecordingResult | None = None
    long_term: tuple[str, tuple[Cite, ...]] | None = None

    @property
    def fired(self) -> tuple[str, ...]:
        return tuple(r.rule for r in self.reasons)

    @property
    def action_texts(self) -> tuple[str, ...]:
        return tuple(a.text for a in self.actions)


def outcome(rs: RuleSet, facts: Mapping[str, Value]) -> tuple[str | None, tuple[str, ...],
                                                             tuple[Rule, ...]]:
    """The pathway, flags and fired rules for complete fact values (the analyses' core)."""
    fired = tuple([r for r in rs.rules if r.test(facts)])
    best: str | None = None
    best_rank = len(rs.precedence)
    flags: list[str] = []
    for r in fired:
        if r.pathway is not None:
            rank = rs.pathways[r.pathway].rank
            if rank < best_rank:
                best, best_rank = r.pathway, rank
        elif r.flag is not None and r.flag not in flags:
            flags.append(r.flag)
    order = list(rs.flags)
    flags.sort(key=order.index)
    return best, tuple(flags), fired


def decide(rs: RuleSet, answers: Mapping[str, Any]) -> Decision:
    """The recommended pathway for a complete set of answers.

    Raises InvalidAnswers for values outside a domain, MissingAnswers naming every reached
    question without an answer, NoPathway if the rule set gives none (a rule-set defect)."""
    facts, problems = normalize_answers(rs, answers)
    if problems:
        raise InvalidAnswers(problems)
    w = walk(rs, facts, complete=True)
    if w.missing:
        raise MissingAnswers(list(w.missing), list(w.maybe))
    pathway, flags, fired = outcome(rs, w.facts)
    if pathway is None:
        raise NoPathway(f"rule set {rs.id} {rs.version} gives no pathway for these answers: "
                        "this is a defect in the rule set (run `sexting-triage rules check`)")
    reasons = []
    for r in fired:
        role = ("flag" if r.flag else "note" if r.pathway is None
                else "pathway" if r.pathway == pathway else "outweighed")
        reasons.append(Reason(r.id, r.reason, r.cite, r.effect, role, r.headline))
    asked = set(w.asked)
    ignored = tuple(
        Ignored(k, "not-in-rule-set" if k not in rs.question_index else "not-asked")
        for k in answers if k not in asked)
    p = rs.pathways[pathway]
    return Decision(rs, pathway, flags, tuple(reasons), checklist(rs, pathway, flags, fired,
                                                                  w.facts),
                    w.asked, {k: w.facts[k] for k in w.asked}, ignored,
                    recording(rs, pathway, w.facts),
                    (p.long_term, p.long_term_cite) if p.long_term else None)


def checklist(rs: RuleSet, pathway: str, flags: tuple[str, ...], fired: tuple[Rule, ...],
              facts: Mapping[str, Value]) -> tuple[ActionItem, ...]:
    """The actions of a decision, each once, ordered by when they are due (now, today, next)
    and, within that, urgent flags first (their rules', then their own), then the pathway's,
    the contributing rules', and the other flags'. An action whose `if` does not hold for the
    answers is not offered (e.g. no crime outcome for children under 10)."""
    urgent = {f for f in flags if rs.flags[f].urgent}
    groups: list[tuple[str, tuple[Action, ...]]] = []
    groups += [(r.id, r.actions) for r in fired if r.flag in urgent]
    groups += [(f, rs.flags[f].actions) for f in flags if f in urgent]
    groups.append((pathway, rs.pathways[pathway].actions))
    groups += [(r.id, r.actions) for r in fired
               if r.pathway == pathway or (r.pathway is None and r.flag is None)
               or (r.flag is not None and r.flag not in urgent)]
    groups += [(f, rs.flags[f].actions) for f in flags if f not in urgent]
    return _ordered(groups, facts)


def recording(rs: RuleSet, pathway: str, facts: Mapping[str, Value]) -> RecordingResult | None:
    """The recording category for a decision: the first category that matches, provisional
    when any answer is `unknown`; None for a pathway the rule set gives no category (out of
    scope); a category-less result with the rule set's note where it has none at all."""
    rec = rs.recording
    if rec is None or pathway not in rec.pathways:
        return None
    provisional = any(v == "unknown" for v in facts.values())
    for c in rec.categories:
        if c.matches(pathway, facts):
            return RecordingResult(c.id, c.title, c.reason, c.treatment, c.cite, provisional)
    return RecordingResult(None, None, rec.note or "", None, (), False)


def certain_rules(rs: RuleSet, answers: Mapping[str, Value]
                  ) -> tuple[dict[str, Value], tuple[Rule, ...]]:
    """The facts so far and the rules already certain to fire on them, before the
    questionnaire ends (answers already normalised).

    A rule counts only when every fact it reads is settled: answered, or a question that will
    not be asked. This lets a front end show an urgent flag the moment it is known, using the
    same rules `decide` uses."""
    w = walk(rs, answers, complete=True)
    unsettled = set(w.missing) | set(w.maybe)
    return w.facts, tuple(r for r in rs.rules if not (r.reads & unsettled) and r.test(w.facts))


def raised_so_far(rs: RuleSet, answers: Mapping[str, Any]) -> tuple[str, ...]:
    """The flags already certain from the answers so far (see `certain_rules`), in the rule
    set's flag order. Raises InvalidAnswers for values outside a domain."""
    facts, problems = normalize_answers(rs, answers)
    if problems:
        raise InvalidAnswers(problems)
    _, rules = certain_rules(rs, facts)
    raised = {r.flag for r in rules if r.flag is not None}
    return tuple(f for f in rs.flags if f in raised)


@dataclass(frozen=True, slots=True)
class FlagNotice:
    """A flag's panel as shown the moment the flag is certain: the headline of the first rule
    that raised it and carries one (None: the flag's own title), and the actions of the rules
    that raised it, then the flag's own, each once, in the order they are due."""

    flag: str
    headline: str | None
    actions: tuple[ActionItem, ...]


def flag_notice(rs: RuleSet, fid: str, rules: Sequence[Rule],
                facts: Mapping[str, Value]) -> FlagNotice:
    """The panel of flag `fid` raised by some of `rules` (rules certain or fired)."""
    mine = [r for r in rules if r.flag == fid]
    headline = next((r.headline for r in mine if r.headline), None)
    groups = [*((r.id, r.actions) for r in mine), (fid, rs.flags[fid].actions)]
    return FlagNotice(fid, headline, _ordered(groups, facts))


def _ordered(groups: Iterable[tuple[str, tuple[Action, ...]]],
             facts: Mapping[str, Value]) -> tuple[ActionItem, ...]:
    """Actions from (source, actions) groups, each text once, those whose `if` holds only,
    sorted by when they are due (stable: group order within a band)."""
    seen: set[str] = set()
    out: list[ActionItem] = []
    for source, actions in groups:
        for a in actions:
            if a.text not in seen and a.applies(facts):
                seen.add(a.text)
                out.append(ActionItem(a.text, a.when, source))
    band = {w: i for i, w in enumerate(WHEN_ORDER)}
    out.sort(key=lambda a: band.get(a.when, len(band)))
    return tuple(out)
