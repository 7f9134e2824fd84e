"""Exact analysis over every reachable situation of one rule set, or of two walked together.

One job per module:

* `space`: the reachable-situation space (`Space`, `Side`, answer classes, `reachable`);
* `budget`: the work budget every walk counts against (`SEXTING_TRIAGE_ANALYSIS_BUDGET`);
* `pairs`: pairs of situations differing in one answer ("does this question matter");
* `invariants`: the rule set's declared invariants, proved or refuted;
* `checks`: the catalogue of `rules check`, one function per check, and `check(rs)`;
* `actions`: which actions each class of reachable situations is offered.
"""

from __future__ import annotations

from sexting_triage.analysis.actions import ActionClass, action_classes
from sexting_triage.analysis.budget import (
    DEFAULT_BUDGET,
    ENV,
    AnalysisTooLarge,
    Meter,
    budget,
)
from sexting_triage.analysis.checks import CHECKS, CheckReport, Context, Finding, check
from sexting_triage.analysis.invariants import InvariantResult
from sexting_triage.analysis.pairs import influential
from sexting_triage.analysis.space import (
    ABSENT,
    Agg,
    CondTable,
    Klass,
    Reachable,
    Side,
    SideState,
    Space,
    joint_answers,
    reachable,
    reads,
    side_answers,
    subst,
)

__all__ = [
    "ABSENT", "CHECKS", "DEFAULT_BUDGET", "ENV", "ActionClass", "Agg", "AnalysisTooLarge",
    "CheckReport", "CondTable", "Context", "Finding", "InvariantResult", "Klass", "Meter",
    "Reachable", "Side", "SideState", "Space", "action_classes", "budget", "check",
    "influential", "joint_answers", "reachable", "reads", "side_answers", "subst",
]
