"""Pydantic models of the rule-set file format (the single source of its JSON Schema).

These validate what a person wrote. The engine never sees them: the loader compiles a
validated RuleSet into the plain structures of `ruleset.py`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]
SourceKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
                                             max_length=64)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=300)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Source(_Strict):
    """A guidance document a rule set encodes or cites."""

    title: Text
    date: ShortText = Field(description="Publication date, e.g. 2016-11-24, or a short range.")
    publisher: ShortText | None = None
    url: ShortText | None = None
    note: Text | None = None
    checked_sections: list[ShortText] = Field(
        default=[], description="Headings of this source that were checked against the "
        "document itself; `rules check` warns about an exact citation of any other heading.")


class Citation(_Strict):
    """Where in a source a rule comes from."""

    source: SourceKey = Field(description="A key of the rule set's `sources`.")
    section: ShortText
    quote: ShortText | None = Field(default=None, description="Optional, under 25 words.")
    approximate: bool = Field(
        default=False, description="The section is approximate (wording not checked).")

    @field_validator("quote")
    @classmethod
    def _short_quote(cls, v: str | None) -> str | None:
        if v is not None and len(v.split()) >= 25:
            raise ValueError("a quote must be under 25 words")
        return v


class Action(_Strict):
    """Something the officer should do, with when it is due and, optionally, where it applies."""

    text: Text
    when: Literal["now", "today", "next"] = Field(
        default="next", description="now: at once; today: before the end of the shift; "
        "next: as the case goes on.")
    if_: ShortText | None = Field(
        default=None, alias="if", description="Condition on the answers: the action is "
        "offered only where it holds (e.g. no crime outcome for children under 10).")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True,
                              str_strip_whitespace=True)


ActionItem = Annotated[Text | Action, Field(union_mode="left_to_right")]


class LongTerm(_Strict):
    """What an outcome means for a child's record and later background checks."""

    text: Text
    cite: list[Citation] = Field(min_length=1)


class Choice(_Strict):
    id: Id
    label: ShortText
    help: Text | None = None


class Question(_Strict):
    """One finite question: yes/no/unknown, a choice of ids, or a whole number in a range."""

    id: Id
    text: Text
    help: Text | None = None
    type: Literal["yesno", "choice", "integer"] = "yesno"
    choices: list[Choice] | None = None
    min: int | None = None
    max: int | None = None
    ask_when: ShortText | None = Field(
        default=None, description="Condition on earlier answers; without it, always asked.")


class Pathway(_Strict):
    id: Id
    title: ShortText
    summary: Text
    actions: list[ActionItem] = []
    ends_questionnaire: bool = Field(
        default=False, description="Once a rule raising this pathway fires, ask nothing more.")
    long_term: LongTerm | None = None


class Flag(_Strict):
    id: Id
    title: ShortText
    summary: Text
    actions: list[ActionItem] = []
    urgent: bool = Field(default=False, description="Show the moment it is raised.")


class Rule(_Strict):
    """When `when` holds, raise a pathway or a flag (or, with neither, add a note), for a
    reason, citing the guidance."""

    id: Id
    when: Text
    pathway: Id | None = None
    flag: Id | None = None
    headline: ShortText | None = Field(
        default=None, description="For a flag rule: the title of the flag's panel when this "
        "rule raised it (e.g. 'Not yet known: establish now whether the child is safe').")
    reason: Text
    actions: list[ActionItem] = []
    cite: list[Citation] = Field(min_length=1)


class RecordingCategory(_Strict):
    """One recording category (NPCC-2024): chosen when the decision's pathway is in
    `pathways` or `when` holds; the last category, with neither, is the default."""

    id: Id
    title: ShortText
    pathways: list[Id] | None = None
    when: Text | None = None
    reason: Text
    treatment: Text = Field(description="How each child is treated, in plain words.")
    cite: list[Citation] = Field(min_length=1)


class Recording(_Strict):
    """How an in-scope decision is recorded; `note` says why where there are no categories."""

    pathways: list[Id] = Field(description="The pathways a category is given for.")
    note: Text | None = None
    categories: list[RecordingCategory] = []


class ChangelogEntry(_Strict):
    version: ShortText
    date: ShortText
    changes: list[Text] = Field(min_length=1)


class Invariant(_Strict):
    """A property proved over every reachable situation by `rules check`.

    `kind: implies` — wherever `when` holds, the pathway is `pathway` (or one of `pathway_in`)
    and/or the flags include `flags_include`.
    `kind: monotone` — changing any of `facts` from `from` to `to` (and nothing else) never
    gives a pathway of lower precedence.
    """

    id: Id
    description: Text
    kind: Literal["implies", "monotone"]
    when: Text | None = None
    pathway: Id | None = None
    pathway_in: list[Id] | None = None
    flags_include: list[Id] | None = None
    facts: list[Id] | None = None
    from_: str | None = Field(default=None, alias="from")
    to: str | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class RuleSet(_Strict):
    """A versioned, cited rule set: one edition of the guidance encoded as data."""

    id: Id
    version: ShortText
    title: ShortText
    status: Literal["current", "superseded", "draft"]
    summary: Text | None = None
    sources: dict[SourceKey, Source] = Field(min_length=1)
    questions: list[Question] = Field(min_length=1)
    pathways: list[Pathway] = Field(min_length=1)
    precedence: list[Id] = Field(
        min_length=1, description="Pathway ids, highest first: the winning pathway is the "
        "highest raised by any rule that fires.")
    flags: list[Flag] = []
    rules: list[Rule] = Field(min_length=1)
    invariants: list[Invariant] = []
    recording: Recording | None = None
    changelog: list[ChangelogEntry] = []
