"""scenarios.walkthrough: every step of a replay shows exactly what the questionnaire
controller (`replay`) says became certain with that answer, and the triage shows the same
urgent flags after the same answer (both come from the controller). Over every library
scenario and random situations of both bundled editions."""

from __future__ import annotations

import io
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenario_files import ROOT, one, scenario_text
from sexting_triage import engine, loader
from sexting_triage.questionnaire import replay
from sexting_triage.ruleset import RuleSet
from sexting_triage.scenarios.format import Scenario
from sexting_triage.scenarios.load import RuleSets, load_scenarios
from sexting_triage.scenarios.walkthrough import edition, prepare, steps

EDITIONS = sorted(loader.bundled_paths())
LIBRARY = load_scenarios([ROOT / "scenarios"])


@pytest.fixture(scope="module", params=EDITIONS)
def rs(request: pytest.FixtureRequest) -> RuleSet:
    return loader.resolve(request.param)


def as_scenario(answers: dict[str, Any]) -> Scenario:
    """A bare scenario around a set of answers (for random situations)."""
    return Scenario(path="random", index=None, title="t", story="s", rules=None,
                    answers=answers, notes={}, tags=(), expect=(), doc=None)  # type: ignore[arg-type]


def triage_shows(rs: RuleSet, answers: dict[str, Any]) -> list[tuple[str, ...]]:
    """The urgent flags the interactive triage shows after each answer, read from its screen:
    a scripted prompter gives the answers, and the screen is cut at every question."""
    from sexting_triage.cli.triage import Triage
    from sexting_triage.render.terminal import console

    buf = io.StringIO()
    cuts: list[int] = []

    class Scripted:
        def ask(self, q: Any, number: int, current: Any, can_go_back: bool,
                about: int | None = None) -> Any:
            cuts.append(len(buf.getvalue()))
            return engine.normalize(q, answers[q.id])

        def review(self, items: Any) -> None:
            return None

    con = console(file=buf, no_color=True)
    Triage(rs, Scripted(), con).run()  # type: ignore[arg-type]
    screen = buf.getvalue()
    bounds = [*cuts[1:], len(screen)]
    # an urgent panel is headed by the flag's title or by the headline of a rule raising it
    heads = {f.id: {f.title} | {r.headline for r in rs.rules if r.flag == f.id and r.headline}
             for f in rs.flags.values() if f.urgent}
    return [tuple(f for f, hs in heads.items() if any(f"URGENT: {h}" in screen[a:b] for h in hs))
            for a, b in zip(cuts, bounds, strict=True)]


def agree(s: Scenario, rs: RuleSet) -> int:
    """The walkthrough's steps are the controller's, step by step; every reason the decision
    gives is shown at exactly one step; the triage shows the same urgent flags at each step.
    Returns how many urgent flags were shown."""
    shown = steps(s, rs)
    controller = replay(rs, s.answers)
    assert [step.question.id for step in shown] == [c.question.id for c in controller]
    for step, c in zip(shown, controller, strict=True):
        assert step.new_flags == c.new_flags, (s.name, rs.id, step.question.id)
        assert step.notices == c.notices
        assert [r.rule for r in step.reasons] == [r.rule for r in c.new_reasons]
        assert step.answer == c.question.label_of(c.value)
        assert step.note == s.notes.get(step.question.id)
    d = engine.decide(rs, s.answers)
    assert [step.question.id for step in shown] == list(d.asked)
    assert sorted(r.rule for step in shown for r in step.reasons) == sorted(d.fired)
    assert sorted(f for step in shown for f in step.new_flags) == sorted(d.flags)
    urgent = [tuple(f for f in step.new_flags if rs.flags[f].urgent) for step in shown]
    assert triage_shows(rs, s.answers) == urgent, (s.name, rs.id)
    return sum(map(len, urgent))


def test_every_library_scenario_under_both_editions(rs: RuleSet) -> None:
    checked = urgent = 0
    for s in LIBRARY:
        try:
            engine.decide(rs, s.answers)
        except engine.MissingAnswers:  # written for the other edition only
            continue
        urgent += agree(s, rs)
        checked += 1
    assert checked >= len(LIBRARY) // 2
    assert urgent >= 1  # the library teaches urgent cases: the comparison is not vacuous


@st.composite
def situation(draw: st.DrawFn, rs: RuleSet) -> dict[str, Any]:
    """A value for every question (answers never reached are left unused)."""
    return {q.id: draw(st.sampled_from(q.domain)) for q in rs.questions}


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_situations_under_both_editions(data: st.DataObject, rs: RuleSet) -> None:
    agree(as_scenario(data.draw(situation(rs))), rs)


def test_an_urgent_flag_is_shown_at_the_step_it_becomes_certain(tmp_path, cop2016) -> None:
    # immediate risk is asked fourth; the flag is certain with that answer, not before
    s = one(tmp_path, scenario_text("  pathway: proportionate-response\n",
                                    immediate_risk="yes"))
    shown = steps(s, cop2016)
    at = [step.question.id for step in shown if "immediate-safeguarding" in step.new_flags]
    assert at == ["immediate_risk"]
    assert shown[3].question.id == "immediate_risk"
    assert [r.rule for r in shown[3].reasons] == ["immediate-risk"]
    assert shown[3].progress.number == 4


def test_the_walkthrough_defaults_to_the_current_edition(tmp_path, cop2016) -> None:
    cache = RuleSets()
    current = loader.default_id()
    both = one(tmp_path, scenario_text("  cop-2016: {pathway: proportionate-response}\n"
                                       f"  {current}: {{pathway: proportionate-response}}\n",
                                       rules=None))
    assert edition(both, None, cache).id == current
    old_only = one(tmp_path, scenario_text("  cop-2016: {pathway: proportionate-response}\n",
                                           rules=None))
    assert edition(old_only, None, cache).id == "cop-2016"  # the only one it states
    named = one(tmp_path, scenario_text("  pathway: proportionate-response\n"))
    assert edition(named, None, cache).id == "cop-2016"  # it names its rule set
    assert edition(named, current, cache).id == current  # --rules wins


def test_prepare_compares_with_the_expectation(tmp_path, cop2016) -> None:
    s = one(tmp_path, scenario_text("  pathway: full-investigation\n",
                                    atypical_or_violent="no"))
    rp = prepare(s, cop2016)
    assert rp.decision.pathway == "proportionate-response"
    assert rp.failures and rp.failures[0].startswith("expected pathway full-investigation")
    assert rp.warnings and "answer ignored" in rp.warnings[0]
    assert len(rp.steps) == len(rp.decision.asked)


def test_unused_notes_are_those_for_questions_not_reached(tmp_path, cop2016) -> None:
    text = scenario_text("  pathway: proportionate-response\n") + \
        "notes:\n  imagery: Ask without viewing.\n  atypical_or_violent: Only with acts.\n"
    rp = prepare(one(tmp_path, text), cop2016)
    assert rp.unused_notes == {"atypical_or_violent": "Only with acts."}
    assert rp.steps[0].note == "Ask without viewing."
