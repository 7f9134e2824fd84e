"""Options and helpers shared by the command modules."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from sexting_triage import loader
from sexting_triage.ruleset import RuleSet

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
