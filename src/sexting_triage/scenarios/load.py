"""Finding and loading scenario files: every problem in every file at once, each as
path:line:col, with answers and expectation ids checked against the rule sets a scenario
targets. Files are read through yamlio (positions, duplicate keys, size limits)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sexting_triage import engine, loader
from sexting_triage.errors import InputError, Problem, UsageError
from sexting_triage.ruleset import RuleSet
from sexting_triage.scenarios.format import (
    SCENARIO_SUFFIXES,
    Expectation,
    ExpectModel,
    Scenario,
    ScenarioModel,
)
from sexting_triage.yamlio import Located, PathKey, load_yaml_many


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
            found: list[Path] = []
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
        raise InputError(sorted_problems(problems))
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
    return loader.pydantic_problems(doc, _Errors(exc), base)


def sorted_problems(problems: list[Problem]) -> list[Problem]:
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

    expect: tuple[Expectation, ...]
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
        block = s.expectation_for(rs)
        if block is not None:
            problems.extend(expect_problems(s, block, rs))
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
