"""The first menu of a triage, drawn before questionary and prompt_toolkit are imported.

Importing questionary and prompt_toolkit takes longer than everything else a triage does
before its first question (about 150-190 ms). So the first select list is first drawn here as
plain lines, the same lines questionary draws (the question, its instruction, each choice with
the preselected one pointed at), with the terminal switched to the mode prompt_toolkit itself
uses for reading keys (no echo, no line editing, no signals from keys, Enter kept as CR).
Keys pressed meanwhile stay in the terminal's input queue, unechoed, exactly as prompt_toolkit
would have read them. Then the libraries are imported, the static lines are erased just before
the real menu's first drawing (`erase`, a prompt_toolkit pre-run hook), and the real select
reads the queued keys. `close` erases if that never happened (an error or an interrupt while
importing) and restores the terminal attributes found at the start, exactly.

Used only when stdin and the menu stream are both terminals, and the menu fits on the screen;
otherwise nothing is drawn or changed and the caller takes the usual path.

Each static line is cut into rows of at most the terminal's width and written with the
terminal's automatic wrapping off, so every row written is one screen row whatever the
characters' widths: the count of rows to erase is exact, even after the screen has scrolled.
"""

from __future__ import annotations

import os
import sys
from typing import IO, Any

from rich.cells import get_character_cell_size

# questionary's default style: the "?" in #5f819d (as prompt_toolkit draws it in 256 colours),
# the question in bold, everything else plain.
QMARK = "38;5;67"
BOLD = "1"
POINTER = "\u00bb"  # questionary's default pointer

Segment = tuple[str, str]  # text, SGR parameters ("" for plain)
Line = list[Segment]


def select_lines(title: str, instruction: str, choices: list[tuple[str, str | None]],
                 pointed: int, no_color: bool = False) -> list[Line]:
    """The lines questionary's select draws before any key: `choices` as (title, description);
    the description shown is the pointed choice's, as questionary shows it."""
    lines: list[Line] = [[("?", "" if no_color else QMARK), (f" {title} ", BOLD),
                          (instruction, "")]]
    for i, (label, _desc) in enumerate(choices):
        lines.append([(f" {POINTER} " if i == pointed else "   ", ""), (label, "")])
    desc = choices[pointed][1] if 0 <= pointed < len(choices) else None
    if desc is not None:
        lines.append([(f"  Description: {desc}", "")])
    return lines


def rows_of(line: Line, width: int) -> list[Line]:
    """One line cut into screen rows of at most `width` cells (at least one row)."""
    rows: list[Line] = [[]]
    used = 0
    for text, sgr in line:
        for ch in text:
            w = get_character_cell_size(ch)
            if used + w > width and used:
                rows.append([])
                used = 0
            row = rows[-1]
            if row and row[-1][1] == sgr:
                row[-1] = (row[-1][0] + ch, sgr)
            else:
                row.append((ch, sgr))
            used += w
    return rows


def _sgr(row: Line) -> str:
    return "".join(f"\x1b[0;{sgr}m{text}\x1b[0m" if sgr else text for text, sgr in row)


def _is_tty(stream: IO[str] | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (ValueError, OSError):
        return False


class StaticMenu:
    """A menu drawn as plain rows with the terminal in prompt_toolkit's key-reading mode."""

    def __init__(self, stream: IO[str], fd: int, attrs: list[Any], rows: int):
        self.stream = stream
        self.fd = fd
        self.attrs = attrs
        self.rows = rows
        self.erased = False

    def erase(self) -> None:
        """Erase the drawn rows, leaving the cursor where the first one began (once)."""
        if self.erased:
            return
        self.erased = True
        up = f"\x1b[{self.rows - 1}A" if self.rows > 1 else ""
        self.stream.write(f"\r{up}\x1b[J")
        self.stream.flush()

    def close(self) -> None:
        """Erase if not done yet; restore the terminal attributes found at the start."""
        import termios

        try:
            self.erase()
        finally:
            termios.tcsetattr(self.fd, termios.TCSANOW, self.attrs)


def draw(stream: IO[str], lines: list[Line]) -> StaticMenu | None:
    """Draw `lines` on `stream` with echo off, when stdin and `stream` are terminals and the
    lines fit on the screen; None (nothing drawn, nothing changed) otherwise."""
    if not (_is_tty(stream) and _is_tty(sys.stdin)):
        return None
    try:
        import termios
    except ImportError:  # not a POSIX terminal
        return None
    try:
        fd = sys.stdin.fileno()
        size = os.get_terminal_size(stream.fileno())
        attrs = termios.tcgetattr(fd)
    except (OSError, ValueError, termios.error):
        return None
    width = max(size.columns, 1)
    rows = [r for line in lines for r in rows_of(line, width)]
    if len(rows) >= size.lines:  # cursor-up cannot reach above the screen's top
        return None
    raw = list(attrs)
    # prompt_toolkit's raw mode (prompt_toolkit.input.vt100.raw_mode), set a little earlier
    raw[3] = attrs[3] & ~(termios.ECHO | termios.ICANON | termios.IEXTEN | termios.ISIG)
    raw[0] = attrs[0] & ~(termios.IXON | termios.IXOFF | termios.ICRNL | termios.INLCR
                          | termios.IGNCR)
    cc = list(attrs[6])
    cc[termios.VMIN] = 1
    raw[6] = cc
    termios.tcsetattr(fd, termios.TCSANOW, raw)
    menu = StaticMenu(stream, fd, attrs, len(rows))
    try:
        # autowrap off while drawing: each row written is exactly one screen row
        stream.write("\x1b[?7l" + "\r\n".join(_sgr(r) for r in rows) + "\x1b[?7h")
        stream.flush()
    except BaseException:
        menu.close()
        raise
    return menu
