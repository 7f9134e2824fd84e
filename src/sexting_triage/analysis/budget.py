"""The work budget of the exact analyses: count work, stop with a clear message.

Work is counted in units roughly proportional to both the time and the memory an analysis
uses: every step (one fact fixed on one branch) costs a few units plus one per residual
condition it carries forward (the state the memo then keeps) and two per condition it
substitutes; a new substitution costs four per leaf comparison; a memoised search call
costs four plus what its key hashes. The default allows the bundled rule sets many times
over (`rules check cop-2024` uses about 2% of it, cop-2024 with 96 extra questions about
70%) and stops the hostile rule files of about 1 MB tried so far within 8 seconds and
160 MB on a 2-core machine.
"""

from __future__ import annotations

import os

from sexting_triage.errors import TriageError

ENV = "SEXTING_TRIAGE_ANALYSIS_BUDGET"
DEFAULT_BUDGET = 3_000_000


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
            "finishing (the bundled rule sets need a few per cent of the default). Its "
            "conditions tie together too many questions far apart in the order, or it is very "
            f"large. Simplify or split them; or, to wait longer, raise the limit with {ENV}=N.")


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
