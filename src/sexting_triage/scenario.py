"""Scenario files for trainers: the model, the loader and the pure check.

A scenario is a scripted case: a story told to trainees, the answers a responder would give,
trainer notes per question, and what each edition of the rules is expected to say. Files are
read through yamlio (positions, duplicate keys, size limits) and validated by the pydantic
models below, which are also the single source of the published JSON Schema
(schema/scenario.schema.json). Checking is pure: `check_scenario` decides with the engine and
compares; it prints nothing.

Stable API used by other commands: `save_scenario`, `load_scenarios`, `check_scenario`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from sexting_triage import conditions as C
from sexting_triage import engine, loader
from sexting_triage.errors import InputError, MissingAnswers, NoPathway, Problem, UsageError
from sexting_triage.model import Id
from sexting_triage.render.safe import clean
from sexting_triage.ruleset import Rule, RuleSet
from sexting_triage.yamlio import Located, PathKey, load_yaml_many

SCENARIO_SUFFIXES = (".yaml", ".yml")
SCHEMA_ID = "sexting-triage/scenario/1"
EXPECT_FIELDS = ("pathway", "flags", "flags_include", "reasons_include", "reasons_exclude")
PLACEHOLDER_TITLE = "Untitled case (edit this title)"
PLACEHOLDER_STORY = ("Tell the case here as trainees will hear it: ages and relationships only, "
                     "no names, no graphic detail. (Edit this story.)")

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


def json_schema() -> dict[str, Any]:
    """The published JSON Schema of scenario files (schema/scenario.schema.json)."""
    schema = TypeAdapter(ScenarioFile).json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": SCHEMA_ID, "title": "sexting-triage scenario file", **schema}


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


# ----------------------------------------------------------------------------- loading


class RuleSets:
    """Rule sets resolved once per process run (a scenario library names the same few).

    `preloaded` rule sets are found by their id before any bundled one of the same id (a
    rules diff checks scenarios against two given files)."""

    def __init__(self, preloaded: Iterable[RuleSet] = ()):
        self._by_ref: dict[str, RuleSet] = {}
        self._bundled: dict[str, Path] | None = None
        self._default: str | None = None
        for rs in preloaded:
            self._by_ref[rs.id] = rs

    @property
    def bundled(self) -> dict[str, Path]:
        if self._bundled is None:
            self._bundled = loader.bundled_paths()
        return self._bundled

    def get(self, ref: str | None, relative_to: str | None = None) -> RuleSet:
        """A rule set by bundled id or path (relative to the scenario file); None: default."""
        if ref is None:
            if self._default is None:
                self._default = loader.default_id()
            ref = self._default
        if ref in self._by_ref:
            return self._by_ref[ref]
        target = ref
        if relative_to is not None and ref not in self.bundled and not os.path.isabs(ref):
            candidate = Path(relative_to).parent / ref
            if candidate.exists():
                target = str(candidate)
        if target in self._by_ref:
            return self._by_ref[target]
        rs = loader.resolve(target)
        self._by_ref[target] = rs
        return rs

    def known(self, rs_id: str) -> bool:
        return rs_id in self._by_ref or rs_id in self.bundled

    def loaded(self, rs_id: str) -> RuleSet | None:
        """A rule set already loaded (e.g. given with --rules) whose id is `rs_id`."""
        return next((rs for rs in self._by_ref.values() if rs.id == rs_id), None)


def find_files(paths: Iterable[Path]) -> list[Path]:
    """Scenario files: files as given, folders searched recursively for *.yaml/*.yml."""
    out: list[Path] = []
    problems: list[Problem] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            found = []
            visited: set[tuple[int, int]] = set()
            for root, dirs, names in os.walk(p, followlinks=True):
                st = os.stat(root)
                if (st.st_dev, st.st_ino) in visited:  # a link back up the tree
                    dirs[:] = []
                    continue
                visited.add((st.st_dev, st.st_ino))
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                found.extend(Path(root, n) for n in names
                             if n.endswith(SCENARIO_SUFFIXES) and not n.startswith("."))
            out.extend(sorted(found))
        elif p.exists():
            out.append(p)
        else:
            problems.append(Problem(str(p), None, None, "", "no such file or folder"))
    if problems:
        raise InputError(problems)
    seen: set[str] = set()
    unique = []
    for f in out:  # a file named and also inside a folder named is read once
        key = os.path.abspath(f)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def load_scenarios(paths: list[Path], *, rulesets: RuleSets | None = None,
                   known_ids: Iterable[str] = ()) -> list[Scenario]:
    """Load every scenario in these files or folders (searched recursively).

    Checks each against the rule sets it targets (answer values, note question ids, expect
    pathway/flag/rule ids). Raises InputError with every problem in every file, each as
    path:line:col. `known_ids` are extra rule-set ids an expect may be keyed by (those given
    with --rules); otherwise a keyed id must be bundled or the id of the scenario's `rules`."""
    rulesets = rulesets or RuleSets()
    extra = set(known_ids)
    out: list[Scenario] = []
    problems: list[Problem] = []
    files = find_files(paths)
    if not files:
        raise InputError([Problem(", ".join(str(p) for p in paths), None, None, "",
                                  "no scenario files (*.yaml, *.yml) found")])
    for f in files:
        try:
            out.extend(_load_file(f, rulesets, extra))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return out


def _load_file(path: Path, rulesets: RuleSets, extra: set[str]) -> list[Scenario]:
    doc = load_yaml_many(path, "scenario file")
    data = doc.data
    if not isinstance(data, dict):
        raise InputError([doc.problem((), "a scenario file is a mapping with title, story, "
                                          "answers and expect, or a list under `scenarios:`")])
    if {"questions", "pathways", "precedence"} <= set(data):
        raise InputError([doc.problem((), "this is a rule set, not a scenario file: give "
                                          "it with --rules")])
    if set(data) <= {"answers", "rules"} and "answers" in data:
        raise InputError([doc.problem((), "this is an answers file (for `run`), not a "
                                          "scenario: add `title`, `story` and `expect`")])
    items: list[tuple[int | None, PathKey, Any]]
    if "scenarios" in data:
        extra_keys = [doc.problem((k,), f"unknown field `{k}` (a file with `scenarios:` "
                                        "holds only that list)", key=True)
                      for k in data if k != "scenarios"]
        if extra_keys:
            raise InputError(extra_keys)
        seq = data["scenarios"]
        if not isinstance(seq, list) or not seq:
            raise InputError([doc.problem(("scenarios",), "`scenarios` must be a list of "
                                                          "one or more scenarios")])
        items = [(i, ("scenarios", i), x) for i, x in enumerate(seq)]
    else:
        items = [(None, (), data)]
    problems: list[Problem] = []
    out: list[Scenario] = []
    for index, base, item in items:
        try:
            model = ScenarioModel.model_validate(item)
        except ValidationError as exc:
            problems.extend(_pydantic_problems(doc, exc, base))
            continue
        s = _build(model, doc, index, base)
        found, questions = _validate(s, rulesets, extra)
        problems.extend(found)
        out.append(replace(s, edition_questions=questions))
    if problems:
        raise InputError(_sorted(problems))
    return out


class _Errors:
    """A ValidationError's errors with the expect union's branch tags taken out of `loc`,
    so positions and dotted locations point into the file as written."""

    def __init__(self, exc: ValidationError):
        self._errors = []
        for err in exc.errors(include_url=False):
            loc = list(err["loc"])
            if len(loc) > 1 and loc[0] == "expect" and loc[1] in ("single", "keyed"):
                del loc[1]
            self._errors.append({**err, "loc": tuple(loc)})

    def errors(self, include_url: bool = False) -> list[Any]:
        return self._errors


def _pydantic_problems(doc: Located, exc: ValidationError, base: PathKey) -> list[Problem]:
    return loader.pydantic_problems(doc, _Errors(exc), base)  # type: ignore[arg-type]


def _sorted(problems: list[Problem]) -> list[Problem]:
    seen: set[str] = set()
    result = []
    for p in sorted(problems, key=lambda p: (p.path, p.line or 0, p.col or 0)):
        if str(p) not in seen:
            seen.add(str(p))
            result.append(p)
    return result


def _build(m: ScenarioModel, doc: Located, index: int | None, base: PathKey) -> Scenario:
    def block(key: str | None, e: ExpectModel) -> Expectation:
        def t(v: list[str] | None) -> tuple[str, ...] | None:
            return None if v is None else tuple(v)

        return Expectation(key, e.pathway, t(e.flags), t(e.flags_include),
                           t(e.reasons_include), t(e.reasons_exclude))

    if isinstance(m.expect, ExpectModel):
        expect = (block(None, m.expect),)
    else:
        expect = tuple(block(k, v) for k, v in m.expect.items())
    return Scenario(path=doc.path, index=index, title=m.title, story=m.story, rules=m.rules,
                    answers=dict(m.answers), notes=dict(m.notes), tags=tuple(m.tags),
                    expect=expect, doc=doc, base=base)


def _validate(s: Scenario, rulesets: RuleSets, extra: set[str]
              ) -> tuple[list[Problem], frozenset[str]]:
    """Problems with the scenario against every rule set it targets, and the question ids
    of those rule sets."""
    problems: list[Problem] = []
    targets: list[RuleSet] = []
    if s.rules:
        try:
            targets.append(rulesets.get(s.rules, s.path))
        except InputError as exc:
            if len(exc.problems) == 1 and exc.problems[0].line is None:
                problems.append(s.problem(("rules",), f"{s.rules}: {exc.problems[0].message}"))
            else:  # the rule file itself is invalid: its problems, and where it was named
                problems.extend(exc.problems)
                problems.append(s.problem(("rules",), f"the rule set {s.rules} is invalid"))
        except UsageError as exc:
            problems.append(s.problem(("rules",), str(exc)))
    named = targets[0].id if targets else None
    for e in s.expect:
        if e.key is None:
            if not s.rules:
                targets.append(rulesets.get(None))
            continue
        if e.key == named:
            continue
        if e.key in extra:  # given with --rules: validate against that file, by its id
            if not s.rules and (given := rulesets.loaded(e.key)) is not None:
                targets.append(given)
            continue
        if not rulesets.known(e.key):
            known = ", ".join(rulesets.bundled) or "none"
            problems.append(s.problem(("expect", e.key), f"no rule set with id `{e.key}` "
                                      f"(bundled: {known}); name it with `rules:` or check "
                                      "with --rules FILE", key=True))
            continue
        if not s.rules:
            targets.append(rulesets.get(e.key))
    seen: set[str] = set()
    for rs in targets:
        if rs.id in seen:
            continue
        seen.add(rs.id)
        problems.extend(answer_problems(s, rs))
        e = s.expectation_for(rs)
        if e is not None:
            problems.extend(expect_problems(s, e, rs))
    asked_anywhere: set[str] = set().union(*(set(rs.question_index) for rs in targets))
    if targets:
        for qid in s.notes:
            if qid not in asked_anywhere:
                names = " or ".join(sorted(seen))
                problems.append(s.problem(("notes", qid), f"no question `{qid}` in {names}: "
                                          "notes are keyed by question id", key=True))
    return problems, frozenset(asked_anywhere)


def answer_problems(s: Scenario, rs: RuleSet) -> list[Problem]:
    """Answers whose values are outside their question's domain in this rule set."""
    out = []
    for qid, value in s.answers.items():
        if qid not in rs.question_index:
            continue
        try:
            engine.normalize(rs.question(qid), value)
        except ValueError as exc:
            out.append(s.problem(("answers", qid), f"{exc} (got {value!r}; rule set {rs.id})"))
    return out


def expect_problems(s: Scenario, e: Expectation, rs: RuleSet) -> list[Problem]:
    """Pathway, flag and rule ids in an expectation that this rule set does not have."""
    base = s.expect_loc(e)
    out = []
    rule_ids = {r.id for r in rs.rules}
    if e.pathway is not None and e.pathway not in rs.pathways:
        out.append(s.problem((*base, "pathway"), f"unknown pathway `{e.pathway}` in {rs.id} "
                             f"(pathways: {', '.join(rs.pathways)})"))
    for key, known, what in (("flags", rs.flags, "flag"), ("flags_include", rs.flags, "flag"),
                             ("reasons_include", rule_ids, "rule"),
                             ("reasons_exclude", rule_ids, "rule")):
        for j, v in enumerate(getattr(e, key) or ()):
            if v not in known:
                hint = f" (flags: {', '.join(rs.flags)})" if what == "flag" else ""
                out.append(s.problem((*base, key, j), f"unknown {what} `{v}` in {rs.id}{hint}"))
    if e.reasons_include and e.reasons_exclude:
        for j, v in enumerate(e.reasons_exclude):
            if v in e.reasons_include:
                out.append(s.problem((*base, "reasons_exclude", j),
                                     f"`{v}` is in both reasons_include and reasons_exclude"))
    return out


# ----------------------------------------------------------------------------- checking


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
        raise InputError(_sorted(problems))
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
_QUIZ_WORDS = {
    "pathway": "you chose {want}; the rules give {got}",
    "flag_missing": "you chose flag {flag}, but the rules do not raise it",
    "flag_extra": "flag {flag} applies, and you did not choose it",
}


def compare(e: Expectation, d: engine.Decision,
            words: Mapping[str, str] = _CHECK_WORDS) -> list[str]:
    """Plain sentences for every way the decision differs from the expectation, each naming
    the rule that made the difference."""
    rs = d.ruleset
    facts = d.answers
    fired = {r.rule for r in d.reasons}
    out: list[str] = []
    if e.pathway is not None and e.pathway != d.pathway:
        head = words["pathway"].format(want=e.pathway, got=d.pathway)
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
        out.append(_missing_flag(f, rs, facts, words["flag_missing"].format(flag=f)))
    if e.flags is not None:
        for f in d.flags:
            if f not in e.flags:
                raisers = [r for r in rs.rules if r.id in fired and r.flag == f]
                out.append(words["flag_extra"].format(flag=f) + ": "
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


def fired_at(d: engine.Decision) -> dict[str, list[engine.Reason]]:
    """For a walkthrough: each fired reason keyed by the question after whose answer it is
    settled (the last asked question it reads; rules reading no asked fact: the first)."""
    rs = d.ruleset
    pos = {q: i for i, q in enumerate(d.asked)}
    by_id = {r.id: r for r in rs.rules}
    out: dict[str, list[engine.Reason]] = {q: [] for q in d.asked}
    for reason in d.reasons:
        rule = by_id[reason.rule]
        steps = [pos[f] for f in rule.reads if f in pos]
        if not d.asked:
            continue
        out[d.asked[max(steps) if steps else 0]].append(reason)
    return out


# ----------------------------------------------------------------------------- saving


def _q(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def _scalar(v: Any) -> str:
    return str(v) if isinstance(v, int) and not isinstance(v, bool) else _q(str(v))


def scenario_text(decision: engine.Decision, title: str | None = None,
                  rules_ref: str | None = None) -> str:
    """A scenario file (YAML) replaying this decision, with `expect` keyed by its rule set.
    `rules_ref` names a rule file that is not bundled (a path relative to the scenario)."""
    rs = decision.ruleset
    t = " ".join(clean(title).split()) if title else ""
    t = t[:300] if t else PLACEHOLDER_TITLE
    lines = [
        "# A scenario saved by sexting-triage from a decision. Before using it in training:",
        "# edit the title and story (no names, no graphic detail), add trainer notes keyed by",
        "# question id, and prune `reasons_include` to the rules the case is meant to teach.",
        f"title: {_q(t)}",
        f"story: {_q(PLACEHOLDER_STORY)}",
    ]
    if rs.id not in loader.bundled_paths():
        lines.append(f"rules: {_q(rules_ref or os.path.abspath(rs.path))}")
    lines.append("answers:")
    for qid, v in decision.answers.items():
        lines.append(f"  {qid}: {_scalar(v)}")
    lines += [
        "notes: {}",
        "tags: []",
        "expect:",
        f"  {rs.id}:",
        f"    pathway: {decision.pathway}",
        f"    flags: [{', '.join(decision.flags)}]",
        f"    reasons_include: [{', '.join(decision.fired)}]",
    ]
    return "\n".join(lines) + "\n"


def save_scenario(path: Path, decision: engine.Decision, title: str | None = None) -> None:
    """Write the decision's answers and result as a scenario file, atomically (a temporary
    file in the same folder, then renamed), so a trainer builds material by playing a case
    once. Only answers, ids and a placeholder title/story are written: no names, no free text
    beyond the title given."""
    path = Path(path)
    ref = os.path.relpath(os.path.abspath(decision.ruleset.path),
                          os.path.abspath(path.parent or Path(".")))
    write_atomic(path, scenario_text(decision, title, ref))


def write_atomic(path: Path, content: str) -> None:
    """Write a text file the tool produced (scenario, handout, JUnit) atomically, with the
    permissions of any new file."""
    from sexting_triage.files import atomic_write

    atomic_write(path, content.encode("utf-8"), mode=None)


# ----------------------------------------------------------------------------- quiz


def explain_choice(d: engine.Decision, pathway: str, flags: Iterable[str]) -> list[str]:
    """Why a trainee's choice differs from the decision, in the same plain sentences as a
    failing check, worded for the trainee."""
    e = Expectation(None, pathway, tuple(flags), None, None, None)
    return compare(e, d, _QUIZ_WORDS)


# ----------------------------------------------------------------------------- coverage


@dataclass(frozen=True)
class Targets:
    """What can happen under a rule set: the reachable questions (in order), the answer
    values per question (whole numbers grouped into the ranges the conditions tell apart),
    rules, pathways and flags."""

    questions: tuple[str, ...]
    values: dict[str, tuple[str, ...]]
    rules: tuple[str, ...]
    pathways: tuple[str, ...]
    flags: tuple[str, ...]


def _int_tests(rs: RuleSet, qid: str) -> list[C.Test]:
    conds = [r.when for r in rs.rules] + [q.ask_when for q in rs.questions if q.ask_when]
    return [t for c in conds for t in C.tests(c) if t.fact == qid]


def int_classes(rs: RuleSet, qid: str) -> list[tuple[int, int]]:
    """The ranges of a whole-number question that every condition treats alike."""
    q = rs.question(qid)
    assert q.min is not None and q.max is not None
    ts = _int_tests(rs, qid)
    out: list[tuple[int, int]] = []
    prev: tuple[bool, ...] | None = None
    for v in range(q.min, q.max + 1):
        sig = tuple(C.test_holds(t, v) for t in ts)
        if sig == prev:
            out[-1] = (out[-1][0], v)
        else:
            out.append((v, v))
            prev = sig
    return out


def _range_label(lo: int, hi: int) -> str:
    return str(lo) if lo == hi else f"{lo}-{hi}"


def value_label(rs: RuleSet, qid: str, value: Any, classes: dict[str, list[tuple[int, int]]]
                ) -> str:
    """The coverage label of an answer: the value, or its range for whole numbers."""
    if rs.question(qid).type != "integer":
        return str(value)
    if qid not in classes:
        classes[qid] = int_classes(rs, qid)
    for lo, hi in classes[qid]:
        if lo <= value <= hi:
            return _range_label(lo, hi)
    return str(value)


def _values(rs: RuleSet, questions: Iterable[str]) -> dict[str, tuple[str, ...]]:
    out = {}
    for qid in questions:
        q = rs.question(qid)
        out[qid] = (tuple(_range_label(lo, hi) for lo, hi in int_classes(rs, qid))
                    if q.type == "integer" else tuple(str(v) for v in q.domain))
    return out


def reachable_targets(rs: RuleSet) -> Targets:
    """Everything reachable in the rule set, from the exact analysis (analysis.reachable),
    with whole numbers grouped into the ranges the conditions tell apart."""
    from sexting_triage import analysis

    reach = analysis.reachable(rs)
    classes: dict[str, list[tuple[int, int]]] = {}
    questions = tuple(q.id for q in rs.questions if q.id in reach.questions)
    values = {}
    for qid in questions:
        got = {value_label(rs, qid, v, classes) for v in reach.values.get(qid, ())}
        values[qid] = tuple(v for v in _values(rs, [qid])[qid] if v in got)
    return Targets(questions, values,
                   tuple(r.id for r in rs.rules if r.id in reach.rules),
                   tuple(p for p in rs.precedence if p in reach.pathways),
                   tuple(f for f in rs.flags if f in reach.flags))


@dataclass(frozen=True)
class Coverage:
    """What a set of scenarios exercises under one rule set, against what is reachable."""

    ruleset: RuleSet
    scenarios: int
    decided: int
    targets: Targets
    pathways: dict[str, int]
    flags: dict[str, int]
    rules: dict[str, int]
    questions: dict[str, int]
    values: dict[str, dict[str, int]]

    def missing(self) -> dict[str, list[str]]:
        """Reachable things no scenario exercises, by kind."""
        t = self.targets
        return {
            "pathways": [p for p in t.pathways if not self.pathways.get(p)],
            "flags": [f for f in t.flags if not self.flags.get(f)],
            "rules": [r for r in t.rules if not self.rules.get(r)],
            "questions": [q for q in t.questions if not self.questions.get(q)],
            "values": [f"{q}={v}" for q in t.questions for v in t.values.get(q, ())
                       if not self.values.get(q, {}).get(v)],
        }

    def counts(self) -> dict[str, tuple[int, int]]:
        """(exercised, reachable) by kind."""
        miss = self.missing()
        t = self.targets
        total = {"pathways": len(t.pathways), "flags": len(t.flags), "rules": len(t.rules),
                 "questions": len(t.questions),
                 "values": sum(len(v) for v in t.values.values())}
        return {k: (total[k] - len(miss[k]), total[k]) for k in total}


def coverage(rs: RuleSet, decisions: list[engine.Decision], scenarios: int | None = None,
             targets: Targets | None = None) -> Coverage:
    """Count, per pathway, flag, rule, question and answer value, the decisions that
    exercise it."""
    targets = targets or reachable_targets(rs)
    classes: dict[str, list[tuple[int, int]]] = {}
    pathways: dict[str, int] = {}
    flags: dict[str, int] = {}
    rules: dict[str, int] = {}
    questions: dict[str, int] = {}
    values: dict[str, dict[str, int]] = {}
    for d in decisions:
        pathways[d.pathway] = pathways.get(d.pathway, 0) + 1
        for f in d.flags:
            flags[f] = flags.get(f, 0) + 1
        for r in d.fired:
            rules[r] = rules.get(r, 0) + 1
        for qid, v in d.answers.items():
            questions[qid] = questions.get(qid, 0) + 1
            label = value_label(rs, qid, v, classes)
            per = values.setdefault(qid, {})
            per[label] = per.get(label, 0) + 1
    return Coverage(rs, len(decisions) if scenarios is None else scenarios, len(decisions),
                    targets, pathways, flags, rules, questions, values)


def _print_schema() -> None:
    """`python -m sexting_triage.scenario > schema/scenario.schema.json` regenerates it."""
    print(json.dumps(json_schema(), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    _print_schema()
