"""Helpers for the benchmark scripts: median wall time of whole processes."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def time_process(argv: list[str], runs: int = 15, warmup: int = 2) -> float:
    """Median seconds to run a command to completion (output discarded)."""
    for _ in range(warmup):
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def floor() -> float:
    """The import floor every command pays: python, typer, pydantic and yaml."""
    return time_process([sys.executable, "-c", "import typer, pydantic, yaml"])
