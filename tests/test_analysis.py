"""The exact situation analysis and `rules check`: counts against brute force and a known
oracle, gaps, overlaps, unreachable rules, failing invariants with counterexamples, and the
symbolic steps cross-checked with engine.decide on random complete situations."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rulesets_small import base, load, outcome_counts, rule, save, situations, variant
from sexting_triage import engine
from sexting_triage.analysis import Side, Space, check, reachable
from sexting_triage.cli import main
from sexting_triage.errors import NoPathway
from sexting_triage.loader import resolve


def random_situation(rs, rnd: random.Random) -> dict:
    """A complete situation the questionnaire can produce, chosen at random."""
    answers: dict = {}
    while (q := engine.walk(rs, answers).next) is not None:
        answers[q.id] = rnd.choice(q.domain)
    return answers


def symbolic_counts(rs):
    space = Space([Side(rs)])
    out = {}
    for lab, agg in space.explore().items():
        out[(lab[0][0], lab[0][1])] = agg.count
    return out


# ----------------------------------------------------------------------------- counting


def test_cop2016_situation_count_is_exact(cop2016):
    r = reachable(cop2016)
    # oldest_age is asked only when youngest_age is under 10: 10 * 18 + 8 age pairs
    assert r.situations == 4 * 188 * 3**8 * 5 * 13 * 9 + 3 == 2_886_315_123
    assert r.pathways == set(cop2016.precedence)
    assert r.flags == {"immediate-safeguarding", "professional-judgement"}
    assert r.rules == {rule.id for rule in cop2016.rules}
    assert r.values["youngest_age"] == frozenset(range(18))
    assert r.questions == {q.id for q in cop2016.questions}


def test_cop2024_situation_count_is_exact():
    # scope 2 * 2; ages 188; immediate risk; adult, coercion and financial_sextortion (asked
    # always); four indicators; sexual acts (atypical asked on yes: 5); ai_or_altered;
    # taken_without_consent; sharing (13 with shared_without_consent); three factors
    in_scope = 2 * 2 * 188 * 3 * 3**3 * 3**4 * 5 * 3 * 3 * 13 * 3**3
    assert reachable(resolve("cop-2024")).situations == in_scope + 3


@pytest.mark.parametrize("name", ["base", "overlap", "stop-late", "gated"])
def test_counts_match_brute_force(tmp_path, name):
    data = base()
    if name == "overlap":  # two pathway rules at once: precedence decides
        data["rules"].append({"id": "wide-standard", "when": 'extent == "wide"',
                              "pathway": "standard", "reason": "Wide.",
                              "cite": [{"source": "SRC", "section": "S"}]})
    if name == "stop-late":  # a stop rule reading a later fact
        rule(data, "no-image")["when"] = 'imagery == "no" or age == 0'
    if name == "gated":
        data["questions"][3]["ask_when"] = 'extent == "wide" or age < 5'
    rs = load(tmp_path, data)
    brute = outcome_counts(rs)
    assert symbolic_counts(rs) == dict(brute)
    assert reachable(rs).situations == len(situations(rs)) == sum(brute.values())


@settings(max_examples=200, deadline=None)
@given(st.randoms(use_true_random=False), st.sampled_from(["cop-2016", "cop-2024"]))
def test_symbolic_steps_agree_with_decide(rnd, rid):
    rs = resolve(rid)
    space = Space([Side(rs)])
    answers = random_situation(rs, rnd)
    d = engine.decide(rs, answers)
    ((pathway, flags, _),) = space.locate(answers)
    assert (pathway, flags) == (d.pathway, d.flags)


# ----------------------------------------------------------------------------- rules check


def codes(report):
    return {(f.level, f.code, f.subject) for f in report.findings}


def test_small_clean_set_is_clean(tmp_path):
    report = check(load(tmp_path, base()))
    assert report.clean and not report.errors
    assert report.situations == 1 + 18 * 2 * 3 + 18 * 3 + 0  # no; yes; unknown
    assert report.situations == len(situations(load(tmp_path, base())))


def test_gap_is_an_error_with_an_example_that_really_has_no_pathway(tmp_path):
    data = base()
    rule(data, "in-scope")["when"] = 'imagery == "yes"'
    rs = load(tmp_path, data)
    report = check(rs)
    gap = next(f for f in report.errors if f.code == "no-pathway")
    # imagery unknown (extent not asked), malice no or unknown, any age
    assert gap.message.startswith("36 reachable")
    assert sum(n for (p, _), n in outcome_counts(rs).items() if p is None) == 36
    with pytest.raises(NoPathway):
        engine.decide(rs, gap.example)
    assert not report.clean


def test_unreachable_rule_question_and_pathway_are_errors(tmp_path):
    data = base()
    data["rules"].append({"id": "never", "when": 'extent == "wide" and imagery == "unknown"',
                          "pathway": "standard", "reason": "Never.",
                          "cite": [{"source": "SRC", "section": "S"}]})
    data["questions"].append({"id": "ghost", "text": "Never asked?",
                              "ask_when": 'imagery == "yes" and imagery == "no"'})
    data["pathways"].append({"id": "unused", "title": "Unused", "summary": "Unused."})
    data["precedence"].append("unused")
    rs = load(tmp_path, data)
    found = codes(check(rs))
    assert ("error", "rule-never-fires", "never") in found
    assert ("error", "question-unreachable", "ghost") in found
    assert ("error", "pathway-unreachable", "unused") in found
    assert not any(c == "rule-never-fires" and s != "never" for _, c, s in found)


def test_question_that_never_matters_and_uncited_source_are_warnings(tmp_path):
    data = base()
    data["questions"].append({"id": "colour", "text": "Anything else?"})
    data["sources"]["OTHER"] = {"title": "Other", "date": "2021"}
    # overlapping rule: malice-yes already gives standard, so `extra` changes nothing
    data["questions"].append({"id": "extra", "text": "Extra?"})
    data["rules"].append({"id": "extra", "when": 'extra == "yes" and malice == "yes"',
                          "pathway": "standard", "reason": "Extra.",
                          "cite": [{"source": "SRC", "section": "S"}]})
    report = check(load(tmp_path, data))
    found = codes(report)
    assert ("warning", "question-never-matters", "colour") in found
    assert ("warning", "question-never-matters", "extra") in found
    assert ("warning", "source-never-cited", "OTHER") in found
    assert not any(c == "question-never-matters" and s in ("imagery", "age", "extent", "malice")
                   for _, c, s in found)
    assert report.clean  # warnings only


def test_failing_implies_invariant_gives_a_real_counterexample(tmp_path):
    data = base()
    data["invariants"] = [{"id": "young-full", "kind": "implies", "description": "d",
                           "when": "age < 13", "pathway": "full"},
                          {"id": "wide-young-full", "kind": "implies", "description": "d",
                           "when": 'age < 13 and extent == "wide"', "pathway": "full"}]
    rs = load(tmp_path, data)
    report = check(rs)
    bad, good = report.invariants
    assert (bad.holds, good.holds) == (False, True)
    d = engine.decide(rs, bad.counterexample)
    assert d.answers["age"] < 13 and d.pathway != "full"
    assert not report.clean


def test_failing_monotone_invariant_gives_a_real_pair(tmp_path):
    data = base()
    # answering yes to malice *lowers* the pathway from standard to light here
    rule(data, "malice")["when"] = 'malice == "no"'
    data["invariants"] = [{"id": "mono", "kind": "monotone", "description": "d",
                           "facts": ["malice"], "from": "no", "to": "yes"}]
    rs = load(tmp_path, data)
    (inv,) = check(rs).invariants
    assert not inv.holds
    before, after = inv.counterexample, inv.counterexample_after
    assert (before["malice"], after["malice"]) == ("no", "yes")
    rank = {p: n for n, p in enumerate(rs.precedence)}
    assert rank[engine.decide(rs, after).pathway] > rank[engine.decide(rs, before).pathway]


def test_monotone_counts_newly_asked_questions_with_any_answer(tmp_path):
    data = base()
    # extent is asked only when imagery is yes; young-wide then gives full. Changing imagery
    # from unknown to yes may ask extent: with extent=wide the pathway rises (allowed).
    data["invariants"] = [{"id": "mono", "kind": "monotone", "description": "d",
                           "facts": ["imagery"], "from": "unknown", "to": "yes"}]
    (inv,) = check(load(tmp_path, data)).invariants
    assert inv.holds
    # ... but from yes to unknown the wide, young case falls from full to light
    data["invariants"][0].update({"from": "yes", "to": "unknown"})
    (inv,) = check(load(tmp_path, data)).invariants
    assert not inv.holds and inv.counterexample["extent"] == "wide"
    assert "extent" not in inv.counterexample_after


@pytest.mark.parametrize("rid", ["cop-2016", "cop-2024"])
def test_bundled_sets_check_clean(capsys, rid):
    code = main(["rules", "check", rid, "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0, out
    assert out["schema"] == "sexting-triage/check/1" and out["clean"]
    assert out["errors"] == [] and out["warnings"] == []
    assert {i["id"] for i in out["invariants"]} >= {
        "abuse-indicator-means-full-investigation", "yes-never-lowers-the-pathway"}
    assert all(i["holds"] for i in out["invariants"])


def test_check_cli_text_and_exit_codes(tmp_path, capsys):
    assert main(["rules", "check", "cop-2016", "--no-color"]) == 0
    out = capsys.readouterr().out
    assert "Reachable situations: 2,886,315,123" in out and "Result: clean" in out
    data = base()
    rule(data, "in-scope")["when"] = 'imagery == "yes"'
    assert main(["rules", "check", str(save(tmp_path, data))]) == 1
    out = capsys.readouterr().out
    assert "error [no-pathway]" in out and "for example: imagery=unknown" in out
    assert main(["rules", "check", str(tmp_path / "missing.yaml")]) == 2


def test_variant_helper_is_independent():
    assert variant(id="x")["id"] == "x" and base()["id"] == "mini"


# ----------------------------------------------------------------------------- random rule sets

ATOMS = ['imagery == "yes"', 'imagery != "no"', 'imagery in ["yes", "unknown"]', "age < 13",
         "age >= 15", "age == 4", 'extent == "wide"', 'extent != "none"',
         'malice == "unknown"', 'malice not in ["no"]']


def _cond(draw, depth: int = 0) -> str:
    kind = draw(st.integers(0, 3 if depth < 2 else 0))
    if kind == 0:
        return draw(st.sampled_from(ATOMS))
    if kind == 1:
        return f"not ({_cond(draw, depth + 1)})"
    joiner = " and " if kind == 2 else " or "
    return "(" + joiner.join(_cond(draw, depth + 1) for _ in range(2)) + ")"


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_random_rule_sets_count_like_brute_force(tmp_path_factory, data):
    """Random small rule sets (random conditions, skips and early stops): the symbolic
    counts per outcome equal listing every situation and deciding it."""
    draw = data.draw
    spec = base()
    spec["questions"][2]["ask_when"] = draw(st.sampled_from(
        ['imagery == "yes"', 'imagery != "unknown"', "age < 10", None])) or None
    if spec["questions"][2]["ask_when"] is None:
        del spec["questions"][2]["ask_when"]
    spec["questions"][3]["ask_when"] = draw(st.sampled_from(
        ['extent == "wide"', 'imagery == "yes" or age > 3', 'age != 7']))
    rule(spec, "no-image")["when"] = draw(st.sampled_from(
        ['imagery == "no"', 'imagery == "no" or age == 0', 'imagery == "no" and age < 9']))
    for r in spec["rules"]:
        if r["id"] not in ("no-image", "in-scope"):
            r["when"] = _cond(draw)
    rs = load(tmp_path_factory.mktemp("r"), spec)
    brute = outcome_counts(rs)
    assert symbolic_counts(rs) == dict(brute)
    report = check(rs)
    gaps = sum(n for (p, _), n in brute.items() if p is None)
    assert any(f.code == "no-pathway" for f in report.errors) == bool(gaps)
