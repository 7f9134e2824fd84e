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


def time_process(argv: list[str], runs: int = 15, warmup: int = 2) -> float:
    """Median seconds to run a command to completion (output discarded)."""
    env = bench_env()
    for _ in range(warmup):
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
                       env=env)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
                       env=env)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def measure_process(argv: list[str], runs: int = 5, warmup: int = 1
                    ) -> tuple[float, float, int]:
    """Median wall seconds, peak resident memory in MB (the largest over the runs) and the
    last exit code of a command run to completion, each run in its own process (so that
    the peak is this command's, not an earlier child's)."""
    wrapper = ("import resource, subprocess, sys;"
               "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
               "stderr=subprocess.DEVNULL);"
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode)")
    env = bench_env(NO_COLOR="1")
    for _ in range(warmup):
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
                       cwd=ROOT, env=env)
    times, peak, code = [], 0.0, 0
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
                       cwd=ROOT, env=env)
        times.append(time.perf_counter() - t)
    out = subprocess.run([sys.executable, "-c", wrapper, *argv], capture_output=True,
                         text=True, cwd=ROOT, env=env, check=False).stdout.split()
    if len(out) == 2:
        peak = int(out[0]) / 1024  # ru_maxrss is in kB on Linux
        code = int(out[1])
    return statistics.median(times), peak, code


def floor(runs: int = 15) -> float:
    """The import floor every command pays: python, typer, pydantic and yaml."""
    return time_process([sys.executable, "-c", "import typer, pydantic, yaml"], runs=runs)
