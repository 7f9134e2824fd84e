"""`scenarios check` and `scenarios coverage` on the terminal. Data in, text out; every text
from a file passes through `text` or `clean`, so it cannot act on the terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from sexting_triage.scenarios.check import ScenarioResult
    from sexting_triage.scenarios.coverage import Coverage

_STYLE = {"passed": "green", "failed": "bold red", "not-checked": "yellow"}
_LABEL = {"passed": "PASS", "failed": "FAIL", "not-checked": "NOT CHECKED"}


def check_table(con: Console, results: list[ScenarioResult], summary: dict[str, int],
                quiet: bool = False) -> None:
    """One line per check, then every failure with its sentences, what was not checked, and
    the summary line."""
    from sexting_triage.render.safe import clean
    from sexting_triage.render.terminal import rows, text

    # plain aligned lines rather than a table: long titles never wrap into the columns,
    # and a thousand rows print quickly
    w_status = max([6, *(len(_LABEL[r.status]) for r in results)])
    w_rules = max([5, *(len(r.ruleset.id) for r in results)])
    w_path = max([7, *(len(r.decision.pathway) if r.decision else 1 for r in results)])
    table = text(f"{'RESULT':<{w_status}}  {'RULES':<{w_rules}}  {'PATHWAY':<{w_path}}  "
                 "SCENARIO: TITLE", "bold")
    for r in results:  # one Text printed once: a thousand rows in a few milliseconds
        table.append("\n")
        table.append(f"{_LABEL[r.status]:<{w_status}}", _STYLE[r.status])
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


def coverage_text(con: Console, c: Coverage) -> None:
    """Counts per kind against what is reachable, then everything never exercised."""
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
