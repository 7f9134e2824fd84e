"""Benchmark: `rules check` on both bundled rule sets and `rules diff cop-2016 cop-2024`, as
whole processes, side by side with the import floor measured in the same run
(`python -c "import typer, pydantic, yaml"`).

Targets (issue 14): `rules check cop-2024` <= 2.5x the floor, `rules diff cop-2016
cop-2024` <= 3x. Each command is run paired with the floor, run by run; prints the median
wall times, the median of the per-pair ratios and the peak memory (max RSS) of each, and
the situation counts.

    python bench/rules_check_diff.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, paired, peak_memory, tool

CASES = [
    ("rules check cop-2016", ["rules", "check", "cop-2016", "--json"], None),
    ("rules check cop-2024", ["rules", "check", "cop-2024", "--json"], 2.5),
    ("rules diff cop-2016 cop-2024",
     ["rules", "diff", "cop-2016", "cop-2024", "--format", "json"], 3.0),
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    runs = ap.parse_args().runs
    print(f"each command paired run by run with the import floor; medians of {runs} runs")
    for name, args, target in CASES:
        argv = [*tool(), *args]
        t, base, ratio = paired(argv, runs)
        mb, rc = peak_memory(argv)
        goal = f"target <= {target:.1f}x" if target else "no target"
        print(f"{name}: {t * 1000:.0f} ms, floor {base * 1000:.0f} ms: {ratio:.2f}x the floor "
              f"({goal}); peak {mb:.0f} MB; exit {rc}")
    env = {**os.environ, "NO_COLOR": "1"}
    check = json.loads(subprocess.run([*tool(), *CASES[1][1]], capture_output=True, text=True,
                                      cwd=ROOT, env=env, check=False).stdout or "{}")
    diff = json.loads(subprocess.run([*tool(), *CASES[2][1]], capture_output=True, text=True,
                                     cwd=ROOT, env=env, check=False).stdout or "{}")
    print(f"cop-2024 reachable situations: {check.get('situations', 0):,}")
    print(f"diff situations: {diff.get('situations_total', 0):,} in total, "
          f"{diff.get('situations_changed', 0):,} change pathway or flags")


if __name__ == "__main__":
    main()
