"""`scenarios check|walkthrough|coverage` and `run --save-scenario` through the CLI: exit
codes, stdout/stderr, JUnit parsed back, quiz scoring with piped input."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from scenario_files import BASE
from sexting_triage.cli import main
from sexting_triage.scenarios.load import load_scenarios

ROOT = Path(__file__).resolve().parents[1]
LIB = ROOT / "scenarios"
FORWARDED = LIB / "immediate-risk" / "forwarded-to-year-group-chat.yaml"
ROMANTIC = LIB / "romantic" / "two-15-year-olds-swap-selfies.yaml"
GROOMING = LIB / "adult-involvement" / "adult-grooms-12-year-old.yaml"


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def scenario(tmp_path: Path, name: str, expect: dict, title: str = "A case",
             rules: str | None = None, **changes: object) -> Path:
    answers = {**BASE, **changes}
    doc: dict = {"title": title, "story": "Two 15-year-olds swap images."}
    if rules:
        doc["rules"] = rules
    doc |= {"answers": answers, "notes": {"coercion": "Ask each child separately."},
            "expect": expect}
    p = tmp_path / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return p


def keyed(**block: object) -> dict:
    return {"cop-2016": block}


# ----------------------------------------------------------------------------- check


def library_summary() -> str:
    """The check summary for the shipped library: every case is keyed by both editions."""
    n = len(load_scenarios([LIB]))
    return f"{2 * n} passed, 0 failed, 0 not checked ({n} scenarios, {2 * n} checks)"


def test_check_library_passes(capsys):
    code, out, err = run(capsys, "scenarios", "check", LIB)
    assert code == 0, out + err
    assert out.splitlines()[0].split() == ["RESULT", "RULES", "PATHWAY", "SCENARIO:", "TITLE"]
    assert "FAIL" not in out and err == ""
    assert out.rstrip().endswith(library_summary())


def test_check_failures_exit_1_and_say_expected_versus_actual(tmp_path, capsys):
    scenario(tmp_path, "ok.yaml", keyed(pathway="proportionate-response"))
    scenario(tmp_path, "wrong-pathway.yaml", keyed(pathway="proportionate-response"),
             title="Wrong pathway", coercion="yes")
    scenario(tmp_path, "missing-flag.yaml",
             keyed(pathway="proportionate-response", flags=["immediate-safeguarding"]),
             title="Missing flag")
    code, out, _err = run(capsys, "scenarios", "check", tmp_path, "--no-color")
    assert code == 1
    lines = out.splitlines()
    status = {line.split()[-1]: line.split()[0] for line in lines[1:4]}
    assert status == {"case": "PASS", "pathway": "FAIL", "flag": "FAIL"}
    assert f"FAIL {tmp_path / 'wrong-pathway.yaml'} [cop-2016]: Wrong pathway" in out
    assert ("- expected pathway proportionate-response, got full-investigation: rule "
            "`coercion` fired") in out
    assert ("- expected flag immediate-safeguarding, not raised: none of the 2 rules raising "
            "immediate-safeguarding fired; nearest: rule `immediate-risk` needs immediate_risk "
            "== \"yes\" (here: immediate_risk = no)") in out
    assert "1 passed, 2 failed, 0 not checked (3 scenarios, 3 checks)" in out


def test_check_invalid_files_exit_2_with_every_problem_located(tmp_path, capsys):
    scenario(tmp_path, "a.yaml", keyed(pathway="full-investigaton"))
    scenario(tmp_path, "b.yaml", keyed(pathway="proportionate-response"), coercion="perhaps")
    code, out, err = run(capsys, "scenarios", "check", tmp_path)
    assert code == 2 and out == ""
    a, b = err.splitlines()
    assert a.startswith(f"{tmp_path / 'a.yaml'}:24:14: expect.cop-2016.pathway: unknown "
                        "pathway `full-investigaton`")
    assert b.startswith(f"{tmp_path / 'b.yaml'}:9:13: answers.coercion: expected yes, no or "
                        "unknown (got 'perhaps'")


def test_check_usage_errors(tmp_path, capsys):
    code, _, err = run(capsys, "scenarios", "check", LIB, "--rules", "cop-1900")
    assert code == 2 and "no rule set `cop-1900`" in err
    code, _, err = run(capsys, "scenarios", "check", tmp_path / "missing")
    assert code == 2 and "no such file or folder" in err


def test_check_json_document(tmp_path, capsys):
    scenario(tmp_path, "s.yaml", keyed(pathway="standard-investigation"))
    code, out, _err = run(capsys, "scenarios", "check", tmp_path, "--json")
    assert code == 1
    doc = json.loads(out)
    assert doc["schema"] == "sexting-triage/scenario-check/1"
    assert doc["summary"] == {"scenarios": 1, "checks": 1, "passed": 0, "failed": 1,
                              "not_checked": 0}
    (r,) = doc["results"]
    assert r["status"] == "failed" and r["rules"]["id"] == "cop-2016"
    assert r["decision"]["pathway"] == "proportionate-response"
    assert r["expect"] == {"pathway": "standard-investigation"}
    assert r["failures"][0].startswith("expected pathway standard-investigation, got "
                                       "proportionate-response: none of the 3 rules")


def test_junit_xml_parses_back(tmp_path, capsys):
    scenario(tmp_path, "s/pass.yaml", keyed(pathway="proportionate-response"), title="Passes")
    scenario(tmp_path, "s/fail.yaml", keyed(pathway="out-of-scope"), title="Fails <&>")
    junit = tmp_path / "out" / "junit.xml"
    junit.parent.mkdir()
    code, _, _ = run(capsys, "scenarios", "check", tmp_path / "s", "--junit", junit)
    assert code == 1
    root = ET.parse(junit).getroot()
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("2", "1", "0")
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "scenarios [cop-2016]"
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["rules.id"] == "cop-2016" and len(props["rules.sha256"]) == 64
    cases = {c.get("name").split(": ", 1)[1]: c for c in suite.findall("testcase")}
    assert set(cases) == {"Passes", "Fails <&>"}
    assert cases["Passes"].find("failure") is None
    failure = cases["Fails <&>"].find("failure")
    assert failure.get("message").startswith("expected pathway out-of-scope, got "
                                             "proportionate-response")
    assert "rule `youth-produced-imagery` fired" in failure.text
    assert failure.text.endswith("proportionate-response outranks out-of-scope")


def test_strict_turns_ignored_answers_into_failures(tmp_path, capsys):
    scenario(tmp_path, "s.yaml", keyed(pathway="proportionate-response"),
             atypical_or_violent="no")
    code, out, err = run(capsys, "scenarios", "check", tmp_path)
    assert code == 0
    assert err.startswith("warning: ") and "answer ignored: cop-2016 does not ask " \
        "`atypical_or_violent` with these answers" in err
    code, out, err = run(capsys, "scenarios", "check", tmp_path, "--strict")
    assert code == 1 and "answer ignored" in out and err == ""


def test_rules_options_and_not_checked(tmp_path, capsys):
    src = (ROOT / "rules" / "cop-2016.yaml").read_text(encoding="utf-8")
    draft = tmp_path / "draft.yaml"
    draft.write_text(src.replace("id: cop-2016", "id: draft-2030", 1), encoding="utf-8")
    scenario(tmp_path, "s/keyed.yaml", keyed(pathway="proportionate-response"))
    scenario(tmp_path, "s/unkeyed.yaml", {"pathway": "proportionate-response"},
             rules="cop-2016")
    code, out, _err = run(capsys, "scenarios", "check", tmp_path / "s", "--rules", "cop-2016",
                         "--rules", draft, "--json")
    assert code == 0
    got = {(Path(r["path"]).name, r["rules"]["id"]): r["status"]
           for r in json.loads(out)["results"]}
    assert got == {("keyed.yaml", "cop-2016"): "passed",
                   ("keyed.yaml", "draft-2030"): "not-checked",
                   ("unkeyed.yaml", "cop-2016"): "passed",
                   ("unkeyed.yaml", "draft-2030"): "passed"}
    code, out, _ = run(capsys, "scenarios", "check", tmp_path / "s", "--rules", draft)
    assert code == 0
    assert f"NOT CHECKED against draft-2030 (1, their expect has no block for draft-2030): " \
           f"{tmp_path / 's' / 'keyed.yaml'}" in out
    assert "1 passed, 0 failed, 1 not checked" in out


def test_expect_keyed_by_two_editions_checks_both(tmp_path, capsys):
    src = (ROOT / "rules" / "cop-2016.yaml").read_text(encoding="utf-8")
    draft = tmp_path / "draft.yaml"
    draft.write_text(src.replace("id: cop-2016", "id: draft-2030", 1), encoding="utf-8")
    scenario(tmp_path, "s/both.yaml", {"cop-2016": {"pathway": "proportionate-response"},
                                       "draft-2030": {"pathway": "full-investigation"}})
    code, _, err = run(capsys, "scenarios", "check", tmp_path / "s")
    assert code == 2 and "expect.draft-2030: no rule set with id `draft-2030`" in err
    code, out, _ = run(capsys, "scenarios", "check", tmp_path / "s", "--rules", "cop-2016",
                       "--rules", draft)
    assert code == 1
    assert "PASS    cop-2016" in out and "FAIL    draft-2030" in out


def test_check_does_not_load_the_interactive_libraries():
    code = ("import sys; from sexting_triage.cli import main; "
            "rc = main(['scenarios', 'check', 'scenarios']); "
            "print(rc, sorted(m for m in sys.modules if m.split('.')[0] in "
            "('questionary', 'prompt_toolkit')))")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                       timeout=120)
    assert r.stdout.splitlines()[-1] == "0 []", r.stderr


# ----------------------------------------------------------------------------- walkthrough


def test_walkthrough_text_shows_each_step(capsys):
    # the current edition by default (issue 13.7): the case is keyed by both
    code, out, err = run(capsys, "scenarios", "walkthrough", FORWARDED, "--no-color")
    assert code == 0 and err == ""
    assert out.startswith("SCENARIO: A 14-year-old's image is forwarded")
    assert "Rule set: cop-2024 1.1.0" in out
    assert "THE CASE\n  A 14-year-old girl sent a nude selfie" in out
    step4 = out[out.index("STEP 4 of 19  [immediate_risk]"):out.index("STEP 5 of 19")]
    assert "\n  Q:    Is any child at immediate risk of harm" in step4
    assert "\n        Help: If yes, you will be shown what to do first" in step4
    assert "\n  A:    Yes\n" in step4
    assert "\n  Note: This is the moment to stop and make her safe." in step4
    assert "\n  ->    Rule immediate-risk fires (raises flag immediate-safeguarding)" in step4
    assert "Source: UKCIS-2024, Immediate referral to police" in step4
    assert "URGENT: A child is, or may be, at immediate risk: act now" in step4
    # at step 4, and in the result
    assert out.count("URGENT: A child is, or may be, at immediate risk") == 2
    step2 = out[out.index("STEP 2 of 19"):out.index("STEP 3 of 19")]
    assert "Rule youth-produced-imagery fires (points to proportionate-response)" in step2
    result = out[out.index("RESULT"):]
    assert "RECOMMENDED PATHWAY: Investigation (Outcome 21 not available)" in result
    assert out.rstrip().endswith("The scenario's expectation holds: pathway "
                                 "standard-investigation, flags [immediate-safeguarding], "
                                 "reasons_include [immediate-risk, shared-widely-by-others, "
                                 "shared-without-consent]")


def test_walkthrough_of_a_superseded_edition_warns_naming_the_current_one(capsys):
    code, out, err = run(capsys, "scenarios", "walkthrough", FORWARDED, "--rules", "cop-2016")
    assert code == 0 and "Rule set: cop-2016 1.1.0" in out
    assert err.startswith("warning: rule set cop-2016 1.1.0 is superseded; the current edition "
                          "is cop-2024 1.1.0")
    assert err.count("warning:") == 1
    code, out, err = run(capsys, "scenarios", "quiz", FORWARDED, "--rules", "cop-2016", "-f",
                         "markdown")
    assert code == 0 and "superseded" in err and "cop-2024" in err


def test_walkthrough_shows_notes_for_questions_not_asked(capsys):
    path = LIB / "sexual-acts" / "content-not-yet-known.yaml"
    code, out, _ = run(capsys, "scenarios", "walkthrough", path)
    assert code == 0
    assert "[atypical_or_violent]" not in out
    assert "TRAINER NOTES FOR QUESTIONS NOT ASKED IN THIS CASE\n  atypical_or_violent: This " \
           "question is asked only when" in out


def test_walkthrough_pause_waits_between_steps(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n" * 3))
    code, out, err = run(capsys, "scenarios", "walkthrough", ROMANTIC, "--pause")
    assert code == 0
    # 19 steps: a pause before each step after the first, until input runs out
    assert err.count("-- press Enter for the next step --") == 4
    assert "STEP 19 of 19" in out and "RESULT" in out


def test_walkthrough_markdown_handout(tmp_path, capsys):
    code, out, _ = run(capsys, "scenarios", "walkthrough", GROOMING, "--format", "markdown")
    assert code == 0
    assert out.startswith("# An adult grooms a 12-year-old into sending images\n")
    assert "## The case\n\nA 12-year-old girl met someone on a gaming platform" in out
    assert "### 5. Has any adult asked for, made, received, kept or shared the image?" in out
    assert "> **Trainer note:** An adult asked for the images" in out
    assert "- **Rule `adult-involved` fires** (points to full-investigation)" in out
    assert "**Recommended pathway: Full criminal investigation** (`full-investigation`)" in out
    assert "- [ ] Refer to specialist child-abuse investigators" in out
    target = tmp_path / "handout.md"
    code, out2, err = run(capsys, "scenarios", "walkthrough", GROOMING, "-f", "markdown",
                          "-o", target)
    assert code == 0 and out2 == "" and f"handout written to {target}" in err
    assert target.read_text(encoding="utf-8") == out


def test_markdown_escapes_file_text(tmp_path, capsys):
    p = scenario(tmp_path, "s.yaml", keyed(pathway="proportionate-response"),
                 title="A *bold* <script> [link](x)")
    code, out, _ = run(capsys, "scenarios", "walkthrough", p, "-f", "markdown")
    assert code == 0
    assert out.splitlines()[0] == r"# A \*bold\* \<script\> \[link\](x)"


def test_walkthrough_of_a_failing_scenario_says_so(tmp_path, capsys):
    p = scenario(tmp_path, "s.yaml", keyed(pathway="full-investigation"))
    code, out, _ = run(capsys, "scenarios", "walkthrough", p)
    assert code == 0
    assert "The scenario's expectation does NOT hold: expected pathway full-investigation" in out


# ----------------------------------------------------------------------------- quiz


def quiz(capsys, monkeypatch, stdin: str, *files: Path) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return run(capsys, "scenarios", "walkthrough", "--quiz", "--no-color", *files)


def test_quiz_scores_a_session(capsys, monkeypatch):
    # romantic: proportionate, no flags; forwarded: standard + immediate-safeguarding;
    # grooming: full, no flags
    code, out, _ = quiz(capsys, monkeypatch, "3\n0\n2\n1\n3\n2\n",
                        ROMANTIC, FORWARDED, GROOMING)
    assert code == 0
    assert "CASE 1 of 3: Two 15-year-olds" in out
    assert "What the responder established:" in out
    assert out.count("Correct: the recommended response is") == 2
    assert "Not quite: the recommended response is Full criminal investigation, because:" in out
    assert "You chose Proportionate, safeguarding-led response, but the reasons above call " \
           "for more: the guidance puts Full criminal investigation before it." in out
    assert "\u201cOfficer judgement needed\u201d does not apply here: nothing the responder " \
           "established raises it." in out
    feedback = out[out.index("Not quite"):out.index("SCORE")]
    assert "`" not in feedback and "adult-involved" not in feedback and "==" not in feedback
    assert out.rstrip().endswith("SCORE: 4 of 6 (pathway 2/3, flags 2/3)")


def test_quiz_accepts_ids_and_reasks_on_bad_input(capsys, monkeypatch):
    code, out, _ = quiz(capsys, monkeypatch,
                        "9\nstandard-investigation\nx\nimmediate-safeguarding\n", FORWARDED)
    assert code == 0
    assert "Please type a number from 1 to 4." in out
    assert "Please type numbers from 1 to 2 separated by commas, or 0." in out
    assert "SCORE: 2 of 2 (pathway 1/1, flags 1/1)" in out


def test_quiz_flag_missed_explains(capsys, monkeypatch):
    code, out, _ = quiz(capsys, monkeypatch, "2\n0\n", FORWARDED)
    assert code == 0
    assert "You did not pick \u201cA child is, or may be, at immediate risk: act now\u201d, " \
           "but it applies: A child is at immediate risk of harm." in out
    assert "SCORE: 1 of 2 (pathway 1/1, flags 0/1)" in out


def test_quiz_input_ending_early_exits_3_with_partial_score(capsys, monkeypatch):
    code, out, _ = quiz(capsys, monkeypatch, "3\n0\n", ROMANTIC, FORWARDED)
    assert code == 3
    assert "Input ended before the quiz finished (1 of 2 cases answered)." in out
    assert "SCORE: 2 of 2 (pathway 1/1, flags 1/1)" in out


def test_quiz_refuses_pause_and_output_without_markdown(capsys):
    code, _, err = run(capsys, "scenarios", "walkthrough", ROMANTIC, "--quiz", "--pause")
    assert code == 2 and "--pause is for a walkthrough, not a --quiz" in err
    code, _, err = run(capsys, "scenarios", "walkthrough", ROMANTIC, "--quiz", "-o", "x.md")
    assert code == 2 and "--output is for --format markdown" in err


def test_printable_quiz_with_answer_key(tmp_path, capsys):
    target = tmp_path / "quiz.md"
    code, _, _ = run(capsys, "scenarios", "walkthrough", "--quiz", "-f", "markdown", "-o",
                     target, ROMANTIC, FORWARDED)
    assert code == 0
    doc = target.read_text(encoding="utf-8")
    sheet, key = doc.split("# Answer key")
    assert "## Case 2: A 14-year-old's image is forwarded" in sheet
    assert "- Is any child at immediate risk of harm because of this (for example, talking " \
           "about suicide or self-harm)? **Yes**" in sheet
    assert sheet.count("- [ ] Full criminal investigation") == 2
    assert "Investigation (Outcome 21 not available)" not in sheet.split("**Pathway:**")[0]
    assert "Trainer note" not in doc and "This is the moment to stop" not in doc
    assert "1. **Proportionate, safeguarding-led response**; flags: none" in key
    assert "2. **Investigation (Outcome 21 not available)**; flags: A child is, or may be, " \
           "at immediate risk: act now (rule set cop-2024 1.1.0)" in key
    assert "   - Someone other than the child pictured shared the image widely or publicly" in key
    assert "`" not in key and "(rule set" in key  # a trainer's key: no rule ids


# ----------------------------------------------------------------------------- coverage


def test_coverage_of_the_library_is_complete(capsys):
    code, out, _ = run(capsys, "scenarios", "coverage", LIB, "--rules", "cop-2016")
    assert code == 0
    assert out.startswith(f"COVERAGE of cop-2016 1.1.0 by {len(load_scenarios([LIB]))} "
                          "scenarios")
    assert "rules       37 of 37  reachable exercised (100%)" in out
    assert "Every reachable pathway, flag, rule, question and answer value is exercised." in out


def test_coverage_lists_what_is_never_exercised(capsys):
    code, out, _ = run(capsys, "scenarios", "coverage", ROMANTIC, "--no-color")
    assert code == 0
    assert "pathways     1 of 4   reachable exercised (25%)" in out
    missing = out[out.index("NEVER EXERCISED"):]
    assert "pathways: full-investigation, standard-investigation, out-of-scope" in missing
    assert "questions: atypical_or_violent" in missing
    assert "youngest_age=0-9" in missing and "youngest_age=10-12" in missing
    assert "youngest_age=13-17" not in missing


def test_coverage_json(capsys):
    code, out, _ = run(capsys, "scenarios", "coverage", ROMANTIC, GROOMING, "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["schema"] == "sexting-triage/scenario-coverage/1"
    # both cases are keyed by both editions: one coverage per edition
    assert [c["rules"]["id"] for c in doc["coverage"]] == ["cop-2016", "cop-2024"]
    c = doc["coverage"][0]
    assert c["scenarios"] == 2
    assert c["counts"]["pathways"] == {"exercised": 2, "reachable": 4}
    assert c["exercised"]["pathways"] == {"proportionate-response": 1, "full-investigation": 1}
    assert "standard-investigation" in c["never_exercised"]["pathways"]


# ----------------------------------------------------------------------------- saving


def test_run_save_scenario_writes_a_passing_scenario(tmp_path, capsys):
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump({"rules": "cop-2016",
                                       "answers": {**BASE, "malicious_intent": "yes"}}))
    target = tmp_path / "saved.yaml"
    code, out, err = run(capsys, "run", answers, "--save-scenario", target)
    assert code == 0 and "RECOMMENDED PATHWAY" in out
    assert f"scenario saved to {target}" in err
    code, out, _ = run(capsys, "scenarios", "check", target)
    assert code == 0 and "PASS    cop-2016  standard-investigation" in out
    missing = tmp_path / "no" / "x.yaml"
    code, _, err = run(capsys, "run", answers, "--save-scenario", missing)
    assert code == 2 and str(missing) in err and "Traceback" not in err


@pytest.mark.parametrize("command", ["check", "coverage"])
def test_help_is_available(capsys, command):
    code, out, _ = run(capsys, "scenarios", command, "--help")
    assert code == 0 and "[PATH]..." in out and "{paths}" not in out


def test_run_save_scenario_never_overwrites(tmp_path, capsys):
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump({"rules": "cop-2016", "answers": {"imagery": "no"}}))
    target = tmp_path / "edited.yaml"
    target.write_text("a trainer's edited scenario\n")
    code, out, err = run(capsys, "run", answers, "--save-scenario", target)
    assert code == 2 and out == "" and "already exists" in err
    assert target.read_text() == "a trainer's edited scenario\n"


def test_nothing_checked_against_an_edition_is_said_plainly(tmp_path, capsys):
    p = scenario(tmp_path, "old.yaml", keyed(pathway="proportionate-response"))
    code, out, err = run(capsys, "scenarios", "check", p, "--rules", "cop-2024")
    assert code == 0
    assert out.splitlines()[1].startswith("NOT CHECKED  cop-2024")
    assert "warning: no scenario states what cop-2024 should give, so none was checked " \
           "against it: add a `cop-2024:` block under `expect`" in err


def test_walkthrough_of_answers_incomplete_for_the_edition(tmp_path, capsys):
    p = scenario(tmp_path, "old.yaml", keyed(pathway="proportionate-response"))
    code, out, err = run(capsys, "scenarios", "walkthrough", p, "--rules", "cop-2024")
    assert code == 2 and out == ""
    assert f"{p}: cannot replay under cop-2024: the answers are incomplete for " \
           "cop-2024: it asks" in err


def test_file_text_never_reaches_the_terminal_as_control_sequences(tmp_path, capsys):
    p = scenario(tmp_path, "s.yaml", keyed(pathway="out-of-scope"),
                 title="Case \x1b]0;owned\x07 [bold]x[/bold]")
    doc = yaml.safe_load(p.read_text())
    doc["story"] = "A story \x1b[2J with an escape."
    doc["notes"] = {"imagery": "Note \x1b[31mred"}
    p.write_text(yaml.safe_dump(doc, allow_unicode=False))
    junit = tmp_path / "j.xml"
    for args in (["check", p, "--junit", junit], ["walkthrough", p],
                 ["walkthrough", p, "-f", "markdown"]):
        code, out, err = run(capsys, "scenarios", *args)
        assert code in (0, 1)
        assert "\x1b" not in out + err and "\x07" not in out + err, args
    assert "Case  [bold]x[/bold]" in run(capsys, "scenarios", "check", p)[1]
    assert "\x1b" not in junit.read_text()


def test_tags_select_scenarios(capsys):
    code, out, _ = run(capsys, "scenarios", "check", LIB, "--tag", "under-13s", "--json")
    assert code == 0
    results = json.loads(out)["results"]
    # every case with the tag, each checked under both editions it is keyed by
    tagged = [s for s in load_scenarios([LIB]) if "under-13s" in s.tags]
    assert len({r["scenario"] for r in results}) == len(tagged) >= 3
    assert len(results) == 2 * len(tagged)
    assert all("under-13s" in r["tags"] for r in results)
    code, out, _ = run(capsys, "scenarios", "coverage", LIB, "-t", "out-of-scope", "--json")
    assert json.loads(out)["coverage"][0]["scenarios"] == 2
    code, _, err = run(capsys, "scenarios", "check", LIB, "--tag", "no-such-tag")
    assert code == 2 and "no scenario has the tag no-such-tag (tags in these files: " in err


def test_handout_without_trainer_notes(capsys):
    code, out, _ = run(capsys, "scenarios", "walkthrough", GROOMING, "-f", "markdown",
                       "--no-notes")
    assert code == 0 and "Trainer note" not in out and "### 5. Has any adult" in out


def test_quiz_shuffle_with_a_seed_is_repeatable(capsys, monkeypatch):
    files = [ROMANTIC, FORWARDED, GROOMING]
    orders = []
    for _ in range(2):
        monkeypatch.setattr(sys, "stdin", io.StringIO("1\n0\n" * 3))
        code, out, _ = run(capsys, "scenarios", "walkthrough", "--quiz", "--shuffle",
                           "--seed", "7", *files)
        assert code == 0
        orders.append([line for line in out.splitlines() if line.startswith("CASE ")])
    assert orders[0] == orders[1] and len(orders[0]) == 3
    code, _, err = run(capsys, "scenarios", "walkthrough", ROMANTIC, "--shuffle")
    assert code == 2 and "--shuffle and --seed are for --quiz" in err


def test_check_without_paths_uses_the_shipped_library(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "scenarios", "check")
    assert code == 0 and library_summary() in out
    assert f"{LIB}/romantic/two-15-year-olds-swap-selfies.yaml" in out


def test_quiet_check_shows_only_failures_and_the_summary(tmp_path, capsys):
    scenario(tmp_path, "ok.yaml", keyed(pathway="proportionate-response"))
    scenario(tmp_path, "bad.yaml", keyed(pathway="out-of-scope"), title="Bad")
    code, out, _ = run(capsys, "scenarios", "check", tmp_path, "-q")
    assert code == 1
    assert out.splitlines()[0] == f"FAIL {tmp_path / 'bad.yaml'} [cop-2016]: Bad"
    assert "PASS" not in out and "RESULT" not in out
    assert out.splitlines()[-1] == "1 passed, 1 failed, 0 not checked (2 scenarios, 2 checks)"
    code, out, _ = run(capsys, "scenarios", "check", LIB, "--quiet")
    assert code == 0
    assert out == library_summary() + "\n"


# ----------------------------------------------------------------------------- overlays, list


@pytest.fixture
def force_overlay(tmp_path: Path) -> Path:
    """The shipped example overlay, pinned to the bundled cop-2024 as it is now."""
    from sexting_triage import overlay as O
    from sexting_triage.loader import resolve

    p = tmp_path / "force.yaml"
    p.write_bytes((ROOT / "examples" / "overlays" / "example-force.yaml").read_bytes())
    p.write_bytes(O.write_pin(O.load_overlay(p), resolve("cop-2024")))
    return p


def test_overlay_applies_to_its_edition_in_check_and_walkthrough(tmp_path, capsys,
                                                                 force_overlay):
    from helpers import CLEAN

    doc = {"title": "At school", "story": "Two 15-year-olds swap images; a teacher reports it.",
           "answers": {**CLEAN, "taken_without_consent": "no", "school_setting": "yes"},
           "expect": {"cop-2024": {"pathway": "proportionate-response",
                                   "reasons_include": ["school-setting"]}}}
    p = tmp_path / "school.yaml"
    p.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    code, out, err = run(capsys, "scenarios", "check", p)
    assert code == 2 and "unknown rule `school-setting` in cop-2024" in err  # national only
    code, out, err = run(capsys, "scenarios", "check", p, "--overlay", force_overlay)
    assert code == 0, out + err
    assert "1 passed, 0 failed" in out
    code, out, err = run(capsys, "scenarios", "walkthrough", p, "--overlay", force_overlay,
                         "--no-color")
    assert code == 0, err
    step = out[out.index("[school_setting]"):]
    assert "Rule school-setting fires" in step[:step.index("STEP ")]
    assert "Tell the safer schools officer on duty" in out[out.index("RESULT"):]
    # the other edition is checked without it
    code, out, err = run(capsys, "scenarios", "check", ROMANTIC, "--overlay", force_overlay,
                         "--rules", "cop-2016")
    assert code == 0 and "PASS    cop-2016" in out


def test_list_shows_the_library(capsys):
    code, out, _ = run(capsys, "scenarios", "list", "--no-color")
    assert code == 0
    n = len(load_scenarios([LIB]))
    assert out.startswith(f"SCENARIO LIBRARY ({n} cases) in {LIB}")
    assert "romantic/two-15-year-olds-swap-selfies.yaml\n    Two 15-year-olds" in out
    assert "unknown-answers/early-reports.yaml#2\n" in out
    code, out, _ = run(capsys, "scenarios", "list", "-t", "under-13s")
    assert code == 0 and "adult-grooms-12-year-old" in out and "romantic/" not in out
    code, _, err = run(capsys, "scenarios", "list", "-t", "nope")
    assert code == 2 and "no case in the library has the tag nope" in err


def test_quiz_command_is_the_walkthrough_quiz(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("3\n0\n"))
    code, out, _ = run(capsys, "scenarios", "quiz", ROMANTIC, "--no-color")
    assert code == 0 and out.rstrip().endswith("SCORE: 2 of 2 (pathway 1/1, flags 1/1)")
    code, _, err = run(capsys, "scenarios", "quiz", ROMANTIC, "-o", "x.md")
    assert code == 2 and "--output is for --format markdown" in err
