"""scenarios.quiz: the choices, reading what a trainee types, scoring, and feedback that
reads like a trainer: plain sentences from the rule set's titles and reasons, never an id, a
condition or engine output."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenario_files import BASE
from sexting_triage import engine
from sexting_triage.scenarios.quiz import (
    Score,
    feedback,
    flag_choices,
    parse_flags,
    parse_pathway,
    pathway_choices,
)


def test_choices_in_precedence_order(cop2016):
    assert [p for p, _ in pathway_choices(cop2016)] == list(cop2016.precedence)
    assert flag_choices(cop2016)[0] == ("immediate-safeguarding",
                                        "A child is, or may be, at immediate risk: act now")


def test_typed_answers(cop2016):
    assert parse_pathway(cop2016, " 1 ") == "full-investigation"
    assert parse_pathway(cop2016, "standard-investigation") == "standard-investigation"
    assert parse_pathway(cop2016, "9") is None and parse_pathway(cop2016, "") is None
    assert parse_flags(cop2016, "0") == () and parse_flags(cop2016, "none") == ()
    assert parse_flags(cop2016, "2, 1") == ("immediate-safeguarding", "professional-judgement")
    assert parse_flags(cop2016, "professional-judgement") == ("professional-judgement",)
    assert parse_flags(cop2016, "1,x") is None and parse_flags(cop2016, "") is None


def test_feedback_for_a_wrong_choice_reads_like_a_trainer(cop2016):
    d = engine.decide(cop2016, {**BASE, "coercion": "yes"})
    fb = feedback(d, "proportionate-response", ["immediate-safeguarding"])
    assert not fb.correct and not fb.right_pathway and not fb.right_flags
    assert fb.verdict == ("Not quite: the recommended response is Full criminal investigation, "
                          "because:")
    coercion = next(r for r in cop2016.rules if r.id == "coercion")
    assert coercion.reason in fb.because
    assert fb.differences[0] == ("You chose Proportionate, safeguarding-led response, but the "
                                 "reasons above call for more: the guidance puts Full "
                                 "criminal investigation before it.")
    assert fb.differences[1] == ("\u201cA child is, or may be, at immediate risk: act now\u201d "
                                 "does not apply here: nothing the responder established "
                                 "raises it.")
    assert fb.flags == "No flag applies."
    right = feedback(d, "full-investigation", [])
    assert right.correct and right.differences == ()
    assert right.verdict.startswith("Correct: the recommended response is Full criminal")


def test_feedback_on_a_more_serious_choice_and_a_missed_flag(cop2016):
    d = engine.decide(cop2016, {**BASE, "immediate_risk": "yes"})
    fb = feedback(d, "full-investigation", [])
    assert fb.right_flags is False and fb.right_pathway is False
    assert fb.differences[0] == ("You chose Full criminal investigation: nothing the responder "
                                 "established calls for it in this case.")
    risk = next(r for r in cop2016.rules if r.id == "immediate-risk")
    assert fb.differences[1] == ("You did not pick \u201cA child is, or may be, at immediate "
                                 f"risk: act now\u201d, but it applies: {risk.reason}")
    assert fb.flags == ("Flags that apply: \u201cA child is, or may be, at immediate risk: "
                        "act now\u201d.")


def complete(rs):
    return st.fixed_dictionaries({q.id: st.sampled_from(q.domain) for q in rs.questions})


IDS_OR_CONDITIONS = re.compile(r"`|==|!=|\brule\b|\b[a-z]+(?:[-_][a-z0-9]+)+\b")


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_feedback_never_shows_ids_or_conditions(data, cop2016):
    d = engine.decide(cop2016, data.draw(complete(cop2016)))
    pathway = data.draw(st.sampled_from(cop2016.precedence))
    flags = data.draw(st.lists(st.sampled_from(list(cop2016.flags)), unique=True))
    fb = feedback(d, pathway, flags)
    for line in (fb.verdict, fb.flags, *fb.differences):
        # titles and reason texts are the rule file's own prose; the words around them,
        # which the quiz writes, must hold no id, condition or engine term
        prose = [r.text for r in d.reasons] + [p.title for p in cop2016.pathways.values()]
        prose += [f.title for f in cop2016.flags.values()]
        for text in sorted(prose, key=len, reverse=True):
            line = line.replace(text, "")
        assert not IDS_OR_CONDITIONS.search(line), line
    assert fb.correct == (pathway == d.pathway and set(flags) == set(d.flags))


def test_score_counts_a_point_for_the_pathway_and_one_for_the_flags(cop2016):
    d = engine.decide(cop2016, {**BASE, "coercion": "yes"})
    s = Score()
    for pathway, flags in (("full-investigation", []), ("full-investigation", ["x"]),
                           ("out-of-scope", [])):
        s.add(feedback(d, pathway, flags) if flags != ["x"] else
              feedback(d, pathway, ["professional-judgement"]))
    assert (s.pathway, s.flags, s.done, s.total) == (2, 2, 3, 4)
    assert str(s) == "SCORE: 4 of 6 (pathway 2/3, flags 2/3)"
