"""Make text from rule, scenario and record files safe to show in a terminal.

Files are shared between forces and edited by hand: escape sequences or control characters in
them must never reach the terminal as instructions. Rich markup is never interpreted because
every string is passed to rich as a `Text`, never as markup.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)?|\x1b.")


def clean(text: object) -> str:
    """Strip ANSI escape sequences and control characters (tabs and newlines kept)."""
    s = str(text)
    if "\x1b" in s:
        s = _ANSI.sub("", s)
    return _CONTROL.sub("", s)
