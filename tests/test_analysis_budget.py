"""The exact analyses stop with a clear error on a rule set too tangled to finish in seconds,
instead of running for hours; the bundled rule sets stay far inside the budget."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from sexting_triage import analysis
from sexting_triage.cli import main
from sexting_triage.loader import resolve


def tangled(tmp_path: Path, n: int = 40) -> Path:
    """Rules that pair each early question with one far later: every early answer must be
    remembered until the end, so exact analysis needs on the order of 3**(n/2) steps."""
    cite = [{"source": "S", "section": "x"}]
    rules = [{"id": "base", "when": 'q0 != "no" or q0 == "no"', "pathway": "low",
              "reason": "base", "cite": cite}]
    for i in range(n // 2):
        rules.append({"id": f"r{i}", "when": f'q{i} == "yes" and q{n - 1 - i} == "yes"',
                      "pathway": "high", "reason": "r", "cite": cite})
        rules.append({"id": f"f{i}", "when": f'q{i} == "no" and q{n - 1 - i} == "unknown"',
                      "flag": "pj", "reason": "f", "cite": cite})
    doc = {"id": "tangled", "version": "1", "title": "t", "status": "draft",
           "sources": {"S": {"title": "s", "date": "2020"}},
           "questions": [{"id": f"q{i}", "text": f"Question {i}?"} for i in range(n)],
           "pathways": [{"id": p, "title": p, "summary": p} for p in ("high", "low")],
           "precedence": ["high", "low"], "flags": [{"id": "pj", "title": "pj", "summary": "pj"}],
           "rules": rules}
    path = tmp_path / "tangled.yaml"
    # a JSON round trip copies the shared `cite` list, so YAML writes no anchors
    path.write_text(yaml.safe_dump(json.loads(json.dumps(doc)), sort_keys=False))
    return path


@pytest.mark.parametrize("args", [["rules", "check", "{f}"], ["rules", "diff", "{f}", "{f}"],
                                  ["scenarios", "coverage", "scenarios", "--rules", "{f}"]])
def test_tangled_rule_set_stops_with_a_clear_error(tmp_path, monkeypatch, capsys, args):
    monkeypatch.setenv("SEXTING_TRIAGE_ANALYSIS_BUDGET", "2000")
    monkeypatch.chdir(Path(__file__).resolve().parents[1])
    f = str(tangled(tmp_path))
    code = main([a.replace("{f}", f) for a in args])
    _, err = capsys.readouterr()
    assert code == 2
    assert "the exact analysis stopped after 2,000 steps without finishing" in err
    assert "SEXTING_TRIAGE_ANALYSIS_BUDGET" in err and "Traceback" not in err


def test_budget_counts_steps_and_bundled_sets_stay_well_inside(monkeypatch):
    used = []
    real = analysis.Space.step

    def counting(self, *a, **k):
        used.append(1)
        return real(self, *a, **k)

    monkeypatch.setattr(analysis.Space, "step", counting)
    analysis.check(resolve("cop-2024"))
    assert 0 < len(used) < analysis.DEFAULT_BUDGET / 3


def test_budget_setting(monkeypatch):
    monkeypatch.delenv("SEXTING_TRIAGE_ANALYSIS_BUDGET", raising=False)
    assert analysis.budget() == analysis.DEFAULT_BUDGET
    monkeypatch.setenv("SEXTING_TRIAGE_ANALYSIS_BUDGET", "123")
    assert analysis.budget() == 123
    monkeypatch.setenv("SEXTING_TRIAGE_ANALYSIS_BUDGET", "lots")
    assert analysis.budget() == analysis.DEFAULT_BUDGET
