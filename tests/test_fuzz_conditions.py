"""Fuzzing the condition language: any text parses to a condition or raises ConditionError,
never anything else; what parses prints back to text that parses to the same condition, and
evaluates on any facts without error.

Longer run: SEXTING_TRIAGE_FUZZ_EXAMPLES=5000 pytest -m slow tests/test_fuzz_conditions.py
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from fuzzing import fuzz
from sexting_triage import conditions as C

pytestmark = pytest.mark.slow  # fuzzing: CI runs it with `pytest -m slow`

TOKENS = st.sampled_from([
    "a", "b", "imagery", "youngest_age", "==", "!=", "<", "<=", ">", ">=", "in", "not in",
    "not", "and", "or", "(", ")", "[", "]", ",", '"yes"', "'no'", "1", "-1", "13", "0x1f",
    "1.5", "True", "false", "is", "None", ".", "__class__", "()", "lambda", ":", "for", "if",
    "else", "*", "**", "+", "-", "~", "{", "}", "f'x'", "b'x'", "...", "@", ";", "=", ":=",
    "\\", "\n", "#", "\x00", "\ufeff", "é", '"\\N{x}"', "9" * 30, "await", "yield",
])

FACTS = st.dictionaries(
    st.sampled_from(["a", "b", "imagery", "youngest_age"]),
    st.one_of(st.sampled_from(["yes", "no", "unknown"]), st.integers(-20, 20)),
)


def _check(text: str, facts: dict[str, Any]) -> None:
    try:
        cond = C.parse(text)
    except C.ConditionError as exc:
        assert exc.message
        assert exc.line >= 0 and exc.col >= 0
        return
    printed = C.to_text(cond)
    again = C.parse(printed)
    # printing may flatten `x and (y and z)`, so compare the printed forms and the meaning
    assert C.to_text(again) == printed
    assert C.evaluate(again, facts) == C.evaluate(cond, facts) == C.compile_cond(cond)(facts)
    assert C.reads(cond) <= {t.fact for t in C.tests(cond)}


@fuzz(300)
@given(st.lists(TOKENS, max_size=25).map(" ".join), FACTS)
def test_token_soup(text: str, facts: dict[str, Any]) -> None:
    _check(text, facts)


@fuzz(200)
@given(st.text(max_size=80), FACTS)
@example('a >= "yes"', {"a": 3})  # ordering with a word: False, not a TypeError
def test_any_text(text: str, facts: dict[str, Any]) -> None:
    _check(text, facts)


LEAF = st.builds(
    lambda f, op, v: f"{f} {op} {v}",
    st.sampled_from(["a", "b", "youngest_age"]),
    st.sampled_from(["==", "!=", "<", ">=", "in", "not in"]),
    st.sampled_from(['"yes"', "3", "-2", '["yes", "unknown"]', "[1, 2]"]),
)
WELL_FORMED = st.recursive(
    LEAF,
    lambda inner: st.one_of(
        st.builds(lambda x, y: f"({x}) and ({y})", inner, inner),
        st.builds(lambda x, y: f"{x} or {y}", inner, inner),
        st.builds(lambda x: f"not ({x})", inner),
    ),
    max_leaves=12,
)


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")
@fuzz(200)
@given(WELL_FORMED, FACTS)
def test_well_formed_conditions_round_trip(text: str, facts: dict[str, Any]) -> None:
    _check(text, facts)


def test_depth_and_length_limits_are_own_errors() -> None:
    """Nesting past the limit is a ConditionError, not a RecursionError or MemoryError."""
    for text in ("not " * 900 + 'a == "yes"', "(" * 1500 + "a == 1" + ")" * 1500,
                 "a == 1 or " * 2000 + "a == 1", "-" * 3000 + "1 == a"):
        try:
            C.parse(text)
        except C.ConditionError as exc:
            assert "nested" in exc.message or "longer" in exc.message or "parse" in exc.message
        else:
            raise AssertionError(f"accepted {text[:30]}...")
