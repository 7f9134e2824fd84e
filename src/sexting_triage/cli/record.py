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


PublicKeyOption = typer.Option(
    None, "--public-key", metavar="KEY",
    help="An Ed25519 public key (PEM): also check the record's signature. Without it the "
    "hashes show only that the record has not changed by accident.")


@record_app.command("verify")
def verify_command(file: Path = FileArg, rules: str | None = RulesOption,
                   public_key: Path | None = PublicKeyOption,
                   json_out: bool = JsonOption, no_color: bool = NoColorOption) -> None:
    """Recompute the record's hashes and decide its answers again: exit 0 if the content,
    the rule set, the answers and the decision (and, with --public-key, the signature) all
    match, 1 naming what differs."""
    from sexting_triage import records, signing
    from sexting_triage.render.safe import clean
    from sexting_triage.render.terminal import console, text

    rec = records.load(file)
    key = signing.read_key(public_key, "public key") if public_key is not None else None
    rs = records.rules_for(rec, rules)
    parts = records.verify(rec, rs, key)
    ok = all(p.ok for p in parts)
    signed = any(p.name == "signature" and p.ok for p in parts)
    proves = signing.PROVES_SIGNED if signed else signing.PROVES_UNSIGNED
    sig = rec.get("signature")
    if key is None and isinstance(sig, dict):
        proves += (f" This record is signed (key {clean(sig.get('key_id'))}), but the "
                   "signature was not checked: give --public-key KEY.")
    if json_out:
        from sexting_triage.serialize import RECORD_VERIFY_SCHEMA, dumps

        print(dumps({"schema": RECORD_VERIFY_SCHEMA, "record": str(file), "match": ok,
                     "rules": rs.provenance(), "signature_checked": key is not None,
                     "proves": proves,
                     "parts": [{"name": p.name, "ok": p.ok, "detail": p.detail}
                               for p in parts]}))
        if not ok:
            raise typer.Exit(EXIT_FINDINGS)
        return
    con = console(no_color=no_color)
    for p in parts:
        mark, style = ("ok", "green") if p.ok else ("DIFFERS", "bold red")
        con.print(text(f"{p.name:<11}", "bold") + text(f"{mark:<8}", style)
                  + text(clean(p.detail)))
    if ok:
        what = ("the signature is valid, " if signed else "the record matches its own hashes, ")
        con.print(text(f"MATCH: {what}and the rule set gives the same decision.", "bold"))
        con.print(text(proves))
        return
    differ = ", ".join(p.name for p in parts if not p.ok)
    con.print(text(f"MISMATCH: {differ} differ.", "bold red"))
    raise typer.Exit(EXIT_FINDINGS)


# (its examples here until the shared examples table lists `record sign`)
@record_app.command("sign", epilog="\b\nExamples:\n  $ sexting-triage record sign case.json "
                    "--sign-key ~/.ssh/records.pem --output case.signed.json")
def sign_command(file: Path = FileArg,
                 sign_key: Path = typer.Option(..., "--sign-key", metavar="KEY",
                                               help="An Ed25519 private key (PEM), "
                                               "unencrypted, readable only by you."),
                 output: Path = typer.Option(..., "--output", "-o", metavar="FILE",
                                             help="The signed record: a new file (0600); "
                                             "never replaces one.")) -> None:
    """Sign an intact decision record with an Ed25519 key (needs the `sign` extra). A
    record whose hashes no longer match is refused: sign only what was written."""
    import sys

    from sexting_triage import files, records, signing
    from sexting_triage.errors import UsageError

    files.check_output_paths({"FILE": file, "--output": output})
    rec = records.load(file)
    if not records.intact(rec):
        raise UsageError(f"{file}: the record does not match its own hashes (it was changed "
                         "after it was written): it is not signed")
    signed = records.sign(rec, signing.read_key(sign_key, "signing key"))
    files.create_exclusive(output, records.dumps(signed).encode("utf-8"))
    print(f"signed record written to {output}", file=sys.stderr)


@record_app.command("notes")
def notes_command(file: Path = FileArg,
                  fmt: str = typer.Option("markdown", "--format", "-f",
                                          help="markdown or html.", metavar="markdown|html"),
                  output: Path | None = typer.Option(
                      None, "--output", "-o", metavar="FILE",
                      help="Write the notes to FILE (created new, mode 0600; never "
                      "replaces a file) instead of stdout.")) -> None:
    """Case notes from a decision record alone, in National Decision Model order: the
    recommendation, the officer's decision, every reason with its source, the checklist and
    the provenance."""
    from sexting_triage import files, records
    from sexting_triage.errors import UsageError

    if fmt not in ("markdown", "md", "html"):
        raise UsageError(f"--format {fmt!r}: choose markdown or html")
    if output is not None:
        files.check_output_paths({"--output": output})
    import importlib

    try:  # render.notes (the case-notes writer) may not be in every build yet
        render_notes = importlib.import_module("sexting_triage.render.notes").render_notes
    except (ImportError, AttributeError):
        raise UsageError("case notes are not available in this version of the tool") from None
    rec = records.load(file)
    notes = str(render_notes(rec, "markdown" if fmt == "md" else fmt))
    if output is None:
        print(notes, end="" if notes.endswith("\n") else "\n")
        return
    files.create_exclusive(output, notes.encode("utf-8"))
    import sys

    print(f"case notes written to {output}", file=sys.stderr)


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
