"""The exact situation analysis: counts against brute force and a known oracle, and the
symbolic steps cross-checked with engine.decide on random complete situations."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from sexting_triage import engine
from sexting_triage.analysis import Side, Space, reachable
from sexting_triage.loader import resolve


def random_situation(rs, rnd: random.Random) -> dict:
    """A complete situation the questionnaire can produce, chosen at random."""
    answers: dict = {}
    while (q := engine.walk(rs, answers).next) is not None:
        answers[q.id] = rnd.choice(q.domain)
    return answers


def test_cop2016_situation_count_is_exact(cop2016):
    r = reachable(cop2016)
    assert r.situations == 4 * 18 * 3**7 * 5 * 13 * 9 + 3 == 92_116_443
    assert r.pathways == set(cop2016.precedence)
    assert r.flags == {"immediate-safeguarding", "professional-judgement"}
    assert r.rules == {rule.id for rule in cop2016.rules}
    assert r.values["youngest_age"] == frozenset(range(18))
    assert r.questions == {q.id for q in cop2016.questions}


@settings(max_examples=300, deadline=None)
@given(st.randoms(use_true_random=False))
def test_symbolic_steps_agree_with_decide(rnd):
    for rid in ("cop-2016",):
        rs = resolve(rid)
        space = Space([Side(rs)])
        answers = random_situation(rs, rnd)
        d = engine.decide(rs, answers)
        ((pathway, flags, _),) = space.locate(answers)
        assert (pathway, flags) == (d.pathway, d.flags)
