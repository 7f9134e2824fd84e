"""Helpers for the benchmark scripts: median wall time and peak memory of whole processes."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# Bytecode is written (to a scratch folder) as for an installed tool, even where the
# environment sets PYTHONDONTWRITEBYTECODE: otherwise every measured run compiles the sources.
_PYCACHE = tempfile.mkdtemp(prefix="sexting-triage-bench-pycache-")


def bench_env(**extra: str) -> dict[str, str]:
    """The environment every measured command runs in (floor and tool alike)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = _PYCACHE
    env.update(extra)
    return env


def tool() -> list[str]:
    """The installed console script (or `python -m sexting_triage` without one)."""
    found = shutil.which("sexting-triage", path=str(BIN))
    return [found] if found else [sys.executable, "-m", "sexting_triage"]


FLOOR = [sys.executable, "-c", "import typer, pydantic, yaml"]


def _run(argv: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
                   cwd=ROOT, env=env)
    return time.perf_counter() - t


def paired(argv: list[str], runs: int = 15, warmup: int = 2,
           env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """A command timed beside the import floor, run by run: each run of the command is
    paired with a run of the floor just before or after it (the order alternates), so a
    machine that speeds up or slows down during the measurement moves both alike. Returns
    the median seconds of the command, the median seconds of the floor, and the median of
    the per-pair ratios (the figure the targets are about)."""
    env = env if env is not None else bench_env()
    floor_env = bench_env()
    for _ in range(warmup):
        _run(argv, env)
        _run(FLOOR, floor_env)
    times, floors, ratios = [], [], []
    for n in range(runs):
        if n % 2:
            t = _run(argv, env)
            f = _run(FLOOR, floor_env)
        else:
            f = _run(FLOOR, floor_env)
            t = _run(argv, env)
        times.append(t)
        floors.append(f)
        ratios.append(t / f)
    return statistics.median(times), statistics.median(floors), statistics.median(ratios)


def time_process(argv: list[str], runs: int = 15, warmup: int = 2) -> float:
    """Median seconds to run a command to completion (output discarded)."""
    env = bench_env()
    for _ in range(warmup):
        _run(argv, env)
    return statistics.median(_run(argv, env) for _ in range(runs))


def peak_memory(argv: list[str]) -> tuple[float, int]:
    """Peak resident memory in MB and the exit code of one run of a command, in its own
    process (so that the peak is this command's, not an earlier child's)."""
    wrapper = ("import resource, subprocess, sys;"
               "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
               "stderr=subprocess.DEVNULL);"
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode)")
    out = subprocess.run([sys.executable, "-c", wrapper, *argv], capture_output=True,
                         text=True, cwd=ROOT, env=bench_env(NO_COLOR="1"),
                         check=False).stdout.split()
    if len(out) != 2:
        return 0.0, 0
    return int(out[0]) / 1024, int(out[1])  # ru_maxrss is in kB on Linux


def floor(runs: int = 15) -> float:
    """The import floor every command pays: python, typer, pydantic and yaml."""
    return time_process(FLOOR, runs=runs)
