"""The Typer shell: parse options, call the core, render, map errors to exit codes.

One module per user group registers its commands on `app`. Errors are mapped to exit codes
in one place, `main`; nothing reaches the user as a traceback.
"""

from __future__ import annotations

import sys

import typer

from sexting_triage.errors import EXIT_INTERRUPTED, EXIT_INVALID, TriageError

EXIT_CODES_HELP = (
    "Exit codes: 0 ok; 1 findings (a scenario failed, a diff found changes, a check found "
    "problems, a record does not match); 2 usage or invalid input file; 3 input needed but "
    "not interactive; 130 interrupted (session saved)."
)

app = typer.Typer(
    name="sexting-triage",
    help="Decision support for police responses to youth-produced sexual imagery, from "
    "versioned rules that cite the College of Policing guidance. It recommends; officers "
    "decide: officer judgement, supervision and force policy come first.",
    epilog=EXIT_CODES_HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
rules_app = typer.Typer(help="List, show and check rule sets.", no_args_is_help=True,
                        epilog=EXIT_CODES_HELP)
app.add_typer(rules_app, name="rules")


COMMAND_MODULES = {"run": "run", "rules": "rules", "triage": "triage", "record": "record",
                   "scenarios": "scenarios"}


def _register(argv: list[str] | None = None) -> None:
    """Import the command modules: only the one named in argv when there is one, so each
    command pays only for its own imports (the CLI must start fast)."""
    names = list(COMMAND_MODULES.values())
    if argv:
        first = next((a for a in argv if not a.startswith("-")), None)
        if first in COMMAND_MODULES:
            names = [COMMAND_MODULES[first]]
    for name in names:
        try:
            __import__(f"sexting_triage.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"sexting_triage.cli.{name}":
                raise


def warn(message: str) -> None:
    """Narration and warnings go to stderr."""
    from sexting_triage.render.safe import clean

    print(f"warning: {clean(message)}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code (see EXIT_CODES_HELP)."""
    from typer import Abort, Exit

    try:
        from typer._click.exceptions import ClickException
    except ImportError:  # typer before it vendored click
        from click.exceptions import ClickException  # type: ignore[no-redef]

    args = sys.argv[1:] if argv is None else argv
    _register(args)
    try:
        result = app(args=args, prog_name="sexting-triage", standalone_mode=False)
    except TriageError as exc:
        from sexting_triage.render.safe import clean

        for line in exc.lines():
            print(f"error: {clean(line)}" if not _located(line) else clean(line),
                  file=sys.stderr)
        return exc.exit_code
    except Exit as exc:
        return exc.exit_code
    except ClickException as exc:
        exc.show()
        return EXIT_INVALID if exc.exit_code == 2 else exc.exit_code
    except (KeyboardInterrupt, Abort):
        print("\ninterrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return 0
    return result if isinstance(result, int) else 0


def _located(line: str) -> bool:
    head = line.split(" ", 1)[0]
    return head.count(":") >= 1 and head.endswith(":")
