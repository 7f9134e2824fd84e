"""The compiled, immutable form of a rule set that the engine and analyses work on.

Plain dataclasses (no pydantic) so the engine stays pure, fast and importable on its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sexting_triage.conditions import Cond, Predicate, Value

YESNO: tuple[str, ...] = ("yes", "no", "unknown")


@dataclass(frozen=True, slots=True)
class Cite:
    """Where a rule, question or action comes from: a source key, the section, and
    optionally the quoted words (approximate: the section could not be checked against the
    document, shown as "(section approximate)")."""

    source: str
    section: str
    quote: str | None = None
    approximate: bool = False

    def label(self, sources: dict[str, Source] | None = None) -> str:
        text = f"{self.source}, {self.section}"
        if self.approximate:
            text += " (section approximate)"
        return text

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"source": self.source, "section": self.section}
        if self.quote:
            d["quote"] = self.quote
        if self.approximate:
            d["approximate"] = True
        return d


@dataclass(frozen=True, slots=True)
class Source:
    """A document the rule set cites (the briefing note, its revision, NPCC guidance)."""

    key: str
    title: str
    date: str
    publisher: str | None = None
    url: str | None = None
    note: str | None = None
    checked_sections: tuple[str, ...] = ()


WHEN_ORDER: tuple[str, ...] = ("now", "today", "next")


@dataclass(frozen=True, slots=True)
class Action:
    """An action an officer should take: its text, when it is due, and where it applies."""

    text: str
    when: str = "next"  # now | today | next
    if_text: str | None = None
    if_: Cond | None = None
    test: Predicate | None = field(compare=False, default=None)

    def applies(self, facts: Mapping[str, Value]) -> bool:
        return self.test is None or self.test(facts)

    @property
    def reads(self) -> frozenset[str]:
        from sexting_triage.conditions import reads

        return reads(self.if_) if self.if_ is not None else frozenset()


@dataclass(frozen=True, slots=True)
class Choice:
    """One answer to a choice question, with its label and optional help."""

    id: str
    label: str
    help: str | None = None


@dataclass(frozen=True, slots=True)
class Question:
    """One question of the questionnaire: its answers, help, and when it is asked."""

    id: str
    text: str
    type: str  # yesno | choice | integer
    help: str | None
    choices: tuple[Choice, ...]
    min: int | None
    max: int | None
    ask_when: Cond | None
    ask_when_text: str | None
    ask: Predicate | None = field(compare=False, default=None)
    reads: frozenset[str] = frozenset()
    # the canonical answers, for the engine's fast path (see engine.normalize)
    accepts: frozenset[Value] = frozenset()

    @property
    def domain(self) -> tuple[Value, ...]:
        """Every value this question accepts, in display order."""
        if self.type == "yesno":
            return YESNO
        if self.type == "choice":
            return tuple(c.id for c in self.choices)
        assert self.min is not None and self.max is not None
        return tuple(range(self.min, self.max + 1))

    def label_of(self, value: Value) -> str:
        if self.type == "yesno":
            return {"yes": "Yes", "no": "No", "unknown": "Not known"}.get(str(value), str(value))
        if self.type == "choice":
            for c in self.choices:
                if c.id == value:
                    return c.label
        return str(value)


@dataclass(frozen=True, slots=True)
class Pathway:
    """A recommended response pathway with its actions."""

    id: str
    title: str
    summary: str
    actions: tuple[Action, ...]
    ends_questionnaire: bool
    rank: int  # 0 is the highest precedence
    long_term: str | None = None
    long_term_cite: tuple[Cite, ...] = ()


@dataclass(frozen=True, slots=True)
class Flag:
    """Something that must not wait (safeguarding, professional judgement), with its
    actions."""

    id: str
    title: str
    summary: str
    actions: tuple[Action, ...]
    urgent: bool


@dataclass(frozen=True, slots=True)
class Rule:
    """A condition on the answers and what it gives: a pathway or a flag, with its
    reason and citations."""

    id: str
    when: Cond
    when_text: str
    pathway: str | None
    flag: str | None
    reason: str
    actions: tuple[Action, ...]
    cite: tuple[Cite, ...]
    reads: frozenset[str]
    test: Predicate = field(compare=False)
    headline: str | None = None

    @property
    def effect(self) -> str:
        """The pathway or flag id the rule raises, or `note` for a rule that raises neither."""
        return self.pathway or self.flag or "note"


@dataclass(frozen=True, slots=True)
class RecordingCategory:
    """An NPCC recording category (cop-2024) and the answers that give it."""

    id: str
    title: str
    pathways: tuple[str, ...]
    when: Cond | None
    when_text: str | None
    reason: str
    treatment: str
    cite: tuple[Cite, ...]
    test: Predicate | None = field(compare=False, default=None)

    def matches(self, pathway: str, facts: Mapping[str, Value]) -> bool:
        """Whether this category is given (the default category, with neither, always is)."""
        if not self.pathways and self.test is None:
            return True
        return pathway in self.pathways or (self.test is not None and self.test(facts))


@dataclass(frozen=True, slots=True)
class Recording:
    """How an in-scope decision is recorded: the pathways that are recorded, the NPCC
    categories (cop-2024), or a note saying why there are none."""

    pathways: tuple[str, ...]
    note: str | None
    categories: tuple[RecordingCategory, ...]


@dataclass(frozen=True, slots=True)
class ChangelogEntry:
    """One version of the rule set and what changed in it."""

    version: str
    date: str
    changes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Invariant:
    """A property every situation must keep, checked exhaustively by `rules check`."""

    id: str
    description: str
    kind: str
    when: Cond | None
    when_text: str | None
    pathways: tuple[str, ...]
    flags_include: tuple[str, ...]
    facts: tuple[str, ...]
    from_: str | None
    to: str | None


@dataclass(frozen=True)
class RuleSet:
    """A loaded, checked and compiled rule set, stamped with the sha256 of its file bytes."""

    id: str
    version: str
    title: str
    status: str
    summary: str | None
    sources: dict[str, Source]
    questions: tuple[Question, ...]
    pathways: dict[str, Pathway]
    precedence: tuple[str, ...]
    flags: dict[str, Flag]
    rules: tuple[Rule, ...]
    invariants: tuple[Invariant, ...]
    sha256: str
    path: str
    recording: Recording | None = None
    changelog: tuple[ChangelogEntry, ...] = ()
    question_index: dict[str, int] = field(default_factory=dict)
    # (position after which all its facts are settled, rule) for rules that end the questionnaire
    stop_rules: tuple[tuple[int, Rule], ...] = ()
    # walk order: for each question, the stop rules to test just before it; then the rest
    steps: tuple[tuple[Question, tuple[Rule, ...]], ...] = ()
    final_stops: tuple[Rule, ...] = ()

    def question(self, qid: str) -> Question:
        return self.questions[self.question_index[qid]]

    def provenance(self) -> dict[str, str]:
        return {"id": self.id, "version": self.version, "sha256": self.sha256}

    @property
    def edition(self) -> str:
        return f"{self.id} {self.version} ({self.title})"
