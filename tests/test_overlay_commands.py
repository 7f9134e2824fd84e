"""`--overlay` on run and triage: the decision names the base and the overlay, each with its
sha256, and a triage started with an overlay resumes with it."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from helpers import CLEAN
from sexting_triage.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "overlays" / "example-force.yaml"


def _answers(tmp_path: Path) -> Path:
    p = tmp_path / "a.yaml"
    answers = dict(CLEAN, school_setting="yes")  # the example overlay's local question
    p.write_text(yaml.safe_dump({"rules": "cop-2024", "answers": answers}), encoding="utf-8")
    return p


def test_run_with_overlay_names_base_and_overlay(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("SEXTING_TRIAGE_OVERLAY", raising=False)
    code = main(["run", str(_answers(tmp_path)), "--overlay", str(EXAMPLE), "--json"])
    out = capsys.readouterr()
    assert code in (0,), out.err
    doc = json.loads(out.out)
    assert doc["overlay"]["sha256"] and doc["overlay"]["base"]["sha256"]
    assert doc["rules"]["id"] == "cop-2024"
    plain = main(["run", str(_answers(tmp_path)), "--overlay", "none", "--json"])
    assert plain == 0 and "overlay" not in json.loads(capsys.readouterr().out)


def test_triage_started_with_an_overlay_resumes_with_it(tmp_path, monkeypatch, capsys):
    import sexting_triage.cli.triage as triage_mod

    monkeypatch.delenv("SEXTING_TRIAGE_OVERLAY", raising=False)
    monkeypatch.setattr(triage_mod, "stdin_is_interactive", lambda: True)
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("yes\n"))
    folder = tmp_path / "s"
    code = main(["triage", "--accessible", "--overlay", str(EXAMPLE), "--session-dir",
                 str(folder)])
    assert code == 130, capsys.readouterr().err
    (session,) = folder.glob("*.json")
    rules = json.loads(session.read_text())["rules"]
    assert rules["overlay_path"] == str(EXAMPLE.resolve()) and rules["overlay_sha256"]
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO(""))
    assert main(["triage", "--accessible", "--resume", str(session)]) == 130
    err = capsys.readouterr()
    assert "The rule set has changed" not in err.out
    assert json.loads(session.read_text())["rules"]["overlay_sha256"] == rules["overlay_sha256"]
