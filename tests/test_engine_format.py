"""The engine's handling of the rule-set format's newer parts, on a small hand-made set:
timed and conditional actions, note rules, flag headlines, long-term text and recording."""

from __future__ import annotations

import copy

from rulesets_small import base, cite, load, rule
from sexting_triage import engine


def _data():
    d = base()
    d["pathways"][2]["actions"] = [
        {"text": "Record the report.", "when": "today"},
        {"text": "Consider Outcome 21.", "if": "age >= 10"},
        "Give advice.",
    ]
    d["pathways"][2]["long_term"] = {"text": "Outcome 21 is unlikely to be disclosed.",
                                     "cite": cite("Disclosures")}
    d["flags"][0]["urgent"] = True
    d["flags"][0]["actions"] = [{"text": "Make the child safe.", "when": "now"}]
    rule(d, "image-unknown")["headline"] = "Not yet known: establish now"
    rule(d, "image-unknown")["actions"] = [{"text": "Find out now.", "when": "now"}]
    d["rules"].append({"id": "under-10", "when": "age < 10", "reason": "Under 10: no crime "
                       "outcome applies.", "cite": cite()})
    d["recording"] = {"pathways": ["full", "standard", "light"], "categories": [
        {"id": "aggravated", "title": "Aggravated", "pathways": ["full"],
         "when": 'malice == "yes"', "reason": "Agg.", "treatment": "Victim.", "cite": cite()},
        {"id": "non-aggravated", "title": "Non-aggravated", "reason": "Plain.",
         "treatment": "Person involved.", "cite": cite()}]}
    return d


def test_actions_are_banded_now_today_next_urgent_first(tmp_path):
    rs = load(tmp_path, _data())
    d = engine.decide(rs, {"imagery": "unknown", "age": 15, "extent": "none", "malice": "no"})
    assert [(a.text, a.when, a.from_) for a in d.actions] == [
        ("Find out now.", "now", "image-unknown"),
        ("Make the child safe.", "now", "judge"),
        ("Record the report.", "today", "light"),
        ("Consider Outcome 21.", "next", "light"),
        ("Give advice.", "next", "light"),
    ]
    reason = next(r for r in d.reasons if r.rule == "image-unknown")
    assert reason.headline == "Not yet known: establish now" and reason.role == "flag"


def test_an_action_whose_if_fails_is_not_offered(tmp_path):
    rs = load(tmp_path, _data())
    d = engine.decide(rs, {"imagery": "yes", "age": 8, "extent": "none", "malice": "no"})
    assert "Consider Outcome 21." not in d.action_texts
    note = next(r for r in d.reasons if r.rule == "under-10")
    assert note.role == "note" and note.effect == "note"
    assert d.pathway == "light"  # a note changes nothing else


def test_recording_category_and_provisional(tmp_path):
    rs = load(tmp_path, _data())
    plain = engine.decide(rs, {"imagery": "yes", "age": 15, "extent": "none", "malice": "no"})
    assert plain.recording is not None
    assert (plain.recording.category, plain.recording.provisional) == ("non-aggravated", False)
    agg = engine.decide(rs, {"imagery": "yes", "age": 15, "extent": "none", "malice": "yes"})
    assert agg.recording is not None and agg.recording.category == "aggravated"
    full = engine.decide(rs, {"imagery": "yes", "age": 5, "extent": "wide", "malice": "no"})
    assert full.pathway == "full" and full.recording is not None
    assert full.recording.category == "aggravated"
    unsure = engine.decide(rs, {"imagery": "yes", "age": 15, "extent": "none",
                                "malice": "unknown"})
    assert unsure.recording is not None
    assert (unsure.recording.category, unsure.recording.provisional) == ("non-aggravated", True)
    out = engine.decide(rs, {"imagery": "no"})
    assert out.pathway == "out" and out.recording is None
    assert plain.long_term is not None and plain.long_term[0].startswith("Outcome 21")
    assert out.long_term is None


def test_a_rule_set_without_categories_says_why(tmp_path):
    d = _data()
    d["recording"] = {"pathways": ["light"], "note": "This edition predates the categories."}
    rs = load(tmp_path, copy.deepcopy(d))
    got = engine.decide(rs, {"imagery": "yes", "age": 15, "extent": "none", "malice": "no"})
    assert got.recording is not None and got.recording.category is None
    assert got.recording.reason == "This edition predates the categories."
