"""scenarios.check: a scenario decided and compared, with failure sentences that name the rule
making the difference."""

from __future__ import annotations

import pytest

from scenario_files import line_of, one, other_edition, scenario_text
from sexting_triage import loader
from sexting_triage.errors import InputError
from sexting_triage.scenarios.check import check_scenario


def test_passing_scenario(tmp_path, cop2016):
    s = one(tmp_path, scenario_text(
        "  pathway: proportionate-response\n  flags: []\n"
        "  reasons_include: [youth-produced-imagery]\n  reasons_exclude: [young-child]\n"))
    r = check_scenario(s, cop2016)
    assert (r.status, r.passed, r.failures, r.warnings) == ("passed", True, (), ())
    assert r.decision is not None and r.decision.pathway == "proportionate-response"


def test_wrong_pathway_names_the_rule_that_outranks(tmp_path, cop2016):
    s = one(tmp_path, scenario_text("  pathway: proportionate-response\n", coercion="yes"))
    r = check_scenario(s, cop2016)
    assert r.status == "failed" and not r.passed
    (f,) = r.failures
    assert f.startswith("expected pathway proportionate-response, got full-investigation: "
                        "rule `coercion` fired (coercion in [\"yes\", \"unknown\"]; here: "
                        "coercion = yes)")
    assert f.endswith("full-investigation outranks proportionate-response")


def test_expected_higher_pathway_names_the_nearest_rules(tmp_path, cop2016):
    s = one(tmp_path, scenario_text("  pathway: standard-investigation\n",
                                    sharing_extent="widely", shared_without_consent="no"))
    (f,) = check_scenario(s, cop2016).failures
    assert f.startswith("expected pathway standard-investigation, got proportionate-response:"
                        " none of the 3 rules raising standard-investigation fired; nearest: "
                        "rule `shared-widely-by-others` needs")
    assert "shared_without_consent = no" in f


def test_missing_and_unexpected_flags(tmp_path, cop2016):
    s = one(tmp_path, scenario_text("  flags: [immediate-safeguarding]\n",
                                    malicious_intent="unknown"))
    f1, f2 = check_scenario(s, cop2016).failures
    # rule sets 1.1: an unknown immediate risk raises the urgent flag too
    assert f1 == ("expected flag immediate-safeguarding, not raised: none of the 2 rules "
                  "raising immediate-safeguarding fired; nearest: rule `immediate-risk` needs "
                  "immediate_risk == \"yes\" (here: immediate_risk = no); rule "
                  "`immediate-risk-not-yet-known` needs immediate_risk == \"unknown\" (here: "
                  "immediate_risk = no)")
    assert f2 == ("flag professional-judgement was raised but not expected: rule "
                  "`malicious-intent-unknown` fired (malicious_intent == \"unknown\"; here: "
                  "malicious_intent = unknown)")
    s = one(tmp_path, scenario_text("  flags_include: [professional-judgement]\n",
                                    malicious_intent="unknown", immediate_risk="yes"))
    assert check_scenario(s, cop2016).passed


def test_reasons_include_and_exclude(tmp_path, cop2016):
    s = one(tmp_path, scenario_text(
        "  reasons_include: [young-child]\n  reasons_exclude: [youth-produced-imagery]\n"))
    f1, f2 = check_scenario(s, cop2016).failures
    assert f1 == ("expected rule young-child to fire; it did not: rule `young-child` needs "
                  "youngest_age < 13 (here: youngest_age = 15)")
    assert f2.startswith("expected rule youth-produced-imagery not to fire; rule "
                         "`youth-produced-imagery` fired")


def test_ignored_answers_warn_and_fail_when_strict(tmp_path, cop2016):
    text = scenario_text("  pathway: proportionate-response\n", atypical_or_violent="no")
    s = one(tmp_path, text)
    r = check_scenario(s, cop2016)
    assert r.passed
    n = line_of(text, "atypical_or_violent")
    assert r.warnings == (f"{s.path}:{n}:24: answer ignored: cop-2016 does not ask "
                          "`atypical_or_violent` with these answers",)
    strict = check_scenario(s, cop2016, strict=True)
    assert strict.status == "failed" and strict.failures == r.warnings
    s = one(tmp_path, scenario_text("  pathway: proportionate-response\n", power_imbalance="no"))
    assert "cop-2016 has no question `power_imbalance`" in check_scenario(s, cop2016).warnings[0]


def test_incomplete_answers_fail_with_the_missing_questions(tmp_path, cop2016):
    s = one(tmp_path, scenario_text("  pathway: proportionate-response\n", coercion=None))
    r = check_scenario(s, cop2016)
    assert r.status == "failed" and r.decision is None
    assert r.failures == ("the answers are incomplete for cop-2016: it asks coercion, which "
                          "the scenario does not answer",)


def test_keyed_expect_without_a_block_is_not_checked(tmp_path, cop2016):
    draft = loader.load_ruleset(other_edition(tmp_path, "draft-2030"))
    s = one(tmp_path, scenario_text("  cop-2016: {pathway: full-investigation}\n"))
    r = check_scenario(s, draft)
    assert (r.status, r.passed, r.checked, r.failures) == ("not-checked", False, False, ())
    assert r.decision is not None  # still decided, for impact reports
    assert check_scenario(s, cop2016).status == "failed"


def test_unkeyed_expect_applies_to_whichever_rule_set_is_checked(tmp_path):
    draft = loader.load_ruleset(other_edition(tmp_path, "draft-2030"))
    s = one(tmp_path, scenario_text("  pathway: proportionate-response\n"))
    assert check_scenario(s, draft).passed


def test_invalid_answer_for_another_rule_set_raises_located(tmp_path):
    p = other_edition(tmp_path, "draft-2030")
    p.write_text(p.read_text().replace("max: 17", "max: 14"))
    draft = loader.load_ruleset(p)
    text = scenario_text("  pathway: proportionate-response\n")
    s = one(tmp_path, text)
    with pytest.raises(InputError) as exc:
        check_scenario(s, draft)
    assert [str(x) for x in exc.value.problems] == [
        f"{s.path}:{line_of(text, 'youngest_age')}:17: answers.youngest_age: 15 is outside "
        "0 to 14 (got 15; rule set draft-2030)"]


def test_answers_for_another_edition_of_the_scenario_are_not_warned_about(tmp_path, cop2016):
    if "cop-2024" not in loader.bundled_paths():
        pytest.skip("needs a second bundled edition")
    cop2024 = loader.resolve("cop-2024")
    extra = sorted(set(cop2024.question_index) - set(cop2016.question_index))
    assert extra
    answers = {q: "no" for q in extra if cop2024.question(q).type == "yesno"}
    text = scenario_text("  cop-2016: {pathway: proportionate-response}\n"
                         "  cop-2024: {pathway: proportionate-response}\n", rules=None,
                         **answers)
    s = one(tmp_path, text)
    assert s.edition_questions >= set(extra)
    r = check_scenario(s, cop2016, strict=True)
    assert r.passed and r.warnings == ()
    single = one(tmp_path, scenario_text("  cop-2016: {pathway: proportionate-response}\n",
                                         rules=None, **answers))
    assert check_scenario(single, cop2016).warnings  # written for 2016 only: a mistake
