"""The cop-2024 rule set (current edition): the worked examples of domain.md §5 in both
editions, every rule firing and not firing, the new questions and their skips, the new
actions, citations to the later documents, and that it is the default."""

from __future__ import annotations

import pytest

from helpers import case
from sexting_triage import loader
from sexting_triage.engine import decide, next_question

NEW_SOURCES = {"CoP-current", "UKCIS-2024", "NPCC-2024", "NCA-2024", "HOCR"}


@pytest.fixture(scope="module")
def cop2024():
    return loader.resolve("cop-2024")


# domain.md §5: (answers, pathway in both editions, flags 2016, flags 2024)
WORKED = {
    "1 relationship swap": (case(), "proportionate-response", "proportionate-response"),
    "2 kept, never sent": (case(youngest_age=14, sharing_extent="not_shared"),
                           "proportionate-response", "proportionate-response"),
    "3 adult grooms a 12-year-old": (
        case(youngest_age=12, adult_involved="yes", grooming_or_exploitation="yes",
             coercion="yes"), "full-investigation", "full-investigation"),
    "4 extortion by unknown contact": (
        case(adult_involved="unknown", coercion="yes", financial_sextortion="yes",
             sharing_extent="intended_recipient"),
        "full-investigation", "full-investigation"),
    "5 revenge upload": (
        case(youngest_age=16, sharing_extent="public_or_porn_site", shared_without_consent="yes",
             malicious_intent="yes"), "standard-investigation", "standard-investigation"),
    "6 shown to friends": (
        case(youngest_age=16, sharing_extent="few_others", shared_without_consent="yes"),
        "proportionate-response", "standard-investigation"),
    "7 forwarded, child at risk": (
        case(youngest_age=14, immediate_risk="yes", sharing_extent="widely",
             shared_without_consent="yes"), "standard-investigation", "standard-investigation"),
    "8 two 12-year-olds": (case(youngest_age=12), "proportionate-response",
                           "proportionate-response"),
}


@pytest.mark.parametrize("name", sorted(WORKED))
def test_worked_examples_in_both_editions(cop2016, cop2024, name):
    answers, p2016, p2024 = WORKED[name]
    assert decide(cop2016, answers).pathway == p2016
    assert decide(cop2024, answers).pathway == p2024


def test_worked_example_details(cop2016, cop2024):
    one = decide(cop2024, WORKED["1 relationship swap"][0])
    assert any("person involved" in a for a in one.action_texts) and not one.flags
    four = decide(cop2024, WORKED["4 extortion by unknown contact"][0])
    assert "financial-sextortion" in four.fired
    for words in ("not to pay", "stop all contact", "Keep the evidence", "CEOP",
                  "Report Remove", "Take It Down", "suicide"):
        assert any(words in a for a in four.action_texts), words
    assert "financial-sextortion" not in decide(cop2016, WORKED["4 extortion by unknown "
                                                                "contact"][0]).fired
    six16 = decide(cop2016, WORKED["6 shown to friends"][0])
    assert six16.flags == ("professional-judgement",)
    six24 = decide(cop2024, WORKED["6 shown to friends"][0])
    assert "shared-without-consent" in six24.fired and not six24.flags
    seven = decide(cop2024, WORKED["7 forwarded, child at risk"][0])
    assert seven.flags[0] == "immediate-safeguarding"
    eight = decide(cop2024, WORKED["8 two 12-year-olds"][0])
    assert any("under 13" in a for a in eight.action_texts)


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
    "financial-sextortion": (case(coercion="yes", financial_sextortion="unknown"),
                             case(coercion="yes")),
    "financial-sextortion-unknown": (case(adult_involved="yes", financial_sextortion="unknown"),
                                     case(adult_involved="yes", financial_sextortion="yes")),
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
    "ai-or-altered": (case(ai_or_altered="yes"), case(ai_or_altered="unknown")),
    "ai-or-altered-without-consent": (case(ai_or_altered="yes", shared_without_consent="yes"),
                                      case(ai_or_altered="yes")),
    "ai-or-altered-kept": (case(ai_or_altered="yes", sharing_extent="not_shared"),
                           case(ai_or_altered="no", sharing_extent="not_shared")),
    "ai-or-altered-unknown": (case(ai_or_altered="unknown"), case(ai_or_altered="yes")),
    "shared-widely-by-others": (case(sharing_extent="widely", shared_without_consent="yes"),
                                case(sharing_extent="few_others", shared_without_consent="yes")),
    "own-wide-posting": (case(sharing_extent="widely"), case()),
    "shared-without-consent": (case(shared_without_consent="yes"), case()),
    "shared-without-consent-unknown": (case(shared_without_consent="unknown"), case()),
    "malicious-intent": (case(malicious_intent="yes"), case(malicious_intent="unknown")),
    "malicious-intent-unknown": (case(malicious_intent="unknown"), case()),
    "previous-incidents": (case(previous_incidents="yes"), case()),
    "previous-incidents-unknown": (case(previous_incidents="unknown"), case()),
    "power-imbalance": (case(power_imbalance="yes"), case(power_imbalance="unknown")),
    "power-imbalance-unknown": (case(power_imbalance="unknown"), case()),
}


def test_every_rule_is_covered(cop2024):
    assert set(FIRES) == {r.id for r in cop2024.rules}


@pytest.mark.parametrize("rule", sorted(FIRES))
def test_rule_fires_and_does_not_fire(cop2024, rule):
    fires, quiet = FIRES[rule]
    assert rule in decide(cop2024, fires).fired
    assert rule not in decide(cop2024, quiet).fired


def test_changed_effects(cop2024):
    assert decide(cop2024, case(shared_without_consent="yes")).pathway == "standard-investigation"
    assert decide(cop2024, case(power_imbalance="yes")).pathway == "standard-investigation"
    assert decide(cop2024, case(power_imbalance="unknown")).pathway == "proportionate-response"
    d = decide(cop2024, case(adult_involved="yes", financial_sextortion="yes"))
    assert d.pathway == "full-investigation"
    d = decide(cop2024, case(coercion="yes", financial_sextortion="unknown"))
    assert d.pathway == "full-investigation" and "professional-judgement" in d.flags
    repeated = decide(cop2024, case(previous_incidents="yes"))
    assert any("Outcome 22" in a for a in repeated.action_texts)
    ai = decide(cop2024, case(ai_or_altered="yes"))
    assert ai.pathway == "proportionate-response"
    assert any("victim" in a for a in ai.action_texts)


def test_financial_sextortion_is_asked_only_after_adult_or_coercion(cop2024):
    base = {k: v for k, v in case().items() if k != "financial_sextortion"}
    upto = {k: base[k] for k in ("imagery", "subject_under_18", "youngest_age",
                                 "immediate_risk", "adult_involved", "coercion")}
    assert next_question(cop2024, upto).id == "grooming_or_exploitation"
    for fact in ("adult_involved", "coercion"):
        for v in ("yes", "unknown"):
            assert next_question(cop2024, {**upto, fact: v}).id == "financial_sextortion"
    d = decide(cop2024, case(financial_sextortion="yes"))  # not asked: ignored
    assert d.pathway == "proportionate-response"
    assert "financial_sextortion" in {i.question for i in d.ignored}


def test_live_streams_and_pseudo_images_are_in_scope(cop2024):
    assert "live stream" in cop2024.question("imagery").text
    assert "nudify" in (cop2024.question("imagery").help or "")


def test_citations_are_to_the_later_documents(cop2024):
    assert set(cop2024.sources) == NEW_SOURCES
    cited = {c.source for r in cop2024.rules for c in r.cite}
    assert cited == NEW_SOURCES
    unverified = [c for r in cop2024.rules for c in r.cite if c.source != "HOCR"]
    assert all(c.approximate for c in unverified)


def test_default_is_current_and_cop2016_superseded():
    assert loader.default_id() == "cop-2024"
    assert loader.resolve(None).id == "cop-2024"
    assert loader.resolve("cop-2016").status == "superseded"
    assert loader.resolve("cop-2024").status == "current"


def test_same_fact_ids_where_the_fact_is_the_same(cop2016, cop2024):
    old = [q.id for q in cop2016.questions]
    new = [q.id for q in cop2024.questions]
    assert [q for q in new if q in old] == old
    assert set(new) - set(old) == {"power_imbalance", "ai_or_altered", "financial_sextortion"}
    for qid in old:
        a, b = cop2016.question(qid), cop2024.question(qid)
        assert (a.type, a.domain, a.ask_when_text) == (b.type, b.domain, b.ask_when_text)
