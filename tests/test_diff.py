"""`rules diff`: structural changes, exact behavioural groups whose `when` conditions hold for
exactly their situations (brute force on small sets, a property test on the bundled pair),
examples both editions accept, scenario impact, formats and exit codes."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rulesets_small import base, joint_situations, load, project, rule, save
from sexting_triage import conditions as C
from sexting_triage import engine
from sexting_triage.cli import main
from sexting_triage.diff import behavioural, diff, structural, structurally_identical
from sexting_triage.loader import resolve


def outcome(rs, answers):
    d = engine.decide(rs, answers)
    return d.pathway, d.flags


def member(group, old, new, joint) -> bool:
    (pa, fa), (pb, fb) = outcome(old, joint), outcome(new, joint)
    if group.kind == "pathway":
        return (pa, pb) == (group.old, group.new)
    return (group.old in fa, group.old in fb) == ((False, True) if group.new == "added"
                                                  else (True, False))


def assert_exact(old, new, beh, joints):
    """Every group's count and `when` agree with deciding every situation directly."""
    counts: Counter = Counter()
    for joint in joints:
        for g in [*beh.transitions, *beh.flag_changes]:
            inside = member(g, old, new, joint)
            assert C.evaluate(C.parse(g.when), joint) == inside, (g.as_dict(), joint)
            counts[(g.kind, g.old, g.new)] += inside
    for g in [*beh.transitions, *beh.flag_changes]:
        assert counts[(g.kind, g.old, g.new)] == g.count
        assert member(g, old, new, g.example)


DOMAINS = {"imagery": ("yes", "no", "unknown"), "age": tuple(range(18)),
           "extent": ("none", "wide"), "malice": ("yes", "no", "unknown"),
           "power": ("yes", "no", "unknown")}


def test_identical_sets_exit_0(tmp_path, capsys):
    a, b = save(tmp_path, base(), "a.yaml"), save(tmp_path, base(), "b.yaml")
    assert main(["rules", "diff", str(a), str(b)]) == 0
    out = capsys.readouterr().out
    assert "no structural change" in out and "Result: identical" in out
    rep = diff(load(tmp_path, base(), "a.yaml"), load(tmp_path, base(), "b.yaml"))
    assert rep.identical and rep.behaviour.changed == 0
    assert rep.behaviour.total == 1 + 18 * 2 * 3 + 18 * 3


def test_single_changed_threshold(tmp_path, capsys):
    data = base()
    rule(data, "young-wide")["when"] = 'age < 14 and extent == "wide"'
    data["version"] = "1.1"
    old, new = load(tmp_path, base(), "a.yaml"), load(tmp_path, data, "b.yaml")
    beh = behavioural(old, new)
    # age 13 and wide: light becomes full (malice no or unknown), standard becomes full
    g, h = beh.transitions
    assert (g.old, g.new, g.count) == ("light", "full", 2)
    assert (h.old, h.new, h.count) == ("standard", "full", 1)
    assert g.when == 'age == 13 and extent == "wide" and malice != "yes"'
    assert h.when == 'age == 13 and extent == "wide" and malice == "yes"'
    assert g.rules_new == ["young-wide"] and g.rules_old == ["in-scope"]
    assert h.rules_old == ["malice"]
    assert beh.changed == 3 and beh.flag_changes == []
    assert_exact(old, new, beh, joint_situations(old, new, DOMAINS))
    s = structural(old, new)
    assert s["metadata"] == {"version": {"old": "1.0", "new": "1.1"}}
    assert s["rules"]["changed"] == [{"id": "young-wide", "when": {
        "old": 'age < 13 and extent == "wide"', "new": 'age < 14 and extent == "wide"'}}]
    assert main(["rules", "diff", str(save(tmp_path, base(), "a.yaml")),
                 str(save(tmp_path, data, "b.yaml")), "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema"] == "sexting-triage/diff/1"
    assert doc["transitions"][0]["from"] == "light" and doc["transitions"][0]["count"] == 2
    assert doc["situations_changed"] == 3 and doc["situations_total"] == 163


def test_new_question_and_gated_facts_are_exact(tmp_path):
    data = base()
    data["questions"].append({"id": "power", "text": "Power?", "ask_when": 'malice != "yes"'})
    data["rules"] += [
        {"id": "power", "when": 'power == "yes"', "pathway": "standard", "reason": "P.",
         "cite": [{"source": "SRC", "section": "S"}]},
        {"id": "power-unknown", "when": 'power == "unknown"', "flag": "judge", "reason": "P?",
         "cite": [{"source": "SRC", "section": "S"}]}]
    rule(data, "young-wide")["when"] = 'age < 13 and extent != "none"'
    old, new = load(tmp_path, base(), "a.yaml"), load(tmp_path, data, "b.yaml")
    beh = behavioural(old, new)
    joints = joint_situations(old, new, DOMAINS)
    assert beh.total == len(joints)
    assert_exact(old, new, beh, joints)
    # `extent != "none"` also holds when extent is not asked (imagery unknown)
    assert {(g.old, g.new) for g in beh.transitions} == {
        ("light", "standard"), ("light", "full"), ("standard", "full")}
    assert [(g.old, g.new) for g in beh.flag_changes] == [("judge", "added")]
    q = structural(old, new)["questions"]
    assert [x["id"] for x in q["added"]] == ["power"]


def test_examples_are_accepted_by_run_for_both_editions(tmp_path, capsys):
    rep = diff(resolve("cop-2016"), resolve("cop-2024"))
    for g in [*rep.behaviour.transitions, *rep.behaviour.flag_changes]:
        p = tmp_path / "answers.yaml"
        import yaml

        p.write_text(yaml.safe_dump({"answers": g.example}))
        for rid in ("cop-2016", "cop-2024"):
            assert main(["run", str(p), "--rules", rid, "--json"]) == 0
            got = json.loads(capsys.readouterr().out)
            if g.kind == "pathway":
                assert got["pathway"]["id"] == (g.old if rid == "cop-2016" else g.new)


@pytest.fixture(scope="module")
def bundled():
    old, new = resolve("cop-2016"), resolve("cop-2024")
    return old, new, behavioural(old, new)


def test_bundled_pair_totals_and_groups(bundled):
    from sexting_triage.analysis import reachable

    old, new, beh = bundled
    # cop-2024 asks every cop-2016 question under the same conditions, and more
    assert beh.total == reachable(new).situations
    assert [(g.old, g.new) for g in beh.transitions] == [
        ("proportionate-response", "standard-investigation")]
    g = beh.transitions[0]
    assert set(g.rules_new) == {"shared-without-consent", "power-imbalance",
                                "ai-or-altered-without-consent"}
    assert {(f.old, f.new) for f in beh.flag_changes} == {
        ("professional-judgement", "added"), ("professional-judgement", "removed")}
    assert beh.changed == sum(x.count for x in beh.flag_changes) + g.count - _both(old, new)
    # domain.md example 6 is one of the situations that changes
    six = {"imagery": "yes", "subject_under_18": "yes", "youngest_age": 16,
           "immediate_risk": "no", "adult_involved": "no", "coercion": "no",
           "grooming_or_exploitation": "no", "profit_motive": "no", "capacity_concern": "no",
           "wider_child_protection": "no", "sexual_acts": "no", "ai_or_altered": "no",
           "sharing_extent": "few_others", "shared_without_consent": "yes",
           "malicious_intent": "no", "previous_incidents": "no", "power_imbalance": "no"}
    assert C.evaluate(C.parse(g.when), six)


def _both(old, new) -> int:
    """Situations counted in two groups (pathway and a flag both change): found by the
    exact exploration itself, so this only checks the groups add up consistently."""
    from sexting_triage.analysis import Side, Space

    labels = Space([Side(old), Side(new)]).explore()
    changed_p = sum(a.count for lab, a in labels.items() if lab[0][0] != lab[1][0])
    changed_f = sum(a.count for lab, a in labels.items() if lab[0][1] != lab[1][1])
    changed = sum(a.count for lab, a in labels.items() if lab[0][:2] != lab[1][:2])
    return changed_p + changed_f - changed


YESNO = ("no", "yes", "unknown")


def _random_joint(old, new, draw_value):
    full = {}
    for rs in (old, new):
        for q in rs.questions:
            if q.id not in full:
                full[q.id] = draw_value(q)
    return project(old, new, full)


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_when_conditions_agree_with_both_rule_sets(bundled, data):
    """Property: for random situations (biased towards the few that change, by mutating
    a group's example), each group's `when` holds exactly when running both rule sets
    directly puts the situation in that group."""
    old, new, beh = bundled
    groups = [*beh.transitions, *beh.flag_changes]
    start = data.draw(st.sampled_from([None, *groups]))

    def value(q):
        if start is not None and q.id in start.example and data.draw(st.integers(0, 3)):
            return start.example[q.id]
        if q.type == "integer":
            return data.draw(st.sampled_from([q.min, 12, 13, q.max]))
        if q.type == "yesno":
            return data.draw(st.sampled_from(YESNO))
        return data.draw(st.sampled_from(q.domain))

    joint = _random_joint(old, new, value)
    for g in groups:
        assert C.evaluate(C.parse(g.when), joint) == member(g, old, new, joint), (g.when, joint)


def test_formats_and_exit_codes(tmp_path, capsys):
    assert main(["rules", "diff", "cop-2016", "cop-2024", "--format", "markdown"]) == 1
    md = capsys.readouterr().out
    assert md.startswith("# Change note: cop-2016 1.0.0 → cop-2024 1.0.0")
    assert "## Sign-off" in md and "proportionate-response` → `standard-investigation`" in md
    assert main(["rules", "diff", "cop-2016", "cop-2024", "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) >= {"schema", "structural", "transitions", "flag_changes",
                        "situations_total", "situations_changed", "scenarios"}
    assert set(doc["transitions"][0]) >= {"from", "to", "count", "when", "example"}
    assert main(["rules", "diff", "cop-2016", "cop-2024", "--format", "pdf"]) == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [\n")
    assert main(["rules", "diff", "cop-2016", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml:" in err


def test_structural_identity_of_a_set_with_itself():
    rs = resolve("cop-2024")
    assert structurally_identical(structural(rs, rs))
    assert not structurally_identical(structural(resolve("cop-2016"), rs))


def test_scenario_impact(tmp_path, capsys):
    sc = tmp_path / "six.yaml"
    sc.write_text(
        "title: Shown to two friends\n"
        "story: A 16-year-old shows his girlfriend's nude to two friends without her knowledge.\n"
        "answers: {imagery: yes, subject_under_18: yes, youngest_age: 16, immediate_risk: no,\n"
        "  adult_involved: no, coercion: no, grooming_or_exploitation: no, profit_motive: no,\n"
        "  capacity_concern: no, wider_child_protection: no, sexual_acts: no,\n"
        "  ai_or_altered: no, sharing_extent: few_others, shared_without_consent: yes,\n"
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
        "  sharing_extent: intended_recipient, shared_without_consent: no,\n"
        "  malicious_intent: no, previous_incidents: no}\n"
        "expect:\n  cop-2016: {pathway: proportionate-response}\n")
    assert main(["rules", "diff", "cop-2016", "cop-2024", "--scenarios", str(sc),
                 "--json"]) == 1
    (s,) = json.loads(capsys.readouterr().out)["scenarios"]
    new = s["new"]
    assert new["missing"] == ["ai_or_altered", "power_imbalance"]
    got = {(o["pathway"], tuple(o["flags"])): o["count"] for o in new["possible"]}
    # power_imbalance yes -> standard (3 of 9); an unknown answer raises
    # professional-judgement; ai_or_altered yes alone changes no pathway
    assert got == {("standard-investigation", ()): 2,
                   ("standard-investigation", ("professional-judgement",)): 1,
                   ("proportionate-response", ()): 2,
                   ("proportionate-response", ("professional-judgement",)): 4}
    assert s["now_fails"] and "may not be proportionate-response" in new["failures"][0]


def test_domain_change_is_structural_and_behaviour_uses_shared_answers(tmp_path):
    data = base()
    data["questions"][2]["choices"].insert(1, {"id": "few", "label": "A few"})
    old, new = load(tmp_path, base(), "a.yaml"), load(tmp_path, data, "b.yaml")
    (q,) = structural(old, new)["questions"]["changed"]
    assert q["id"] == "extent" and q["domain"]["added"] == ["few"]
    beh = behavioural(old, new)
    assert beh.changed == 0 and beh.total == 1 + 18 * 2 * 3 + 18 * 3


def test_conflicting_question_order_is_invalid_input(tmp_path, capsys):
    data = base()
    data["questions"][0], data["questions"][1] = data["questions"][1], data["questions"][0]
    a, b = save(tmp_path, base(), "a.yaml"), save(tmp_path, data, "b.yaml")
    assert main(["rules", "diff", str(a), str(b)]) == 2
    assert "different orders" in capsys.readouterr().err


def test_bundled_when_conditions_are_proved_exact(bundled):
    """An exact proof, not a sample: cop-2024 asks every cop-2016 question under the same
    conditions, so its view of a situation is the joint one; walking both again with each
    `when` as a tracked condition on that side must find no situation where the condition
    and group membership disagree."""
    from sexting_triage.analysis import Side, Space

    old, new, beh = bundled
    for q in old.questions:
        assert new.question(q.id).ask_when_text == q.ask_when_text
    for g in [*beh.transitions, *beh.flag_changes]:
        space = Space([Side(old), Side(new, conds=(C.parse(g.when),))])
        inside = outside = 0
        for lab, agg in space.explore().items():
            is_member = g.member(((lab[0][0], lab[0][1]), (lab[1][0], lab[1][1])))
            holds = lab[1][2][0]
            assert holds == is_member, (g.when, lab, agg.example)
            inside += agg.count if holds else 0
            outside += 0 if holds else agg.count
        assert inside == g.count and inside + outside == beh.total


def test_pretty_when_is_the_same_condition(bundled):
    from sexting_triage.render.diffout import pretty_when

    for g in [*bundled[2].transitions, *bundled[2].flag_changes]:
        shown = pretty_when(g.when)
        assert C.parse(shown) == C.parse(g.when)
        assert "\n" in shown


ATOMS = ['imagery == "yes"', 'imagery != "no"', "age < 13", "age >= 15", 'extent == "wide"',
         'extent != "none"', 'malice == "unknown"', 'malice not in ["no"]']


def _random_set(draw) -> dict:
    spec = base()
    spec["questions"][3]["ask_when"] = draw(st.sampled_from(
        ['extent == "wide"', 'imagery == "yes" or age > 3', 'age != 7']))
    for r in spec["rules"]:
        if r["id"] not in ("no-image", "in-scope"):
            a, b = draw(st.sampled_from(ATOMS)), draw(st.sampled_from(ATOMS))
            r["when"] = draw(st.sampled_from([a, f"{a} and {b}", f"{a} or {b}",
                                              f"not ({a})"]))
    return spec


@settings(max_examples=20, deadline=None)
@given(st.data())
def test_random_pairs_when_conditions_are_exact(tmp_path_factory, data):
    """Random pairs of small rule sets: every group's count and `when` agree with deciding
    every joint situation under both."""
    d = tmp_path_factory.mktemp("pair")
    old = load(d, _random_set(data.draw), "a.yaml")
    new = load(d, _random_set(data.draw), "b.yaml")
    beh = behavioural(old, new)
    joints = joint_situations(old, new, DOMAINS)
    assert beh.total == len(joints)
    gap_free = [j for j in joints if _decides(old, j) and _decides(new, j)]
    assert_exact(old, new, beh, gap_free)


def _decides(rs, answers) -> bool:
    from sexting_triage.errors import NoPathway

    try:
        engine.decide(rs, answers)
    except NoPathway:
        return False
    return True
