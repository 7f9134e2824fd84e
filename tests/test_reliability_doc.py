"""docs/reliability.md names, for every guarantee, the test that shows it: each test it names
exists (so the page cannot keep citing a test that was renamed or removed)."""

from __future__ import annotations

import re

from conftest import ROOT

DOC = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")
TESTS = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "tests").glob("test_*.py")}


def test_every_test_the_page_names_exists() -> None:
    named = re.findall(r"`(test_\w+\.py)::(\w+)", DOC)
    bare = re.findall(r"`(test_\w+)(?:\[[^\]`]*\])?`", DOC)
    assert len(named) > 50 and bare  # the page really cites tests
    missing = [f"{f}::{t}" for f, t in named if f not in TESTS or f"def {t}(" not in TESTS[f]]
    missing += [t for t in bare if not any(f"def {t}(" in src for src in TESTS.values())]
    assert not missing, missing
