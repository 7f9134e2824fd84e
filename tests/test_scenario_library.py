"""The shipped scenario library and the published schema: every case states what every bundled
edition should give and passes under each with --strict, every rule, pathway, flag and answer
value of every bundled rule set is exercised, the worked examples give what the domain brief
says in each edition, every case teaches (notes), and the JSON Schema file is exactly the one
the pydantic model generates and accepts every shipped file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from sexting_triage.cli import main
from sexting_triage.loader import bundled_paths, resolve
from sexting_triage.scenarios.check import check_scenario
from sexting_triage.scenarios.coverage import coverage
from sexting_triage.scenarios.load import find_files, load_scenarios
from sexting_triage.scenarios.save import PLACEHOLDER_STORY, PLACEHOLDER_TITLE
from sexting_triage.serialize import scenario_file_schema as json_schema

ROOT = Path(__file__).resolve().parents[1]
LIB = ROOT / "scenarios"
SCHEMA = ROOT / "schema" / "scenario.schema.json"
EDITIONS = sorted(bundled_paths())


@pytest.fixture(scope="module")
def library():
    return load_scenarios([LIB])


@pytest.fixture(scope="module")
def results(library):
    """Every case decided and checked (--strict) under every bundled edition, once."""
    out = {}
    for rid in EDITIONS:
        rs = resolve(rid)
        out[rid] = (rs, {s.name: check_scenario(s, rs, strict=True) for s in library})
    return out


def test_bundled_editions_are_the_two_the_library_is_written_for():
    # if an edition is added, the library must say what it gives: this test then names it
    assert EDITIONS == ["cop-2016", "cop-2024"]


def test_scenarios_check_passes_on_the_library(capsys):
    assert main(["scenarios", "check", str(LIB), "--strict", "--quiet"]) == 0, capsys.readouterr()
    out, err = capsys.readouterr()
    n = len(load_scenarios([LIB]))
    # every case is checked under every edition its expect is keyed by: all of them
    assert err == "" and out == (f"{n * len(EDITIONS)} passed, 0 failed, 0 not checked "
                                 f"({n} scenarios, {n * len(EDITIONS)} checks)\n")


@pytest.mark.parametrize("rid", EDITIONS)
def test_scenarios_check_passes_under_each_edition_given_with_rules(capsys, rid):
    # answers and notes for questions only the other edition asks are accepted, not warned
    assert main(["scenarios", "check", str(LIB), "--strict", "--quiet", "--rules", rid]) == 0, \
        capsys.readouterr()
    out, err = capsys.readouterr()
    assert err == "" and out.startswith(f"{len(load_scenarios([LIB]))} passed, 0 failed, ")


def test_library_size_notes_and_keyed_expectations(library):
    assert len(library) >= 32
    for s in library:
        assert s.notes, f"{s.name} has no trainer notes"
        keys = [e.key for e in s.expect]
        assert s.rules is None and sorted(keys) == EDITIONS, s.name
        assert s.title != PLACEHOLDER_TITLE and s.story != PLACEHOLDER_STORY


@pytest.mark.parametrize("rid", EDITIONS)
def test_every_case_passes_and_every_rule_pathway_and_flag_is_exercised(results, rid):
    rs, checked = results[rid]
    fired: set[str] = set()
    pathways: set[str] = set()
    flags: set[str] = set()
    for name, r in checked.items():
        assert r.passed, (name, rid, r.failures)
        assert not r.warnings, (name, rid, r.warnings)
        fired.update(r.decision.fired)
        pathways.add(r.decision.pathway)
        flags.update(r.decision.flags)
    assert {r.id for r in rs.rules} - fired == set()
    assert set(rs.pathways) == pathways and set(rs.flags) == flags


@pytest.mark.parametrize("rid", EDITIONS)
def test_coverage_leaves_nothing_reachable_unexercised(results, rid):
    rs, checked = results[rid]
    cov = coverage(rs, [r.decision for r in checked.values()])
    assert cov.missing() == {k: [] for k in ("pathways", "flags", "rules", "questions",
                                             "values")}
    assert cov.counts()["rules"] == (len(rs.rules), len(rs.rules))


# The public worked examples (domain brief section 5), by file: what each edition gives.
WORKED = {
    "romantic/two-15-year-olds-swap-selfies.yaml": (
        ("proportionate-response", ()), ("proportionate-response", ())),
    "self-generated/kept-on-own-phone.yaml": (
        ("proportionate-response", ()), ("proportionate-response", ())),
    "adult-involvement/adult-grooms-12-year-old.yaml": (
        ("full-investigation", ()), ("full-investigation", ())),
    "coercion-and-extortion/sextortion-pay-or-it-goes-to-friends.yaml": (
        ("full-investigation", ("professional-judgement",)),
        ("full-investigation", ("professional-judgement",))),
    "non-consensual-sharing/ex-uploads-to-pornography-site.yaml": (
        ("standard-investigation", ()), ("standard-investigation", ())),
    "non-consensual-sharing/shows-friends-to-brag.yaml": (
        ("proportionate-response", ("professional-judgement",)),
        ("standard-investigation", ())),
    "immediate-risk/forwarded-to-year-group-chat.yaml": (
        ("standard-investigation", ("immediate-safeguarding",)),
        ("standard-investigation", ("immediate-safeguarding",))),
    "under-13s/two-12-year-olds-swap-images.yaml": (
        ("proportionate-response", ()), ("proportionate-response", ())),
}


# ... and the recording category the 2024 edition gives each (the 2016 edition gives none)
WORKED_RECORDING = {
    "romantic/two-15-year-olds-swap-selfies.yaml": "non-aggravated",
    "self-generated/kept-on-own-phone.yaml": "non-aggravated",
    "adult-involvement/adult-grooms-12-year-old.yaml": "aggravated",
    "coercion-and-extortion/sextortion-pay-or-it-goes-to-friends.yaml": "aggravated",
    "non-consensual-sharing/ex-uploads-to-pornography-site.yaml": "aggravated",
    "non-consensual-sharing/shows-friends-to-brag.yaml": "aggravated",
    "immediate-risk/forwarded-to-year-group-chat.yaml": "aggravated",
    "under-13s/two-12-year-olds-swap-images.yaml": "non-aggravated",
}


@pytest.mark.parametrize("rel", sorted(WORKED))
def test_worked_examples_give_what_the_guidance_says_in_each_edition(results, rel):
    name = str(LIB / rel)
    for rid, (pathway, flags) in zip(("cop-2016", "cop-2024"), WORKED[rel], strict=True):
        d = results[rid][1][name].decision
        assert (d.pathway, tuple(d.flags)) == (pathway, flags), (rel, rid)
    assert results["cop-2024"][1][name].decision.recording.category == WORKED_RECORDING[rel]
    assert results["cop-2016"][1][name].decision.recording.category is None


def test_library_teaches_the_1_1_changes(library, results):
    cur, old = results["cop-2024"][1], results["cop-2016"][1]
    by_rule: dict[str, set[str]] = {}
    for rid, (_, checked) in results.items():
        for r in checked.values():
            for rule in r.decision.fired:
                by_rule.setdefault(rule, set()).add(rid)
    for rule in ("immediate-risk-not-yet-known", "taken-without-consent",
                 "taken-without-consent-unknown", "under-10-all", "under-10-some"):
        assert by_rule.get(rule) == {"cop-2016", "cop-2024"}, rule
    # a known peer who extorts answers coercion yes, and the 2024 edition asks about sextortion
    peer = [s for s in library if s.answers.get("adult_involved") in ("no", False)
            and "financial-sextortion" in cur[s.name].decision.fired]
    assert peer and all(s.answers["coercion"] in ("yes", True) for s in peer)
    # every case that describes money demanded under threat answers coercion yes
    for s in library:
        if s.answers.get("financial_sextortion") in ("yes", True):
            assert s.answers["coercion"] in ("yes", True), s.name
    # nobody under 10 is offered a crime outcome anywhere in the library
    for checked in (cur, old):
        for r in checked.values():
            if "under-10-all" in r.decision.fired:
                assert not any("Consider Outcome" in a for a in r.decision.action_texts)


def test_worked_example_specifics(results):
    d = {rid: {n[len(str(LIB)) + 1:]: r.decision for n, r in results[rid][1].items()}
         for rid in EDITIONS}
    # 4: the sextortion rule and its NCA actions in 2024; nothing of the kind in 2016
    ex4 = "coercion-and-extortion/sextortion-pay-or-it-goes-to-friends.yaml"
    assert {"financial-sextortion", "coercion", "adult-involved"} <= set(d["cop-2024"][ex4].fired)
    assert any("CEOP" in a for a in d["cop-2024"][ex4].action_texts)
    assert "financial-sextortion" not in d["cop-2016"][ex4].fired
    # 6: left to the officer in 2016; non-consensual showing is aggravated in 2024
    ex6 = "non-consensual-sharing/shows-friends-to-brag.yaml"
    assert "shared-without-consent-limited" in d["cop-2016"][ex6].fired
    assert "shared-without-consent" in d["cop-2024"][ex6].fired
    # 3 and 7: adult and grooming; the urgent flag with the sharing reason
    assert {"adult-involved", "grooming-or-exploitation"} <= set(
        d["cop-2024"]["adult-involvement/adult-grooms-12-year-old.yaml"].fired)
    assert "shared-widely-by-others" in d["cop-2024"][
        "immediate-risk/forwarded-to-year-group-chat.yaml"].fired


def test_cases_for_what_is_new_in_2024(library, results):
    new = [s for s in library if "new-in-2024" in s.tags]
    assert len(new) >= 3
    old, cur = results["cop-2016"][1], results["cop-2024"][1]
    fired = set().union(*(cur[s.name].decision.fired for s in new))
    # a made-up image made without the child's knowledge, sextortion, a power imbalance alone
    assert {"taken-without-consent", "financial-sextortion", "power-imbalance"} <= fired
    assert any("live-stream" in s.tags for s in new)
    # at least one new case teaches a change of pathway between the editions
    assert any(old[s.name].decision.pathway != cur[s.name].decision.pathway for s in new)
    for s in new:  # each answers a question only the 2024 edition asks
        assert {"ai_or_altered", "power_imbalance"} <= set(cur[s.name].decision.asked), s.name


def test_library_covers_the_required_themes(library):
    tags = {t for s in library for t in s.tags}
    for theme in ("romantic", "attention-seeking", "adult-involvement", "coercion", "extortion",
                  "exploitation", "persistent-behaviour", "capacity", "under-13s",
                  "immediate-risk", "unknown-answers", "out-of-scope", "worked-example"):
        assert theme in tags, theme


def test_stories_have_no_names_or_placeholders(library):
    # A capitalised word that is not at a sentence start is likely a name; the library uses
    # "a 15-year-old boy", "his girlfriend" instead. Allowed capitalised words are listed.
    allowed = {"Outcome"}
    for s in library:
        for m in re.finditer(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]+)\b", s.story):
            assert m.group(1) in allowed, (s.name, m.group(1))


def test_published_schema_matches_the_model():
    on_disk = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert on_disk == json_schema(), (
        "schema/scenario.schema.json is stale: regenerate it with "
        "`python -m sexting_triage.scenarios > schema/scenario.schema.json`")


def test_schema_accepts_every_shipped_file_and_refuses_bad_ones():
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(json_schema())
    for f in find_files([LIB]):
        data = yaml.safe_load(f.read_text(encoding="utf-8"))
        errors = list(validator.iter_errors(data))
        assert not errors, (f, [e.message for e in errors])
    good = yaml.safe_load((LIB / "self-generated" / "kept-on-own-phone.yaml").read_text())
    assert not validator.is_valid({**good, "colour": "red"})
    assert not validator.is_valid({**good, "expect": {}})
    assert not validator.is_valid({**good, "expect": {"cop-2016": {}}})
    assert validator.is_valid({**good, "expect": {"pathway": "out-of-scope"}})
