"""diff.structural: every change in what two rule sets say, as data."""

from __future__ import annotations

from sexting_triage.diff import structural, structurally_identical
from sexting_triage.loader import resolve


def test_structural_identity_of_a_set_with_itself():
    rs = resolve("cop-2024")
    assert structurally_identical(structural(rs, rs))
    assert not structurally_identical(structural(resolve("cop-2016"), rs))


def _edited():
    from rulesets_small import base, cite

    data = base()
    data["sources"]["SRC"]["checked_sections"] = ["Scope"]
    p = data["pathways"][2]
    p["actions"] = ["Tell the parents.", {"text": "Consider Outcome 21.", "when": "today",
                                          "if": "age >= 10"}]
    p["long_term"] = {"text": "Unlikely to be disclosed.", "cite": cite()}
    data["flags"][0]["actions"] = [{"text": "Ask a supervisor.", "when": "now"}]
    data["rules"].append({"id": "note-age", "when": "age < 10", "reason": "Under 10.",
                          "actions": ["Safeguarding only."], "cite": cite()})
    data["rules"][2]["headline"] = "Not yet known"
    data["recording"] = {"pathways": ["light", "standard", "full"], "categories": [
        {"id": "agg", "title": "Aggravated", "pathways": ["full"], "reason": "Abuse.",
         "treatment": "Victim.", "cite": cite()},
        {"id": "non", "title": "Non-aggravated", "reason": "Otherwise.",
         "treatment": "Person involved.", "cite": cite()}]}
    data["changelog"] = [{"version": "1.1", "date": "2026-01-01", "changes": ["Outcome 21."]}]
    return data


def test_new_format_parts_are_compared(tmp_path):
    """Action due times and conditions, note rules, headlines, long-term text, recording
    categories, changelog entries and checked sections all show as changes."""
    from rulesets_small import base, load

    old, new = load(tmp_path, base(), "a.yaml"), load(tmp_path, _edited(), "b.yaml")
    s = structural(old, new)
    assert not structurally_identical(s)
    assert s["sources"]["changed"] == [{"id": "SRC", "checked_sections": {
        "old": [], "new": ["Scope"]}}]
    light = next(x for x in s["pathways"]["changed"] if x["id"] == "light")
    assert light["actions"]["added"] == ["Tell the parents.",
                                         "Consider Outcome 21. [today] (if age >= 10)"]
    assert light["long_term"] == {"old": None, "new": "Unlikely to be disclosed."}
    (judge,) = s["flags"]["changed"]
    assert judge["actions"]["added"] == ["Ask a supervisor. [now]"]
    assert s["rules"]["added"] == [{"id": "note-age", "when": "age < 10", "effect": "note"}]
    assert s["rules"]["changed"] == [{"id": "image-unknown", "headline": {
        "old": None, "new": "Not yet known"}}]
    rec = s["recording"]
    assert rec["block"] == "added" and [c["id"] for c in rec["added"]] == ["agg", "non"]
    assert s["changelog"]["added"] == [{"version": "1.1", "date": "2026-01-01",
                                        "changes": ["Outcome 21."]}]
    # and back again: everything is reported as removed
    back = structural(new, old)
    assert back["recording"]["block"] == "removed"
    assert back["changelog"]["removed"][0]["version"] == "1.1"
    assert structurally_identical(structural(new, new))


def test_a_due_time_change_alone_is_a_change(tmp_path):
    from rulesets_small import load

    a, b = _edited(), _edited()
    b["flags"][0]["actions"] = [{"text": "Ask a supervisor.", "when": "today"}]
    s = structural(load(tmp_path, a, "a.yaml"), load(tmp_path, b, "b.yaml"))
    (judge,) = s["flags"]["changed"]
    assert judge["actions"] == {"added": ["Ask a supervisor. [today]"],
                                "removed": ["Ask a supervisor. [now]"]}


def test_choice_label_and_recording_category_rewording(tmp_path):
    from rulesets_small import load

    a, b = _edited(), _edited()
    b["questions"][2]["choices"][1]["label"] = "Widely"
    b["recording"]["categories"][1]["treatment"] = "Recorded as person involved."
    s = structural(load(tmp_path, a, "a.yaml"), load(tmp_path, b, "b.yaml"))
    (q,) = s["questions"]["changed"]
    assert q["labels"] == [{"id": "wide", "old": "Wide", "new": "Widely"}]
    assert s["recording"]["changed"] == [{"id": "non", "treatment": {
        "old": "Person involved.", "new": "Recorded as person involved."}}]
