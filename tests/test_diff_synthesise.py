"""diff.synthesise (with cubes and factor): each group's `when` holds for exactly its situations,
proved on the bundled pair, checked on random situations and on random pairs of small rule sets;
and the building blocks (literals, merging, factoring) on their own."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diffcases import DOMAINS, assert_exact, bundled_pair, member
from rulesets_small import base, joint_situations, load, project
from sexting_triage import conditions as C
from sexting_triage import engine
from sexting_triage.diff import behavioural
from sexting_triage.diff.cubes import BOTTOM, lit_cond, merge
from sexting_triage.diff.factor import _factor as factor


@pytest.fixture(scope="module")
def bundled():
    return bundled_pair()


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


def test_bundled_when_conditions_are_proved_exact(bundled):
    """An exact proof, not a sample: cop-2024 asks every cop-2016 question under the same
    conditions, so its view of a situation is the joint one; walking both again with each
    `when` as a tracked condition on that side must find no situation where the condition
    and group membership disagree."""

    old, new, beh = bundled
    for q in old.questions:
        assert new.question(q.id).ask_when_text == q.ask_when_text
    assert_when_conditions_exact(old, new, beh)


def assert_when_conditions_exact(old, new, beh) -> None:
    """Walk both rule sets again with each group's `when` tracked on the new side: over every
    situation the condition holds exactly where the situation is in the group."""
    from sexting_triage.analysis import Side, Space

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


def test_generated_extra_questions_when_conditions_are_proved_exact(tmp_path):
    """The same proof on cop-2024 against itself with local questions added (many cubes to
    merge and factor; each `when` reads only the new side's facts, which include every
    fact the old side asks)."""
    import sys
    from pathlib import Path

    from sexting_triage.loader import load_ruleset, resolve

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from scaling import write_extended

    old = resolve("cop-2024")
    new = load_ruleset(write_extended(4, tmp_path))
    beh = behavioural(old, new)
    assert beh.changed and beh.flag_changes
    assert_when_conditions_exact(old, new, beh)


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


# ----------------------------------------------------------------------------- building blocks

YN = ("yes", "no", "unknown")


@pytest.mark.parametrize(("vals", "text"), [
    ({"yes"}, 'm == "yes"'),
    ({"yes", "unknown"}, 'm in ["yes", "unknown"]'),
    ({"yes", "unknown", BOTTOM}, 'm != "no"'),
    ({"yes", BOTTOM}, 'm not in ["no", "unknown"]'),
    ({"yes", "no", "unknown", BOTTOM}, "true"),
    (set(), "false"),
])
def test_literal_of_a_set_of_values(vals, text):
    cond = lit_cond("m", frozenset(vals), YN)
    assert C.to_text(cond) == text
    for v in YN:
        assert C.evaluate(cond, {"m": v}) == (v in vals)
    assert C.evaluate(cond, {}) == (BOTTOM in vals)


def test_whole_numbers_become_ranges():
    dom = tuple(range(18))
    assert C.to_text(lit_cond("age", frozenset(range(13)), dom)) == "age < 13"
    assert C.to_text(lit_cond("age", frozenset(range(10, 13)), dom)) == "age >= 10 and age < 13"
    assert C.to_text(lit_cond("age", frozenset({5}), dom)) == "age == 5"


def test_merge_joins_cubes_that_differ_in_one_fact_and_drops_those_inside_others():
    a = {"x": frozenset({"yes"}), "y": frozenset({"no"})}
    b = {"x": frozenset({"unknown"}), "y": frozenset({"no"})}
    inside = {"x": frozenset({"yes"}), "y": frozenset({"no"}), "z": frozenset({"yes"})}
    assert merge([a, b, inside]) == [{"x": frozenset({"yes", "unknown"}), "y": frozenset({"no"})}]
    assert merge([a, a]) == [a]


def test_factoring_puts_the_common_part_first_and_keeps_the_meaning():
    x, y, z = (C.Test(f, "==", "yes") for f in ("x", "y", "z"))
    cond = factor([{"x": x, "y": y}, {"x": x, "z": z}], {"x": 0, "y": 1, "z": 2})
    assert C.to_text(cond) == 'x == "yes" and (y == "yes" or z == "yes")'
    assert C.to_text(factor([], {})) == "false"
    assert C.to_text(factor([{}], {})) == "true"


# ----------------------------------------------------------------------------- large groups


@settings(max_examples=15, deadline=None)
@given(st.data())
def test_diagram_fallback_is_exact_on_random_pairs(tmp_path_factory, data):
    """With every group written from its decision diagram (as for groups too large to list
    as cubes), each `when` still holds for exactly its situations."""
    import sexting_triage.diff.synthesise as S

    d = tmp_path_factory.mktemp("diagram")
    old = load(d, _random_set(data.draw), "a.yaml")
    new = load(d, _random_set(data.draw), "b.yaml")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(S, "MAX_CUBES", 0)
        beh = behavioural(old, new)
    joints = joint_situations(old, new, DOMAINS)
    assert_exact(old, new, beh, [j for j in joints if _decides(old, j) and _decides(new, j)])


def test_diagram_fallback_is_exact_on_the_bundled_pair(monkeypatch):
    """The exact proof of test_bundled_when_conditions_are_proved_exact, for the diagram."""
    import sexting_triage.diff.synthesise as S

    monkeypatch.setattr(S, "MAX_CUBES", 0)
    old, new, _ = bundled_pair()
    assert_when_conditions_exact(old, new, behavioural(old, new))


def _chain(tmp_path, k: int):
    """A rule that needs one of each of k pairs: 2**k cubes, but a chain in the diagram."""
    from rulesets_small import cite

    def doc(on: bool) -> dict:
        rules = [{"id": "base", "when": 'q0 != "no" or q0 == "no"', "pathway": "low",
                  "reason": "b", "cite": cite()}]
        if on:
            rules.append({"id": "pairs", "pathway": "high", "reason": "p", "cite": cite(),
                          "when": " and ".join(f'(q{2 * i} == "yes" or q{2 * i + 1} == "yes")'
                                               for i in range(k))})
        return {"id": "chain", "version": "1", "title": "t", "status": "draft",
                "sources": {"SRC": {"title": "s", "date": "2020"}},
                "questions": [{"id": f"q{i}", "text": f"Q{i}?"} for i in range(2 * k)],
                "pathways": [{"id": p, "title": p, "summary": p} for p in ("high", "low")],
                "precedence": ["high", "low"], "rules": rules}

    return load(tmp_path, doc(False), "a.yaml"), load(tmp_path, doc(True), "b.yaml")


def test_a_group_of_many_cubes_is_written_once_per_part(tmp_path):
    """2**12 cubes took about a minute to merge; the diagram gives the conjunction of the
    twelve pairs, each written once, and it is exact."""
    import random

    old, new = _chain(tmp_path, 12)
    (g,) = behavioural(old, new).transitions
    assert g.count == 5 ** 12 and g.when.count(" and (") == 11 and len(g.when) < 1200
    cond = C.parse(g.when)
    rnd = random.Random(7)
    for _ in range(300):
        answers = {f"q{i}": rnd.choice(["yes", "no", "unknown"]) for i in range(24)}
        want = all("yes" in (answers[f"q{2 * i}"], answers[f"q{2 * i + 1}"]) for i in range(12))
        assert C.evaluate(cond, answers) == want


def test_leaf_completions_agree_with_space_sat():
    """The completions graph that answers a leaf met by a search (`Completions.fits`) says
    exactly what `Space.sat` says of the same literals, on every leaf of the bundled pair
    and on literals of one and two facts after it (values, "not asked", and mixes)."""
    import random

    from sexting_triage.analysis import Side, Space
    from sexting_triage.diff.cubes import cube_cond
    from sexting_triage.diff.recorded import completions
    from sexting_triage.loader import resolve

    space = Space([Side(resolve("cop-2016")), Side(resolve("cop-2024"))])
    space.record_graph = True
    space.explore(0, space.root())
    comp = completions(space)
    rnd = random.Random(7)
    checked = 0
    for g in space.graph.values():
        if g[0] != "leaf":
            continue
        pos, states = g[1], g[2]
        later = space.order[pos:]
        for _ in range(6):
            facts = rnd.sample(later, min(len(later), rnd.choice((1, 2))))
            cube = {}
            for f in facts:
                options = [*space.domains[f], BOTTOM]
                cube[f] = frozenset(rnd.sample(options, rnd.randint(1, len(options) - 1)))
            lits: list[frozenset[object] | None] = [None] * (
                max(space.pos_of[f] for f in cube) + 1)
            for f, v in cube.items():
                lits[space.pos_of[f]] = v
            want = space.sat(pos, states, -1, cube_cond(cube, space.domains))
            assert comp.fits([comp.node(pos, states)], lits) == want, (pos, cube)
            checked += 1
    assert checked > 100


@pytest.mark.slow
def test_a_diff_reads_the_same_under_every_hash_seed(tmp_path):
    """The same two rule sets give the same change note byte for byte whatever Python's hash
    seed: the diagram's branches were once ordered by a set's text, which follows the seed
    (cop-2024 against 48 local questions read differently under seed 0)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from scaling import write_extended

    new = write_extended(48, tmp_path)
    outs = set()
    for seed in ("0", "1"):
        r = subprocess.run([sys.executable, "-m", "sexting_triage", "rules", "diff", "cop-2024",
                            str(new), "--format", "json"], capture_output=True, timeout=300,
                           env={**os.environ, "PYTHONHASHSEED": seed}, check=False)
        assert r.returncode == 1, r.stderr[-2000:]
        outs.add(r.stdout)
    assert len(outs) == 1
