"""The Typer shell: parse options, call the core, render, map errors to exit codes.

Every command is declared here, statically (`COMMANDS`), with its one-line help and its
examples, so `--help`, shell completion and `CliRunner` see every command without importing
any command module. A command's module (one per user group: triage, run, record, scenarios,
rules) is imported only when that command runs or its own help is shown; heavy imports stay
inside the command bodies.

Errors are mapped to exit codes in one place, `main`; nothing reaches the user as a
traceback, including a full disk, a closed stream or a broken pipe on output.
"""

from __future__ import annotations

import errno
import gc
import os
import sys
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperGroup

from sexting_triage import __version__
from sexting_triage.errors import (
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    TriageError,
)

if TYPE_CHECKING:
    from sexting_triage.ruleset import RuleSet

EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: what the shell reports for cat, grep and the rest

EXIT_CODES_HELP = (
    "Exit codes: 0 ok; 1 findings (a scenario failed, a diff found changes, a check found "
    "problems, a record does not match); 2 usage or invalid input file, or the output could "
    "not be written (disk full, stream closed); 3 input needed but not interactive; 130 "
    "interrupted (session saved); 141 the reader of the output went away (broken pipe, no "
    "message)."
)

# name -> (module in sexting_triage.cli, one-line help). The single static declaration of
# the command tree's first level: listed in this order by --help and completion.
COMMANDS: dict[str, tuple[str, str]] = {
    "triage": ("triage", "Answer the questions one at a time and get the recommended "
                         "pathway, every reason with its source, and the checklist."),
    "run": ("run", "Decide from a YAML answers file, without questions."),
    "record": ("record", "Verify, show and turn decision records into case notes."),
    "scenarios": ("scenarios", "Check, walk through and quiz on scenario files (trainers)."),
    "rules": ("rules", "List, show, check, diff and graph rule sets (policy staff)."),
}

# Examples shown in each command's --help (added here so every command has them, in one
# style). Keys are command paths.
EXAMPLES: dict[str, tuple[str, ...]] = {
    "": ("sexting-triage triage", "sexting-triage run answers.yaml --json",
         "sexting-triage rules list", "sexting-triage --version"),
    "triage": ("sexting-triage triage",
               "sexting-triage triage --rules cop-2016 --record case.json "
               "--incident-ref CAD-1234/26",
               "sexting-triage triage --accessible",
               "sexting-triage triage --list-sessions",
               "sexting-triage triage --resume FILE"),
    "run": ("sexting-triage run answers.yaml",
            "sexting-triage run answers.yaml --json > decision.json",
            "sexting-triage run answers.yaml --record case.json --officer-decision agree"),
    "record": ("sexting-triage record verify case.json",
               "sexting-triage record show case.json --format markdown"),
    "record verify": ("sexting-triage record verify case.json",
                      "sexting-triage record verify case.json --json"),
    "record show": ("sexting-triage record show case.json",
                    "sexting-triage record show case.json --format html > case.html"),
    "record sign": ("sexting-triage record sign case.json --sign-key officer.pem "
                    "--output case.signed.json",),
    "record notes": ("sexting-triage record notes case.json --format markdown",
                     "sexting-triage record notes case.json --format html"),
    "scenarios": ("sexting-triage scenarios check scenarios/",
                  "sexting-triage scenarios walkthrough FILE"),
    "scenarios check": ("sexting-triage scenarios check scenarios/",
                        "sexting-triage scenarios check scenarios/ --json"),
    "scenarios walkthrough": ("sexting-triage scenarios walkthrough FILE",
                              "sexting-triage scenarios walkthrough FILE --rules cop-2016"),
    "scenarios coverage": ("sexting-triage scenarios coverage scenarios/",),
    "scenarios quiz": ("sexting-triage scenarios quiz FILE",),
    "scenarios list": ("sexting-triage scenarios list",),
    "rules": ("sexting-triage rules list", "sexting-triage rules check cop-2024"),
    "rules list": ("sexting-triage rules list", "sexting-triage rules list --json"),
    "rules show": ("sexting-triage rules show cop-2024",),
    "rules check": ("sexting-triage rules check cop-2024",
                    "sexting-triage rules check my-rules.yaml --json"),
    "rules schema": ("sexting-triage rules schema > ruleset.schema.json",),
    "rules diff": ("sexting-triage rules diff cop-2016 cop-2024",
                   "sexting-triage rules diff cop-2016 cop-2024 --format markdown"),
    "rules graph": ("sexting-triage rules graph cop-2024 --format mermaid",),
    "rules rebase": ("sexting-triage rules rebase OVERLAY",),
}


def examples_text(path: str, cmd: Any = None) -> str | None:
    lines = EXAMPLES.get(path)
    if not lines and cmd is not None and path:
        # a command added without examples here: at least its shape, from its arguments
        args = " ".join(str(p.metavar or p.name).upper().strip("{}") for p in
                        getattr(cmd, "params", ()) if getattr(p, "param_type_name", "")
                        == "argument")
        lines = (f"sexting-triage {path} {args}".rstrip(),)
    if not lines:
        return None
    # "\b" keeps click from rewrapping the block
    return "\b\nExamples:\n" + "\n".join(f"  $ {line}" for line in lines)


def _with_examples(cmd: Any, path: str) -> Any:
    """Add the Examples block to a built click command (and its subcommands), once."""
    ex = examples_text(path, cmd)
    epilog = cmd.epilog or ""
    if ex and "Examples:" not in epilog:
        cmd.epilog = f"{ex}\n\n{epilog}" if epilog else ex
    for name, sub in (getattr(cmd, "commands", None) or {}).items():
        _with_examples(sub, f"{path} {name}".strip())
    return cmd


class LazyGroup(TyperGroup):
    """The top-level group: knows every command from COMMANDS, imports a command's module
    only when that command is resolved."""

    _loaded: set[str]

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self._loaded = set()

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in COMMANDS:
            return None
        if cmd_name not in self._loaded:
            # built before its module registered its commands (or not at all): build it now
            _import_command_module(cmd_name)
            cmd = typer.main.get_group(app).commands.get(cmd_name)
            if cmd is None:
                return None
            self.commands[cmd_name] = _with_examples(cmd, cmd_name)
            self._loaded.add(cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """The command list from COMMANDS, without importing any command module."""
        limit = formatter.width - 6 - max(len(n) for n in COMMANDS)
        rows = [(name, _short(help_, limit)) for name, (_, help_) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def shell_complete(self, ctx: Any, incomplete: str) -> list[Any]:
        from typer._click.shell_completion import CompletionItem

        items = [CompletionItem(name, help=help_) for name, (_, help_) in COMMANDS.items()
                 if name.startswith(incomplete)]
        # options of the group itself (--help, --version, ...), as click would add them
        items += super(TyperGroup, self).shell_complete(ctx, incomplete)
        return items


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 3, 1)].rsplit(" ", 1)[0] + "..."


def _import_command_module(name: str) -> None:
    module = COMMANDS[name][0]
    try:
        __import__(f"sexting_triage.cli.{module}")
    except ModuleNotFoundError as exc:
        if exc.name != f"sexting_triage.cli.{module}":
            raise


def _version(value: bool) -> None:
    if value:
        print(f"sexting-triage {__version__}")
        raise typer.Exit(0)


app = typer.Typer(
    name="sexting-triage",
    cls=LazyGroup,
    help="Decision support for police responses to youth-produced sexual imagery, from "
    "versioned rules that cite the College of Policing guidance. It recommends; officers "
    "decide: officer judgement, supervision and force policy come first.",
    epilog=f"{examples_text('')}\n\n{EXIT_CODES_HELP}",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", "-V", is_eager=True, callback=_version,
                                 help="Print the tool's version and exit."),
) -> None:
    """Decision support for police responses to youth-produced sexual imagery, from
    versioned rules that cite the College of Policing guidance. It recommends; officers
    decide: officer judgement, supervision and force policy come first."""


rules_app = typer.Typer(help="List, show and check rule sets.", no_args_is_help=True,
                        epilog=EXIT_CODES_HELP)
app.add_typer(rules_app, name="rules")


# ----------------------------------------------------------------------------- messages


def warn(message: str) -> None:
    """Narration and warnings go to stderr."""
    from sexting_triage.render.safe import clean

    print(f"warning: {clean(message)}", file=sys.stderr)


def warn_if_not_current(rs: RuleSet) -> None:
    """A warning on stderr when a rule set is not the current edition (superseded or draft),
    naming the current one, so no officer follows an old edition without knowing. Every
    command that decides or shows a decision calls this."""
    if rs.status == "current":
        return
    current = _current_edition(rs)
    kind = {"superseded": "superseded", "draft": "a draft"}.get(rs.status, rs.status)
    where = (f"the current edition is {current}: use `--rules {current.split()[0]}`"
             if current else "no current bundled edition was found")
    warn(f"rule set {rs.id} {rs.version} is {kind}; {where}. Follow the current guidance "
         "and force policy.")


def _current_edition(rs: RuleSet) -> str | None:
    """The id and version of the current bundled rule set (the default)."""
    try:
        from sexting_triage import loader

        cur = loader.resolve(loader.default_id())
    except TriageError:
        return None
    if cur.id == rs.id and cur.version == rs.version:
        return None
    return f"{cur.id} {cur.version}"


# ----------------------------------------------------------------------------- streams

def ascii_fallback(text: str) -> str:
    """`text` in plain ASCII (arrows, quotes, ticks, dashes; accents dropped): the one
    fallback, from `render.encoding`."""
    from sexting_triage.render.encoding import ascii_fallback as fallback

    return fallback(text)


def setup_streams() -> str | None:
    """Prepare stdin, stdout and stderr before any command runs.

    - A closed stdin or stderr is replaced by /dev/null, so no file the tool opens can take
      its place (a session written where prompts would be read, or the reverse).
    - A closed stdout is an error: the result would have nowhere to go (returned message).
    - Output a stream cannot encode (a cp1252 or ASCII console) falls back to plain ASCII
      equivalents instead of failing."""
    for fd in (0, 2):
        if not _fd_open(fd):
            _occupy(fd)
            if fd == 0:
                sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115
            else:
                sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    if not _fd_open(1) or sys.stdout is None:
        _occupy(1)
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
        return "standard output is closed: there is nowhere to write the result"
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding not in ("utf8", "utf_8"):
            from sexting_triage.render.encoding import use_fallback

            use_fallback(stream)
    return None


def _fd_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def _occupy(fd: int) -> None:
    """Put /dev/null on a closed standard descriptor."""
    try:
        null = os.open(os.devnull, os.O_RDWR)
    except OSError:
        return
    if null != fd:
        os.dup2(null, fd)
        os.close(null)


def _silence_stdout() -> None:
    """After the reader has gone, point stdout at /dev/null so the interpreter's last flush
    at exit cannot fail again (which would print a second message)."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):
        pass


def _output_failed(exc: OSError) -> int:
    """A write to stdout failed (or, a defect, another OSError escaped a command): one line
    on stderr, none for a broken pipe."""
    _silence_stdout()
    if isinstance(exc, BrokenPipeError) or exc.errno == errno.EPIPE:
        return EXIT_BROKEN_PIPE
    why = exc.strerror or str(exc)
    what = "cannot write the output: " if _is_output_error(exc) else ""
    try:
        print(f"error: {what}{why}", file=sys.stderr)
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    return EXIT_INVALID


# ----------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code (see EXIT_CODES_HELP)."""
    # One short process that builds many small containers (the memos of an exhaustive check
    # or diff) and frees them by reference counting: they form no cycles worth collecting,
    # yet the default cycle collector walks every live container again and again as they
    # grow (about a tenth of `rules diff`). Collect far less often, as mypy's command line
    # does.
    gc.set_threshold(100_000, 50, 50)
    from typer import Abort, Exit
    from typer._click.exceptions import ClickException

    closed = setup_streams()
    if closed:
        print(f"error: {closed}", file=sys.stderr)
        return EXIT_INVALID
    args = sys.argv[1:] if argv is None else argv
    try:
        try:
            result = app(args=args, prog_name="sexting-triage", standalone_mode=False)
        except TriageError as exc:
            from sexting_triage.render.safe import clean

            sys.stdout.flush()
            for line in exc.lines():
                print(f"error: {clean(line)}" if not _located(line) else clean(line),
                      file=sys.stderr)
            return exc.exit_code
        except Exit as exc:
            sys.stdout.flush()
            return exc.exit_code
        except ClickException as exc:
            exc.show()
            return EXIT_INVALID if exc.exit_code == 2 else exc.exit_code
        except (KeyboardInterrupt, Abort):
            print("\ninterrupted", file=sys.stderr)
            return EXIT_INTERRUPTED
        except SystemExit as exc:
            # click turns a broken pipe into a silent exit 1; give it the documented code
            cause = exc.__context__
            if isinstance(cause, OSError) and cause.errno == errno.EPIPE:
                return _output_failed(cause)
            raise
        sys.stdout.flush()  # a full disk shows here, not at exit
    except OSError as exc:
        return _output_failed(exc)
    return result if isinstance(result, int) else 0


def _is_output_error(exc: OSError) -> bool:
    return isinstance(exc, BrokenPipeError) or exc.errno in (
        errno.EPIPE, errno.ENOSPC, errno.EIO, errno.EBADF, errno.EDQUOT, errno.EFBIG)


def _located(line: str) -> bool:
    head = line.split(" ", 1)[0]
    return head.count(":") >= 1 and head.endswith(":")


def _register() -> None:
    """Import every command module (for code that walks the whole built command tree)."""
    for name in COMMANDS:
        _import_command_module(name)
