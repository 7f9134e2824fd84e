"""Fuzzing the answers validator: any answers, of any type, give a decision, a next question
or the tool's own error (a TriageError), never anything else; `run` on any answers file exits
0 or 2 with no traceback.

Longer run: SEXTING_TRIAGE_FUZZ_EXAMPLES=5000 pytest -m slow tests/test_fuzz_answers.py
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from fuzzing import fuzz, scratch
from helpers import CLEAN
from sexting_triage import engine, loader
from sexting_triage.errors import AnswerProblem, TriageError

pytestmark = pytest.mark.slow  # fuzzing: CI runs it with `pytest -m slow`

RULESETS = [loader.load_ruleset(p) for p in loader.bundled_paths().values()]
QIDS = sorted({q.id for rs in RULESETS for q in rs.questions})
_DIR = scratch("fuzz-answers-")

VALUES = st.one_of(
    st.sampled_from(["yes", "no", "unknown", "Not known", " YES ", "y", "n", "", "not_shared",
                     "widely", "public_or_porn_site", "12", " 12 ", "-1", "²", "٣", "1" * 30,
                     "0x10", "\x1b[31myes", "[bold]yes[/bold]"]),
    st.booleans(), st.none(), st.integers(), st.floats(allow_nan=True), st.text(max_size=12),
    st.lists(st.sampled_from(["yes", "no", 1]), max_size=3),
    st.dictionaries(st.sampled_from(["yes", "value"]), st.sampled_from(["yes", 1]), max_size=2),
)
KEYS = st.one_of(st.sampled_from(QIDS), st.text(max_size=10))
ANSWERS = st.one_of(
    st.dictionaries(KEYS, VALUES, max_size=20),
    # mostly valid: the clean case with a few answers changed or removed
    st.builds(lambda changes, drop: {k: v for k, v in {**CLEAN, **changes}.items()
                                     if k not in drop},
              st.dictionaries(st.sampled_from(QIDS), VALUES, max_size=3),
              st.sets(st.sampled_from(QIDS), max_size=3)),
)


@fuzz(300)
@given(st.sampled_from(RULESETS), ANSWERS)
def test_engine_gives_decision_or_own_error(rs: Any, answers: dict[str, Any]) -> None:
    facts, problems = engine.normalize_answers(rs, answers)
    for p in problems:
        assert isinstance(p, AnswerProblem) and isinstance(p.message, str) and p.message
    for qid, value in facts.items():
        assert value in rs.question(qid).domain
    try:
        q = engine.next_question(rs, answers)
    except TriageError:
        assert problems
    else:
        assert not problems
        assert q is None or q.id not in facts
    try:
        d = engine.decide(rs, answers)
    except TriageError:
        pass
    else:
        assert d.pathway in rs.pathways
        assert set(d.answers) <= set(facts)


@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")
@fuzz(80)
@given(st.one_of(
    ANSWERS.map(lambda a: {"answers": a}),
    ANSWERS.map(lambda a: {"answers": a, "rules": "cop-2016"}),
    st.dictionaries(st.text(max_size=8), VALUES, max_size=4),
    VALUES,
))
def test_run_on_any_answers_file(capsys: pytest.CaptureFixture[str], doc: Any) -> None:
    from sexting_triage.cli import main

    path = _DIR / "answers.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    code = main(["run", str(path), "--no-color"])
    out, err = capsys.readouterr()
    assert code in (0, 2), err
    assert "Traceback" not in err + out
    if code == 2:  # the first line that is not a warning (e.g. a superseded edition)
        first = next(x for x in err.splitlines() if not x.startswith("warning:"))
        assert first.startswith(str(path)) or first.startswith("error:"), err
