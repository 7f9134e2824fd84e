"""Make text from rule, scenario and record files safe to show in a terminal.

Files are shared between forces and edited by hand: escape sequences or control characters in
them must never reach the terminal as instructions, and invisible characters must never change
what a line appears to say. Rich markup is never interpreted because every string is passed to
rich as a `Text`, never as markup.

`clean` removes:

- ANSI escape sequences (CSI, OSC such as window titles and hyperlinks, and two-byte ESC x);
- C0 controls except tab and newline (so CR, BS, BEL, ESC, NUL), DEL and the C1 controls
  (U+0080-U+009F, where U+009B is a one-byte CSI);
- every format character (Unicode category Cf): bidi embeddings, overrides and isolates
  (U+202A-U+202E, U+2066-U+2069), marks (U+200E, U+200F, U+061C), zero-width characters
  (U+200B-U+200D, U+2060-U+2064, U+FEFF), the soft hyphen, interlinear annotation and tag
  characters (U+E0001-U+E007F);
- line and paragraph separators (U+2028, U+2029) and lone surrogates.
"""

from __future__ import annotations

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)?|\x1b.")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def _drop_unsafe(m: re.Match[str]) -> str:
    ch = m.group()
    return "" if unicodedata.category(ch) in _UNSAFE_CATEGORIES else ch


def clean(text: object) -> str:
    """Strip ANSI escape sequences, control characters and invisible format characters
    (tabs and newlines kept)."""
    s = str(text)
    if "\x1b" in s:
        s = _ANSI.sub("", s)
    s = _CONTROL.sub("", s)
    if not s.isascii():
        s = _NON_ASCII.sub(_drop_unsafe, s)
    return s
