"""`sexting-triage rules rebase`, and the overlay halves of `rules check` and `rules diff`
(policy staff of a force).

A thin shell over `sexting_triage.overlay` (the proof, the pin) and
`render.overlayout` (the text). `check_overlay_command` and `diff_overlay_command` are
called by `rules check` and `rules diff` when they are given an overlay file.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from sexting_triage.cli import rules_app
from sexting_triage.cli.common import JsonOption, resolve_rules


def _streams(json_out: bool = False) -> None:
    from sexting_triage.render.encoding import use_fallback

    use_fallback(sys.stdout, json=json_out)
    use_fallback(sys.stderr)


def _examples(*lines: str) -> str:
    return "\b\nExamples:\n" + "\n".join(f"  $ sexting-triage {line}" for line in lines)


def check_overlay_command(path: str, base: str | None = None, json_out: bool = False) -> int:
    """`rules check OVERLAY`: prove the overlay add-only on its pinned base (or `base`), and
    check its own questions and rules exactly (a local rule that never fires is an error).
    Returns 0 when the proof holds and the local parts are clean, 1 otherwise (with a
    counterexample); a pin that does not match is a usage error (exit 2) saying what to
    re-check."""
    from sexting_triage.overlay import check_overlay
    from sexting_triage.render.jsonout import dumps
    from sexting_triage.render.overlayout import proof_text

    _streams(json_out)
    proof = check_overlay(path, base, resolve_rules)
    print(dumps(proof.as_dict()) if json_out else proof_text(proof), end="" if not json_out
          else "\n")
    return 0 if proof.holds and not proof.local_errors else 1


def diff_overlay_command(base: str, path: str, fmt: str = "markdown") -> int:
    """`rules diff BASE OVERLAY`: the change note (markdown), the proof as text, or JSON.
    Returns 1 (the overlay adds something) or 0 (it adds nothing)."""
    from sexting_triage.errors import UsageError
    from sexting_triage.overlay import apply, load_overlay, prove
    from sexting_triage.render.jsonout import dumps
    from sexting_triage.render.overlayout import change_note, proof_text

    if fmt not in ("text", "markdown", "json"):
        raise UsageError(f"unknown --format `{fmt}` (text, markdown or json)")
    _streams(fmt == "json")
    rs = resolve_rules(base)
    proof = prove(rs, apply(rs, load_overlay(path)))
    if fmt == "json":
        print(dumps(proof.as_dict()))
    else:
        print(change_note(proof) if fmt == "markdown" else proof_text(proof), end="")
    return 1 if proof.changes or proof.structure else 0


@rules_app.command("rebase", epilog=_examples(
    "rules rebase force-overlay.yaml --onto cop-2024",
    "rules rebase force-overlay.yaml --onto new-edition.yaml --dry-run"))
def rebase_command(
    overlay: Path = typer.Argument(..., metavar="OVERLAY", help="The force's overlay file."),
    onto: str = typer.Option(..., "--onto", metavar="EDITION",
                             help="The new national edition: a bundled id or a rule file."),
    dry_run: bool = typer.Option(False, "--dry-run",
                                 help="Prove and report only; never rewrite the file."),
    json_out: bool = JsonOption,
) -> None:
    """Re-prove OVERLAY against a new national edition (no situation gets a lower pathway or
    loses a flag or an action) and, only when the proof holds, rewrite its pin (base id,
    version and sha256; every other byte of the file is kept). Reports every local question
    or action whose text the national edition now has itself. Exit 0 proved (pin updated
    or already current), 1 not add-only (file unchanged), 2 invalid input."""
    from sexting_triage.overlay import rebase
    from sexting_triage.render.jsonout import dumps
    from sexting_triage.render.overlayout import rebase_text
    from sexting_triage.serialize import OVERLAY_REBASE_SCHEMA

    _streams(json_out)
    result = rebase(overlay, resolve_rules(onto), write=not dry_run)
    if json_out:
        print(dumps({"schema": OVERLAY_REBASE_SCHEMA, "written": result.written,
                     "old_pin": result.old_pin,
                     "duplicates": [d.as_dict() for d in result.duplicates],
                     "proof": result.proof.as_dict()}))
    else:
        print(rebase_text(result, str(overlay)), end="")
    if not result.proof.holds:
        raise typer.Exit(1)

