"""`rules check` results as terminal text or JSON: data in, text out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sexting_triage.render.terminal import text

if TYPE_CHECKING:
    from rich.console import Console

    from sexting_triage.analysis import CheckReport
    from sexting_triage.ruleset import RuleSet

CHECK_SCHEMA = "sexting-triage/check/1"
CITATION_NOTE = ("every rule cites a source (the loader refuses a rule set with a rule "
                 "that has no citation)")


def answers_text(answers: dict[str, Any] | None) -> str:
    if not answers:
        return "(no answers)"
    return ", ".join(f"{k}={v}" for k, v in answers.items())


def check_dict(rs: RuleSet, report: CheckReport) -> dict[str, Any]:
    return {
        "schema": CHECK_SCHEMA,
        "rules": rs.provenance() | {"title": rs.title, "status": rs.status},
        "situations": report.situations,
        "outcomes": report.outcomes,
        "clean": report.clean,
        "errors": [f.as_dict() for f in report.errors],
        "warnings": [f.as_dict() for f in report.warnings],
        "citations": CITATION_NOTE,
        "invariants": [i.as_dict() for i in report.invariants],
    }


def check_text(con: Console, rs: RuleSet, report: CheckReport) -> None:
    con.print(text(f"rules check {rs.id} {rs.version}: {rs.title}", "bold"))
    con.print(text(f"Reachable situations: {report.situations:,} (every complete set of "
                   "answers the questionnaire can produce)"))
    for p in rs.precedence:
        n = report.outcomes.get(p, 0)
        con.print(text(f"  {p}: {n:,}", "dim"))
    if "(no pathway)" in report.outcomes:
        con.print(text(f"  (no pathway): {report.outcomes['(no pathway)']:,}", "bold red"))
    con.print()
    con.print(text(f"ERRORS: {len(report.errors)}", "bold red" if report.errors else "bold"))
    for f in report.errors:
        con.print(text(f"  error [{f.code}] {f.subject}: {f.message}"))
        if f.example is not None:
            con.print(text(f"    for example: {answers_text(f.example)}", "dim"))
    con.print(text(f"  Citations: {CITATION_NOTE}.", "dim"))
    con.print(text(f"WARNINGS: {len(report.warnings)}", "bold yellow" if report.warnings
                   else "bold"))
    for f in report.warnings:
        con.print(text(f"  warning [{f.code}] {f.subject}: {f.message}"))
    con.print(text(f"INVARIANTS: {len(report.invariants)}", "bold"))
    for i in report.invariants:
        mark = "holds" if i.holds else "FAILS"
        con.print(text(f"  {mark}: {i.id} ({i.kind}): {i.description}",
                       "" if i.holds else "bold red"))
        if not i.holds:
            if i.detail:
                con.print(text(f"    {i.detail}", "dim"))
            if i.counterexample is not None:
                label = "before" if i.counterexample_after is not None else "counterexample"
                con.print(text(f"    {label}: {answers_text(i.counterexample)}", "dim"))
            if i.counterexample_after is not None:
                con.print(text(f"    after: {answers_text(i.counterexample_after)}", "dim"))
    con.print()
    verdict = "clean" if report.clean else "problems found"
    con.print(text(f"Result: {verdict} ({len(report.errors)} error(s), "
                   f"{len(report.warnings)} warning(s), "
                   f"{sum(not i.holds for i in report.invariants)} failing invariant(s))",
                   "bold"))
