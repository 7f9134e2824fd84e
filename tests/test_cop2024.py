"""The cop-2024 rule set (current edition): the worked examples of domain.md §5 in both
editions, every rule firing and not firing, the new questions and their skips, the new
actions, citations to the later documents, and that it is the default."""

from __future__ import annotations

import pytest

from helpers import case as _case
from sexting_triage import loader
from sexting_triage.engine import decide, next_question, raised_so_far

NEW_SOURCES = {"CoP-current", "UKCIS-2024", "NPCC-2024", "NCA-2024", "HOCR", "CYPA-1933"}
UNDER_10_GUARD = 'not (youngest_age < 10 and oldest_age < 10)'
PJ, URGENT = "professional-judgement", "immediate-safeguarding"


def case(**changes):
    """The shared clean case with the question added in rule sets 1.1 answered no."""
    return _case(**{"taken_without_consent": "no", **changes})


@pytest.fixture(scope="module")
def cop2024():
    return loader.resolve("cop-2024")


# domain.md section 5: answers, then (pathway, flags) in 2016, then (pathway, flags, recording
# category) in 2024
WORKED = {
    "1 relationship swap": (case(), ("proportionate-response", ()),
                            ("proportionate-response", (), "non-aggravated")),
    "2 kept, never sent": (case(youngest_age=14, sharing_extent="not_shared"),
                           ("proportionate-response", ()),
                           ("proportionate-response", (), "non-aggravated")),
    "3 adult grooms a 12-year-old": (
        case(youngest_age=12, adult_involved="yes", grooming_or_exploitation="yes",
             coercion="yes"), ("full-investigation", ()),
        ("full-investigation", (), "aggravated")),
    "4 extortion by unknown contact": (
        case(adult_involved="unknown", coercion="yes", financial_sextortion="yes",
             sharing_extent="intended_recipient"),
        ("full-investigation", (PJ,)), ("full-investigation", (PJ,), "aggravated")),
    "5 revenge upload": (
        case(youngest_age=16, sharing_extent="public_or_porn_site", shared_without_consent="yes",
             malicious_intent="yes"), ("standard-investigation", ()),
        ("standard-investigation", (), "aggravated")),
    "6 shown to friends": (
        case(youngest_age=16, sharing_extent="few_others", shared_without_consent="yes"),
        ("proportionate-response", (PJ,)), ("standard-investigation", (), "aggravated")),
    "7 forwarded, child at risk": (
        case(youngest_age=14, immediate_risk="yes", sharing_extent="widely",
             shared_without_consent="yes"), ("standard-investigation", (URGENT,)),
        ("standard-investigation", (URGENT,), "aggravated")),
    "8 two 12-year-olds": (case(youngest_age=12), ("proportionate-response", ()),
                           ("proportionate-response", (), "non-aggravated")),
}


@pytest.mark.parametrize("name", sorted(WORKED))
def test_worked_examples_in_both_editions(cop2016, cop2024, name):
    answers, old, new = WORKED[name]
    d16, d24 = decide(cop2016, answers), decide(cop2024, answers)
    assert (d16.pathway, d16.flags) == old
    assert (d24.pathway, d24.flags, d24.recording.category) == new
    assert d24.recording.provisional == ("unknown" in answers.values())


def test_worked_example_details(cop2016, cop2024):
    one = decide(cop2024, WORKED["1 relationship swap"][0])
    assert any("person involved" in a for a in one.action_texts) and not one.flags
    assert "'person involved', not 'suspect'" in one.recording.treatment
    four = decide(cop2024, WORKED["4 extortion by unknown contact"][0])
    assert "financial-sextortion" in four.fired
    for words in ("not to pay", "stop all contact", "Keep the evidence", "CEOP",
                  "Report Remove", "Take It Down", "suicide"):
        assert any(words in a for a in four.action_texts), words
    assert "financial-sextortion" not in decide(cop2016, WORKED["4 extortion by unknown "
                                                                "contact"][0]).fired
    six16 = decide(cop2016, WORKED["6 shown to friends"][0])
    assert "shared-without-consent-limited" in six16.fired
    six24 = decide(cop2024, WORKED["6 shown to friends"][0])
    assert "shared-without-consent" in six24.fired
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
    "immediate-risk-not-yet-known": (case(immediate_risk="unknown"), case(immediate_risk="yes")),
    "under-10-all": (case(youngest_age=9, oldest_age=9), case(youngest_age=9, oldest_age=10)),
    "under-10-some": (case(youngest_age=9, oldest_age=10), case(youngest_age=10, oldest_age=9)),
    "adult-involved": (case(adult_involved="unknown"), case()),
    "adult-involved-unknown": (case(adult_involved="unknown"), case(adult_involved="yes")),
    "coercion": (case(coercion="yes"), case()),
    "coercion-unknown": (case(coercion="unknown"), case(coercion="yes")),
    "financial-sextortion": (case(financial_sextortion="unknown"), case()),
    "financial-sextortion-unknown": (case(financial_sextortion="unknown"),
                                     case(financial_sextortion="yes")),
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
    "ai-or-altered-unknown": (case(ai_or_altered="unknown"), case(ai_or_altered="yes")),
    "taken-without-consent": (case(taken_without_consent="yes", sharing_extent="not_shared"),
                              case(taken_without_consent="unknown")),
    "taken-without-consent-unknown": (case(taken_without_consent="unknown"),
                                      case(taken_without_consent="yes")),
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


def test_financial_sextortion_is_asked_in_every_in_scope_case(cop2024):
    assert cop2024.question("financial_sextortion").ask_when_text is None
    upto = {k: case()[k] for k in ("imagery", "subject_under_18", "youngest_age",
                                   "immediate_risk", "adult_involved", "coercion")}
    assert next_question(cop2024, upto).id == "financial_sextortion"
    # a known peer, no adult, coercion answered no: the demand still counts
    d = decide(cop2024, case(financial_sextortion="yes"))
    assert d.pathway == "full-investigation" and "financial_sextortion" in d.asked
    assert any("not to pay" in a for a in d.action_texts)


def test_sextortion_cites_the_nca_alert_not_an_unconfirmed_ukcis_section(cop2024):
    for rid in ("financial-sextortion", "financial-sextortion-unknown"):
        rule = next(r for r in cop2024.rules if r.id == rid)
        assert "NCA-2024" in {c.source for c in rule.cite}
    every = [c for r in cop2024.rules for c in r.cite]
    assert not any(c.source == "UKCIS-2024" and "extortion" in c.section.lower() for c in every)


def test_live_streams_and_pseudo_images_are_in_scope(cop2024):
    assert "live stream" in cop2024.question("imagery").text
    assert "nudify" in (cop2024.question("imagery").help or "")


def _all_cites(rs):
    cites = [c for r in rs.rules for c in r.cite]
    cites += [c for p in rs.pathways.values() for c in p.long_term_cite]
    cites += [c for cat in rs.recording.categories for c in cat.cite]
    return cites


def test_citations_are_to_the_later_documents_by_checked_headings(cop2024):
    assert set(cop2024.sources) == NEW_SOURCES
    cited = {c.source for c in _all_cites(cop2024)}
    assert cited == NEW_SOURCES
    assert cop2024.sources["CoP-current"].checked_sections == (
        "About this briefing note", "Deciding on an appropriate response to offences",
        "Disclosures")
    assert cop2024.sources["NPCC-2024"].checked_sections == (
        "aggravated", "non-aggravated", "repeated")
    for key in ("UKCIS-2024", "NCA-2024", "HOCR"):
        assert cop2024.sources[key].checked_sections == ()
    for c in _all_cites(cop2024):
        assert c.approximate or c.section in cop2024.sources[c.source].checked_sections, c
        # a 2016 heading, not one of the current page
        assert not (c.source == "CoP-current" and c.section == "Initial police action"), c
    assert any(c.section == "Disclosures" and not c.approximate for c in _all_cites(cop2024))


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
    assert {"taken_without_consent", "oldest_age"} <= set(old)
    for qid in old:
        a, b = cop2016.question(qid), cop2024.question(qid)
        assert (a.type, a.domain, a.ask_when_text) == (b.type, b.domain, b.ask_when_text)


# ----------------------------------------------------------------------------- rule set 1.1


def test_question_order_follows_the_domain_brief(cop2024):
    order = [q.id for q in cop2024.questions]
    assert order[:7] == ["imagery", "subject_under_18", "youngest_age", "immediate_risk",
                         "adult_involved", "coercion", "financial_sextortion"]
    assert order.index("atypical_or_violent") < order.index("ai_or_altered") \
        < order.index("taken_without_consent") < order.index("sharing_extent") \
        < order.index("shared_without_consent") < order.index("malicious_intent") \
        < order.index("previous_incidents") < order.index("power_imbalance")


def test_immediate_risk_not_known_raises_both_flags_at_once(cop2024):
    d = decide(cop2024, case(immediate_risk="unknown"))
    assert d.flags == (URGENT, PJ)
    reason = next(r for r in d.reasons if r.rule == "immediate-risk-not-yet-known")
    assert reason.headline == "Not yet known: establish now whether the child is safe"
    assert d.actions[0].when == "now" and d.actions[0].from_ == "immediate-risk-not-yet-known"
    upto = {k: case()[k] for k in ("imagery", "subject_under_18", "youngest_age")}
    assert URGENT in raised_so_far(cop2024, {**upto, "immediate_risk": "unknown"})


@pytest.mark.parametrize("extent", ["not_shared", "intended_recipient", "widely"])
def test_taken_without_consent_is_aggravated_whether_or_not_shared(cop2024, extent):
    d = decide(cop2024, case(taken_without_consent="yes", sharing_extent=extent))
    assert d.pathway == "standard-investigation" and "taken-without-consent" in d.fired
    assert d.recording.category == "aggravated"
    unknown = decide(cop2024, case(taken_without_consent="unknown", sharing_extent=extent))
    assert (unknown.pathway, PJ in unknown.flags) == ("proportionate-response", True)
    assert unknown.recording.category == "non-aggravated" and unknown.recording.provisional
    text = next(r.text for r in unknown.reasons if r.rule == "taken-without-consent-unknown")
    assert "Establish it before deciding on Outcome 21" in text


def test_sharing_means_sharing_only_and_nothing_is_counted_twice(cop2024):
    q = cop2024.question("shared_without_consent")
    assert "made" not in q.text and "shared" in q.text
    ids = {r.id for r in cop2024.rules}
    assert not {"ai-or-altered-without-consent", "ai-or-altered-kept"} & ids
    d = decide(cop2024, case(ai_or_altered="yes", taken_without_consent="yes",
                             sharing_extent="few_others", shared_without_consent="yes"))
    assert d.pathway == "standard-investigation"
    assert {"ai-or-altered", "taken-without-consent", "shared-without-consent"} <= set(d.fired)


def test_power_imbalance_is_about_the_child_who_held_power(cop2024):
    q = cop2024.question("power_imbalance")
    assert "the child who asked for, obtained or shared the image" in q.text
    assert "hold and use power over the child pictured" in q.text
    assert "younger child who sent their own image, without being asked, to an older" in q.help
    reason = next(r.reason for r in cop2024.rules if r.id == "power-imbalance")
    assert "never the child pictured" in reason


def test_adult_involved_help_excludes_adults_who_only_report_or_protect(cop2024, cop2016):
    for rs in (cop2016, cop2024):
        help_text = rs.question("adult_involved").help
        assert "parent" in help_text and "teacher" in help_text
        assert "to report it or to protect the child" in help_text


@pytest.mark.parametrize(("changes", "category"), [
    ({}, "non-aggravated"),
    ({"malicious_intent": "yes"}, "aggravated"),
    ({"taken_without_consent": "yes"}, "aggravated"),
    ({"shared_without_consent": "yes"}, "aggravated"),
    ({"power_imbalance": "yes"}, "aggravated"),
    ({"sexual_acts": "yes", "atypical_or_violent": "yes"}, "aggravated"),
    ({"coercion": "yes"}, "aggravated"),
    ({"adult_involved": "unknown"}, "aggravated"),
    ({"previous_incidents": "yes"}, "repeated"),
    ({"previous_incidents": "yes", "power_imbalance": "yes"}, "aggravated"),
    ({"malicious_intent": "unknown"}, "non-aggravated"),
    ({"immediate_risk": "yes"}, "non-aggravated"),
])
def test_recording_category(cop2024, changes, category):
    d = decide(cop2024, case(**changes))
    assert d.recording.category == category
    assert d.recording.provisional == ("unknown" in changes.values())
    assert d.recording.cite[0].source == "NPCC-2024"
    assert d.recording.cite[0].section == category
    assert "child pictured is a victim" in d.recording.treatment


def test_recording_treatment_says_how_each_child_is_treated(cop2024):
    cats = {c.id: c for c in cop2024.recording.categories}
    assert list(cats) == ["aggravated", "repeated", "non-aggravated"]
    assert "whose conduct aggravates" in cats["aggravated"].treatment
    assert "never the subject of an investigation for being pictured" in \
        cats["aggravated"].treatment
    assert "Outcome 22" in cats["repeated"].treatment and "diversion" in cats["repeated"].treatment
    assert "'person involved', not 'suspect'" in cats["non-aggravated"].treatment
    assert "tool's" in cats["aggravated"].reason
    assert decide(cop2024, {"imagery": "no"}).recording is None


def test_no_crime_outcome_for_children_all_under_10(cop2024):
    assert cop2024.question("oldest_age").ask_when_text == "youngest_age < 10"
    assert next_question(cop2024, {k: v for k, v in case(youngest_age=9).items()
                                   if k != "oldest_age"}).id == "oldest_age"
    for changes in ({}, {"previous_incidents": "yes"}, {"sharing_extent": "widely"}):
        all_under = decide(cop2024, case(youngest_age=8, oldest_age=9, **changes))
        some = decide(cop2024, case(youngest_age=8, oldest_age=14, **changes))
        assert not any("Outcome 2" in a and "not appropriate" not in a
                       for a in all_under.action_texts), changes
        assert "under-10-all" in all_under.fired and "under-10-some" in some.fired
        assert (all_under.pathway, all_under.flags) == (some.pathway, some.flags)
        note = next(r for r in all_under.reasons if r.rule == "under-10-all")
        assert note.role == "note" and "safeguarding only" in note.text
    assert any("Consider Outcome 21" in a for a in
               decide(cop2024, case(youngest_age=8, oldest_age=14)).action_texts)
    guarded = [a for p in cop2024.pathways.values() for a in p.actions if "Outcome 2" in a.text
               and "not appropriate" not in a.text]
    guarded += [a for r in cop2024.rules for a in r.actions if "Outcome 2" in a.text]
    assert guarded and all(a.if_text == UNDER_10_GUARD for a in guarded)


def test_every_bundled_action_says_when(cop2024):
    actions = [a for p in cop2024.pathways.values() for a in p.actions]
    actions += [a for f in cop2024.flags.values() for a in f.actions]
    actions += [a for r in cop2024.rules for a in r.actions]
    assert {a.when for a in actions} == {"now", "today", "next"}
    now = {a.text for a in actions if a.when == "now"}
    assert any("emergency services" in t for t in now)
    assert any("Do not view" in t for t in now)
    assert any("do not delete" in t for t in now)


def test_long_term_impact_for_each_in_scope_pathway(cop2024):
    for pid in ("full-investigation", "standard-investigation", "proportionate-response"):
        p = cop2024.pathways[pid]
        assert p.long_term and "DBS" in p.long_term, pid
        assert any(c.source == "CoP-current" and c.section == "Disclosures"
                   for c in p.long_term_cite)
    prop = cop2024.pathways["proportionate-response"].long_term
    assert "unlikely but not impossible" in prop and "chief officer" in prop
    d = decide(cop2024, case())
    assert d.long_term is not None and d.long_term[0] == prop


def test_version_and_changelog(cop2024):
    assert cop2024.version == "1.1.0"
    entry = cop2024.changelog[0]
    assert entry.version == "1.1.0"
    text = " ".join(entry.changes)
    for words in ("taken_without_consent", "oldest_age", "recording", "Not yet known",
                  "every in-scope case", "ai-or-altered-without-consent"):
        assert words in text, words
