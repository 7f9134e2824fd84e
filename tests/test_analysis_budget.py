"""The exact analyses count work, not steps, and stop with a clear error naming the budget's
environment variable on a rule set too tangled or too large to finish in seconds, instead of
running for minutes; the bundled rule sets stay far inside the budget."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from sexting_triage import analysis
from sexting_triage.cli import main
from sexting_triage.loader import resolve


def tangled(tmp_path: Path, n: int = 40, pad: int = 0) -> Path:
    """Rules that pair each early question with one far later: every early answer must be
    remembered until the end, so exact analysis needs on the order of 3**(n/2) steps.
    `pad` adds that many words of help to every question (a large file)."""
    cite = [{"source": "S", "section": "x"}]
    rules = [{"id": "base", "when": 'q0 != "no" or q0 == "no"', "pathway": "low",
              "reason": "base", "cite": cite}]
    for i in range(n // 2):
        rules.append({"id": f"r{i}", "when": f'q{i} == "yes" and q{n - 1 - i} == "yes"',
                      "pathway": "high", "reason": "r", "cite": cite})
        rules.append({"id": f"f{i}", "when": f'q{i} == "no" and q{n - 1 - i} == "unknown"',
                      "flag": "pj", "reason": "f", "cite": cite})
    help_text = " ".join(["padding"] * pad) if pad else None
    questions = [{"id": f"q{i}", "text": f"Question {i}?"} for i in range(n)]
    if help_text:
        for q in questions:
            q["help"] = help_text
    doc = {"id": "tangled", "version": "1", "title": "t", "status": "draft",
           "sources": {"S": {"title": "s", "date": "2020"}},
           "questions": questions,
           "pathways": [{"id": p, "title": p, "summary": p} for p in ("high", "low")],
           "precedence": ["high", "low"], "flags": [{"id": "pj", "title": "pj", "summary": "pj"}],
           "rules": rules}
    path = tmp_path / "tangled.yaml"
    # a JSON round trip copies the shared `cite` list, so YAML writes no anchors
    path.write_text(yaml.safe_dump(json.loads(json.dumps(doc)), sort_keys=False))
    return path


MESSAGE = "the exact analysis stopped after {n} units of work without finishing"


@pytest.mark.parametrize("args", [["rules", "check", "{f}"], ["rules", "diff", "{f}", "{f}"],
                                  ["scenarios", "coverage", "scenarios", "--rules", "{f}"]])
def test_tangled_rule_set_stops_with_a_clear_error(tmp_path, monkeypatch, capsys, args):
    monkeypatch.setenv("SEXTING_TRIAGE_ANALYSIS_BUDGET", "2000")
    monkeypatch.chdir(Path(__file__).resolve().parents[1])
    f = str(tangled(tmp_path))
    code = main([a.replace("{f}", f) for a in args])
    _, err = capsys.readouterr()
    assert code == 2
    assert MESSAGE.format(n="2,000") in err
    assert "SEXTING_TRIAGE_ANALYSIS_BUDGET" in err and "Traceback" not in err


@pytest.mark.slow
@pytest.mark.parametrize("args", [["rules", "check", "{f}"], ["rules", "diff", "{f}", "{f}"]])
def test_large_hostile_rule_file_stops_with_the_default_budget(tmp_path, monkeypatch, capsys,
                                                               args):
    """A rule file of about 1 MB whose 600 questions are tied together pairwise from both
    ends: the default budget stops it (by hand: within 10 s and 200 MB, see the report)."""
    monkeypatch.delenv("SEXTING_TRIAGE_ANALYSIS_BUDGET", raising=False)
    path = tangled(tmp_path, n=600, pad=190)
    assert 0.8e6 < path.stat().st_size < 1.1e6
    code = main([a.replace("{f}", str(path)) for a in args])
    _, err = capsys.readouterr()
    assert code == 2, err
    assert MESSAGE.format(n=f"{analysis.DEFAULT_BUDGET:,}") in err
    assert "SEXTING_TRIAGE_ANALYSIS_BUDGET" in err and "Traceback" not in err


def test_budget_counts_work_and_bundled_sets_stay_well_inside():
    for rid in ("cop-2016", "cop-2024"):
        ctx = analysis.Context(resolve(rid))
        for c in analysis.CHECKS:
            list(c(ctx))
        used = ctx.space.meter.used
        assert 0 < used < analysis.DEFAULT_BUDGET / 10, (rid, used)


def test_meter_stops_at_its_limit():
    m = analysis.Meter("x.yaml", limit=10)
    m.spend(10)
    assert m.used == 10
    with pytest.raises(analysis.AnalysisTooLarge) as exc:
        m.spend(1)
    assert str(exc.value).startswith("x.yaml: " + MESSAGE.format(n="10"))
    assert exc.value.exit_code == 2


def test_budget_setting(monkeypatch):
    monkeypatch.delenv("SEXTING_TRIAGE_ANALYSIS_BUDGET", raising=False)
    assert analysis.budget() == analysis.DEFAULT_BUDGET
    monkeypatch.setenv("SEXTING_TRIAGE_ANALYSIS_BUDGET", "123")
    assert analysis.budget() == 123
    for bad in ("lots", "0", "-5", ""):
        monkeypatch.setenv("SEXTING_TRIAGE_ANALYSIS_BUDGET", bad)
        assert analysis.budget() == analysis.DEFAULT_BUDGET
