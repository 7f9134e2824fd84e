"""scenarios.save: a decision written back as a scenario file loads and passes; never replaces
a file."""

from __future__ import annotations

import os

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenario_files import BASE, other_edition
from sexting_triage import engine, loader
from sexting_triage.scenarios.check import check_scenario
from sexting_triage.scenarios.load import load_scenarios
from sexting_triage.scenarios.save import save_scenario


def test_save_scenario_round_trip(tmp_path, cop2016):
    d = engine.decide(cop2016, {**BASE, "malicious_intent": "unknown", "youngest_age": 12})
    target = tmp_path / "saved.yaml"
    save_scenario(target, d, title="Played \x1b[31monce")
    assert os.listdir(tmp_path) == ["saved.yaml"]  # no temporary file left behind
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert data["title"] == "Played once"  # escape sequences never reach the file
    assert "Edit this story" in data["story"] and "rules" not in data
    assert data["expect"] == {"cop-2016": {
        "pathway": "proportionate-response", "flags": ["professional-judgement"],
        "reasons_include": ["youth-produced-imagery", "young-child",
                            "malicious-intent-unknown"]}}
    assert data["answers"]["youngest_age"] == 12 and data["answers"]["imagery"] == "yes"
    (s,) = load_scenarios([target])
    assert check_scenario(s, cop2016).passed


def test_save_scenario_for_a_rule_file_names_it(tmp_path):
    rs = loader.load_ruleset(other_edition(tmp_path, "draft-2030"))
    d = engine.decide(rs, {"imagery": "no"})
    save_scenario(tmp_path / "s.yaml", d)
    data = yaml.safe_load((tmp_path / "s.yaml").read_text())
    assert data["rules"] == "draft-2030.yaml"  # relative to the scenario: moves with it
    assert data["title"] == "Untitled case (edit this title)"
    (s,) = load_scenarios([tmp_path / "s.yaml"])
    assert s.editions() == ["draft-2030.yaml"]
    assert check_scenario(s, rs).passed


@st.composite
def complete_answers(draw, rs):
    """A value for every question (engine.decide ignores those not asked)."""
    return {q.id: draw(st.sampled_from(q.domain)) for q in rs.questions}


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_saved_scenarios_always_load_and_pass(data, tmp_path_factory, cop2016):
    answers = data.draw(complete_answers(cop2016))
    d = engine.decide(cop2016, answers)
    folder = tmp_path_factory.mktemp("saved")
    save_scenario(folder / "case.yaml", d, title="Generated")
    (s,) = load_scenarios([folder / "case.yaml"])
    r = check_scenario(s, cop2016, strict=True)
    assert r.passed, r.failures
    assert r.decision.pathway == d.pathway and r.decision.fired == d.fired


def test_save_scenario_never_replaces_a_file_and_is_private(tmp_path, cop2016):
    import stat

    from sexting_triage.errors import UsageError
    from sexting_triage.files import OutputExists

    d = engine.decide(cop2016, BASE)
    target = tmp_path / "case.yaml"
    save_scenario(target, d)
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600  # the answers are case data
    target.write_text("a trainer's edits\n")
    with pytest.raises(OutputExists):
        save_scenario(target, d)
    assert target.read_text() == "a trainer's edits\n"
    link = tmp_path / "link.yaml"
    link.symlink_to(tmp_path / "nowhere.yaml")
    with pytest.raises(UsageError, match="symbolic link"):  # never written through a link
        save_scenario(link, d)
    assert not (tmp_path / "nowhere.yaml").exists()


def test_a_title_is_one_plain_line(cop2016):
    from sexting_triage.scenarios.save import scenario_text

    d = engine.decide(cop2016, BASE)
    text = scenario_text(d, title="Two\n lines\u202e reversed\x1b]0;x\x07 " + "x" * 400)
    title = yaml.safe_load(text)["title"]
    assert title.startswith("Two lines reversed x") and len(title) == 300
