"""scenarios.coverage: counts against everything reachable (the exact analysis), whole numbers
grouped by the thresholds the conditions use."""

from __future__ import annotations

from scenario_files import BASE
from sexting_triage import engine
from sexting_triage.scenarios.coverage import coverage, int_classes, reachable_targets


def test_integer_answers_are_grouped_by_the_thresholds_conditions_use(cop2016):
    # under 10 (below the age of criminal responsibility), under 13, and older
    assert int_classes(cop2016, "youngest_age") == [(0, 9), (10, 12), (13, 17)]


def test_coverage_counts_and_missing(cop2016):
    d1 = engine.decide(cop2016, BASE)
    d2 = engine.decide(cop2016, {"imagery": "no"})
    c = coverage(cop2016, [d1, d2])
    assert c.pathways == {"proportionate-response": 1, "out-of-scope": 1}
    miss = c.missing()
    assert "full-investigation" in miss["pathways"] and "no-imagery" not in miss["rules"]
    assert "youngest_age=0-9" in miss["values"] and "youngest_age=10-12" in miss["values"]
    assert "youngest_age=13-17" not in miss["values"]
    assert "atypical_or_violent" in miss["questions"]
    assert c.counts()["pathways"] == (2, 4)


def test_reachable_targets_come_from_the_exact_analysis(cop2016):
    t = reachable_targets(cop2016)
    assert t.rules == tuple(r.id for r in cop2016.rules)
    assert t.pathways == cop2016.precedence
    assert t.questions == tuple(q.id for q in cop2016.questions)
    assert t.values["youngest_age"] == ("0-9", "10-12", "13-17")
    assert t.values["sharing_extent"][0] == "not_shared"
