"""`sexting-triage scenarios check|walkthrough|coverage`: trainers' scripted cases.

`check` must stay fast and free of questionary/prompt_toolkit: each rule set is loaded once
per run, and the quiz reads answers with plain input() so it can be piped.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from sexting_triage.cli import EXIT_CODES_HELP, app, warn
from sexting_triage.cli.common import JsonOption, NoColorOption, writing
from sexting_triage.errors import (
    EXIT_FINDINGS,
    EXIT_NOT_INTERACTIVE,
    InputError,
    Problem,
    UsageError,
)
from sexting_triage.ruleset import RuleSet
from sexting_triage.scenario import (
    RuleSets,
    Scenario,
    ScenarioResult,
    check_scenario,
    load_scenarios,
)

scenarios_app = typer.Typer(
    help="Trainers' scenario files: check expected outcomes, replay a case step by step for a "
    "class, quiz trainees, and show which parts of the guidance the material covers.",
    no_args_is_help=True, epilog=EXIT_CODES_HELP)
app.add_typer(scenarios_app, name="scenarios")

CHECK_SCHEMA = "sexting-triage/scenario-check/1"
COVERAGE_SCHEMA = "sexting-triage/scenario-coverage/1"

PathsArg = typer.Argument(None, help="Scenario files or folders (searched recursively for "
                          "*.yaml and *.yml). Default: the scenario library shipped with the "
                          "tool.", show_default=False, metavar="[PATH]...")


def _paths(paths: list[Path] | None) -> list[Path]:
    """The paths given, or the shipped library (also inside an installed wheel)."""
    if paths:
        return paths
    from sexting_triage.bundled import scenarios_dir

    return [scenarios_dir()]


RulesMany = typer.Option(None, "--rules", "-r", metavar="ID|PATH",
                         help="Check against this rule set (repeat for several). Default: the "
                         "one each scenario names, else every edition its expect is keyed by.")
TagOption = typer.Option(None, "--tag", "-t", metavar="TAG",
                         help="Only scenarios with this tag (repeat: any of the tags).")


def _select(scenarios: list[Scenario], tags: list[str] | None) -> list[Scenario]:
    """The scenarios carrying any of the tags (all of them when no tag is given)."""
    if not tags:
        return scenarios
    chosen = [s for s in scenarios if set(s.tags) & set(tags)]
    if not chosen:
        known = sorted({t for s in scenarios for t in s.tags})
        raise UsageError(f"no scenario has the tag {', '.join(tags)} (tags in these files: "
                         f"{', '.join(known) or 'none'})")
    return chosen


def _given(refs: list[str] | None, cache: RuleSets) -> list[RuleSet]:
    """The rule sets named with --rules, each once."""
    out: list[RuleSet] = []
    for ref in refs or []:
        rs = cache.get(ref)
        if rs.id not in {r.id for r in out}:
            out.append(rs)
    return out


def _targets(s: Scenario, given: list[RuleSet], cache: RuleSets) -> list[RuleSet]:
    """The rule sets to check a scenario against: --rules, else its own (see editions())."""
    if given:
        return given
    out = []
    for ref in s.editions():
        try:
            out.append(cache.get(ref, s.path))
        except UsageError as exc:
            loc = ("rules",) if s.rules else ("expect", ref) if ref else ("expect",)
            raise InputError([s.problem(loc, str(exc), key=not s.rules)]) from None
    return out


def run_checks(paths: list[Path], refs: list[str] | None, strict: bool,
               tags: list[str] | None = None) -> list[ScenarioResult]:
    """Every scenario against its rule sets; every invalid file reported at once."""
    cache = RuleSets()
    given = _given(refs, cache)
    scenarios = _select(load_scenarios(paths, rulesets=cache,
                                       known_ids=[r.id for r in given]), tags)
    results: list[ScenarioResult] = []
    problems: list[Problem] = []
    for s in scenarios:
        try:
            for rs in _targets(s, given, cache):
                results.append(check_scenario(s, rs, strict=strict))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return results


def _result_dict(r: ScenarioResult) -> dict[str, Any]:
    d = r.decision
    return {
        "scenario": r.scenario.name, "path": r.scenario.path, "index": r.scenario.index,
        "title": r.scenario.title, "tags": list(r.scenario.tags),
        "rules": r.ruleset.provenance(), "status": r.status,
        "failures": list(r.failures), "warnings": list(r.warnings),
        "expect": (e.as_dict() if (e := r.scenario.expectation_for(r.ruleset)) else None),
        "decision": None if d is None else {"pathway": d.pathway, "flags": list(d.flags),
                                            "fired": list(d.fired)},
    }


def _summary(results: list[ScenarioResult]) -> dict[str, int]:
    return {"scenarios": len({r.scenario.name for r in results}), "checks": len(results),
            "passed": sum(r.status == "passed" for r in results),
            "failed": sum(r.status == "failed" for r in results),
            "not_checked": sum(r.status == "not-checked" for r in results)}


@scenarios_app.command("check")
def check_command(
    paths: list[Path] | None = PathsArg,
    rules: list[str] | None = RulesMany,
    junit: Path | None = typer.Option(None, "--junit", metavar="FILE",
                                      help="Also write the results as JUnit XML."),
    json_out: bool = JsonOption,
    strict: bool = typer.Option(False, "--strict", help="Answers the rule set does not ask "
                                "fail the scenario instead of being warnings."),
    tags: list[str] | None = TagOption,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Leave out the table: only "
                               "failures and the summary."),
    no_color: bool = NoColorOption,
) -> None:
    """Run every scenario and compare with its expected pathway, flags and reasons.

    Exit 0 when all pass, 1 when any fails, 2 for invalid files. A scenario whose expect has
    no block for a rule set is reported as not checked (it neither passes nor fails)."""
    results = run_checks(_paths(paths), rules, strict, tags)
    for r in results:
        for w in r.warnings:
            warn(w)
    for rs_id in dict.fromkeys(r.ruleset.id for r in results):
        if all(r.status == "not-checked" for r in results if r.ruleset.id == rs_id):
            warn(f"no scenario states what {rs_id} should give, so none was checked against "
                 f"it: add a `{rs_id}:` block under `expect` (see docs/trainers.md)")
    if junit is not None:
        from sexting_triage.render.junit import junit_xml
        from sexting_triage.scenario import write_atomic

        with writing(junit):
            write_atomic(junit, junit_xml(results))
    summary = _summary(results)
    if json_out:
        from sexting_triage.render.jsonout import dumps

        print(dumps({"schema": CHECK_SCHEMA, "summary": summary,
                     "results": [_result_dict(r) for r in results]}))
    else:
        _check_table(results, summary, no_color, quiet)
    if summary["failed"]:
        raise typer.Exit(EXIT_FINDINGS)


def _check_table(results: list[ScenarioResult], summary: dict[str, int], no_color: bool,
                 quiet: bool = False) -> None:
    from sexting_triage.render.safe import clean
    from sexting_triage.render.terminal import console, rows, text

    con = console(no_color=no_color)
    style = {"passed": "green", "failed": "bold red", "not-checked": "yellow"}
    label = {"passed": "PASS", "failed": "FAIL", "not-checked": "NOT CHECKED"}
    # plain aligned lines rather than a table: long titles never wrap into the columns,
    # and a thousand rows print quickly
    w_status = max([6, *(len(label[r.status]) for r in results)])
    w_rules = max([5, *(len(r.ruleset.id) for r in results)])
    w_path = max([7, *(len(r.decision.pathway) if r.decision else 1 for r in results)])
    table = text(f"{'RESULT':<{w_status}}  {'RULES':<{w_rules}}  {'PATHWAY':<{w_path}}  "
                 "SCENARIO: TITLE", "bold")
    for r in results:  # one Text printed once: a thousand rows in a few milliseconds
        table.append("\n")
        table.append(f"{label[r.status]:<{w_status}}", style[r.status])
        table.append(clean(f"  {r.ruleset.id:<{w_rules}}  "
                           f"{(r.decision.pathway if r.decision else '-'):<{w_path}}  "
                           f"{r.scenario.name}: {r.scenario.title}"))
    if not quiet:
        con.print(table, soft_wrap=True)
    failed = [r for r in results if r.status == "failed"]
    if failed:
        if not quiet:
            con.print()
        for r in failed:
            con.print(text(f"FAIL {r.scenario.name} [{r.ruleset.id}]: ", "bold red")
                      + text(r.scenario.title, "bold"))
            rows(con, [("-", text(f)) for f in r.failures], indent=2)
    unchecked: dict[str, list[str]] = {}
    for r in results:
        if r.status == "not-checked":
            unchecked.setdefault(r.ruleset.id, []).append(r.scenario.name)
    if unchecked and (failed or not quiet):
        con.print()
    for rs_id, names in unchecked.items():
        listed = ": " + ", ".join(names) if len(names) <= 10 else ""
        con.print(text(f"NOT CHECKED against {rs_id} ({len(names)}, their expect has no "
                       f"block for {rs_id}){listed}", "yellow"))
    if failed or unchecked or not quiet:
        con.print()
    n, c = summary["scenarios"], summary["checks"]
    con.print(text(f"{summary['passed']} passed, {summary['failed']} failed, "
                   f"{summary['not_checked']} not checked ({n} scenario{'s' * (n != 1)}, "
                   f"{c} check{'s' * (c != 1)})", "bold"))


# ----------------------------------------------------------------------------- walkthrough


class Format(StrEnum):
    text = "text"
    markdown = "markdown"


def _edition(s: Scenario, ref: str | None, cache: RuleSets) -> RuleSet:
    """One rule set for a replay: --rules, else the scenario's, else its first keyed one."""
    if ref is not None:
        return cache.get(ref)
    return _targets(s, [], cache)[0]


def _decide(s: Scenario, rs: RuleSet) -> tuple[Any, list[str]]:
    """The decision for a replay, and the expectation failures (if it states one)."""
    d = check_scenario(s, rs)
    if d.decision is None:
        raise UsageError(f"{s.name}: cannot replay under {rs.id}: "
                         + "; ".join(d.failures or [w.removeprefix(f"{s.name}: ")
                                                    for w in d.warnings]))
    for w in d.warnings:
        warn(w)
    return d.decision, list(d.failures)


def _ask(prompt: str) -> str:
    """One line from the trainee (plain input(), so a class can pipe answers in)."""
    try:
        got = input(prompt)
    except (EOFError, OSError):  # input ended, or there is no readable input at all
        print()
        raise _InputEnded() from None
    if not sys.stdin.isatty():
        print(got)  # piped: echo, so the transcript reads like a session
    return got


class _InputEnded(Exception):
    pass


@scenarios_app.command("walkthrough")
def walkthrough_command(
    files: list[Path] = typer.Argument(..., help="Scenario files (several for a quiz).",
                                       show_default=False, metavar="FILE..."),
    rules: str | None = typer.Option(None, "--rules", "-r", metavar="ID|PATH",
                                     help="Replay under this rule set. Default: the one the "
                                     "scenario names, else the first edition its expect "
                                     "is keyed by."),
    pause: bool = typer.Option(False, "--pause", help="Wait for Enter between steps "
                               "(classroom pace)."),
    quiz: bool = typer.Option(False, "--quiz", help="Ask the trainee for the pathway and "
                              "flags before revealing them; score the session. With "
                              "--format markdown: a printable quiz with an answer key."),
    fmt: Format = typer.Option(Format.text, "--format", "-f",
                               help="text for the screen, markdown for a printable handout."),
    output: Path | None = typer.Option(None, "--output", "-o", metavar="FILE",
                                       help="Write the handout to FILE instead of stdout."),
    tags: list[str] | None = TagOption,
    no_notes: bool = typer.Option(False, "--no-notes", help="Leave out the trainer notes "
                                  "(a handout for trainees)."),
    shuffle: bool = typer.Option(False, "--shuffle", help="Quiz: ask the cases in a random "
                                 "order."),
    seed: int | None = typer.Option(None, "--seed", metavar="N",
                                    help="Quiz: with --shuffle, the same order every time."),
    no_color: bool = NoColorOption,
) -> None:
    """Replay a case step by step: the story, each question with its help, the scripted
    answer, the trainer's note, the rules that fire and the flags raised, then the result."""
    cache = RuleSets()
    given = [cache.get(rules)] if rules else []
    scenarios = _select(load_scenarios(files, rulesets=cache,
                                       known_ids=[r.id for r in given]), tags)
    if no_notes:
        scenarios = [replace(s, notes={}) for s in scenarios]
    if (shuffle or seed is not None) and not quiz:
        raise UsageError("--shuffle and --seed are for --quiz")
    if quiz:
        if pause:
            raise UsageError("--pause is for a walkthrough, not a --quiz")
        if shuffle:
            import random

            random.Random(seed).shuffle(scenarios)
        if fmt is Format.text:
            if output is not None:
                raise UsageError("--output is for --format markdown")
            raise typer.Exit(_quiz(scenarios, rules, cache, no_color))
    if fmt is Format.markdown:
        from sexting_triage.render.walkthrough import markdown, quiz_markdown

        decided = []
        for s in scenarios:
            rs = _edition(s, rules, cache)
            d, failures = _decide(s, rs)
            decided.append((s, d, rs, failures))
        if quiz:
            doc = quiz_markdown([(s, d) for s, d, _, _ in decided])
        else:
            doc = "\n---\n\n".join(markdown(s, d, s.expectation_for(rs), failures)
                                    for s, d, rs, failures in decided)
        if output is not None:
            from sexting_triage.scenario import write_atomic

            with writing(output):
                write_atomic(output, doc)
            print(f"handout written to {output}", file=sys.stderr)
        else:
            sys.stdout.write(doc)
        return
    if output is not None:
        raise UsageError("--output is for --format markdown")
    _walk_text(scenarios, rules, cache, pause, no_color)


def _walk_text(scenarios: list[Scenario], rules: str | None, cache: RuleSets, pause: bool,
               no_color: bool) -> None:
    from sexting_triage.render.terminal import console, text
    from sexting_triage.render.walkthrough import iter_text, text_result

    con = console(no_color=no_color)
    pausing = pause
    for n, s in enumerate(scenarios):
        rs = _edition(s, rules, cache)
        d, failures = _decide(s, rs)
        if n:
            con.print(text("=" * 60, "dim"))
        first = True
        for _ in iter_text(con, s, d):
            if pausing and not first:
                pausing = _wait()
            first = False
        text_result(con, s, d, s.expectation_for(rs), failures)


def _wait() -> bool:
    """Wait for Enter; False once input has ended (the rest runs without pausing)."""
    print("-- press Enter for the next step --", file=sys.stderr, flush=True)
    try:
        input()
    except (EOFError, OSError):
        return False
    return True


def _choose_pathway(rs: RuleSet) -> str:
    ids = list(rs.precedence)
    print("Which pathway do the rules recommend?")
    for i, pid in enumerate(ids, 1):
        print(f"  {i}) {rs.pathways[pid].title} [{pid}]")
    for _ in range(5):
        got = _ask(f"Your answer (1-{len(ids)}): ").strip()
        if got.isdigit() and 1 <= int(got) <= len(ids):
            return ids[int(got) - 1]
        if got in ids:
            return got
        print(f"  Please type a number from 1 to {len(ids)}.")
    raise _InputEnded()


def _choose_flags(rs: RuleSet) -> tuple[str, ...]:
    ids = list(rs.flags)
    if not ids:
        return ()
    print("Does any flag apply? Type the numbers that apply, separated by commas, "
          "or 0 for none.")
    print("  0) No flag applies")
    for i, fid in enumerate(ids, 1):
        print(f"  {i}) {rs.flags[fid].title} [{fid}]")
    for _ in range(5):
        got = _ask("Your answer: ").replace(" ", "")
        parts = [p for p in got.split(",") if p]
        if parts == ["0"] or got.lower() in ("none", "no"):
            return ()
        chosen = []
        ok = bool(parts)
        for p in parts:
            if p.isdigit() and 1 <= int(p) <= len(ids):
                chosen.append(ids[int(p) - 1])
            elif p in ids:
                chosen.append(p)
            else:
                ok = False
        if ok:
            return tuple(f for f in ids if f in chosen)
        print(f"  Please type numbers from 1 to {len(ids)} separated by commas, or 0.")
    raise _InputEnded()


def _quiz(scenarios: list[Scenario], rules: str | None, cache: RuleSets, no_color: bool
          ) -> int:
    """Ask, reveal, explain, score. Returns the exit code (3 if input ends early)."""
    from sexting_triage.render.terminal import console, rows, text
    from sexting_triage.scenario import explain_choice

    con = console(no_color=no_color)
    score = {"pathway": 0, "flags": 0}
    done = 0
    try:
        for n, s in enumerate(scenarios, 1):
            rs = _edition(s, rules, cache)
            d, _ = _decide(s, rs)
            con.print(text(f"CASE {n} of {len(scenarios)}: {s.title}", "bold underline"))
            rows(con, [("", text(s.story))])
            con.print(text("What the responder established:", "bold"))
            rows(con, [("-", text(f"{rs.question(q).text} {rs.question(q).label_of(v)}"))
                       for q, v in d.answers.items()])
            con.print()
            sys.stdout.flush()
            pathway = _choose_pathway(rs)
            flags = _choose_flags(rs)
            right_p = pathway == d.pathway
            right_f = set(flags) == set(d.flags)
            score["pathway"] += right_p
            score["flags"] += right_f
            done += 1
            p = rs.pathways[d.pathway]
            verdict = "Correct" if right_p and right_f else "Not quite"
            con.print(text(f"{verdict}. The rules recommend: {p.title} [{p.id}]",
                           "bold green" if right_p and right_f else "bold yellow"))
            con.print(text("Flags: " + (", ".join(d.flags) or "none")))
            why = [r for r in d.reasons if r.role == "pathway"]
            rows(con, [("-", text(f"{r.text} (rule {r.rule})")) for r in why])
            diff = explain_choice(d, pathway, flags)
            if diff:
                con.print(text("The difference:", "bold"))
                rows(con, [("-", text(line)) for line in diff])
            con.print()
            if n < len(scenarios) and sys.stdin.isatty():  # time to talk it through
                _ask("-- press Enter for the next case --")
    except _InputEnded:
        con.print(text(f"Input ended before the quiz finished ({done} of {len(scenarios)} "
                       "cases answered).", "bold"))
        _score(con, score, done)
        return EXIT_NOT_INTERACTIVE
    _score(con, score, done)
    return 0


def _score(con: Any, score: dict[str, int], done: int) -> None:
    from sexting_triage.render.terminal import text

    total = score["pathway"] + score["flags"]
    con.print(text(f"SCORE: {total} of {2 * done} (pathway {score['pathway']}/{done}, "
                   f"flags {score['flags']}/{done})", "bold"))


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
    from sexting_triage.scenario import coverage

    cache = RuleSets()
    given = _given(rules, cache)
    scenarios = _select(load_scenarios(_paths(paths), rulesets=cache,
                                       known_ids=[r.id for r in given]), tags)
    by_rs: dict[str, tuple[RuleSet, list[Any], int]] = {}
    for rs in given:
        by_rs[rs.id] = (rs, [], 0)
    for s in scenarios:
        for rs in _targets(s, given, cache):
            entry = by_rs.setdefault(rs.id, (rs, [], 0))
            r = check_scenario(s, rs)
            if r.decision is not None:
                entry[1].append(r.decision)
            by_rs[rs.id] = (entry[0], entry[1], entry[2] + 1)
    reports = [coverage(rs, ds, n) for rs, ds, n in by_rs.values()]
    if json_out:
        from sexting_triage.render.jsonout import dumps

        print(dumps({"schema": COVERAGE_SCHEMA, "coverage": [_cov_dict(c) for c in reports]}))
        return
    from sexting_triage.render.terminal import console

    con = console(no_color=no_color)
    for c in reports:
        _cov_text(con, c)


def _cov_dict(c: Any) -> dict[str, Any]:
    return {"rules": c.ruleset.provenance(), "scenarios": c.scenarios, "decided": c.decided,
            "counts": {k: {"exercised": a, "reachable": b} for k, (a, b) in c.counts().items()},
            "exercised": {"pathways": c.pathways, "flags": c.flags, "rules": c.rules,
                          "questions": c.questions, "values": c.values},
            "never_exercised": c.missing()}


def _cov_text(con: Any, c: Any) -> None:
    from sexting_triage.render.terminal import rows, text

    rs = c.ruleset
    con.print(text(f"COVERAGE of {rs.id} {rs.version} by {c.scenarios} scenarios", "bold"))
    if c.decided < c.scenarios:
        con.print(text(f"({c.scenarios - c.decided} scenario(s) could not be decided under "
                       f"{rs.id}: their answers are incomplete for it)", "yellow"))
    for kind, (got, total) in c.counts().items():
        pct = 100 * got // total if total else 100
        con.print(text(f"  {kind:<10} {got:>3} of {total:<3} reachable exercised ({pct}%)"))
    miss = c.missing()
    con.print()
    if not any(miss.values()):
        con.print(text("Every reachable pathway, flag, rule, question and answer value is "
                       "exercised.", "bold green"))
    else:
        con.print(text("NEVER EXERCISED", "bold underline"))
        for kind, items in miss.items():
            if items:
                rows(con, [(f"{kind}:", text(", ".join(items)))])
    con.print()
