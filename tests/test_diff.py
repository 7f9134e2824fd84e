"""`rules diff` as a whole (diff.report and its renderings): formats, exit codes, and the
condition layout of the change note."""

from __future__ import annotations

import json

import pytest

from diffcases import bundled_pair
from sexting_triage import conditions as C
from sexting_triage.cli import main
from sexting_triage.loader import resolve


@pytest.fixture(scope="module")
def bundled():
    return bundled_pair()


def test_formats_and_exit_codes(tmp_path, capsys):
    assert main(["rules", "diff", "cop-2016", "cop-2024", "--format", "markdown"]) == 1
    md = capsys.readouterr().out
    old, new = resolve("cop-2016"), resolve("cop-2024")
    assert md.startswith(f"# Change note: cop-2016 {old.version} → cop-2024 {new.version}")
    assert "## Sign-off" in md and "proportionate-response` → `standard-investigation`" in md
    assert main(["rules", "diff", "cop-2016", "cop-2024", "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) >= {"schema", "structural", "transitions", "flag_changes",
                        "situations_total", "situations_changed", "scenarios"}
    assert set(doc["transitions"][0]) >= {"from", "to", "count", "when", "example"}
    assert main(["rules", "diff", "cop-2016", "cop-2024", "--format", "pdf"]) == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [\n")
    assert main(["rules", "diff", "cop-2016", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml:" in err


def test_pretty_when_is_the_same_condition(bundled):
    from sexting_triage.render.diffout import pretty_when

    for g in [*bundled[2].transitions, *bundled[2].flag_changes]:
        shown = pretty_when(g.when)
        assert C.parse(shown) == C.parse(g.when)
        assert "\n" in shown
