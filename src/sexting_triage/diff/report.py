"""The whole diff of two rule sets: structure, behaviour and scenario impact, as one report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sexting_triage.diff.behaviour import Behaviour, behavioural
from sexting_triage.diff.structural import structural, structurally_identical
from sexting_triage.ruleset import RuleSet


@dataclass
class DiffReport:
    """Everything `rules diff` reports: structure, behaviour and scenario impact."""

    old: RuleSet
    new: RuleSet
    structural: dict[str, Any]
    behaviour: Behaviour
    scenarios: list[dict[str, Any]] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return (structurally_identical(self.structural) and self.behaviour.changed == 0
                and not any(s["changed"] for s in self.scenarios))


def diff(old: RuleSet, new: RuleSet, scenario_paths: Sequence[Any] = ()) -> DiffReport:
    report = DiffReport(old, new, structural(old, new), behavioural(old, new))
    if scenario_paths:
        from sexting_triage.diff.scenarios import scenario_impact

        report.scenarios = scenario_impact(old, new, scenario_paths)
    return report

