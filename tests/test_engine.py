"""Engine behaviour on the bundled cop-2016 rules: every rule fires and does not fire, the
public worked examples, ignored answers, missing answers and answer validation."""

from __future__ import annotations

import pytest

from helpers import case
from sexting_triage.engine import decide, next_question, normalize
from sexting_triage.errors import InvalidAnswers, MissingAnswers

# rule id -> (answers where it fires, answers where it does not)
FIRES = {
    "no-imagery": ({"imagery": "no"}, case()),
    "subject-not-child": ({"imagery": "yes", "subject_under_18": "no"}, case()),
    "imagery-unknown": (case(imagery="unknown"), case()),
    "age-unknown": (case(subject_under_18="unknown"), case()),
    "youth-produced-imagery": (case(), {"imagery": "no"}),
    "young-child": (case(youngest_age=12), case(youngest_age=13)),
    "immediate-risk": (case(immediate_risk="yes"), case(immediate_risk="unknown")),
    "immediate-risk-unknown": (case(immediate_risk="unknown"), case(immediate_risk="yes")),
    "adult-involved": (case(adult_involved="unknown"), case()),
    "adult-involved-unknown": (case(adult_involved="unknown"), case(adult_involved="yes")),
    "coercion": (case(coercion="yes"), case()),
    "coercion-unknown": (case(coercion="unknown"), case(coercion="yes")),
    "grooming-or-exploitation": (case(grooming_or_exploitation="yes"), case()),
    "grooming-or-exploitation-unknown": (case(grooming_or_exploitation="unknown"), case()),
    "profit-motive": (case(profit_motive="yes"), case()),
    "profit-motive-unknown": (case(profit_motive="unknown"), case(profit_motive="yes")),
    "capacity-concern": (case(capacity_concern="yes"), case()),
    "capacity-concern-unknown": (case(capacity_concern="unknown"), case()),
    "wider-child-protection": (case(wider_child_protection="unknown"), case()),
    "wider-child-protection-unknown": (case(wider_child_protection="unknown"),
                                       case(wider_child_protection="yes")),
    "sexual-acts-under-13": (case(sexual_acts="yes", atypical_or_violent="no", youngest_age=12),
                             case(sexual_acts="yes", atypical_or_violent="no", youngest_age=13)),
    "sexual-acts-unknown": (case(sexual_acts="unknown"), case(sexual_acts="yes",
                                                              atypical_or_violent="no")),
    "atypical-or-violent": (case(sexual_acts="yes", atypical_or_violent="yes"),
                            case(sexual_acts="yes", atypical_or_violent="no")),
    "atypical-or-violent-unknown": (case(sexual_acts="yes", atypical_or_violent="unknown"),
                                    case(sexual_acts="yes", atypical_or_violent="yes")),
    "shared-widely-by-others": (case(sharing_extent="widely", shared_without_consent="yes"),
                                case(sharing_extent="few_others", shared_without_consent="yes")),
    "own-wide-posting": (case(sharing_extent="public_or_porn_site"),
                         case(sharing_extent="few_others")),
    "shared-without-consent-limited": (case(sharing_extent="few_others",
                                            shared_without_consent="yes"),
                                       case(sharing_extent="widely",
                                            shared_without_consent="yes")),
    "shared-without-consent-unknown": (case(shared_without_consent="unknown"), case()),
    "malicious-intent": (case(malicious_intent="yes"), case(malicious_intent="unknown")),
    "malicious-intent-unknown": (case(malicious_intent="unknown"), case()),
    "previous-incidents": (case(previous_incidents="yes"), case()),
    "previous-incidents-unknown": (case(previous_incidents="unknown"), case()),
}


def test_table_covers_every_rule(cop2016):
    assert set(FIRES) == {r.id for r in cop2016.rules}


@pytest.mark.parametrize("rule", sorted(FIRES))
def test_rule_fires_and_does_not_fire(cop2016, rule):
    fires, quiet = FIRES[rule]
    assert rule in decide(cop2016, fires).fired
    assert rule not in decide(cop2016, quiet).fired


# domain.md §5, cop-2016 expectations
WORKED = {
    "1 relationship swap": (case(), "proportionate-response", set()),
    "2 kept, never sent": (case(youngest_age=14, sharing_extent="not_shared"),
                           "proportionate-response", set()),
    "3 adult grooms a 12-year-old": (
        case(youngest_age=12, adult_involved="yes", grooming_or_exploitation="yes",
             coercion="yes"), "full-investigation", set()),
    "4 extortion by unknown contact": (
        case(adult_involved="unknown", coercion="yes", sharing_extent="intended_recipient"),
        "full-investigation", {"professional-judgement"}),
    "5 revenge upload": (
        case(youngest_age=16, sharing_extent="public_or_porn_site", shared_without_consent="yes",
             malicious_intent="yes"), "standard-investigation", set()),
    "6 shown to friends": (
        case(youngest_age=16, sharing_extent="few_others", shared_without_consent="yes"),
        "proportionate-response", {"professional-judgement"}),
    "7 forwarded, child at risk": (
        case(youngest_age=14, immediate_risk="yes", sharing_extent="widely",
             shared_without_consent="yes"),
        "standard-investigation", {"immediate-safeguarding"}),
    "8 two 12-year-olds": (case(youngest_age=12), "proportionate-response", set()),
}


@pytest.mark.parametrize("name", sorted(WORKED))
def test_worked_examples(cop2016, name):
    answers, pathway, flags = WORKED[name]
    d = decide(cop2016, answers)
    assert d.pathway == pathway
    assert set(d.flags) == flags


def test_under_13_adds_social_care_action(cop2016):
    d = decide(cop2016, case(youngest_age=12))
    assert any("under 13" in a for a in d.action_texts)


def test_every_reason_is_kept_with_roles(cop2016):
    d = decide(cop2016, case(adult_involved="yes", malicious_intent="yes",
                             immediate_risk="yes"))
    roles = {r.rule: r.role for r in d.reasons}
    assert roles["adult-involved"] == "pathway"
    assert roles["malicious-intent"] == "outweighed"
    assert roles["youth-produced-imagery"] == "outweighed"
    assert roles["immediate-risk"] == "flag"
    assert all(r.cite for r in d.reasons)


def test_actions_pathway_first_then_rules_without_duplicates(cop2016):
    d = decide(cop2016, case(sharing_extent="widely", shared_without_consent="yes"))
    pathway_actions = [a.text for a in cop2016.pathways["standard-investigation"].actions]
    texts = d.action_texts
    assert set(pathway_actions) <= set(texts)
    assert len(set(texts)) == len(texts)
    bands = [a.when for a in d.actions]
    assert bands == sorted(bands, key=["now", "today", "next"].index)
    # a contributing rule's action comes after the pathway's within its band
    rule_item = next(a for a in d.actions if "remove the image" in a.text)
    assert rule_item.from_ != "standard-investigation"


def test_outweighed_rules_add_no_actions(cop2016):
    d = decide(cop2016, case(youngest_age=12, adult_involved="yes"))
    assert d.pathway == "full-investigation"
    assert not any("under 13" in a for a in d.action_texts)


def test_out_of_scope_stops_the_questions(cop2016):
    d = decide(cop2016, {"imagery": "no", "subject_under_18": "yes", "adult_involved": "yes"})
    assert d.pathway == "out-of-scope"
    assert d.asked == ("imagery",)
    assert {i.question: i.why for i in d.ignored} == {
        "subject_under_18": "not-asked", "adult_involved": "not-asked"}
    assert next_question(cop2016, {"imagery": "no"}) is None


def test_skips_follow_ask_when(cop2016):
    d = decide(cop2016, case(sharing_extent="not_shared"))
    assert "shared_without_consent" not in d.asked
    assert "atypical_or_violent" not in d.asked
    assert [i.question for i in d.ignored if i.why == "not-asked"] == ["shared_without_consent"]
    assert next_question(cop2016, {"imagery": "yes"}).id == "subject_under_18"
    after_acts = {k: v for k, v in case(sexual_acts="yes").items()
                  if k in [q.id for q in cop2016.questions][:11]}
    assert next_question(cop2016, after_acts).id == "atypical_or_violent"


def test_answers_for_other_editions_are_ignored_not_errors(cop2016):
    d = decide(cop2016, case())
    ignored = {i.question: i.why for i in d.ignored}
    assert ignored["power_imbalance"] == "not-in-rule-set"
    assert ignored["financial_sextortion"] == "not-in-rule-set"


def test_missing_answers_named_all_at_once(cop2016):
    with pytest.raises(MissingAnswers) as exc:
        decide(cop2016, case(coercion=None, malicious_intent=None, sexual_acts=None))
    assert exc.value.missing == ["coercion", "sexual_acts", "malicious_intent"]
    assert exc.value.maybe == ["atypical_or_violent"]


def test_missing_scope_answer_leaves_rest_open(cop2016):
    with pytest.raises(MissingAnswers) as exc:
        decide(cop2016, {})
    assert exc.value.missing[0] == "imagery"


def test_invalid_values_named(cop2016):
    with pytest.raises(InvalidAnswers) as exc:
        decide(cop2016, case(youngest_age=18, sharing_extent="wide", coercion="maybe"))
    got = {p.question: p.message for p in exc.value.problems}
    assert got["youngest_age"] == "18 is outside 0 to 17"
    assert "not_shared" in got["sharing_extent"]
    assert got["coercion"] == "expected yes, no or unknown"


@pytest.mark.parametrize(("value", "expected"), [
    (True, "yes"), (False, "no"), ("Yes", "yes"), ("unknown", "unknown"), ("not known", "unknown"),
])
def test_yesno_accepts_yaml_booleans_and_words(cop2016, value, expected):
    assert normalize(cop2016.question("coercion"), value) == expected


@pytest.mark.parametrize("value", [1, 0, "maybe", None, 1.5, ["yes"]])
def test_yesno_rejects_other_values(cop2016, value):
    with pytest.raises(ValueError):
        normalize(cop2016.question("coercion"), value)


@pytest.mark.parametrize(("value", "ok"), [
    (0, True), (17, True), ("14", True), (-1, False), (18, False), (True, False), (14.0, False),
    ("fourteen", False),
])
def test_integer_domain(cop2016, value, ok):
    q = cop2016.question("youngest_age")
    if ok:
        assert normalize(q, value) == int(value)
    else:
        with pytest.raises(ValueError):
            normalize(q, value)


def test_decision_is_deterministic_and_pure(cop2016):
    answers = case(adult_involved="unknown")
    before = dict(answers)
    assert decide(cop2016, answers) == decide(cop2016, answers)
    assert answers == before
