"""Fuzzing the scenario reader: mutated copies of the shipped scenario library load, or are
refused with the tool's own error (InputError, located in the file), never anything else;
`scenarios check` on them exits 0, 1 or 2 with no traceback.

Longer run: SEXTING_TRIAGE_FUZZ_EXAMPLES=5000 pytest -m slow tests/test_fuzz_scenarios.py
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from fuzzing import DUMPER, fuzz, mutated, scratch
from sexting_triage import loader
from sexting_triage.errors import InputError, TriageError
from sexting_triage.scenarios import load as scenario
from sexting_triage.scenarios.check import check_scenario
from sexting_triage.scenarios.load import load_scenarios

pytestmark = pytest.mark.slow

SHIPPED = sorted((ROOT / "scenarios").rglob("*.yaml"))
SHIPPED_DATA = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in SHIPPED]
_DIR = scratch("fuzz-scenarios-")

VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=15),
    st.sampled_from(["yes", "no", "unknown", "widely", "full-investigation", "cop-2016",
                     "cop-2024", "immediate-safeguarding", "adult-involved", "\x1b[2J"]),
    st.lists(st.sampled_from(["yes", 1, "cop-2016"]), max_size=3),
    st.dictionaries(st.sampled_from(["pathway", "flags", "cop-2016", "imagery", "x"]),
                    st.sampled_from(["yes", 1, "full-investigation", None]), max_size=3),
)


KEYS = st.sampled_from(["x", "notes", "rules", "expect", "scenarios"])


@st.composite
def mutated_scenario(draw: st.DrawFn) -> Any:
    """A shipped scenario with a few edits; sometimes doubled into a `scenarios:` list."""
    data = draw(mutated(draw(st.sampled_from(SHIPPED_DATA)), VALUES, KEYS,
                        ("replace", "delete", "add", "wrap")))
    if draw(st.booleans()) and isinstance(data, dict):
        data = {"scenarios": [data, copy.deepcopy(data)]}
    return data


def test_shipped_library_loads() -> None:
    """The mutations start from files that load (so a failure is the mutation's)."""
    assert SHIPPED and scenario.load_scenarios(SHIPPED)


@fuzz(60)
@given(mutated_scenario())
def test_mutated_scenarios_load_or_are_refused_in_place(data: Any) -> None:
    p = _DIR / "s.yaml"
    p.write_text(yaml.dump(data, Dumper=DUMPER, allow_unicode=True), encoding="utf-8")
    try:
        scenario.load_scenarios([p])
    except InputError as exc:
        for problem in exc.problems:
            assert str(problem).startswith(str(p)), str(problem)
    except TriageError:
        pass


@fuzz(25)
@given(mutated_scenario())
def test_scenarios_check_on_mutated_files(capsys: pytest.CaptureFixture[str], data: Any) -> None:
    from sexting_triage.cli import main

    p = _DIR / "c.yaml"
    p.write_text(yaml.dump(data, Dumper=DUMPER, allow_unicode=True), encoding="utf-8")
    code = main(["scenarios", "check", str(p), "--no-color"])
    out, err = capsys.readouterr()
    assert code in (0, 1, 2), err
    assert "Traceback" not in err + out
    assert "\x1b" not in out + err


EARLY = (ROOT / "scenarios" / "unknown-answers" / "early-reports.yaml").read_text()


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, len(EARLY)), junk=st.text(max_size=12),
       where=st.integers(0, len(EARLY)))
def test_damaged_scenario_files_give_located_problems_never_a_crash(tmp_path_factory, cut,
                                                                     junk, where):
    text = EARLY[:where] + junk + EARLY[where:cut] if where < cut else EARLY[:cut] + junk
    folder = tmp_path_factory.mktemp("fuzz")
    p = folder / "s.yaml"
    p.write_bytes(text.encode("utf-8", errors="replace"))
    try:
        scenarios = load_scenarios([p])
    except InputError as exc:
        assert exc.problems and all(str(x).startswith(str(p)) for x in exc.problems)
        return
    cop = loader.resolve("cop-2016")
    for s in scenarios:
        try:
            check_scenario(s, cop)
        except InputError as exc:
            assert all(str(x).startswith(str(p)) for x in exc.problems)
