"""Start-up of the first-responder commands, as ratios to the import floor measured in the same
run (`python -c "import typer, pydantic, yaml"`, what any typer + pydantic + yaml tool pays):

- `sexting-triage --help`, to completion;
- `triage --accessible` from launch to the first question on screen (its "> " prompt);
- `triage` with arrow menus, from launch to the first menu drawn ("Why am I asked this?"):
  in a terminal that is the static drawing of prompt/first_menu.py, which accepts keys (kept
  for the real menu that replaces it once questionary has loaded, about 150-190 ms later).

Targets (issue 14): --help <= 1.3x, first question <= 1.2x (accessible), <= 1.8x (arrows).

Run: python bench/triage_startup.py [RUNS] [--src DIR]

Bytecode is written (to a scratch folder) as for an installed tool, even where the
environment sets PYTHONDONTWRITEBYTECODE: otherwise every run compiles the tool's sources.

`--src DIR` runs `python -m sexting_triage` with DIR on PYTHONPATH instead of the installed
console script, to measure another checkout (e.g. an older commit unpacked with `git archive`)
side by side.
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
FIRST_MENU = "Why am I asked this?"  # the last line of the first select list
FIRST_PLAIN = "> "  # the accessible prompt, after the first question's options
TARGETS = {"--help": 1.3, "first question, accessible": 1.2, "first question, arrows": 1.8}


def command(src: str | None) -> tuple[str, list[str], dict[str, str]]:
    if src is None:
        return str(EXE), [], {}
    return sys.executable, ["-m", "sexting_triage"], {"PYTHONPATH": src}


def to_screen_ms(env: dict[str, str], src: str | None, args: list[str], wait_for: str) -> float:
    exe, pre, extra = command(src)
    t0 = time.perf_counter()
    child = pexpect.spawn(exe, [*pre, *args], env={**env, **extra}, encoding="utf-8",
                          timeout=30, dimensions=(40, 100))
    child.expect_exact(wait_for)
    elapsed = (time.perf_counter() - t0) * 1000
    child.send("\x03")  # Ctrl-C before any answer: nothing is kept
    child.expect(pexpect.EOF)
    child.close()
    return elapsed


def run_ms(argv: list[str], env: dict[str, str] | None = None) -> float:
    t0 = time.perf_counter()
    subprocess.run(argv, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=env)
    return (time.perf_counter() - t0) * 1000


def main() -> None:
    args = sys.argv[1:]
    src = None
    if "--src" in args:
        i = args.index("--src")
        src = str(Path(args[i + 1]).resolve())
        del args[i:i + 2]
    runs = int(args[0]) if args else 9
    exe, pre, extra = command(src)
    with tempfile.TemporaryDirectory() as state:
        env = {k: v for k, v in os.environ.items()
               if k not in ("NO_COLOR", "SEXTING_TRIAGE_ACCESSIBLE", "PYTHONDONTWRITEBYTECODE")}
        # As an installed tool runs (pip writes the bytecode at install): compiled once in the
        # warm-up, kept in a scratch folder rather than in the source tree.
        env["PYTHONPYCACHEPREFIX"] = os.path.join(state, "pycache")
        # pexpect never answers prompt_toolkit's cursor-position request; a real terminal does.
        env.update(XDG_STATE_HOME=state, TERM="xterm", COLUMNS="100", LINES="40",
                   PROMPT_TOOLKIT_NO_CPR="1")
        measures = {
            "floor": lambda: run_ms([sys.executable, "-c", "import typer, pydantic, yaml"],
                                    env),
            "--help": lambda: run_ms([exe, *pre, "--help"], {**env, **extra}),
            "first question, accessible": lambda: to_screen_ms(
                env, src, ["triage", "--accessible"], FIRST_PLAIN),
            "first question, arrows": lambda: to_screen_ms(env, src, ["triage"], FIRST_MENU),
        }
        for f in measures.values():  # warm the file cache
            f()
        samples: dict[str, list[float]] = {k: [] for k in measures}
        for _ in range(runs):  # interleaved, so a busy moment hits every measure alike
            for k, f in measures.items():
                samples[k].append(f())
    floor = statistics.median(samples["floor"])
    print(f"runs: {runs}{'  src: ' + src if src else ''}")
    print(f"{'measure':<28} {'median ms':>10} {'ratio':>7} {'target':>7}")
    for k, xs in samples.items():
        m = statistics.median(xs)
        target = TARGETS.get(k)
        verdict = "" if target is None else (
            f"{target:>6.1f}x {'met' if m / floor <= target else 'NOT met'}")
        print(f"{k:<28} {m:>10.1f} {m / floor:>6.2f}x {verdict}")


if __name__ == "__main__":
    main()
