"""cli/rules.py: the thin shell of the policy-staff commands: warnings for superseded
editions, several scenario paths after one --scenarios, help with Examples and consistent
metavars, and output that falls back to ASCII on a console that cannot encode it (issue 13.8:
`rules diff` crashed on a Windows cp1252 console)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT
from sexting_triage.cli import main

SIX = ("title: Shown to two friends\n"
       "story: A 16-year-old shows his girlfriend's nude to two friends without her knowledge.\n"
       "answers: {imagery: yes, subject_under_18: yes, youngest_age: 16, immediate_risk: no,\n"
       "  adult_involved: no, coercion: no, financial_sextortion: no,\n"
       "  grooming_or_exploitation: no, profit_motive: no, capacity_concern: no,\n"
       "  wider_child_protection: no, sexual_acts: no, ai_or_altered: no,\n"
       "  taken_without_consent: no, sharing_extent: few_others,\n"
       "  shared_without_consent: yes, malicious_intent: no, previous_incidents: no,\n"
       "  power_imbalance: no}\n"
       "expect:\n  pathway: proportionate-response\n")


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_show_warns_about_a_superseded_edition_and_names_the_current_one(capsys):
    from sexting_triage import loader

    cur = loader.resolve(loader.default_id())
    code, out, err = cli(capsys, "rules", "show", "cop-2016")
    assert code == 0 and "QUESTIONS" in out
    assert "cop-2016" in err and "superseded" in err and f"{cur.id} {cur.version}" in err
    assert "warning" not in out
    code, out, err = cli(capsys, "rules", "show", "cop-2024")
    assert code == 0 and "superseded" not in err


def test_show_warns_about_a_draft(tmp_path, capsys):
    from rulesets_small import base, save

    code, _, err = cli(capsys, "rules", "show", str(save(tmp_path, base())))
    assert code == 0 and "is a draft" in err and "current edition is cop-2024" in err


def test_several_scenario_files_after_one_option(tmp_path, capsys):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(SIX)
    b.write_text(SIX.replace("Shown to two friends", "Shown again"))
    code, out, _ = cli(capsys, "rules", "diff", "cop-2016", "cop-2024", "--scenarios",
                       str(a), str(b), "--json")
    assert code == 1
    assert [s["title"] for s in json.loads(out)["scenarios"]] == ["Shown to two friends",
                                                                  "Shown again"]
    # the option may still be repeated, and mixed with several paths
    c = tmp_path / "c.yaml"
    c.write_text(SIX.replace("Shown to two friends", "Third"))
    code, out, _ = cli(capsys, "rules", "diff", "cop-2016", "cop-2024", "--scenarios",
                       str(a), "--scenarios", str(b), str(c), "--json")
    assert len(json.loads(out)["scenarios"]) == 3
    # a third argument without --scenarios is a usage error, not a silent scenario
    code, _, err = cli(capsys, "rules", "diff", "cop-2016", "cop-2024", str(a))
    assert code == 2 and "--scenarios" in err


@pytest.mark.parametrize("command", ["list", "show", "check", "diff", "graph", "schema"])
def test_help_has_examples_that_name_real_commands(capsys, command):
    code, out, _ = cli(capsys, "rules", command, "--help")
    assert code == 0
    assert "Examples:" in out
    examples = [ln.strip()[2:] for ln in out.splitlines() if ln.strip().startswith("$ ")]
    assert examples and all(e.startswith(f"sexting-triage rules {command}") for e in examples)
    if command in ("show", "check", "graph"):
        assert "RULES" in out and "ID|PATH" not in out


def _run(encoding: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHONIO")}
    env.update(PYTHONIOENCODING=encoding, NO_COLOR="1", PYTHONUTF8="0")
    return subprocess.run([sys.executable, "-m", "sexting_triage", *args], env=env,
                          capture_output=True, cwd=ROOT, timeout=120, check=False)


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
def test_rules_diff_on_a_console_that_cannot_encode_arrows(encoding):
    r = _run(encoding, "rules", "diff", "cop-2016", "cop-2024")
    assert r.returncode == 1, r.stderr.decode(encoding, "replace")
    out = r.stdout.decode(encoding)
    assert "Traceback" not in r.stderr.decode(encoding, "replace")
    assert "rules diff cop-2016" in out and " -> cop-2024" in out and "→" not in out
    assert "Result: differences found" in out


@pytest.mark.parametrize("args", [
    ("rules", "diff", "cop-2016", "cop-2024", "--format", "markdown"),
    ("rules", "show", "cop-2016"),
    ("rules", "graph", "cop-2024", "--format", "dot"),
    ("rules", "check", "cop-2016"),
    ("rules", "list"),
])
def test_every_rules_command_falls_back_to_ascii(args):
    r = _run("ascii", *args)
    assert r.returncode in (0, 1), r.stderr.decode("ascii", "replace")
    r.stdout.decode("ascii")
    r.stderr.decode("ascii")
    assert b"Traceback" not in r.stderr and r.stdout


def test_json_on_cp1252_decodes_to_the_same_data():
    utf8 = _run("utf-8", "rules", "diff", "cop-2016", "cop-2024", "--json")
    cp = _run("cp1252", "rules", "diff", "cop-2016", "cop-2024", "--json")
    assert cp.returncode == utf8.returncode == 1
    assert json.loads(cp.stdout.decode("cp1252")) == json.loads(utf8.stdout.decode("utf-8"))


OVERLAY = str(ROOT / "examples" / "overlays" / "example-force.yaml")


def test_overlay_on_show_graph_and_check(capsys, monkeypatch):
    monkeypatch.delenv("SEXTING_TRIAGE_OVERLAY", raising=False)
    code, out, _ = cli(capsys, "rules", "show", "cop-2024", "--overlay", OVERLAY)
    assert code == 0 and "school_setting" in out
    code, out, _ = cli(capsys, "rules", "show", "cop-2024")
    assert code == 0 and "school_setting" not in out
    code, out, _ = cli(capsys, "rules", "graph", "cop-2024", "--overlay", OVERLAY)
    assert code == 0 and "q_school_setting[" in out
    code, out, _ = cli(capsys, "rules", "check", "cop-2024", "--overlay", OVERLAY, "--json")
    assert code == 0 and json.loads(out)["rules"]["overlay"] == "example-constabulary"


def test_overlay_on_diff_applies_to_new_only_and_names_it(capsys, monkeypatch):
    monkeypatch.delenv("SEXTING_TRIAGE_OVERLAY", raising=False)
    code, out, _ = cli(capsys, "rules", "diff", "cop-2024", "cop-2024", "--overlay", OVERLAY,
                       "--format", "markdown")
    assert code == 1
    assert out.startswith("# Change note: cop-2024 ")
    assert "+ overlay example-constabulary" in out.splitlines()[0]
    assert "| force overlay | (none) | overlay example-constabulary" in out
    assert "- added `school_setting`:" in out
    assert "- No situation gets a lower pathway." in out and "- No situation loses a flag." in out
    # a configured overlay is not applied to either side of a diff
    monkeypatch.setenv("SEXTING_TRIAGE_OVERLAY", OVERLAY)
    code, out, _ = cli(capsys, "rules", "diff", "cop-2024", "cop-2024")
    assert code == 0 and "Result: identical" in out
    # but it is on show, where officers and staff type nothing extra
    code, out, _ = cli(capsys, "rules", "show", "cop-2024")
    assert "school_setting" in out


def test_an_overlay_file_given_as_rules_is_proved_or_diffed(capsys, monkeypatch):
    monkeypatch.delenv("SEXTING_TRIAGE_OVERLAY", raising=False)
    code, out, _ = cli(capsys, "rules", "check", OVERLAY)
    assert code == 0 and "No situation gets a lower pathway" in out
    code, out, _ = cli(capsys, "rules", "diff", "cop-2024", OVERLAY, "--format", "markdown")
    assert code == 1 and out.startswith("# Change note: ") and "## Safety" in out
    code, _, err = cli(capsys, "rules", "diff", "cop-2024", OVERLAY, "--scenarios", "x.yaml")
    assert code == 2 and "--overlay" in err
    code, out, _ = cli(capsys, "rules", "--help")
    assert "rebase" in out


@pytest.mark.parametrize("args", [["rules", "check", "cop-2024"],
                                  ["rules", "diff", "cop-2016", "cop-2024", "--json"]])
def test_bundled_rules_are_served_without_pyyaml_or_pydantic(args):
    """Start-up (issue 14): a bundled edition loaded once is served from the compiled cache,
    so `rules check` and `rules diff` import neither PyYAML nor pydantic (together ~90 ms,
    most of the import floor)."""
    code = (
        "import sys\n"
        "from sexting_triage.cli import main\n"
        f"rc = main({args!r})\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('yaml', 'pydantic')]\n"
        "print('LOADED', bad, file=sys.stderr)\n"
        "sys.exit(rc if not bad or sys.argv[1:] == ['warm'] else 99)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "SEXTING_TRIAGE_OVERLAY"}
    for step in ("warm", "check"):  # the first run may fill the cache of validated rule sets
        r = subprocess.run([sys.executable, "-c", code, step], capture_output=True, text=True,
                           timeout=120, env=env)
        assert r.returncode in (0, 1), r.stderr
