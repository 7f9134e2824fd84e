"""Benchmark: `rules check cop-2024` and `rules diff cop-2016 cop-2024` as whole processes.

Targets (issue 5): check under 1 s, diff under 2 s. Prints wall and CPU time per run (best
and median of several), the ratio to the target, and the situation counts. CPU time is shown
beside wall time because a busy machine stretches wall time without the tool doing more work.

    python bench/rules_check_diff.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _exe() -> list[str]:
    found = shutil.which("sexting-triage", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "sexting_triage"]


def _run(args: list[str]) -> tuple[float, float, str, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run([*_exe(), *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "NO_COLOR": "1"})
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.stdout, proc.returncode


def bench(name: str, args: list[str], target: float, runs: int) -> dict[str, object]:
    walls, cpus = [], []
    out, code = "", 0
    for _ in range(runs):
        wall, cpu, out, code = _run(args)
        walls.append(wall)
        cpus.append(cpu)
    best, med = min(walls), statistics.median(walls)
    print(f"{name}: exit {code}; wall best {best:.3f} s, median {med:.3f} s; "
          f"CPU median {statistics.median(cpus):.3f} s; target {target:.1f} s; "
          f"best/target {best / target:.2f}, median/target {med / target:.2f}")
    return json.loads(out) if out.strip().startswith("{") else {}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    runs = ap.parse_args().runs
    base_wall, base_cpu, _, _ = _run(["--help"])
    print(f"process start-up alone (`sexting-triage --help`): wall {base_wall:.3f} s, "
          f"CPU {base_cpu:.3f} s")
    check = bench("rules check cop-2024", ["rules", "check", "cop-2024", "--json"], 1.0, runs)
    diff = bench("rules diff cop-2016 cop-2024",
                 ["rules", "diff", "cop-2016", "cop-2024", "--format", "json"], 2.0, runs)
    print(f"cop-2024 reachable situations: {check.get('situations', 0):,}")
    print(f"diff situations: {diff.get('situations_total', 0):,} in total, "
          f"{diff.get('situations_changed', 0):,} change pathway or flags")
    for t in diff.get("transitions", []):
        print(f"  {t['from']} -> {t['to']}: {t['count']:,}")
    for f in diff.get("flag_changes", []):
        print(f"  flag {f['flag']} {f['change']}: {f['count']:,}")


if __name__ == "__main__":
    main()
