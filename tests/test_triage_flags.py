"""engine.raised_so_far: the flags certain from partial answers, which the triage shows at
once. A rule counts only when every fact it reads is settled."""

from __future__ import annotations

from pathlib import Path

from sexting_triage.engine import decide, raised_so_far
from sexting_triage.loader import load_ruleset

ROOT = Path(__file__).resolve().parents[1]
START = {"imagery": "yes", "subject_under_18": "yes", "youngest_age": 14}


def test_nothing_before_any_answer(cop2016):
    assert raised_so_far(cop2016, {}) == ()


def test_immediate_risk_is_certain_as_soon_as_it_is_answered(cop2016):
    assert raised_so_far(cop2016, {**START, "immediate_risk": "yes"}) == (
        "immediate-safeguarding",)
    assert raised_so_far(cop2016, {**START, "immediate_risk": "no"}) == ()
    # not knowing whether a child is safe is itself urgent: both flags
    assert raised_so_far(cop2016, {**START, "immediate_risk": "unknown"}) == (
        "immediate-safeguarding", "professional-judgement")


def test_a_rule_waits_for_every_fact_it_reads(cop2016):
    early = {**START, "immediate_risk": "no", "adult_involved": "no", "coercion": "no",
             "grooming_or_exploitation": "no", "profit_motive": "no", "capacity_concern": "no",
             "wider_child_protection": "no", "sexual_acts": "no", "sharing_extent": "widely"}
    assert raised_so_far(cop2016, early) == ()  # own-wide-posting also reads consent
    assert raised_so_far(cop2016, {**early, "shared_without_consent": "no"}) == (
        "professional-judgement",)


def test_absent_facts_do_not_fire_a_rule_early(tmp_path):
    # A flag rule that is true while its fact is absent (`!=`) must wait until it is settled.
    text = (ROOT / "rules" / "cop-2016.yaml").read_text().replace("\nrules:\n", """
rules:
  - id: test-not-malicious
    when: 'malicious_intent != "yes"'
    flag: immediate-safeguarding
    reason: "Test rule."
    cite:
      - {source: CoP-2016, section: "Initial police action"}
""", 1)
    path = tmp_path / "rules.yaml"
    path.write_text(text)
    rs = load_ruleset(path)
    answers = {**START, "immediate_risk": "no"}
    assert raised_so_far(rs, answers) == ()
    full = {**answers, "adult_involved": "no", "coercion": "no", "grooming_or_exploitation": "no",
            "profit_motive": "no", "capacity_concern": "no", "wider_child_protection": "no",
            "sexual_acts": "no", "taken_without_consent": "no", "sharing_extent": "not_shared",
            "malicious_intent": "no",
            "previous_incidents": "no"}
    assert raised_so_far(rs, full) == ("immediate-safeguarding",)
    assert "immediate-safeguarding" in decide(rs, full).flags  # the same rules as decide


def test_out_of_scope_settles_everything(cop2016):
    assert raised_so_far(cop2016, {"imagery": "no"}) == ()
    assert raised_so_far(cop2016, {"imagery": "unknown"}) == ("professional-judgement",)
