"""`sexting-triage scenarios check|walkthrough|quiz|coverage|list`: trainers' scripted cases.

A thin shell: options, calls into `sexting_triage.scenarios`, rendering through `render`.
Every scenario command is declared here, in help order; the quiz session itself (plain
input(), scoring) is `cli/scenarios_quiz.py`, imported only when a quiz runs.
`check` stays fast and free of questionary/prompt_toolkit: each rule set is loaded once per
run, and the quiz reads answers with plain input() so a class can pipe them in.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from sexting_triage.cli import EXIT_CODES_HELP, app, warn, warn_if_not_current
from sexting_triage.cli.common import JsonOption, NoColorOption, writing
from sexting_triage.errors import EXIT_FINDINGS, UsageError
from sexting_triage.ruleset import RuleSet
from sexting_triage.scenarios.check import given_rulesets, run_checks, select, summary
from sexting_triage.scenarios.format import Scenario
from sexting_triage.scenarios.library import paths_or_library
from sexting_triage.scenarios.load import RuleSets, load_scenarios

if TYPE_CHECKING:
    from sexting_triage.scenarios.walkthrough import Replay

scenarios_app = typer.Typer(
    help="Trainers' scenario files: check expected outcomes, replay a case step by step for a "
    "class, quiz trainees, and show which parts of the guidance the material covers.",
    no_args_is_help=True, epilog=EXIT_CODES_HELP)
app.add_typer(scenarios_app, name="scenarios")

PathsArg = typer.Argument(None, help="Scenario files or folders (searched recursively for "
                          "*.yaml and *.yml). Default: the scenario library shipped with the "
                          "tool.", show_default=False, metavar="[PATH]...")
FilesArg = typer.Argument(..., help="Scenario files or folders (several for a quiz).",
                          show_default=False, metavar="FILE...")
RulesMany = typer.Option(None, "--rules", "-r", metavar="ID|PATH",
                         help="Check against this rule set (repeat for several). Default: the "
                         "one each scenario names, else every edition its expect is keyed by.")
RulesOne = typer.Option(None, "--rules", "-r", metavar="ID|PATH",
                        help="Replay under this rule set. Default: the one the scenario names, "
                        "else the current edition (else the first edition its expect is "
                        "keyed by, with a warning).")
TagOption = typer.Option(None, "--tag", "-t", metavar="TAG",
                         help="Only scenarios with this tag (repeat: any of the tags).")
ScenarioOverlay = typer.Option(None, "--overlay", metavar="OVERLAY",
                               help="A force overlay applied to the edition it is pinned to "
                               "(scenarios use no overlay unless this is given).")


def _cache(overlay: Path | None) -> RuleSets:
    """Rule sets for this run; with --overlay, its edition is found with the overlay applied."""
    if overlay is None:
        return RuleSets()
    from sexting_triage.cli.common import rules_for

    return RuleSets(preloaded=[rules_for(None, overlay)])


def _load(paths: list[Path], refs: list[str] | None, tags: list[str] | None,
          cache: RuleSets) -> tuple[list[Scenario], list[RuleSet]]:
    given = given_rulesets(refs, cache)
    found = load_scenarios(paths, rulesets=cache, known_ids=[r.id for r in given])
    return select(found, tags), given


@scenarios_app.command("check")
def check_command(
    paths: list[Path] | None = PathsArg,
    rules: list[str] | None = RulesMany,
    junit: Path | None = typer.Option(None, "--junit", metavar="FILE",
                                      help="Also write the results as JUnit XML (a report "
                                      "the tool regenerates: an existing one is replaced)."),
    json_out: bool = JsonOption,
    strict: bool = typer.Option(False, "--strict", help="Answers the rule set does not ask "
                                "fail the scenario instead of being warnings."),
    tags: list[str] | None = TagOption,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Leave out the table: only "
                               "failures and the summary."),
    overlay: Path | None = ScenarioOverlay,
    no_color: bool = NoColorOption,
) -> None:
    """Run every scenario and compare with its expected pathway, flags and reasons.

    Exit 0 when all pass, 1 when any fails, 2 for invalid files. A scenario whose expect has
    no block for a rule set is reported as not checked (it neither passes nor fails)."""
    from sexting_triage.scenarios.check import unchecked_editions

    if junit is not None:
        from sexting_triage import files

        files.check_output_paths({"--junit": junit})
    results = run_checks(paths_or_library(paths), rules, strict, tags, _cache(overlay))
    for r in results:
        for w in r.warnings:
            warn(w)
    for rs_id in unchecked_editions(results):
        warn(f"no scenario states what {rs_id} should give, so none was checked against "
             f"it: add a `{rs_id}:` block under `expect` (see docs/trainers.md)")
    if junit is not None:
        from sexting_triage import files
        from sexting_triage.render.junit import junit_xml

        with writing(junit):
            files.create_exclusive(junit, junit_xml(results).encode("utf-8"), force=True)
    counts = summary(results)
    if json_out:
        from sexting_triage.serialize import dumps, scenario_check_doc

        print(dumps(scenario_check_doc(results, counts)))
    else:
        from sexting_triage.render.scenarios import check_table
        from sexting_triage.render.terminal import console

        check_table(console(no_color=no_color), results, counts, quiet)
    if counts["failed"]:
        raise typer.Exit(EXIT_FINDINGS)


# ----------------------------------------------------------------------------- walkthrough


class Format(StrEnum):
    text = "text"
    markdown = "markdown"


def replays(scenarios: list[Scenario], ref: str | None, cache: RuleSets) -> list[Replay]:
    """Each scenario decided and replayed under its edition; a warning for every edition that
    is not the current one, and for every answer the edition does not use."""
    from sexting_triage.scenarios.walkthrough import edition, prepare

    out: list[Replay] = []
    warned: set[str] = set()
    for s in scenarios:
        rs = edition(s, ref, cache)
        if rs.id not in warned:
            warned.add(rs.id)
            warn_if_not_current(rs)
        rp = prepare(s, rs)
        for w in rp.warnings:
            warn(w)
        out.append(rp)
    return out


def write_handout(doc: str, output: Path | None, force: bool) -> None:
    if output is None:
        sys.stdout.write(doc)
        return
    from sexting_triage import files

    with writing(output):
        files.create_exclusive(output, doc.encode("utf-8"), force=force)
    print(f"handout written to {output}", file=sys.stderr)


@scenarios_app.command("walkthrough")
def walkthrough_command(
    files: list[Path] = FilesArg,
    rules: str | None = RulesOne,
    pause: bool = typer.Option(False, "--pause", help="Wait for Enter between steps "
                               "(classroom pace)."),
    quiz: bool = typer.Option(False, "--quiz", help="Ask the trainee for the pathway and "
                              "flags before revealing them (as `scenarios quiz`)."),
    fmt: Format = typer.Option(Format.text, "--format", "-f",
                               help="text for the screen, markdown for a printable handout."),
    output: Path | None = typer.Option(None, "--output", "-o", metavar="FILE",
                                       help="Write the handout to FILE (a new file) instead "
                                       "of stdout."),
    force: bool = typer.Option(False, "--force", help="Replace an existing --output file."),
    tags: list[str] | None = TagOption,
    no_notes: bool = typer.Option(False, "--no-notes", help="Leave out the trainer notes "
                                  "(a handout for trainees)."),
    shuffle: bool = typer.Option(False, "--shuffle", help="Quiz: ask the cases in a random "
                                 "order."),
    seed: int | None = typer.Option(None, "--seed", metavar="N",
                                    help="Quiz: with --shuffle, the same order every time."),
    overlay: Path | None = ScenarioOverlay,
    no_color: bool = NoColorOption,
) -> None:
    """Replay a case step by step: the story, each question with its help, the scripted
    answer, the trainer's note, what becomes certain with each answer, then the result."""
    if output is not None:
        from sexting_triage import files as output_files

        output_files.check_output_paths({"--output": output})
    cache = _cache(overlay)
    scenarios, _ = _load(files, [rules] if rules else None, tags, cache)
    if no_notes:
        scenarios = [replace(s, notes={}) for s in scenarios]
    if (shuffle or seed is not None) and not quiz:
        raise UsageError("--shuffle and --seed are for --quiz")
    if quiz:
        from sexting_triage.cli.scenarios_quiz import run_quiz

        if pause:
            raise UsageError("--pause is for a walkthrough, not a --quiz")
        if shuffle:
            import random

            random.Random(seed).shuffle(scenarios)
        if fmt is Format.markdown:
            from sexting_triage.render.walkthrough import quiz_markdown

            write_handout(quiz_markdown(replays(scenarios, rules, cache)), output, force)
            return
        if output is not None:
            raise UsageError("--output is for --format markdown")
        raise typer.Exit(run_quiz(replays(scenarios, rules, cache), no_color))
    from sexting_triage.render import walkthrough as render

    if fmt is Format.markdown:
        handouts = [render.markdown(rp) for rp in replays(scenarios, rules, cache)]
        write_handout("\n---\n\n".join(handouts), output, force)
        return
    if output is not None:
        raise UsageError("--output is for --format markdown")
    from sexting_triage.render.terminal import console, text

    con = console(no_color=no_color)
    pausing = pause
    for n, rp in enumerate(replays(scenarios, rules, cache)):
        if n:
            con.print(text("=" * 60, "dim"))
        for i, _ in enumerate(render.iter_text(con, rp)):
            if pausing and i:
                pausing = _wait()
        render.text_result(con, rp)


def _wait() -> bool:
    """Wait for Enter; False once input has ended (the rest runs without pausing)."""
    print("-- press Enter for the next step --", file=sys.stderr, flush=True)
    try:
        input()
    except (EOFError, OSError):
        return False
    return True


@scenarios_app.command("quiz")
def quiz_command(
    files: list[Path] = FilesArg,
    rules: str | None = RulesOne,
    fmt: Format = typer.Option(Format.text, "--format", "-f",
                               help="text to ask on the screen, markdown for a printable quiz "
                               "with an answer key."),
    output: Path | None = typer.Option(None, "--output", "-o", metavar="FILE",
                                       help="Write the printable quiz to FILE (a new file)."),
    force: bool = typer.Option(False, "--force", help="Replace an existing --output file."),
    tags: list[str] | None = TagOption,
    shuffle: bool = typer.Option(False, "--shuffle", help="Ask the cases in a random order."),
    seed: int | None = typer.Option(None, "--seed", metavar="N",
                                    help="With --shuffle, the same order every time."),
    overlay: Path | None = ScenarioOverlay,
    no_color: bool = NoColorOption,
) -> None:
    """Quiz trainees: each case's story and facts, then which pathway and which flags; the
    answer is revealed with a trainer's explanation and the session is scored."""
    walkthrough_command(files, rules, False, True, fmt, output, force, tags, True, shuffle,
                        seed, overlay, no_color)


# ----------------------------------------------------------------------------- coverage


@scenarios_app.command("coverage")
def coverage_command(
    paths: list[Path] | None = PathsArg,
    rules: list[str] | None = typer.Option(
        None, "--rules", "-r", metavar="ID|PATH",
        help="Measure against this rule set (repeat for several). Default: every rule set "
        "the scenarios are checked against."),
    tags: list[str] | None = TagOption,
    json_out: bool = JsonOption,
    no_color: bool = NoColorOption,
) -> None:
    """Which pathways, flags, rules, questions and answer values the scenarios exercise,
    against everything reachable in the rule set; lists what is never exercised."""
    from sexting_triage.scenarios.coverage import library_coverage

    cache = RuleSets()
    scenarios, given = _load(paths_or_library(paths), rules, tags, cache)
    reports = library_coverage(scenarios, given, cache)
    if json_out:
        from sexting_triage.serialize import dumps, scenario_coverage_doc

        print(dumps(scenario_coverage_doc(reports)))
        return
    from sexting_triage.render.scenarios import coverage_text
    from sexting_triage.render.terminal import console

    con = console(no_color=no_color)
    for c in reports:
        coverage_text(con, c)


@scenarios_app.command("list")
def list_command(
    tags: list[str] | None = TagOption,
    no_color: bool = NoColorOption,
) -> None:
    """The cases in the scenario library shipped with the tool: file, title and tags."""
    from sexting_triage.render.terminal import console, rows, text
    from sexting_triage.scenarios.library import library_dir, listing

    wanted = set(tags or ())
    entries = [e for e in listing() if not wanted or wanted & set(e.tags)]
    if not entries:
        raise UsageError(f"no case in the library has the tag {', '.join(sorted(wanted))}")
    con = console(no_color=no_color)
    con.print(text(f"SCENARIO LIBRARY ({len(entries)} cases) in {library_dir()}", "bold"))
    for e in entries:
        con.print(text(e.name, "bold"))
        rows(con, [("", text(e.title + (f"  [{', '.join(e.tags)}]" if e.tags else "")))],
             indent=4)
