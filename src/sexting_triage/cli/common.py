"""Options and helpers shared by the command modules."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from sexting_triage import loader
from sexting_triage.errors import UsageError
from sexting_triage.ruleset import RuleSet

if TYPE_CHECKING:
    from sexting_triage.engine import Decision

RULES_HELP = "A bundled rule-set id (see `sexting-triage rules list`) or a path to a rule file."
RulesOption = typer.Option(None, "--rules", "-r", help=RULES_HELP, metavar="ID|PATH")
JsonOption = typer.Option(False, "--json", help="Print one JSON document to stdout.")
NoColorOption = typer.Option(False, "--no-color", help="No colour (also: NO_COLOR=1).")


def resolve_rules(ref: str | None, relative_to: Path | None = None) -> RuleSet:
    """A bundled id or a path; a relative path in a file is read relative to that file."""
    if (ref is not None and relative_to is not None and ref not in loader.bundled_paths()
            and not os.path.isabs(ref)):
        candidate = relative_to.parent / ref
        if candidate.exists():
            ref = str(candidate)
    return loader.resolve(ref)


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """Turn a failure to write an output file into a plain usage error naming the file."""
    try:
        yield
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


def save_scenario_file(path: Path, decision: Decision) -> None:
    """`--save-scenario` on run and triage: the answers and decision as a trainer scenario."""
    from sexting_triage.scenarios.save import save_scenario

    with writing(path):
        save_scenario(path, decision)
    print(f"scenario saved to {path}", file=sys.stderr)


# ----------------------------------------------------------------------------- force overlays

OVERLAY_HELP = ("A force overlay file (local contacts and actions on a national edition); "
                "`none` for none. Default: $SEXTING_TRIAGE_OVERLAY, else sexting-triage.toml "
                "in the config folder (docs/overlays.md).")
OverlayOption = typer.Option(None, "--overlay", metavar="OVERLAY", help=OVERLAY_HELP)


def rules_for(ref: str | None, overlay: Path | None, relative_to: Path | None = None
              ) -> RuleSet:
    """The base rule set as `resolve_rules` gives it, with the force overlay (given, or else
    from $SEXTING_TRIAGE_OVERLAY or the config file) applied; `--overlay none` turns it off.
    With no `ref`, the base is the overlay's pinned edition. An overlay pinned to another
    sha256 of the base is refused (exit 2) with what to re-check."""
    from sexting_triage.config import overlay_choice

    choice = overlay_choice(overlay)
    if choice.path is None:
        # no overlay given or configured: the overlay package (pydantic models, the proof)
        # is not imported at all, which keeps `run` and the first question quick
        return resolve_rules(ref, relative_to)
    from sexting_triage.cli import warn
    from sexting_triage.overlay.merge import resolve_with_overlay

    return resolve_with_overlay(ref, overlay,
                                lambda r: resolve_rules(r, relative_to), warn, choice)


# ----------------------------------------------------------------------------- signed records

SignKeyOption = typer.Option(
    None, "--sign-key", metavar="FILE",
    help="Sign the decision record with this Ed25519 private key (PEM; needs "
    "`pip install 'sexting-triage[sign]'`); `record verify --public-key` checks it.")


def signing_key(path: Path | None, record: Path | None) -> bytes | None:
    """The signing key's bytes, read and checked before any question is asked, so a bad key
    never costs an officer a finished triage."""
    if path is None:
        return None
    if record is None:
        raise UsageError("--sign-key signs the decision record: give --record FILE as well")
    from sexting_triage import signing

    key = signing.read_key(path, "signing key")
    signing.check_signing_key(key)
    return key
