"""`sexting-triage run FILE`: decide from an answers file, without prompting."""

from __future__ import annotations

from pathlib import Path

import typer

from sexting_triage import loader
from sexting_triage.cli import app, warn
from sexting_triage.cli.common import (
    JsonOption,
    NoColorOption,
    RulesOption,
    resolve_rules,
    save_scenario_file,
)
from sexting_triage.engine import Decision
from sexting_triage.errors import InputError, InvalidAnswers, MissingAnswers, Problem, UsageError


def decide_file(path: Path, rules: str | None) -> Decision:
    """Load an answers file, pick its rule set, decide; errors point into the file."""
    doc, answers, file_rules = loader.load_answers(path)
    rs = resolve_rules(rules or file_rules, path)
    from sexting_triage.questionnaire import Questionnaire

    try:
        return Questionnaire(rs, answers).decision()
    except InvalidAnswers as exc:
        raise InputError([doc.problem(("answers", p.question), p.message)
                          for p in exc.problems]) from None
    except MissingAnswers as exc:
        raise InputError([Problem(str(path), *doc.where(("answers",)), "answers",
                                  f"{exc} (rule set {rs.id} {rs.version})")]) from None


def warn_ignored(d: Decision) -> None:
    for ig in d.ignored:
        why = ("it was not asked with these answers" if ig.why == "not-asked"
               else f"{d.ruleset.id} has no such question")
        warn(f"answer to `{ig.question}` ignored: {why}")


@app.command("run")
def run_command(
    file: Path = typer.Argument(..., help="YAML answers file: `answers:` (question id: "
                                "answer) and optionally `rules:` (a rule-set id).",
                                show_default=False),
    rules: str | None = RulesOption,
    json_out: bool = JsonOption,
    no_color: bool = NoColorOption,
    save_scenario: Path | None = typer.Option(
        None, "--save-scenario", metavar="FILE",
        help="Also write the answers and this decision as a scenario file for trainers "
        "(expect filled in; edit its title and story)."),
) -> None:
    """Decide from an answers file and print the recommended pathway, flags, reasons and
    actions."""
    if save_scenario is not None and save_scenario.exists():
        raise UsageError(f"{save_scenario} already exists: choose another file name")
    d = decide_file(file, rules)
    warn_ignored(d)
    if save_scenario is not None:
        save_scenario_file(save_scenario, d)
    if json_out:
        from sexting_triage.render.jsonout import decision_dict, dumps

        print(dumps(decision_dict(d)))
        return
    from sexting_triage.render import terminal

    terminal.decision(terminal.console(no_color=no_color), d)
