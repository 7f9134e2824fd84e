"""The scenario file format: the pydantic models (also the source of the published JSON Schema,
schema/scenario.schema.json, built by `serialize.scenario_file_schema` with every other schema
id) and the loaded form every other scenario module works on.

A scenario is a scripted case: a story told to trainees, the answers a responder would give,
trainer notes per question, and what each edition of the rules is expected to say.

`python -m sexting_triage.scenarios > schema/scenario.schema.json` regenerates the schema.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    model_validator,
)

from sexting_triage.errors import Problem
from sexting_triage.located import Located, PathKey
from sexting_triage.model import Id
from sexting_triage.ruleset import RuleSet

SCENARIO_SUFFIXES = (".yaml", ".yml")
EXPECT_FIELDS = ("pathway", "flags", "flags_include", "reasons_include", "reasons_exclude")

Title = Annotated[str, StringConstraints(min_length=1, max_length=300)]
Story = Annotated[str, StringConstraints(min_length=1, max_length=5000)]
Note = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
RulesRef = Annotated[str, StringConstraints(min_length=1, max_length=300)]


# ----------------------------------------------------------------------------- file format


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class ExpectModel(_Strict):
    """What one edition of the rules should say about the case."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True,
                              json_schema_extra={"minProperties": 1})

    pathway: Id | None = Field(default=None, description="The recommended pathway id.")
    flags: list[Id] | None = Field(
        default=None, description="The exact set of flags raised ([] for none).")
    flags_include: list[Id] | None = Field(
        default=None, description="Flags that must be among those raised (others allowed).")
    reasons_include: list[Id] | None = Field(
        default=None, description="Rule ids that must fire.")
    reasons_exclude: list[Id] | None = Field(
        default=None, description="Rule ids that must not fire.")

    @model_validator(mode="after")
    def _not_empty(self) -> ExpectModel:
        if all(getattr(self, k) is None for k in EXPECT_FIELDS):
            raise ValueError("an expectation needs at least one of: " + ", ".join(EXPECT_FIELDS))
        return self


def _expect_kind(v: Any) -> str:
    """One block (`pathway:` ...) or blocks keyed by rule-set id (`cop-2016: {...}`)."""
    if isinstance(v, ExpectModel):
        return "single"
    if isinstance(v, dict) and v and not any(k in EXPECT_FIELDS for k in v) and all(
            isinstance(x, dict) for x in v.values()):
        return "keyed"
    return "single"


Expect = Annotated[
    Annotated[ExpectModel, Tag("single")]
    | Annotated[dict[Id, ExpectModel], Tag("keyed"), Field(min_length=1)],
    Discriminator(_expect_kind),
]
Answer = Annotated[bool | int | str, Field(description="yes/no/unknown, a choice id, or a "
                                                       "whole number, as for `run`.")]


class ScenarioModel(_Strict):
    """One scripted case for teaching and for checking the rules."""

    title: Title
    story: Story = Field(description="The case as told to trainees: no names, no graphic detail.")
    rules: RulesRef | None = Field(
        default=None, description="A rule-set id (or path) this scenario is for.")
    answers: dict[Id, Answer] = Field(
        min_length=1, description="Question id -> answer, the same vocabulary as `run`.")
    notes: dict[Id, Note] = Field(
        default_factory=dict, description="Trainer notes keyed by question id, shown at that "
        "step of a walkthrough.")
    tags: list[Id] = Field(default_factory=list)
    expect: Expect = Field(description="One expectation block for the scenario's rule set, "
                           "or blocks keyed by rule-set id.")


class ScenarioListModel(_Strict):
    """Several scenarios in one file."""

    scenarios: list[ScenarioModel] = Field(min_length=1)


ScenarioFile = ScenarioModel | ScenarioListModel


# ----------------------------------------------------------------------------- loaded form


@dataclass(frozen=True)
class Expectation:
    """One expectation block; `key` is its rule-set id, or None for an unkeyed block."""

    key: str | None
    pathway: str | None
    flags: tuple[str, ...] | None
    flags_include: tuple[str, ...] | None
    reasons_include: tuple[str, ...] | None
    reasons_exclude: tuple[str, ...] | None

    def as_dict(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v)
                for k in EXPECT_FIELDS if (v := getattr(self, k)) is not None}


@dataclass(frozen=True)
class Scenario:
    """A loaded scenario. `base` is where it sits in its file (for path:line:col)."""

    path: str
    index: int | None
    title: str
    story: str
    rules: str | None
    answers: dict[str, Any]
    notes: dict[str, str]
    tags: tuple[str, ...]
    expect: tuple[Expectation, ...]
    doc: Located = field(repr=False, compare=False)
    base: PathKey = ()
    # questions of every rule set the scenario targets: an answer one edition does not have
    # but another does is expected in a multi-edition scenario, not a mistake
    edition_questions: frozenset[str] = frozenset()

    @property
    def name(self) -> str:
        """`path` for a one-scenario file, `path#N` (1-based) for the N-th in a list."""
        return self.path if self.index is None else f"{self.path}#{self.index + 1}"

    @property
    def keyed(self) -> bool:
        return any(e.key is not None for e in self.expect)

    def expectation_for(self, rs: RuleSet) -> Expectation | None:
        """The block for this rule set: the keyed block for its id, else the unkeyed block
        (which states what the case should give under whichever rule set it is checked)."""
        for e in self.expect:
            if e.key == rs.id:
                return e
        for e in self.expect:
            if e.key is None:
                return e
        return None

    def editions(self) -> list[str | None]:
        """The rule sets to check against when none is given: the one the scenario names,
        else every rule-set id its expect is keyed by, else None (the default rule set)."""
        if self.rules:
            return [self.rules]
        keys = [e.key for e in self.expect if e.key is not None]
        return list(keys) or [None]

    def problem(self, loc: PathKey, message: str, key: bool = False) -> Problem:
        return self.doc.problem((*self.base, *loc), message, key=key)

    def where(self, loc: PathKey) -> str:
        """`path:line:col` of a value in this scenario."""
        line, col = self.doc.where((*self.base, *loc))
        out = self.path
        if line is not None:
            out += f":{line}" + (f":{col}" if col is not None else "")
        return out

    def expect_loc(self, e: Expectation) -> PathKey:
        return ("expect",) if e.key is None else ("expect", e.key)
