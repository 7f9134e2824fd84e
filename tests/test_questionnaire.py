"""The one questionnaire controller: progress, back, change, drops, and the moment each flag
and reason becomes certain (the same rule `decide` uses at the end)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import CLEAN_2016, case
from sexting_triage import engine
from sexting_triage.errors import InvalidAnswers, MissingAnswers
from sexting_triage.loader import resolve
from sexting_triage.questionnaire import Questionnaire, replay


def test_walks_the_questions_in_order_and_finishes_with_the_decision(cop2016):
    q = Questionnaire(cop2016)
    seen = []
    while q.current is not None:
        seen.append(q.current.id)
        q.answer(q.current.id, CLEAN_2016[q.current.id])
    assert seen[0] == "imagery" and q.done
    assert q.decision().pathway == engine.decide(cop2016, CLEAN_2016).pathway
    assert list(q.answers) == [k for k in seen]


def test_progress_counts_only_questions_that_can_still_be_asked(cop2016):
    q = Questionnaire(cop2016)
    first = q.progress("imagery")
    assert first.number == 1 and first.about > 10
    assert str(first) == f"question 1 of about {first.about}"
    q.answer("imagery", "yes")
    q.answer("subject_under_18", "yes")
    q.answer("youngest_age", 15)
    q.answer("immediate_risk", "no")
    later = q.progress(q.current.id)
    assert later.number == 5 and later.about <= first.about
    # a "not shared" answer rules out the question on sharing without consent
    full = Questionnaire(cop2016, {k: v for k, v in CLEAN_2016.items()
                                   if k not in ("sharing_extent", "shared_without_consent",
                                                "malicious_intent", "previous_incidents")})
    open_about = full.progress("sharing_extent").about
    full.answer("sharing_extent", "not_shared")
    assert full.progress(full.current.id).about == open_about - 1


def test_out_of_scope_ends_early_and_progress_says_so(cop2016):
    q = Questionnaire(cop2016)
    step = q.answer("imagery", "no")
    assert q.done and step.progress.number == 1
    assert q.decision().pathway == "out-of-scope"


def test_changing_an_answer_drops_what_is_no_longer_reached(cop2016):
    q = Questionnaire(cop2016, CLEAN_2016)
    assert q.done and "shared_without_consent" in q.answers
    step = q.answer("sharing_extent", "not_shared")
    assert step.dropped == ("shared_without_consent",)
    assert "shared_without_consent" not in q.answers
    back = q.answer("imagery", "no")
    assert len(back.dropped) > 5 and list(q.answers) == ["imagery"]


def test_previous_and_following(cop2016):
    q = Questionnaire(cop2016, CLEAN_2016)
    assert q.previous("imagery") is None
    assert q.previous("subject_under_18").id == "imagery"
    assert q.following("imagery").id == "subject_under_18"
    assert q.following(list(q.answers)[-1]) is None


def test_urgent_flag_is_certain_the_moment_it_is_answered(cop2016):
    q = Questionnaire(cop2016)
    for qid in ("imagery", "subject_under_18", "youngest_age"):
        assert q.answer(qid, CLEAN_2016[qid]).new_flags == ()
    step = q.answer("immediate_risk", "yes")
    assert step.new_flags == ("immediate-safeguarding",)
    assert "immediate-risk" in {r.rule for r in step.new_reasons}
    # changing it clears the flag; raising it again makes it new again
    assert q.answer("immediate_risk", "no").new_flags == ()
    assert "immediate-safeguarding" not in q.certain_flags()
    assert q.answer("immediate_risk", "yes").new_flags == ("immediate-safeguarding",)


@pytest.mark.parametrize("rid", ["cop-2016", "cop-2024"])
def test_unknown_immediate_risk_panel_says_not_yet_known_and_finding_out_comes_first(rid):
    rs = resolve(rid)
    q = Questionnaire(rs)
    for qid in ("imagery", "subject_under_18", "youngest_age"):
        q.answer(qid, CLEAN_2016[qid])
    step = q.answer("immediate_risk", "unknown")
    urgent = [n for n in step.notices if n.flag == "immediate-safeguarding"]
    assert len(urgent) == 1
    assert urgent[0].headline == "Not yet known: establish now whether the child is safe"
    assert urgent[0].actions[0].text.startswith("Find out now whether the child is safe")
    assert urgent[0].actions[0].when == "now"
    texts = [a.text for a in urgent[0].actions]
    assert len(texts) == len(set(texts))
    # the same panel on resume, and the flag's own actions after the rule's
    assert q.notices(("immediate-safeguarding",)) == tuple(urgent)
    own = [a.text for a in rs.flags["immediate-safeguarding"].actions]
    assert texts[1:] == own
    # answered yes, the panel is the flag's own: no headline, no finding out
    q.answer("immediate_risk", "no")
    yes = q.answer("immediate_risk", "yes").notices
    assert [(n.headline, [a.text for a in n.actions]) for n in yes] == [(None, own)]


def test_invalid_value_is_refused_and_nothing_changes(cop2016):
    q = Questionnaire(cop2016, {"imagery": "yes"})
    with pytest.raises(InvalidAnswers):
        q.answer("subject_under_18", "perhaps")
    assert q.answers == {"imagery": "yes"}


def test_restore_drops_unknown_questions_bad_values_and_unreached(cop2016):
    saved = dict(CLEAN_2016, power_imbalance="no", youngest_age=40, sharing_extent="not_shared")
    q, dropped = Questionnaire.restore(cop2016, saved)
    why = {d.question: d.why for d in dropped}
    assert why["power_imbalance"] == "this rule set has no such question"
    assert why["youngest_age"].startswith("the answer is no longer accepted")
    assert why["shared_without_consent"] == "the question is no longer asked with these answers"
    assert "youngest_age" not in q.answers and q.current.id == "youngest_age"


def test_replay_needs_every_reached_answer(cop2016):
    with pytest.raises(MissingAnswers) as exc:
        replay(cop2016, {"imagery": "yes"})
    assert "subject_under_18" in exc.value.missing


def test_decision_reports_answers_it_did_not_use(cop2016):
    q = Questionnaire(cop2016, case(power_imbalance="no"))
    d = q.decision()
    assert {i.question for i in d.ignored} >= {"power_imbalance"}


def _complete(rs, draw):
    """A random complete situation for `rs`, drawn question by question as asked."""
    q = Questionnaire(rs)
    while q.current is not None:
        cur = q.current
        q.answer(cur.id, draw(st.sampled_from(cur.domain)))
    return q.answers


@settings(max_examples=60, deadline=None)
@given(st.data(), st.sampled_from(["cop-2016", "cop-2024"]))
def test_replay_agrees_with_decide_and_reveals_each_flag_once(data, rid):
    rs = resolve(rid)
    answers = _complete(rs, data.draw)
    steps = replay(rs, answers)
    d = engine.decide(rs, answers)
    assert [s.question.id for s in steps] == list(d.asked)
    revealed = [f for s in steps for f in s.new_flags]
    assert sorted(revealed) == sorted(d.flags)  # no flag is lost or shown twice
    assert {r.rule for s in steps for r in s.new_reasons} == set(d.fired)
    # each flag shown at the first step after which it is certain, never earlier
    for i, s in enumerate(steps):
        for f in s.new_flags:
            partial = Questionnaire(rs, {k: answers[k] for k in d.asked[:i]})
            assert f not in partial.certain_flags()
