"""Decisions per second in-process, and `run --json` as a whole process against the floor
`python -c "import typer, pydantic, yaml"`. Targets: >= 20,000 decisions/s; run within 1.3x.

    python bench/decisions.py
"""

from __future__ import annotations

import itertools
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from common import BIN, floor, time_process

from helpers import CLEAN
from sexting_triage.engine import decide
from sexting_triage.loader import resolve


def decisions_per_second(rules: str, seconds: float = 2.0) -> float:
    rs = resolve(rules)
    variants = []
    for adult, extent, age in itertools.product(("no", "yes", "unknown"),
                                                ("not_shared", "widely", "few_others"),
                                                (11, 15)):
        a = dict(CLEAN, adult_involved=adult, sharing_extent=extent, youngest_age=age,
                 shared_without_consent="yes")
        variants.append(a)
    n = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for a in variants:
            decide(rs, a)
        n += len(variants)
    return n / (time.perf_counter() - start)


def main() -> None:
    for rules in ("cop-2016", "cop-2024"):
        try:
            rate = decisions_per_second(rules)
        except Exception as exc:  # a rule set not bundled yet
            print(f"{rules}: skipped ({exc})")
            continue
        print(f"decide() on {rules}: {rate:,.0f} decisions/s  "
              f"(target 20,000: {rate / 20000:.1f}x the target)")
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "answers.yaml"
        f.write_text(yaml.safe_dump({"answers": CLEAN}))
        base = floor()
        run = time_process([str(BIN / "sexting-triage"), "run", str(f), "--json"])
        text = time_process([str(BIN / "sexting-triage"), "run", str(f)])
    print(f"floor (import typer, pydantic, yaml): {base * 1000:7.1f} ms  1.00x")
    print(f"sexting-triage run FILE --json:       {run * 1000:7.1f} ms  {run / base:.2f}x "
          "(target <= 1.30x)")
    print(f"sexting-triage run FILE (text):       {text * 1000:7.1f} ms  {text / base:.2f}x")


if __name__ == "__main__":
    main()
