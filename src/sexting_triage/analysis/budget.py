"""The work budget of the exact analyses: count work, stop with a clear message.

Work is counted in units proportional to both the time and the memory an analysis uses:
every step (one fact fixed on one branch) costs one unit plus one per residual condition it
carries forward (the state it builds, which the memo then keeps). The default allows the
bundled rule sets many times over (`rules check cop-2024` uses about 1% of it) and stops a
hostile rule set well within 10 seconds and 200 MB.
"""

from __future__ import annotations

import os

from sexting_triage.errors import TriageError

ENV = "SEXTING_TRIAGE_ANALYSIS_BUDGET"
DEFAULT_BUDGET = 4_000_000


def budget() -> int:
    """The work budget: DEFAULT_BUDGET, or SEXTING_TRIAGE_ANALYSIS_BUDGET when set to a
    positive whole number."""
    raw = os.environ.get(ENV, "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else DEFAULT_BUDGET


class AnalysisTooLarge(TriageError):
    """The exact analysis would take too long or too much memory: say so rather than run for
    hours."""

    def __init__(self, names: str, limit: int):
        super().__init__(
            f"{names}: the exact analysis stopped after {limit:,} units of work without "
            "finishing (the bundled rule sets need under 100,000). Its conditions tie "
            "together too many questions far apart in the order, or it is very large. "
            f"Simplify or split them; or, to wait longer, raise the limit with {ENV}=N.")


class Meter:
    """One analysis's work so far (shared by every walk one command makes)."""

    __slots__ = ("left", "limit", "names")

    def __init__(self, names: str, limit: int | None = None):
        self.limit = budget() if limit is None else limit
        self.left = self.limit
        self.names = names

    def spend(self, units: int) -> None:
        self.left -= units
        if self.left < 0:
            raise AnalysisTooLarge(self.names, self.limit)

    @property
    def used(self) -> int:
        return self.limit - self.left
