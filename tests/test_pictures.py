"""The terminal pictures in docs/ (and the example record) are the real screens of this
version: `python docs/make_pictures.py --check` finds none stale."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PICTURES = ["triage-example.svg", "walkthrough-example.svg", "change-note-example.svg"]


def test_pictures_are_current():
    r = subprocess.run([sys.executable, str(ROOT / "docs" / "make_pictures.py"), "--check"],
                       capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert r.returncode == 0, f"{r.stdout}{r.stderr}"


def test_each_picture_is_shown_in_the_guides():
    guides = {p.name: p.read_text(encoding="utf-8")
              for p in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]}
    for name in PICTURES:
        assert (ROOT / "docs" / name).read_text(encoding="utf-8").startswith("<svg")
        assert any(name in text for text in guides.values()), name
    assert "triage-example.svg" in guides["first-responders.md"]
