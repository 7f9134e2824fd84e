"""`run FILE --record OUT` with the officer's decision, scenario files given to `run`, and
superseded editions warned."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from sexting_triage import loader
from sexting_triage.cli import main

ROOT = Path(__file__).resolve().parents[1]


def answers_file(tmp_path: Path, rules: str = "cop-2024") -> Path:
    from sexting_triage.engine import next_question

    rs = loader.resolve(rules)
    answers: dict = {}
    while (q := next_question(rs, answers)) is not None:
        answers[q.id] = {"yesno": "no", "integer": 15}.get(q.type, q.domain[1] if q.type ==
                                                            "choice" else None)
        if q.id in ("imagery", "subject_under_18"):
            answers[q.id] = "yes"
    p = tmp_path / "answers.yaml"
    p.write_text(yaml.safe_dump({"rules": rules, "answers": answers}), encoding="utf-8")
    return p


def test_run_writes_a_record_with_the_officers_decision(tmp_path, capsys):
    rec = tmp_path / "r.json"
    code = main(["run", str(answers_file(tmp_path)), "--record", str(rec),
                 "--incident-ref", "CAD-1234/26", "--officer-decision",
                 "standard-investigation", "--officer-reason", "supervisor-direction"])
    assert code == 0, capsys.readouterr().err
    data = json.loads(rec.read_text())
    assert data["officer"]["pathway"] == "standard-investigation"
    assert data["officer"]["reason"] == "supervisor-direction"
    assert data["rules"]["id"] == "cop-2024" and len(data["rules"]["sha256"]) == 64
    assert data["incident_ref"] == "CAD-1234/26"
    assert main(["record", "verify", str(rec)]) == 0


def test_another_pathway_needs_a_reason_from_the_list(tmp_path, capsys):
    rec = tmp_path / "r.json"
    p = answers_file(tmp_path)
    assert main(["run", str(p), "--record", str(rec), "--officer-decision",
                 "full-investigation"]) == 2
    assert main(["run", str(p), "--record", str(rec), "--officer-decision", "agree",
                 "--officer-reason", "because I said so"]) == 2
    assert "never free text" in capsys.readouterr().err
    assert not rec.exists()


def test_officer_options_need_a_record(tmp_path, capsys):
    assert main(["run", str(answers_file(tmp_path)), "--officer-decision", "agree"]) == 2
    assert "--record" in capsys.readouterr().err


def test_an_existing_record_and_one_path_twice_are_refused(tmp_path, capsys):
    p = answers_file(tmp_path)
    rec = tmp_path / "r.json"
    rec.write_text("{}")
    assert main(["run", str(p), "--record", str(rec)]) == 2
    assert rec.read_text() == "{}"
    both = tmp_path / "both"
    assert main(["run", str(p), "--record", str(both), "--save-scenario", str(both)]) == 2
    assert not both.exists()


def test_a_scenario_file_is_decided_with_a_note(capsys):
    f = sorted((ROOT / "scenarios").glob("*/*.yaml"))[0]
    assert main(["run", str(f), "--rules", "cop-2024", "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["pathway"]["id"]
    assert "is a scenario file" in err and "scenarios check" in err


def test_a_superseded_edition_is_warned_on_stderr(tmp_path, capsys):
    assert main(["run", str(answers_file(tmp_path, "cop-2016")), "--json"]) == 0
    out, err = capsys.readouterr()
    assert "cop-2016" in err and "superseded" in err and "cop-2024" in err
    assert json.loads(out)  # stdout stays one JSON document
    assert main(["run", str(answers_file(tmp_path, "cop-2024")), "--json"]) == 0
    assert "warning: rule set" not in capsys.readouterr().err
