"""`sexting-triage rules ...`: list, show, check, diff, graph and schema (policy staff).

A thin shell: each command resolves its rule sets, calls the core (analysis, diff, graph) and
hands the result to a writer in `render`. Text a stream cannot encode (a cp1252 console) falls
back to ASCII (`render.encoding`); JSON then uses `\\uXXXX` escapes, so it decodes to the
same data.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from sexting_triage import loader
from sexting_triage.cli import rules_app
from sexting_triage.cli.common import (
    JsonOption,
    NoColorOption,
    OverlayOption,
    resolve_rules,
    rules_for,
)
from sexting_triage.ruleset import RuleSet

RULES_ARG_HELP = "A bundled rule-set id (see `sexting-triage rules list`) or a rule file."


def _examples(*lines: str) -> str:
    """An Examples block for a command's help ("\\b" keeps click from rewrapping it)."""
    return "\b\nExamples:\n" + "\n".join(f"  $ sexting-triage {line}" for line in lines)


def _streams(json_out: bool = False) -> None:
    """Characters stdout or stderr cannot encode fall back to ASCII instead of failing."""
    from sexting_triage.render.encoding import use_fallback

    use_fallback(sys.stdout, json=json_out)
    use_fallback(sys.stderr)


def _is_overlay(ref: str) -> bool:
    """Whether a RULES argument names a force overlay file rather than a rule set (a bundled
    id never does: the overlay package is imported only for an overlay)."""
    return (ref not in loader.bundled_paths() and Path(ref).is_file()
            and loader.is_overlay_file(ref))


def warn_if_not_current(rs: RuleSet) -> None:
    """A warning on stderr when the rule set is superseded or a draft, naming the current
    edition (the bundled default)."""
    if rs.status == "current":
        return
    from sexting_triage.cli import warn
    from sexting_triage.errors import TriageError

    try:
        cur = loader.resolve(loader.default_id())
    except TriageError:
        where = "no current bundled edition was found"
    else:
        where = (f"the current edition is {cur.id} {cur.version} ({cur.title}): "
                 f"`sexting-triage rules show {cur.id}`")
    kind = {"superseded": "superseded", "draft": "a draft"}.get(rs.status, rs.status)
    warn(f"rule set {rs.id} {rs.version} is {kind}; {where}.")


@rules_app.command("list", epilog=_examples("rules list", "rules list --json"))
def list_command(json_out: bool = JsonOption, no_color: bool = NoColorOption) -> None:
    """The bundled rule sets: id, version, title, status and the guidance they encode."""
    _streams(json_out)
    sets = loader.bundled_rulesets()
    default = loader.default_id() if sets else None
    if json_out:
        from sexting_triage.render.jsonout import dumps
        from sexting_triage.serialize import rulesets_doc

        print(dumps(rulesets_doc(sets, default)))
        return
    from sexting_triage.render.rulesout import list_text
    from sexting_triage.render.terminal import console

    list_text(console(no_color=no_color), sets, default)


@rules_app.command("show", epilog=_examples(
    "rules show cop-2024", "rules show cop-2016 --json", "rules show my-rules.yaml",
    "rules show cop-2024 --overlay force-overlay.yaml"))
def show_command(ruleset: str = typer.Argument(..., metavar="RULES", help=RULES_ARG_HELP),
                 overlay: Path | None = OverlayOption,
                 json_out: bool = JsonOption, no_color: bool = NoColorOption) -> None:
    """Questions (ids, texts, answer domains, ask_when), rules and pathways of a rule set,
    with the force overlay's additions when one is given or configured. A superseded or
    draft rule set is shown with a warning naming the current edition."""
    _streams(json_out)
    rs = rules_for(ruleset, overlay)
    warn_if_not_current(rs)
    if json_out:
        from sexting_triage.render.jsonout import dumps
        from sexting_triage.serialize import ruleset_summary_doc

        print(dumps(ruleset_summary_doc(rs)))
        return
    from sexting_triage.render.rulesout import show_text
    from sexting_triage.render.terminal import console

    show_text(console(no_color=no_color), rs)


# ------------------------------------------------------------- check, diff, graph, schema


@rules_app.command("check", epilog=_examples(
    "rules check cop-2024", "rules check my-rules.yaml --json",
    "rules check cop-2024 --overlay force-overlay.yaml"))
def check_command(ruleset: str = typer.Argument(..., metavar="RULES", help=RULES_ARG_HELP),
                  overlay: Path | None = OverlayOption,
                  json_out: bool = JsonOption, no_color: bool = NoColorOption) -> None:
    """Exact analysis over every reachable situation: gaps, unreachable questions, answers,
    rules and pathways, questions that never matter, uncited sources, and the rule set's
    declared invariants proved (or a counterexample). A monotone invariant compares each
    situation with every situation that differs in that answer, keeps every other answer
    both ask, and lets newly asked questions take any answer (docs/policy-staff.md). RULES
    may also be a force overlay file: its add-only proof against its pinned edition is shown
    instead (exit 1 with a counterexample).
    Exit 0 clean, 1 errors or a failing invariant."""
    from sexting_triage.analysis import check

    if overlay is None and _is_overlay(ruleset):
        raise typer.Exit(overlay_commands.check_overlay_command(ruleset, None, json_out))
    _streams(json_out)
    rs = rules_for(ruleset, overlay)
    report = check(rs)
    if json_out:
        from sexting_triage.render.checkout import check_dict
        from sexting_triage.render.jsonout import dumps

        print(dumps(check_dict(rs, report)))
    else:
        from sexting_triage.render.checkout import check_text
        from sexting_triage.render.terminal import console

        check_text(console(no_color=no_color), rs, report)
    if not report.clean:
        raise typer.Exit(1)


@rules_app.command("schema", epilog=_examples("rules schema > ruleset.schema.json"))
def schema_command() -> None:
    """Print the JSON Schema of the rule-set format (committed as schema/ruleset.schema.json;
    the bundled rule files point editors at it)."""
    from sexting_triage.render.jsonout import dumps
    from sexting_triage.serialize import ruleset_file_schema

    _streams(json_out=True)
    print(dumps(ruleset_file_schema()))


@rules_app.command("diff", epilog=_examples(
    "rules diff cop-2016 cop-2024",
    "rules diff cop-2016 cop-2024 --format markdown > change-note.md",
    "rules diff cop-2016 cop-2024 --scenarios scenarios/",
    "rules diff cop-2016 cop-2024 --scenarios one.yaml two.yaml --json",
    "rules diff cop-2024 force-overlay.yaml --format markdown"))
def diff_command(
    old: str = typer.Argument(..., metavar="OLD",
                              help="The earlier rule set (a bundled id or a rule file)."),
    new: str = typer.Argument(..., metavar="NEW",
                              help="The later rule set (a bundled id or a rule file)."),
    more: list[str] | None = typer.Argument(None, hidden=True, metavar="[FILE]..."),
    scenarios: list[str] = typer.Option(
        [], "--scenarios", metavar="FILE...",
        help="Scenario files or folders to decide with both editions: several after one "
        "--scenarios (a shell glob works), or repeat the option."),
    overlay: Path | None = typer.Option(
        None, "--overlay", metavar="OVERLAY",
        help="A force overlay applied to NEW only (e.g. NEW the same edition as OLD: what "
        "the overlay adds). A diff applies no configured overlay: it compares exactly the "
        "rule sets named."),
    fmt: str = typer.Option("text", "--format", metavar="FORMAT",
                            help="text, markdown (a change note ready for sign-off) or json."),
    json_out: bool = JsonOption,
    no_color: bool = NoColorOption,
) -> None:
    """What changes from OLD to NEW: structure (metadata, sources, questions, rules, actions,
    pathways, flags, recording, changelog), with the old and new words of everything
    reworded, and exact behaviour (how many situations change pathway or flags, with an
    exact `when` condition, an example and the rules responsible), and scenario impact.
    NEW may be a force overlay file: then the sign-off note of what it adds to OLD, with
    its add-only proof. Exit 0 identical, 1 differences, 2 invalid input."""
    from sexting_triage.diff import diff
    from sexting_triage.errors import UsageError

    if json_out:
        fmt = "json"
    if fmt not in ("text", "markdown", "json"):
        raise UsageError(f"unknown --format `{fmt}` (text, markdown or json)")
    if more and not scenarios:
        raise UsageError(f"unexpected extra argument `{more[0]}`: rules diff takes two rule "
                         "sets; give scenario files after --scenarios")
    if overlay is None and _is_overlay(new):
        if scenarios or more:
            raise UsageError("--scenarios needs two rule sets: for an overlay, use `rules diff "
                             f"{old} {old} --overlay {new} --scenarios ...`")
        raise typer.Exit(overlay_commands.diff_overlay_command(
            old, new, fmt))
    _streams(fmt == "json")
    rs_old = resolve_rules(old)
    rs_new = rules_for(new, overlay) if overlay is not None else resolve_rules(new)
    report = diff(rs_old, rs_new, [*scenarios, *(more or [])])
    if fmt == "json":
        from sexting_triage.render.jsonout import dumps
        from sexting_triage.serialize import diff_doc

        print(dumps(diff_doc(report)))
    elif fmt == "markdown":
        from sexting_triage.render.diffout import diff_markdown

        print(diff_markdown(report))
    else:
        from sexting_triage.render.diffout import diff_text
        from sexting_triage.render.terminal import console

        diff_text(console(no_color=no_color), report)
    if not report.identical:
        raise typer.Exit(1)


@rules_app.command("graph", epilog=_examples(
    "rules graph cop-2024", "rules graph cop-2016 --format dot > cop-2016.dot",
    "rules graph cop-2024 --overlay force-overlay.yaml"))
def graph_command(
    ruleset: str = typer.Argument(..., metavar="RULES", help=RULES_ARG_HELP),
    overlay: Path | None = OverlayOption,
    fmt: str = typer.Option("mermaid", "--format", metavar="FORMAT",
                            help="mermaid or dot (Graphviz)."),
) -> None:
    """The questionnaire and its outcomes as a flowchart (Mermaid or Graphviz DOT). Text from
    the rule file is escaped: it can never become a directive, a link or markup."""
    from sexting_triage.errors import UsageError
    from sexting_triage.graph import chart
    from sexting_triage.render.graph import dot, mermaid

    if fmt not in ("mermaid", "dot"):
        raise UsageError(f"unknown --format `{fmt}` (mermaid or dot)")
    _streams()
    c = chart(rules_for(ruleset, overlay))
    print(mermaid(c) if fmt == "mermaid" else dot(c), end="")


# `rules rebase`, and the overlay halves of `rules check` and `rules diff` (registered after
# the commands above, so they are listed after them)
from sexting_triage.cli import overlay as overlay_commands  # noqa: E402
