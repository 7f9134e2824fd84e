"""Startup of the interactive triage: from launching `sexting-triage triage` in a pseudo-
terminal to the first question on screen, median of several runs, beside the floor of
`python -c "import typer, pydantic, yaml"` (what any typer + pydantic + yaml tool pays).

Target: within 400 ms on this machine. Run: /work/venv/bin/python bench/triage_startup.py [N]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pexpect

EXE = Path(sys.executable).parent / "sexting-triage"
FIRST_QUESTION = "Why am I asked this?"  # the last line of the first select list
TARGET_MS = 400.0


def first_question_ms(env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    child = pexpect.spawn(str(EXE), ["triage"], env=env, encoding="utf-8", timeout=30,
                          dimensions=(40, 100))
    child.expect_exact(FIRST_QUESTION)
    elapsed = (time.perf_counter() - t0) * 1000
    child.send("\x03")  # Ctrl-C before any answer: nothing is kept
    child.expect(pexpect.EOF)
    child.close()
    return elapsed


def floor_ms() -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import typer, pydantic, yaml"], check=True)
    return (time.perf_counter() - t0) * 1000


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    with tempfile.TemporaryDirectory() as state:
        env = {k: v for k, v in os.environ.items()
               if k not in ("NO_COLOR", "SEXTING_TRIAGE_ACCESSIBLE")}
        # pexpect never answers prompt_toolkit's cursor-position request; a real terminal does.
        env.update(XDG_STATE_HOME=state, TERM="xterm", COLUMNS="100", LINES="40",
                   PROMPT_TOOLKIT_NO_CPR="1")
        first_question_ms(env)  # warm the file cache
        triage = [first_question_ms(env) for _ in range(runs)]
    floor_ms()
    floor = [floor_ms() for _ in range(runs)]
    t, f = statistics.median(triage), statistics.median(floor)
    print(f"runs: {runs}")
    print(f"triage to first question (median): {t:7.1f} ms  (min {min(triage):.1f}, "
          f"max {max(triage):.1f})")
    print(f"floor: python -c 'import typer, pydantic, yaml': {f:7.1f} ms")
    print(f"ratio triage / floor: {t / f:5.2f}x")
    print(f"target: {TARGET_MS:.0f} ms -> {'met' if t <= TARGET_MS else 'NOT met'} "
          f"({t / TARGET_MS:.2f} of target)")


if __name__ == "__main__":
    main()
