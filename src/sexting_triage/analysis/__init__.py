"""Exact analysis over every reachable situation of one rule set, or of two walked together.

One job per module:

* `space`: the search over the reachable-situation space (`Space`: explore, find, count);
* `stepping`: one step of the walk, each side's state (`Side`, `Walk`);
* `residual`: conditions partially evaluated as facts are fixed, interned (`CondTable`);
* `facts`: the merged question order and each fact's answer classes (`Klass`);
* `results`: what a walk yields (`Agg`, examples, the answers read out of them);
* `reachable`: what a rule set can reach at all (`reachable`);
* `budget`: the work budget every walk counts against (`SEXTING_TRIAGE_ANALYSIS_BUDGET`);
* `pairs`: pairs of situations differing in one answer ("does this question matter");
* `invariants`: the rule set's declared invariants, proved or refuted;
* `checks`: the catalogue of `rules check`, one function per check, and `check(rs)`;
* `actions`: which actions each class of reachable situations is offered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sexting_triage.analysis.budget import (
    DEFAULT_BUDGET,
    ENV,
    AnalysisTooLarge,
    Meter,
    budget,
)
from sexting_triage.analysis.facts import Klass
from sexting_triage.analysis.reachable import Reachable, reachable
from sexting_triage.analysis.residual import CondTable, reads, subst
from sexting_triage.analysis.results import Agg, joint_answers, side_answers
from sexting_triage.analysis.space import ABSENT, Space
from sexting_triage.analysis.stepping import Side, SideState

if TYPE_CHECKING:
    from sexting_triage.analysis.actions import ActionClass, action_classes
    from sexting_triage.analysis.checks import CHECKS, CheckReport, Context, Finding, check
    from sexting_triage.analysis.invariants import InvariantResult
    from sexting_triage.analysis.pairs import influential

# The checks of `rules check` and what they build on are imported when first named: a diff,
# or an overlay proof, does not pay for them. (`reachable` stays above: a submodule of that
# name would otherwise shadow the function once imported.)
_LAZY = {
    "ActionClass": "actions", "action_classes": "actions",
    "CHECKS": "checks", "CheckReport": "checks", "Context": "checks", "Finding": "checks",
    "check": "checks",
    "InvariantResult": "invariants",
    "influential": "pairs",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "ABSENT", "CHECKS", "DEFAULT_BUDGET", "ENV", "ActionClass", "Agg", "AnalysisTooLarge",
    "CheckReport", "CondTable", "Context", "Finding", "InvariantResult", "Klass", "Meter",
    "Reachable", "Side", "SideState", "Space", "action_classes", "budget", "check",
    "influential", "joint_answers", "reachable", "reads", "side_answers", "subst",
]
