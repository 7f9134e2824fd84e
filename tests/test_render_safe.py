"""render.safe.clean: nothing from a file acts on the terminal or hides what a line says;
records shown as text, Markdown and HTML stay inert whatever they hold."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from sexting_triage.cli import main
from sexting_triage.render.safe import clean

# every format character (Cf) in the Unicode database Python ships, and every C0/C1 control
FORMAT_CHARS = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"]
# (ESC starts a sequence, removed whole with what follows: see ESCAPES)
CONTROLS = [chr(c) for c in [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]
            if c != 0x1B]

ESCAPES = [
    "\x1b[31m", "\x1b[2J", "\x1b[H", "\x1b]0;window title\x07", "\x1b]8;;http://e\x1b\\",
    "\x1b]52;c;ZXZpbA==\x07", "\x1bc", "\x1b[?1049h", "\x9b31m",
]


@pytest.mark.parametrize("ch", FORMAT_CHARS, ids=lambda c: f"U+{ord(c):04X}")
def test_every_format_character_is_removed(ch: str) -> None:
    assert clean(f"Jane{ch}Doe") == "JaneDoe"


@pytest.mark.parametrize("ch", CONTROLS, ids=lambda c: f"U+{ord(c):04X}")
def test_every_control_but_tab_and_newline_is_removed(ch: str) -> None:
    assert clean(f"a{ch}b") == "ab"


@pytest.mark.parametrize("seq", ESCAPES)
def test_escape_sequences_are_removed_whole(seq: str) -> None:
    out = clean(f"before{seq}after")
    assert "\x1b" not in out and "\x9b" not in out
    assert out.startswith("before") and out.endswith("after")


@pytest.mark.parametrize("text", ["plain", "tab\tand\nnewline", "café ✓ 日本語 😀", "ümlaut",
                                  "[bold red]markup stays text[/]", "Ωmega"])
def test_ordinary_text_is_kept_exactly(text: str) -> None:
    assert clean(text) == text


def test_separators_and_lone_surrogates_are_removed() -> None:
    assert clean("a\u2028b\u2029c\ud800d") == "abcd"


def test_the_suite_really_covers_bidi() -> None:
    """The table is not empty by accident: the bidi controls are all in it."""
    for cp in [0x200E, 0x200F, 0x061C, *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0xFEFF]:
        assert chr(cp) in FORMAT_CHARS


# ----------------------------------------------------------------------------- hostile records

HOSTILE = ("\u202eevil\u202c \x1b]0;pwned\x07\x1b[2J<script>alert(1)</script>"
           "<img src=x onerror=alert(1)> \u2066**bold**\u2069 | # heading\n## two")


def _hostile_record(tmp_path: Path) -> Path:
    from sexting_triage import loader, records
    from sexting_triage.engine import decide
    from test_records import ANSWERS

    rec: dict[str, Any] = records.build(decide(loader.resolve("cop-2016"), ANSWERS), "CAD-1-26")
    rec["incident_ref"] = HOSTILE
    rec["rules"]["title"] = HOSTILE
    rec["questions"][0]["text"] = HOSTILE
    rec["decision"]["reasons"][0]["text"] = HOSTILE
    rec["decision"]["reasons"][0]["cite"] = [{"source": HOSTILE, "section": HOSTILE}]
    rec["decision"]["actions"] = [HOSTILE]
    rec["decision"]["flags"] = [HOSTILE]
    p = tmp_path / "hostile.json"
    p.write_text(json.dumps(rec), encoding="utf-8")
    return p


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_hostile_record_contents_stay_inert(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            fmt: str) -> None:
    p = _hostile_record(tmp_path)
    assert main(["record", "show", str(p), "--format", fmt, "--no-color"]) == 0
    out = capsys.readouterr().out
    for bad in ("\x1b", "\u202e", "\u2066", "\u2069", "\x07"):
        assert bad not in out, (fmt, repr(bad))
    assert "evil" in out
    if fmt == "html":
        assert "<script>" not in out and "<img" not in out
        assert "&lt;script&gt;" in out and "&lt;img src=x onerror=alert(1)&gt;" in out
    if fmt == "markdown":
        assert "\\<script\\>" in out and "\\*\\*bold\\*\\*" in out
        # file text can never start a heading or a table row of its own
        assert not any(line.startswith(("## two", "# heading")) for line in out.splitlines())


def test_record_verify_output_is_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                       ) -> None:
    """Details quoting a hostile record (its rule-set id, version, answers) are cleaned."""
    p = _hostile_record(tmp_path)
    rec = json.loads(p.read_text())
    rec["rules"]["version"] = "\x1b]0;pwned\x07\u202e9"
    rec["answers"]["\x1b[2Jq\u202e"] = "yes"
    p.write_text(json.dumps(rec), encoding="utf-8")
    assert main(["record", "verify", str(p), "--rules", "cop-2016", "--no-color"]) == 1
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\u202e" not in out
