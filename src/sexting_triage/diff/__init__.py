"""What changes between two rule sets: structurally, and exactly in behaviour.

One job per module:

- `structural`: every change in what the rule sets say (metadata, sources, questions, rules,
  actions, pathways, flags, recording, changelog, invariants), as data;
- `behaviour`: both rule sets walked together over every situation, grouped by pathway
  transition and flag change, each group with its exact count, example and rules;
- `synthesise` (with `cubes`, `factor`, `diagram` and `recorded`, the recorded graph in the
  forms its search uses): the exact, readable `when` condition of a group;
- `scenarios`: each scenario file decided by both editions;
- `report`: all of it together (`diff`), as the document `rules diff --json` prints.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sexting_triage.diff.behaviour import NONE, Behaviour, Group, behavioural
from sexting_triage.diff.report import DiffReport, diff
from sexting_triage.diff.structural import structural, structurally_identical
from sexting_triage.diff.synthesise import when_condition

if TYPE_CHECKING:
    from sexting_triage.diff.scenarios import possible_outcomes, scenario_impact


def __getattr__(name: str) -> Any:
    """`scenarios` (and the engine it decides with) is imported when first named: a diff
    without --scenarios does not pay for it."""
    if name not in ("possible_outcomes", "scenario_impact"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from sexting_triage.diff import scenarios

    value = getattr(scenarios, name)
    globals()[name] = value
    return value


__all__ = ["NONE", "Behaviour", "DiffReport", "Group", "behavioural", "diff",
           "possible_outcomes", "scenario_impact", "structural", "structurally_identical",
           "when_condition"]
