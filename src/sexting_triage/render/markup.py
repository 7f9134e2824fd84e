"""File text made safe for the markup outputs: Markdown change notes, Mermaid and DOT charts.

Rule files are shared between forces and edited by hand. Text from them is made one line first
(`one_line`: breaks and separators become spaces; control, bidi, zero-width and other format
characters are dropped), so it can never start a heading, a table row, a directive or a new
statement; then each writer escapes what its own format would read as markup.
"""

from __future__ import annotations

import re
import unicodedata

from sexting_triage.render.safe import clean

_BREAKS = frozenset("\t\n\r\v\f\x1c\x1d\x1e\x85")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")


def one_line(text: object) -> str:
    """Text as one line of plain characters: line and paragraph breaks, tabs and other
    separators become spaces (runs of spaces become one); control, format (bidi, zero-width)
    and private-use characters, unassigned code points and lone surrogates are dropped."""
    spaced = "".join(" " if ch in _BREAKS or unicodedata.category(ch) in ("Zl", "Zp", "Zs")
                     else ch for ch in str(text))
    kept = "".join(ch for ch in clean(spaced)  # clean: escape sequences go whole
                   if unicodedata.category(ch) not in ("Cc", "Cf", "Co", "Cs", "Cn"))
    return " ".join(kept.split())


def md_text(text: object) -> str:
    """File text as Markdown that shows exactly these characters: no HTML (`<`, `>`, `&` as
    entities), no code span, emphasis, link, heading or table cell break (backslash escapes)."""
    s = _MD_SPECIAL.sub(r"\\\1", one_line(text))
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def md_code(text: object) -> str:
    """An id or a condition as a Markdown code span (escaped text where it holds a backtick,
    which no id or condition can)."""
    s = one_line(text)
    if "`" in s or not s:
        return md_text(s)
    return f"`{s}`"
