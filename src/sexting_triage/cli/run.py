"""`sexting-triage run FILE`: decide from an answers file, without prompting.

Also decides a trainer's scenario file (its answers; the expectations are ignored, with a
note pointing to `scenarios check`), and writes a decision record (`--record`) with the same
provenance as `triage`, holding the officer's own decision when given."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from sexting_triage import loader
from sexting_triage.cli import EXIT_CODES_HELP, app, warn, warn_if_not_current
from sexting_triage.cli.common import (
    JsonOption,
    NoColorOption,
    OverlayOption,
    RulesOption,
    SignKeyOption,
    rules_for,
    save_scenario_file,
    signing_key,
)
from sexting_triage.engine import Decision
from sexting_triage.errors import InputError, InvalidAnswers, MissingAnswers, Problem, UsageError


def decide_file(path: Path, rules: str | None, overlay: Path | None = None) -> Decision:
    """Load an answers file, pick its rule set, decide; errors point into the file."""
    try:
        doc, answers, file_rules = loader.load_answers(path)
    except InputError:
        scenario = _scenario_answers(path)
        if scenario is None:
            raise
        doc, answers, file_rules = scenario
    rs = rules_for(rules or file_rules, overlay, path)
    warn_if_not_current(rs)
    from sexting_triage.questionnaire import Questionnaire

    try:
        return Questionnaire(rs, answers).decision()
    except InvalidAnswers as exc:
        raise InputError([doc.problem(("answers", p.question), p.message)
                          for p in exc.problems]) from None
    except MissingAnswers as exc:
        raise InputError([Problem(str(path), *doc.where(("answers",)), "answers",
                                  f"{exc} (rule set {rs.id} {rs.version})")]) from None


SCENARIO_KEYS = frozenset({"title", "story", "tags", "notes", "expect", "trainer_notes",
                           "questions"})


def _scenario_answers(path: Path) -> tuple[Any, dict[str, Any], str | None] | None:
    """A scenario file's answers (and rule set, if it names one), with a note that its
    expectations are not checked here; None when the file is not a scenario."""
    from sexting_triage.yamlio import load_yaml

    doc = load_yaml(path, "answers file")
    data = doc.data
    if isinstance(data, list) or (isinstance(data, dict) and "scenarios" in data):
        raise UsageError(f"{path} holds several scenarios: check them with `sexting-triage "
                         f"scenarios check {path}`, or walk through one with `sexting-triage "
                         "scenarios walkthrough`")
    if not (isinstance(data, dict) and "expect" in data and isinstance(data.get("answers"),
                                                                      dict)):
        return None
    warn(f"{path} is a scenario file: deciding its answers and ignoring its expectations; to "
         f"check them use `sexting-triage scenarios check {path}`")
    rules = data.get("rules")
    return doc, {str(k): v for k, v in data["answers"].items()}, (
        rules if isinstance(rules, str) else None)


def warn_ignored(d: Decision) -> None:
    for ig in d.ignored:
        why = ("it was not asked with these answers" if ig.why == "not-asked"
               else f"{d.ruleset.id} has no such question")
        warn(f"answer to `{ig.question}` ignored: {why}")


@app.command("run", epilog=EXIT_CODES_HELP)
def run_command(
    file: Path = typer.Argument(..., help="YAML answers file: `answers:` (question id: "
                                "answer) and optionally `rules:` (a rule-set id).",
                                show_default=False),
    rules: str | None = RulesOption,
    overlay: Path | None = OverlayOption,
    json_out: bool = JsonOption,
    no_color: bool = NoColorOption,
    save_scenario: Path | None = typer.Option(
        None, "--save-scenario", metavar="FILE",
        help="Also write the answers and this decision as a scenario file for trainers "
        "(expect filled in; edit its title and story)."),
    record: Path | None = typer.Option(
        None, "--record", metavar="FILE",
        help="Also write a decision record (JSON) to FILE, as `triage --record` does: "
        "answers, decision, rule-set sha256 and its own hashes. Never overwrites a file."),
    sign_key: Path | None = SignKeyOption,
    incident_ref: str | None = typer.Option(
        None, "--incident-ref", metavar="REF",
        help="A short incident or crime reference for the record. Never a name."),
    officer_decision: str | None = typer.Option(
        None, "--officer-decision", metavar="agree|PATHWAY",
        help="For the record: `agree` with the recommendation, or the id of the pathway the "
        "officer chose (see `sexting-triage rules show`)."),
    officer_reason: str | None = typer.Option(
        None, "--officer-reason", metavar="CODE",
        help="For the record: why, from a fixed list (never free text): "
        "agree-with-reasons, more-information-since, supervisor-direction, force-policy, "
        "safeguarding-concern, facts-disputed. Required with another pathway."),
) -> None:
    """Decide from an answers file and print the recommended pathway, flags, reasons and
    actions."""
    from sexting_triage import files

    for opt, value in (("--incident-ref", incident_ref),
                       ("--officer-decision", officer_decision),
                       ("--officer-reason", officer_reason)):
        if value is not None and record is None:
            raise UsageError(f"{opt} goes into the decision record: give --record FILE as well")
    if officer_reason is not None and officer_decision is None:
        raise UsageError("--officer-reason goes with --officer-decision")
    files.check_output_paths({"--record": record, "--save-scenario": save_scenario})
    if save_scenario is not None and save_scenario.exists():
        raise UsageError(f"{save_scenario} already exists: choose another file name")
    rec = None
    if record is not None:
        from sexting_triage import records

        records.check_target(record)
        if incident_ref is not None:
            records.check_incident_ref(incident_ref)
    key = signing_key(sign_key, record)
    d = decide_file(file, rules, overlay)
    warn_ignored(d)
    if record is not None:
        officer = None if officer_decision is None else {
            "decision": officer_decision,
            **({"reason": officer_reason} if officer_reason else {})}
        rec = records.build(d, incident_ref, officer=officer)  # checks the officer's part
        if key is not None:
            rec = records.sign(rec, key)
    if save_scenario is not None:
        save_scenario_file(save_scenario, d)
    if rec is not None and record is not None:
        records.write(record, rec)
        print(f"decision record written to {record}", file=sys.stderr)
    if json_out:
        from sexting_triage.render.jsonout import decision_dict, dumps

        print(dumps(decision_dict(d)))
        return
    from sexting_triage.render import terminal

    terminal.decision(terminal.console(no_color=no_color), d)
