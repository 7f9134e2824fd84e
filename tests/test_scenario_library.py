"""The shipped scenario library and the published schema: every case passes, every cop-2016
rule is exercised, every case teaches (notes) and states cop-2016 expectations, and the JSON
Schema file is exactly the one the pydantic model generates and accepts every shipped file."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from sexting_triage.cli import main
from sexting_triage.scenario import (
    PLACEHOLDER_STORY,
    PLACEHOLDER_TITLE,
    check_scenario,
    find_files,
    json_schema,
    load_scenarios,
)

ROOT = Path(__file__).resolve().parents[1]
LIB = ROOT / "scenarios"
SCHEMA = ROOT / "schema" / "scenario.schema.json"


@pytest.fixture(scope="module")
def library():
    return load_scenarios([LIB])


def test_scenarios_check_passes_on_the_library(capsys):
    assert main(["scenarios", "check", str(LIB), "--strict"]) == 0, capsys.readouterr()
    out, err = capsys.readouterr()
    assert err == "" and "FAIL" not in out


def test_library_size_notes_and_keyed_expectations(library):
    assert len(library) >= 24
    for s in library:
        assert s.notes, f"{s.name} has no trainer notes"
        keys = {e.key for e in s.expect}
        assert s.rules is None and "cop-2016" in keys and None not in keys, s.name
        assert s.title != PLACEHOLDER_TITLE and s.story != PLACEHOLDER_STORY


def test_every_cop2016_rule_pathway_and_flag_is_exercised(library, cop2016):
    fired: set[str] = set()
    pathways: set[str] = set()
    flags: set[str] = set()
    for s in library:
        r = check_scenario(s, cop2016, strict=True)
        assert r.passed, (s.name, r.failures)
        fired.update(r.decision.fired)
        pathways.add(r.decision.pathway)
        flags.update(r.decision.flags)
    assert {r.id for r in cop2016.rules} - fired == set()
    assert set(cop2016.pathways) == pathways and set(cop2016.flags) == flags


def test_library_covers_the_required_themes(library):
    tags = {t for s in library for t in s.tags}
    for theme in ("romantic", "attention-seeking", "adult-involvement", "coercion", "extortion",
                  "exploitation", "persistent-behaviour", "capacity", "under-13s",
                  "immediate-risk", "unknown-answers", "out-of-scope", "worked-example"):
        assert theme in tags, theme


def test_stories_have_no_names_or_placeholders(library):
    # A capitalised word that is not at a sentence start is likely a name; the library uses
    # "a 15-year-old boy", "his girlfriend" instead. Allowed capitalised words are listed.
    allowed = {"Outcome"}
    for s in library:
        for m in re.finditer(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]+)\b", s.story):
            assert m.group(1) in allowed, (s.name, m.group(1))


def test_published_schema_matches_the_model():
    on_disk = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert on_disk == json_schema(), (
        "schema/scenario.schema.json is stale: regenerate it with "
        "`python -m sexting_triage.scenario > schema/scenario.schema.json`")


def test_schema_accepts_every_shipped_file_and_refuses_bad_ones():
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(json_schema())
    for f in find_files([LIB]):
        data = yaml.safe_load(f.read_text(encoding="utf-8"))
        errors = list(validator.iter_errors(data))
        assert not errors, (f, [e.message for e in errors])
    good = yaml.safe_load((LIB / "self-generated" / "kept-on-own-phone.yaml").read_text())
    assert not validator.is_valid({**good, "colour": "red"})
    assert not validator.is_valid({**good, "expect": {}})
    assert not validator.is_valid({**good, "expect": {"cop-2016": {}}})
    assert validator.is_valid({**good, "expect": {"pathway": "out-of-scope"}})
