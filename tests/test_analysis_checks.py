"""The catalogue of `rules check`: a passing and a failing example for every check (tiny
rule sets built inline, as yamllint does for its rules), and the fast analysis held against
the previous algorithm and against brute force."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import analysis_reference as reference
from rulesets_small import base, load, rule
from sexting_triage import analysis, engine
from sexting_triage.analysis import checks as K
from sexting_triage.errors import NoPathway
from sexting_triage.loader import load_ruleset, resolve

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from scaling import write_extended


def run(tmp_path, data, check):
    """The findings of one check on an inline rule set."""
    ctx = K.Context(load(tmp_path, data))
    return [(f.level, f.code, f.subject) for f in check(ctx)], ctx


def checked(data):
    """The small set with its one source's sections checked and cited exactly."""
    data["sources"]["SRC"]["checked_sections"] = ["Scope"]
    for r in data["rules"]:
        r["cite"] = [{"source": "SRC", "section": "Scope"}]
    return data


def test_every_check_is_registered_once_with_a_docstring():
    names = [c.__name__ for c in K.CHECKS]
    assert len(names) == len(set(names))
    for c in K.CHECKS:
        assert c.__doc__ and len(c.__doc__.split()) >= 8, c.__name__


# ----------------------------------------------------------------------------- each check


def test_no_pathway(tmp_path):
    assert run(tmp_path, base(), K.no_pathway)[0] == []
    data = base()
    rule(data, "in-scope")["when"] = 'imagery == "yes"'
    found, ctx = run(tmp_path, data, K.no_pathway)
    assert found == [("error", "no-pathway", "rules")]
    (f,) = K.no_pathway(ctx)
    with pytest.raises(NoPathway):
        engine.decide(ctx.rs, f.example)


def test_question_unreachable(tmp_path):
    assert run(tmp_path, base(), K.question_unreachable)[0] == []
    data = base()
    data["questions"].append({"id": "ghost", "text": "Never?",
                              "ask_when": 'imagery == "yes" and imagery == "no"'})
    data["questions"][2]["ask_when"] = 'imagery == "yes" and age < 0'
    found, _ = run(tmp_path, data, K.question_unreachable)
    assert ("error", "question-unreachable", "ghost") in found
    assert ("error", "question-unreachable", "extent") in found


def test_rule_never_fires(tmp_path):
    assert run(tmp_path, base(), K.rule_never_fires)[0] == []
    data = base()
    data["rules"].append({"id": "never", "when": 'extent == "wide" and imagery == "unknown"',
                          "pathway": "standard", "reason": "Never.",
                          "cite": [{"source": "SRC", "section": "S"}]})
    # a note rule (no pathway, no flag) that fires is not reported
    data["rules"].append({"id": "note", "when": 'malice == "no"', "reason": "A note.",
                          "cite": [{"source": "SRC", "section": "S"}]})
    assert run(tmp_path, data, K.rule_never_fires)[0] == [
        ("error", "rule-never-fires", "never")]


def test_pathway_unreachable(tmp_path):
    assert run(tmp_path, base(), K.pathway_unreachable)[0] == []
    data = base()
    data["pathways"].append({"id": "unused", "title": "Unused", "summary": "Unused."})
    data["precedence"].append("unused")
    assert run(tmp_path, data, K.pathway_unreachable)[0] == [
        ("error", "pathway-unreachable", "unused")]


def test_flag_never_raised(tmp_path):
    assert run(tmp_path, base(), K.flag_never_raised)[0] == []
    data = base()
    data["flags"].append({"id": "quiet", "title": "Quiet", "summary": "Quiet."})
    assert run(tmp_path, data, K.flag_never_raised)[0] == [
        ("warning", "flag-never-raised", "quiet")]


def test_question_never_matters(tmp_path):
    assert run(tmp_path, base(), K.question_never_matters)[0] == []
    data = base()
    data["questions"].append({"id": "colour", "text": "Anything else?"})
    assert run(tmp_path, data, K.question_never_matters)[0] == [
        ("warning", "question-never-matters", "colour")]
    # an answer that only changes which actions are offered matters
    data["pathways"][2]["actions"] = [{"text": "Consider Outcome 21.",
                                       "if": 'colour != "yes"'}]
    assert run(tmp_path, data, K.question_never_matters)[0] == []


def test_source_never_cited(tmp_path):
    assert run(tmp_path, base(), K.source_never_cited)[0] == []
    data = base()
    data["sources"]["OTHER"] = {"title": "Other", "date": "2021"}
    assert run(tmp_path, data, K.source_never_cited)[0] == [
        ("warning", "source-never-cited", "OTHER")]


def test_citation_unchecked(tmp_path):
    data = checked(base())
    assert run(tmp_path, data, K.citation_unchecked)[0] == []
    rule(data, "malice")["cite"] = [{"source": "SRC", "section": "Initial police action"}]
    found, ctx = run(tmp_path, data, K.citation_unchecked)
    assert found == [("warning", "citation-unchecked", "SRC")]
    (f,) = K.citation_unchecked(ctx)
    assert "rule malice" in f.message and "Initial police action" in f.message
    # marked approximate: no longer a claim of an exact heading
    rule(data, "malice")["cite"][0]["approximate"] = True
    assert run(tmp_path, data, K.citation_unchecked)[0] == []


def test_source_unchecked(tmp_path):
    assert run(tmp_path, checked(base()), K.source_unchecked)[0] == []
    data = base()  # SRC declares no checked sections and is cited exactly
    found, _ = run(tmp_path, data, K.source_unchecked)
    assert found == [("warning", "source-unchecked", "SRC")]
    for r in data["rules"]:
        r["cite"][0]["approximate"] = True
    assert run(tmp_path, data, K.source_unchecked)[0] == []


def test_warnings_never_fail_the_check(tmp_path):
    data = base()
    data["questions"].append({"id": "colour", "text": "Anything else?"})
    report = analysis.check(load(tmp_path, data))
    assert report.warnings and report.clean


def test_bundled_citations_are_checked_or_approximate():
    for rid in ("cop-2016", "cop-2024"):
        ctx = K.Context(resolve(rid))
        assert list(K.citation_unchecked(ctx)) == [] and list(K.source_unchecked(ctx)) == []


# ----------------------------------------------------------------------------- actions


@pytest.mark.parametrize("rid", ["cop-2016", "cop-2024"])
def test_action_classes_agree_with_decide(rid):
    """Every class's checklist is the engine's for its example, classes cover every
    situation, and random situations get the checklist of the class they fall in."""
    import random

    rs = resolve(rid)
    classes = analysis.action_classes(rs)
    assert sum(c.count for c in classes) == analysis.reachable(rs).situations
    for c in classes:
        d = engine.decide(rs, c.example)
        assert (d.pathway, d.flags) == (c.pathway, c.flags)
        assert tuple((a.text, a.when, a.from_) for a in d.actions) == c.actions
    seen = {(c.pathway, c.flags, c.actions) for c in classes}
    rnd = random.Random(7)
    for _ in range(150):
        answers: dict = {}
        while (q := engine.walk(rs, answers).next) is not None:
            answers[q.id] = rnd.choice(q.domain)
        d = engine.decide(rs, answers)
        assert (d.pathway, d.flags, tuple((a.text, a.when, a.from_) for a in d.actions)) in seen


def test_action_classes_split_on_an_action_condition(tmp_path):
    data = base()
    data["pathways"][2]["actions"] = [{"text": "Consider Outcome 21.", "if": "age >= 10"}]
    rs = load(tmp_path, data)
    light = [c for c in analysis.action_classes(rs) if c.pathway == "light" and not c.flags]
    assert {c.texts for c in light} == {frozenset(), frozenset({"Consider Outcome 21."})}


# ----------------------------------------------------------------------------- differential


def same_report(rs):
    """The fast check equals the previous algorithm's, except that a question whose answer
    changes only the actions offered is no longer reported as never mattering."""
    new, old = analysis.check(rs), reference.check(rs)
    assert (new.situations, new.outcomes) == (old.situations, old.outcomes)
    assert [i.as_dict() for i in new.invariants] == [i.as_dict() for i in old.invariants]
    keep = ("citation-unchecked", "source-unchecked")
    nf = [f.as_dict() for f in new.findings if f.code not in keep]
    of = [f.as_dict() for f in old.findings]
    matters = "question-never-matters"  # reworded: "... or the actions offered ..."
    assert [f for f in nf if f["code"] != matters] == [f for f in of if f["code"] != matters]
    n_subjects = {f["subject"] for f in nf if f["code"] == matters}
    o_subjects = {f["subject"] for f in of if f["code"] == matters}
    ctx = K.Context(rs)
    assert n_subjects <= o_subjects
    assert all(ctx.changes_actions(s) for s in o_subjects - n_subjects)


@pytest.mark.slow
@pytest.mark.parametrize("rid", ["cop-2016", "cop-2024"])
def test_fast_check_equals_the_previous_algorithm_on_bundled_sets(rid):
    same_report(resolve(rid))


@pytest.mark.slow
def test_fast_check_equals_the_previous_algorithm_on_generated_sets(tmp_path):
    for n in (0, 6):
        same_report(load_ruleset(write_extended(n, tmp_path)))


def brute_matters(rs, fact):
    """Brute force: some full assignment changes pathway or flags when only `fact` changes
    (each side asks what its own walk asks; gated questions keep the shared value)."""
    facts = [q.id for q in rs.questions]
    domains = [rs.question(f).domain for f in facts]

    def outcome(full):
        asked = engine.walk(rs, full).asked
        w = engine.walk(rs, {k: full[k] for k in asked}, complete=True)
        p, flags, _ = engine.outcome(rs, w.facts)
        return p, flags

    for values in itertools.product(*domains):
        full = dict(zip(facts, values, strict=True))
        if fact not in engine.walk(rs, full).asked:
            continue
        a = outcome(full)
        for v in rs.question(fact).domain:
            if v != full[fact] and outcome({**full, fact: v}) != a:
                return True
    return False


ATOMS = ['imagery == "yes"', 'imagery != "no"', "age < 13", "age >= 15", 'extent == "wide"',
         'malice == "unknown"', 'malice != "no"']


@settings(max_examples=8, deadline=None)
@given(st.data())
def test_random_small_sets_agree_with_reference_and_brute_force(tmp_path_factory, data):
    draw = data.draw
    spec = base()
    spec["questions"][0:2] = [spec["questions"][0],
                              {"id": "age", "type": "integer", "min": 9, "max": 16,
                               "text": "Age?"}]
    for r in spec["rules"]:
        if r["id"] not in ("no-image", "in-scope"):
            a, b = draw(st.sampled_from(ATOMS)), draw(st.sampled_from(ATOMS))
            r["when"] = f"{a} {draw(st.sampled_from(['and', 'or']))} {b}"
    spec["invariants"] = [{"id": "mono", "kind": "monotone", "description": "d",
                           "facts": ["malice"], "from": "no", "to": "yes"}]
    rs = load(tmp_path_factory.mktemp("r"), spec)
    same_report(rs)
    ctx = K.Context(rs)
    for q in rs.questions:
        assert ctx.influential(q.id) == brute_matters(rs, q.id), q.id
