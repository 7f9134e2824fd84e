"""`run`, `rules list` and `rules show` through the CLI: exit codes, stdout/stderr
separation, the JSON shape, plain text when not a terminal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from helpers import case
from sexting_triage.cli import main

ROOT = Path(__file__).resolve().parents[1]


def answers_file(tmp_path: Path, answers: dict, rules: str | None = "cop-2016",
                 name: str = "answers.yaml") -> Path:
    doc: dict = {"answers": answers}
    if rules:
        doc["rules"] = rules
    p = tmp_path / name
    p.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return p


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_run_text_has_pathway_reasons_actions_edition_and_reminder(tmp_path, capsys):
    p = answers_file(tmp_path, case(sharing_extent="few_others", shared_without_consent="yes"))
    code, out, _ = run(capsys, "run", str(p))
    assert code == 0
    first = out.splitlines()[0]
    assert first.startswith("RECOMMENDED PATHWAY: Proportionate")  # no urgent flag here
    assert out.index("NOTE: Officer judgement") < out.index("NEXT") < out.index(
        "REASONS") < out.index("Rule set: cop-2016 1.")
    assert "NOTE: Officer judgement needed" in out
    assert "Source: CoP-2016, Crime outcome codes" in out
    assert "[ ] Record the report as a crime." in out
    assert "officer judgement, supervision and force policy come first" in out.lower()
    assert "\x1b[" not in out  # not a terminal: plain text


def test_run_json_shape(tmp_path, capsys):
    p = answers_file(tmp_path, case(immediate_risk="yes", adult_involved="unknown"))
    code, out, err = run(capsys, "run", str(p), "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["schema"] == "sexting-triage/decision/2"
    # actions are checklist items, due now first (the urgent flag's), each text once
    whens = [a["when"] for a in doc["actions"]]
    assert whens == sorted(whens, key=["now", "today", "next"].index)
    assert all(set(a) == {"text", "when", "from"} for a in doc["actions"])
    texts = [a["text"] for a in doc["actions"]]
    assert len(texts) == len(set(texts))
    assert doc["rules"]["id"] == "cop-2016" and len(doc["rules"]["sha256"]) == 64
    assert doc["pathway"] == {"id": "full-investigation", "title": "Full criminal investigation"}
    assert doc["flags"] == ["immediate-safeguarding", "professional-judgement"]
    assert {"rule", "text", "cite"} <= set(doc["reasons"][0])
    assert {r["rule"] for r in doc["reasons"]} >= {"adult-involved", "immediate-risk"}
    assert doc["answers"]["youngest_age"] == 15 and "atypical_or_violent" not in doc["answers"]
    assert doc["asked"][0] == "imagery"
    assert {"question": "power_imbalance", "why": "not-in-rule-set"} in doc["ignored"]
    # warnings go to stderr, never into the JSON document
    assert "answer to `power_imbalance` ignored" in err


def test_run_rules_option_overrides_file(tmp_path, capsys):
    p = answers_file(tmp_path, case(), rules="cop-1999")
    code, out, _ = run(capsys, "run", str(p), "--rules", "cop-2016", "--json")
    assert code == 0 and json.loads(out)["rules"]["id"] == "cop-2016"


def test_run_rules_path_relative_to_answers_file(tmp_path, capsys):
    (tmp_path / "sets").mkdir()
    (tmp_path / "sets" / "mine.yaml").write_bytes((ROOT / "rules" / "cop-2016.yaml").read_bytes())
    p = answers_file(tmp_path, case(), rules="sets/mine.yaml")
    code, out, _ = run(capsys, "run", str(p), "--json")
    assert code == 0 and json.loads(out)["rules"]["id"] == "cop-2016"


def test_run_invalid_answer_points_at_file_line_col(tmp_path, capsys):
    p = tmp_path / "a.yaml"
    p.write_text("rules: cop-2016\nanswers:\n  imagery: yes\n  youngest_age: 21\n")
    code, out, err = run(capsys, "run", str(p))
    assert code == 2 and out == ""
    assert f"{p}:4:17: answers.youngest_age: 21 is outside 0 to 17" in err
    assert "Traceback" not in err


def test_run_missing_answers_names_every_id(tmp_path, capsys):
    p = answers_file(tmp_path, case(coercion=None, previous_incidents=None))
    code, out, err = run(capsys, "run", str(p))
    assert code == 2 and out == ""
    assert "missing answers for: coercion, previous_incidents" in err


def test_run_unknown_rules_id_is_usage_error(tmp_path, capsys):
    p = answers_file(tmp_path, case(), rules="cop-1999")
    code, _, err = run(capsys, "run", str(p))
    assert code == 2 and "no rule set `cop-1999`" in err


def test_run_missing_file(tmp_path, capsys):
    code, out, err = run(capsys, "run", str(tmp_path / "nope.yaml"))
    assert code == 2 and out == "" and "no such answers file" in err


def test_bad_option_is_exit_2(capsys):
    code, _, err = run(capsys, "run", "--frobnicate")
    assert code == 2 and "No such option" in err


def test_rules_list_marks_default(capsys):
    code, out, _ = run(capsys, "rules", "list", "--json")
    assert code == 0
    doc = json.loads(out)
    defaults = [r["id"] for r in doc["rulesets"] if r["default"]]
    assert defaults == [doc["default"]]
    assert "cop-2016" in [r["id"] for r in doc["rulesets"]]
    code, out, _ = run(capsys, "rules", "list")
    assert "(default)" in out and "cop-2016" in out


def test_rules_show(capsys):
    code, out, _ = run(capsys, "rules", "show", "cop-2016", "--json")
    doc = json.loads(out)
    q = {x["id"]: x for x in doc["questions"]}
    assert q["sharing_extent"]["domain"][0] == "not_shared"
    assert q["atypical_or_violent"]["ask_when"] == 'sexual_acts == "yes"'
    assert q["youngest_age"]["domain"] == list(range(18))
    assert doc["pathways"][0]["id"] == "full-investigation"
    code, out, _ = run(capsys, "rules", "show", "cop-2016")
    assert code == 0 and "asked when: sexual_acts == \"yes\"" in out


def test_help_documents_exit_codes(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "130 interrupted" in out


def _console_script() -> str:
    return str(Path(sys.executable).parent / "sexting-triage")


def test_installed_console_script_and_module(tmp_path):
    p = answers_file(tmp_path, case())
    env = dict(os.environ, NO_COLOR="1")
    r = subprocess.run([_console_script(), "run", str(p), "--json"], capture_output=True,
                       text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["pathway"]["id"] == "proportionate-response"
    r = subprocess.run([sys.executable, "-m", "sexting_triage", "run", str(p)],
                       capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0 and "RECOMMENDED PATHWAY" in r.stdout


@pytest.mark.parametrize("args", [["run", "{file}", "--json"], ["rules", "list"],
                                  ["rules", "show", "cop-2016"]])
def test_non_interactive_commands_do_not_import_questionary(tmp_path, args):
    p = answers_file(tmp_path, case())
    argv = [a.replace("{file}", str(p)) for a in args]
    code = (
        "import sys\n"
        "from sexting_triage.cli import main\n"
        f"rc = main({argv!r})\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('questionary', 'prompt_toolkit')]\n"
        "print('LOADED', bad, file=sys.stderr)\n"
        "sys.exit(rc if not bad else 99)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr


def test_run_without_an_overlay_imports_neither_the_overlay_package_nor_pydantic(tmp_path):
    """Start-up: with no overlay given or configured, `run` on bundled rules is served from
    the validated cache and never loads the overlay package or pydantic (each ~100 ms), nor
    the TOML reader with no config file to read, nor tempfile with no file to write (~5 ms
    each)."""
    p = answers_file(tmp_path, case())
    argv = ["run", str(p), "--json"]
    code = (
        "import sys\n"
        "from sexting_triage.cli import main\n"
        f"rc = main({argv!r})\n"
        "bad = [m for m in sys.modules if m.startswith('sexting_triage.overlay')"
        " or m.split('.')[0] in ('pydantic', 'tomllib', 'tempfile')]\n"
        "print('LOADED', bad, file=sys.stderr)\n"
        "sys.exit(rc if not bad or sys.argv[1:] == ['warm'] else 99)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "SEXTING_TRIAGE_OVERLAY"}
    env.update(XDG_CONFIG_HOME=str(tmp_path / "home-config"),  # no config file to read
               XDG_CONFIG_DIRS=str(tmp_path / "machine-config"))
    for step in ("warm", "check"):  # the first run fills the cache of validated rule sets
        r = subprocess.run([sys.executable, "-c", code, step], capture_output=True, text=True,
                           timeout=60, env=env)
        assert r.returncode == 0, r.stderr
