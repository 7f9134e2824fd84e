"""`sexting-triage record ...`: check and show decision records (case notes, supervisors)."""

from __future__ import annotations

from pathlib import Path

import typer

from sexting_triage.cli import EXIT_CODES_HELP, app
from sexting_triage.cli.common import JsonOption, NoColorOption, RulesOption
from sexting_triage.errors import EXIT_FINDINGS

record_app = typer.Typer(help="Verify and show decision records written by `triage --record`.",
                         no_args_is_help=True, epilog=EXIT_CODES_HELP)
app.add_typer(record_app, name="record")

FileArg = typer.Argument(..., metavar="FILE", help="A decision record (JSON).",
                         show_default=False)


@record_app.command("verify")
def verify_command(file: Path = FileArg, rules: str | None = RulesOption,
                   json_out: bool = JsonOption, no_color: bool = NoColorOption) -> None:
    """Recompute the record's hash and decide its answers again: exit 0 if the content,
    the rule set, the answers and the decision all match, 1 naming what differs."""
    from sexting_triage import records
    from sexting_triage.render.terminal import console, text

    rec = records.load(file)
    rs = records.rules_for(rec, rules)
    parts = records.verify(rec, rs)
    if json_out:
        from sexting_triage.render.jsonout import dumps

        print(dumps({"schema": "sexting-triage/record-verify/1", "record": str(file),
                     "match": all(p.ok for p in parts), "rules": rs.provenance(),
                     "parts": [{"name": p.name, "ok": p.ok, "detail": p.detail}
                               for p in parts]}))
        if not all(p.ok for p in parts):
            raise typer.Exit(EXIT_FINDINGS)
        return
    con = console(no_color=no_color)
    for p in parts:
        mark, style = ("ok", "green") if p.ok else ("DIFFERS", "bold red")
        con.print(text(f"{p.name:<11}", "bold") + text(f"{mark:<8}", style) + text(p.detail))
    if all(p.ok for p in parts):
        con.print(text("MATCH: the record is intact and the rule set gives the same decision.",
                       "bold"))
        return
    differ = ", ".join(p.name for p in parts if not p.ok)
    con.print(text(f"MISMATCH: {differ} differ.", "bold red"))
    raise typer.Exit(EXIT_FINDINGS)


@record_app.command("show")
def show_command(file: Path = FileArg,
                 fmt: str = typer.Option("text", "--format", "-f",
                                         help="text, markdown or html.",
                                         metavar="text|markdown|html"),
                 no_color: bool = NoColorOption) -> None:
    """Render a decision record for case notes (answers, pathway, flags, reasons with their
    sources, actions, and whether the content still matches its hash)."""
    from sexting_triage import records
    from sexting_triage.errors import UsageError
    from sexting_triage.render import record as render

    if fmt not in ("text", "markdown", "md", "html"):
        raise UsageError(f"--format {fmt!r}: choose text, markdown or html")
    rec = records.load(file)
    intact = records.intact(rec)
    if fmt in ("markdown", "md"):
        print(render.markdown(rec, intact), end="")
    elif fmt == "html":
        print(render.html_doc(rec, intact), end="")
    else:
        from sexting_triage.render.terminal import console

        render.text(console(no_color=no_color), rec, intact)
