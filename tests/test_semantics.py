"""The rule-set file's semantic checks, one pair of examples per check (as yamllint keeps a
passing and a failing example beside each rule): the small rule set of `rulesets_small` is
clean, and one small change makes exactly the named check report, at the right place."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yaml

from rulesets_small import base, cite, rule
from sexting_triage import semantics
from sexting_triage.yamlio import load_yaml


def problems_of(tmp_path, data: dict[str, Any]) -> dict[str, list[str]]:
    """Each check's problems (as `line:col: location: message`) for a rule set given as data."""
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    doc = load_yaml(path, "rule set")
    ctx = semantics.Context(doc, doc.data)
    out = {}
    for check in semantics.CHECKS:
        found = [str(p).split(":", 1)[1] for p in check(ctx)]
        if found:
            out[check.__name__] = found
    return out


def _dup_question(d):
    d["questions"].append(dict(d["questions"][0]))


def _one_choice(d):
    d["questions"][2]["choices"] = d["questions"][2]["choices"][:1]


def _bad_range(d):
    d["questions"][1]["min"] = 20


def _ask_when_later(d):
    d["questions"][0]["ask_when"] = 'malice == "yes"'


def _precedence_gap(d):
    d["precedence"] = d["precedence"][:-1]


def _two_effects(d):
    rule(d, "malice")["flag"] = "judge"


def _headline_on_pathway_rule(d):
    rule(d, "malice")["headline"] = "Act now"


def _impossible_value(d):
    rule(d, "young-wide")["when"] = 'age < 13 and extent == "widely"'


def _unknown_source(d):
    rule(d, "malice")["cite"] = [{"source": "NOPE", "section": "x"}]


def _bad_action_if(d):
    d["pathways"][2]["actions"] = [{"text": "Consider Outcome 21.", "if": 'agee >= 10'}]


def _recording_default_first(d):
    d["recording"] = {"pathways": ["light"], "categories": [
        {"id": "plain", "title": "Plain", "reason": "R.", "treatment": "T.", "cite": cite()},
        {"id": "agg", "title": "Agg", "when": 'malice == "yes"', "reason": "R.",
         "treatment": "T.", "cite": cite()}]}


def _invariant_unknown_flag(d):
    d["invariants"] = [{"id": "x", "description": "X.", "kind": "implies",
                        "when": 'malice == "yes"', "flags_include": ["nope"]}]


CASES: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("unique_ids", _dup_question, "duplicate id `imagery` (also questions[0])"),
    ("choice_questions", _one_choice, "a choice question needs at least two `choices`"),
    ("integer_questions", _bad_range, "max (17) is below min (20)"),
    ("ask_when_conditions", _ask_when_later, "`malice` is not asked before this question"),
    ("precedence_complete", _precedence_gap, "pathway `out` is missing from precedence"),
    ("rule_effects", _two_effects, "a rule raises one of `pathway` or `flag`, not both"),
    ("rule_effects", _headline_on_pathway_rule, "only a rule that raises a flag can have a "
                                                "`headline`"),
    ("rule_conditions", _impossible_value, "`widely` is not an answer to `extent`"),
    ("cite_sources", _unknown_source, "unknown source `NOPE` (sources: SRC)"),
    ("action_conditions", _bad_action_if, "unknown fact `agee`"),
    ("recording_block", _recording_default_first, "only the last category may have neither"),
    ("invariant_references", _invariant_unknown_flag, "unknown flag `nope`"),
]


def test_every_check_has_an_example_and_a_docstring():
    named = {name for name, _, _ in CASES}
    assert named == {c.__name__ for c in semantics.CHECKS}
    for check in semantics.CHECKS:
        assert check.__doc__ and len(check.__doc__.split()) >= 12, check.__name__


def test_the_small_rule_set_passes_every_check(tmp_path):
    data = base()
    data["recording"] = {"pathways": ["light"], "categories": [
        {"id": "agg", "title": "Agg", "when": 'malice == "yes"', "reason": "R.",
         "treatment": "T.", "cite": cite()},
        {"id": "plain", "title": "Plain", "reason": "R.", "treatment": "T.", "cite": cite()}]}
    data["pathways"][2]["actions"] = [{"text": "Consider Outcome 21.", "if": "age >= 10"}]
    assert problems_of(tmp_path, data) == {}


@pytest.mark.parametrize(("check", "change", "message"), CASES,
                         ids=[f"{c}-{f.__name__.strip('_')}" for c, f, _ in CASES])
def test_each_check_finds_its_problem(tmp_path, check, change, message):
    data = base()
    change(data)
    found = problems_of(tmp_path, data)
    assert check in found, found
    assert any(message in p for p in found[check]), found[check]
    # each problem is located: line and column in the file
    line, col = found[check][0].split(":")[:2]
    assert line.isdigit() and col.isdigit()
