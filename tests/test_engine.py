"""Engine behaviour on the bundled cop-2016 rules: every rule fires and does not fire, the
public worked examples, ignored answers, missing answers and answer validation."""

from __future__ import annotations

import pytest

from helpers import case as _case
from sexting_triage.engine import decide, next_question, normalize, raised_so_far
from sexting_triage.errors import InvalidAnswers, MissingAnswers

NOT_OUTCOME_FOR_UNDER_10S = 'not (youngest_age < 10 and oldest_age < 10)'


def case(**changes):
    """The shared clean case with the question added in rule sets 1.1 answered no."""
    return _case(**{"taken_without_consent": "no", **changes})

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
    "immediate-risk-not-yet-known": (case(immediate_risk="unknown"), case(immediate_risk="yes")),
    "under-10-all": (case(youngest_age=9, oldest_age=9), case(youngest_age=9, oldest_age=10)),
    "under-10-some": (case(youngest_age=9, oldest_age=10), case(youngest_age=10, oldest_age=9)),
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
    "taken-without-consent": (case(taken_without_consent="yes"),
                              case(taken_without_consent="unknown")),
    "taken-without-consent-unknown": (case(taken_without_consent="unknown"),
                                      case(taken_without_consent="yes")),
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


# ----------------------------------------------------------------------------- rule sets 1.1


def test_immediate_risk_not_known_is_urgent_and_first_says_find_out(cop2016):
    d = decide(cop2016, case(immediate_risk="unknown"))
    assert d.flags == ("immediate-safeguarding", "professional-judgement")
    urgent = [r for r in d.reasons if r.rule == "immediate-risk-not-yet-known"]
    assert urgent[0].headline == "Not yet known: establish now whether the child is safe"
    first = d.actions[0]
    assert (first.when, first.from_) == ("now", "immediate-risk-not-yet-known")
    assert "whether the child is safe" in first.text
    # surfaced the moment it is answered, before any other question
    upto = {k: case()[k] for k in ("imagery", "subject_under_18", "youngest_age")}
    assert raised_so_far(cop2016, {**upto, "immediate_risk": "unknown"}) == (
        "immediate-safeguarding", "professional-judgement")
    assert decide(cop2016, case(immediate_risk="yes")).reasons[-1].headline is None


def test_taken_without_consent_is_asked_whether_or_not_shared_and_left_to_the_officer(cop2016):
    order = [q.id for q in cop2016.questions]
    assert order.index("atypical_or_violent") < order.index("taken_without_consent") \
        < order.index("sharing_extent")
    assert cop2016.question("taken_without_consent").ask_when_text is None
    for extent in ("not_shared", "few_others", "public_or_porn_site"):
        d = decide(cop2016, case(taken_without_consent="yes", sharing_extent=extent,
                                 shared_without_consent="no"))
        assert "taken_without_consent" in d.asked
        assert "professional-judgement" in d.flags and "taken-without-consent" in d.fired
    d = decide(cop2016, case(taken_without_consent="unknown"))
    assert (d.pathway, d.flags) == ("proportionate-response", ("professional-judgement",))
    assert "before deciding on Outcome 21" in d.reasons[-1].text


def _outcome_texts(d):
    return [a.text for a in d.actions if "Outcome 2" in a.text and "not appropriate" not in a.text]


@pytest.mark.parametrize("extra", [
    {}, {"sharing_extent": "widely"},
    {"shared_without_consent": "yes", "sharing_extent": "few_others"},
    {"taken_without_consent": "yes"}])
def test_no_crime_outcome_is_offered_when_every_child_is_under_10(cop2016, extra):
    assert cop2016.question("oldest_age").ask_when_text == "youngest_age < 10"
    all_under = decide(cop2016, case(youngest_age=8, oldest_age=9, **extra))
    assert _outcome_texts(all_under) == []
    assert "under-10-all" in all_under.fired
    some = decide(cop2016, case(youngest_age=8, oldest_age=13, **extra))
    assert _outcome_texts(some) and "under-10-some" in some.fired
    older = decide(cop2016, case(youngest_age=12, **extra))
    assert "oldest_age" not in older.asked and _outcome_texts(older)
    # oldest_age changes what is offered, never the pathway or the flags
    assert (all_under.pathway, all_under.flags) == (some.pathway, some.flags)
    assert not any("consider outcome 21" in (p.title + " " + p.summary).lower()
                   for p in cop2016.pathways.values())
    assert "Outcome 21" not in cop2016.pathways["proportionate-response"].title


def test_every_outcome_action_carries_the_under_10_condition(cop2016):
    actions = [a for p in cop2016.pathways.values() for a in p.actions]
    actions += [a for r in cop2016.rules for a in r.actions]
    offering = [a for a in actions
                if ("Outcome 21" in a.text and "not appropriate" not in a.text)
                or "formal outcome" in a.text]
    assert offering and all(a.if_text == NOT_OUTCOME_FOR_UNDER_10S for a in offering)
    assert all(a.when in ("now", "today", "next") for a in actions)


def test_2016_gives_no_recording_category_and_says_why(cop2016):
    d = decide(cop2016, case())
    assert d.recording is not None and d.recording.category is None
    assert "predates" in d.recording.reason and "May 2024" in d.recording.reason
    assert decide(cop2016, {"imagery": "no"}).recording is None


def test_each_in_scope_pathway_explains_the_long_term_effect(cop2016):
    for pid in ("full-investigation", "standard-investigation", "proportionate-response"):
        p = cop2016.pathways[pid]
        assert p.long_term and p.long_term_cite, pid
        assert "DBS" in p.long_term and "nothing recorded against them as a suspect" in p.long_term
    assert "unlikely but not impossible" in cop2016.pathways["proportionate-response"].long_term
    assert "chief officer" in cop2016.pathways["proportionate-response"].long_term
    assert cop2016.pathways["out-of-scope"].long_term is None


def test_citations_use_checked_headings_or_say_they_are_approximate(cop2016):
    assert cop2016.sources["CoP-2016"].checked_sections == (
        "Initial police action", "Investigation", "Crime outcome codes",
        "Dealing with images when Outcome 21 is used")
    assert cop2016.sources["UKCCIS-2016"].checked_sections == (
        "What does this advice cover?", "Defining 'sexting'")
    cites = [c for r in cop2016.rules for c in r.cite]
    cites += [c for p in cop2016.pathways.values() for c in p.long_term_cite]
    for c in cites:
        assert c.approximate or c.section in cop2016.sources[c.source].checked_sections, c


def test_version_and_changelog(cop2016):
    assert cop2016.version == "1.1.0"
    assert cop2016.changelog[0].version == cop2016.version
    changes = " ".join(cop2016.changelog[0].changes)
    for words in ("taken_without_consent", "oldest_age", "Not yet known", "predates"):
        assert words in changes, words
