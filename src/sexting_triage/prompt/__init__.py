"""The prompters: the only package that imports questionary or prompt_toolkit.

- `accessible`: plain numbered questions on plain lines (screen readers, braille displays,
  TERM=dumb, scripts); it also defines what every prompter returns (`Nav`, `ReviewItem`,
  `Prompter`), so the triage loop depends on neither library.
- `arrows`: arrow-key menus (questionary). questionary and prompt_toolkit are imported only
  when the first menu is needed, so every other command, and the start of a triage, stays fast;
  `first_menu` draws that first menu statically meanwhile (in a terminal), keys kept for it.

`terminal_stream` says where questions and menus go: they must reach the officer even when
stdout is redirected to a file (`triage > result.txt`), and only the result goes to stdout.
"""

from __future__ import annotations

import sys
from typing import IO

_tty: IO[str] | None = None


def _stream_is_tty(stream: IO[str] | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (ValueError, OSError):
        return False


def open_tty() -> IO[str] | None:
    """The controlling terminal, opened for writing once; None when there is none."""
    global _tty
    if _tty is None:
        try:
            _tty = open("/dev/tty", "w", encoding="utf-8", errors="replace")  # noqa: SIM115
        except OSError:
            return None
    return _tty


def terminal_stream() -> IO[str]:
    """Where questions, menus and narration go.

    stdout when it is a terminal (the usual case); when stdout is redirected and a person is
    typing at a terminal (stdin is one), the controlling terminal `/dev/tty`; otherwise
    (answers piped in by a script, or no terminal at all) stderr. Never stdout when stdout is
    not a terminal: there only the result goes."""
    if _stream_is_tty(sys.stdout):
        return sys.stdout
    if _stream_is_tty(sys.stdin):
        tty = open_tty()
        if tty is not None:
            return tty
    return sys.stderr


def is_stdout(stream: IO[str]) -> bool:
    return stream is sys.stdout
