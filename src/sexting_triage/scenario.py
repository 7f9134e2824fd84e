"""Compatibility: the names other modules imported from `sexting_triage.scenario` before
scenarios became a package (`sexting_triage.scenarios`). Import from the package's modules
instead; this module goes once nothing uses it.

`python -m sexting_triage.scenario` still prints the JSON Schema of scenario files.
"""

from __future__ import annotations

from sexting_triage.scenarios.check import ScenarioResult, check_scenario, compare
from sexting_triage.scenarios.coverage import (
    Coverage,
    Targets,
    coverage,
    int_classes,
    reachable_targets,
    value_label,
)
from sexting_triage.scenarios.format import (
    EXPECT_FIELDS,
    SCENARIO_SUFFIXES,
    Expectation,
    Scenario,
    ScenarioModel,
    json_schema,
)
from sexting_triage.scenarios.load import RuleSets, find_files, load_scenarios
from sexting_triage.scenarios.save import (
    PLACEHOLDER_STORY,
    PLACEHOLDER_TITLE,
    save_scenario,
    scenario_text,
)
from sexting_triage.serialize import SCENARIO_SCHEMA as SCHEMA_ID

__all__ = [
    "EXPECT_FIELDS", "PLACEHOLDER_STORY", "PLACEHOLDER_TITLE", "SCENARIO_SUFFIXES", "SCHEMA_ID",
    "Coverage", "Expectation", "RuleSets", "Scenario", "ScenarioModel", "ScenarioResult",
    "Targets", "check_scenario", "compare", "coverage", "find_files", "int_classes",
    "json_schema", "load_scenarios", "reachable_targets", "save_scenario", "scenario_text",
    "value_label",
]

if __name__ == "__main__":
    import json

    print(json.dumps(json_schema(), indent=2, ensure_ascii=False))
