"""Output that a stream cannot encode falls back to plain ASCII instead of failing.

A Windows console in cp1252, a case system that captures output as latin-1, or a pipe with
`PYTHONIOENCODING=ascii` cannot take every character the tool prints (arrows, ticks, some
quotes). Rather than stop with an encoding error, each character the stream cannot encode is
written as its ASCII equivalent (`→` as `->`, `“` as `"`, `✓` as `[x]`, `é` as `e`), and
characters the stream can encode are left as they are.

Any front end can use it: `use_fallback(sys.stdout)` once before printing (for JSON output,
`use_fallback(sys.stdout, json=True)` writes `\\uXXXX` escapes instead, so the document still
decodes to exactly the same data). `ascii_fallback` and `fit` do the same on a string.
"""

from __future__ import annotations

import codecs
import unicodedata
from typing import IO, Any

# Each character by code point (the table is about look-alike characters): arrows, quotes,
# dashes, ticks and crosses, comparison signs, currency and spaces.
FALLBACK: dict[str, str] = {
    "\u2192": "->", "\u2190": "<-", "\u2194": "<->", "\u21d2": "=>", "\u27f6": "->",
    "\u279c": "->", "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"',
    "\u00bb": '"', "\u2033": '"', "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'",
    "\u2039": "'", "\u203a": "'", "\u2032": "'", "\u2013": "-", "\u2014": "-", "\u2012": "-",
    "\u2015": "-", "\u2212": "-", "\u2010": "-", "\u2011": "-", "\u2026": "...", "\u2022": "*",
    "\u00b7": "-", "\u25e6": "-", "\u25aa": "*", "\u2713": "[x]", "\u2714": "[x]",
    "\u2611": "[x]", "\u2612": "[x]", "\u2717": "x", "\u2718": "x", "\u2610": "[ ]",
    "\u2265": ">=", "\u2264": "<=", "\u2260": "!=", "\u00d7": "x", "\u00f7": "/",
    "\u00b1": "+/-", "\u00a3": "GBP ", "\u20ac": "EUR ", "\u00a9": "(c)", "\u00ae": "(R)",
    "\u2122": "(TM)", "\u00a7": "s.", "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2002": " ",
    "\u2003": " ",
}

HANDLER = "sexting-triage-render-ascii"
JSON_HANDLER = "sexting-triage-render-json"


def ascii_char(ch: str) -> str:
    """One character as ASCII: a known equivalent, else the letters without accents, else ?."""
    if ch < "\x80":
        return ch
    known = FALLBACK.get(ch)
    if known is not None:
        return known
    plain = "".join(c for c in unicodedata.normalize("NFKD", ch) if c < "\x80")
    return plain or "?"


def ascii_fallback(text: str) -> str:
    """The whole text in ASCII (see `ascii_char`)."""
    return "".join(ascii_char(ch) for ch in text)


def encodable(ch: str, encoding: str) -> bool:
    try:
        ch.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def fit(text: str, encoding: str | None) -> str:
    """The text with every character `encoding` cannot encode replaced by its ASCII fallback
    (the text unchanged when it encodes as it is)."""
    enc = encoding or "utf-8"
    try:
        text.encode(enc)
        return text
    except UnicodeEncodeError:
        pass
    except LookupError:
        return ascii_fallback(text)
    return "".join(ch if encodable(ch, enc) else ascii_char(ch) for ch in text)


def _json_escape(ch: str) -> str:
    code = ord(ch)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def _replace(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    return "".join(ascii_char(ch) for ch in exc.object[exc.start:exc.end]), exc.end


def _replace_json(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    return "".join(_json_escape(ch) for ch in exc.object[exc.start:exc.end]), exc.end


codecs.register_error(HANDLER, _replace)
codecs.register_error(JSON_HANDLER, _replace_json)


def use_fallback(stream: IO[str] | Any, json: bool = False) -> None:
    """From now on, characters `stream` cannot encode are written as ASCII (or, with `json`,
    as `\\uXXXX` escapes, which only ever occur inside JSON strings). A stream that is not a
    text file with an encoding (a test's capture buffer) is left alone."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is None or not getattr(stream, "encoding", None):
        return
    try:
        reconfigure(errors=JSON_HANDLER if json else HANDLER)
    except (ValueError, OSError, AttributeError):  # closed, or not reconfigurable
        return
