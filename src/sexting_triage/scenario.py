"""Compatibility: the names other modules still import from `sexting_triage.scenario`, from
before scenarios became a package (`sexting_triage.scenarios`). Import from the package's
modules instead; this module goes once nothing uses it.

`python -m sexting_triage.scenario` still prints the JSON Schema of scenario files (as
`python -m sexting_triage.scenarios` does).
"""

from __future__ import annotations

from sexting_triage.scenarios.check import check_scenario, compare
from sexting_triage.scenarios.coverage import coverage
from sexting_triage.scenarios.format import json_schema
from sexting_triage.scenarios.load import RuleSets, find_files, load_scenarios
from sexting_triage.scenarios.save import PLACEHOLDER_STORY, PLACEHOLDER_TITLE, save_scenario

__all__ = [
    "PLACEHOLDER_STORY", "PLACEHOLDER_TITLE", "RuleSets", "check_scenario", "compare", "coverage",
    "find_files", "json_schema", "load_scenarios", "save_scenario",
]

if __name__ == "__main__":
    import json

    print(json.dumps(json_schema(), indent=2, ensure_ascii=False))
