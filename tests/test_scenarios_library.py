"""scenarios.library: the shipped library is found, listed, and used when no path is given."""

from __future__ import annotations

from pathlib import Path

from scenario_files import ROOT
from sexting_triage.scenarios.library import (
    library_dir,
    library_files,
    listing,
    paths_or_library,
)
from sexting_triage.scenarios.load import load_scenarios


def test_the_library_is_the_scenarios_folder_of_the_checkout():
    assert library_dir() == ROOT / "scenarios"
    assert paths_or_library(None) == [ROOT / "scenarios"]
    assert paths_or_library([Path("x.yaml")]) == [Path("x.yaml")]


def test_listing_names_every_case_relative_to_the_library():
    entries = listing()
    cases = load_scenarios(library_files())
    assert len(entries) == len(cases) > 0
    assert [e.title for e in entries] == [s.title for s in cases]
    names = [e.name for e in entries]
    assert "romantic/two-15-year-olds-swap-selfies.yaml" in names
    assert "unknown-answers/early-reports.yaml#1" in names
    assert all(not n.startswith("/") for n in names)
