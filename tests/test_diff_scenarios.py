"""diff.scenarios: each scenario decided by both editions, expectations carried over, and every
possible outcome where the new edition asks what the scenario does not answer."""

from __future__ import annotations

import json

from sexting_triage.cli import main


def test_scenario_impact(tmp_path, capsys):
    sc = tmp_path / "six.yaml"
    sc.write_text(
        "title: Shown to two friends\n"
        "story: A 16-year-old shows his girlfriend's nude to two friends without her knowledge.\n"
        "answers: {imagery: yes, subject_under_18: yes, youngest_age: 16, immediate_risk: no,\n"
        "  adult_involved: no, coercion: no, financial_sextortion: no,\n"
        "  grooming_or_exploitation: no, profit_motive: no,\n"
        "  capacity_concern: no, wider_child_protection: no, sexual_acts: no,\n"
        "  ai_or_altered: no, taken_without_consent: no,\n"
        "  sharing_extent: few_others, shared_without_consent: yes,\n"
        "  malicious_intent: no, previous_incidents: no, power_imbalance: no}\n"
        "expect:\n  pathway: proportionate-response\n")
    assert main(["rules", "diff", "cop-2016", "cop-2024", "--scenarios", str(sc),
                 "--json"]) == 1
    (s,) = json.loads(capsys.readouterr().out)["scenarios"]
    assert s["changed"] and s["now_fails"]
    assert (s["old"]["pathway"], s["new"]["pathway"]) == (
        "proportionate-response", "standard-investigation")


def test_scenario_without_the_new_answers_shows_every_possible_outcome(tmp_path, capsys):
    sc = tmp_path / "old.yaml"
    sc.write_text(
        "title: Shown to two friends (2016 answers only)\n"
        "story: A 16-year-old shows his girlfriend's nude to two friends without her knowledge.\n"
        "answers: {imagery: yes, subject_under_18: yes, youngest_age: 16, immediate_risk: no,\n"
        "  adult_involved: no, coercion: no, grooming_or_exploitation: no, profit_motive: no,\n"
        "  capacity_concern: no, wider_child_protection: no, sexual_acts: no,\n"
        "  taken_without_consent: no,\n"
        "  sharing_extent: intended_recipient, shared_without_consent: no,\n"
        "  malicious_intent: no, previous_incidents: no}\n"
        "expect:\n  cop-2016: {pathway: proportionate-response}\n")
    assert main(["rules", "diff", "cop-2016", "cop-2024", "--scenarios", str(sc),
                 "--json"]) == 1
    (s,) = json.loads(capsys.readouterr().out)["scenarios"]
    new = s["new"]
    assert new["missing"] == ["financial_sextortion", "ai_or_altered", "power_imbalance"]
    got = {(o["pathway"], tuple(o["flags"])): o["count"] for o in new["possible"]}
    # 27 ways of answering the three. financial_sextortion yes or unknown (18) -> full, and
    # unknown raises professional-judgement, as does an unknown ai_or_altered or
    # power_imbalance. With no sextortion (9): power_imbalance yes -> standard (3 of 9);
    # an unknown answer raises professional-judgement; ai_or_altered yes alone changes no
    # pathway
    pj = ("professional-judgement",)
    assert got == {("full-investigation", pj): 9 + 5, ("full-investigation", ()): 4,
                   ("standard-investigation", ()): 2, ("standard-investigation", pj): 1,
                   ("proportionate-response", ()): 2, ("proportionate-response", pj): 4}
    assert sum(got.values()) == 27
    assert s["now_fails"] and "may not be proportionate-response" in new["failures"][0]
