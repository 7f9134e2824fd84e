"""Benchmark: how `rules check` and `rules diff` grow as a rule set gains local questions.

Generates cop-2024 plus 0, 12, 24, 48 and 96 extra yes/no/unknown questions (each raising
`professional-judgement` when unknown; every second one asked only when the image was
shared), then runs, as whole processes and side by side with the import floor measured in
the same run (`python -c "import typer, pydantic, yaml"`):

* `sexting-triage rules check EXTENDED`
* `sexting-triage rules diff cop-2024 EXTENDED`

and prints the median wall time as a ratio to the floor (each run paired with a run of the
floor; the median of the per-pair ratios) and the peak memory (max RSS).
Targets (issue 14) for 48 extra questions: check <= 8x and <= 100 MB, diff <= 12x and
<= 100 MB; the growth per question should stay flat.

    python bench/scaling.py [--runs N] [--sizes 0,12,24,48,96]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, paired, peak_memory, tool


def extended(n: int, base: Path | None = None) -> dict[str, Any]:
    """cop-2024 with n extra local questions appended (see the module docstring)."""
    base = base or ROOT / "rules" / "cop-2024.yaml"
    doc: dict[str, Any] = yaml.safe_load(base.read_text(encoding="utf-8"))
    doc["id"] = f"cop-2024-plus-{n}"
    doc["title"] = f"{doc['title']} with {n} local questions"
    doc["status"] = "draft"
    for k in range(n):
        q: dict[str, Any] = {"id": f"local_{k}", "text": f"Local question {k}?"}
        if k % 2:
            q["ask_when"] = 'sharing_extent != "not_shared"'
        doc["questions"].append(q)
        doc["rules"].append({
            "id": f"local-{k}-unknown", "when": f'local_{k} == "unknown"',
            "flag": "professional-judgement",
            "reason": f"Local question {k} is not known: establish it.",
            "cite": [{"source": "CoP-current", "section": "About this briefing note"}]})
    return doc


def write_extended(n: int, folder: Path) -> Path:
    path = folder / f"cop-2024-plus-{n}.yaml"
    path.write_text(yaml.safe_dump(extended(n), sort_keys=False, allow_unicode=True),
                    encoding="utf-8")
    return path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--sizes", default="0,12,24,48,96")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"each command paired run by run with the import floor; medians of {args.runs} runs")
    print(f"{'extra':>5}  {'check':>8} {'MB':>6}  {'diff':>8} {'MB':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = write_extended(n, Path(tmp))
            check = [*tool(), "rules", "check", str(path), "--json"]
            diff = [*tool(), "rules", "diff", "cop-2024", str(path), "--format", "json"]
            # the first run of a new file compiles it (the warm-up runs): the steady state
            c_t, _, c_ratio = paired(check, args.runs)
            c_mb, c_rc = peak_memory(check)
            d_t, _, d_ratio = paired(diff, args.runs)
            d_mb, d_rc = peak_memory(diff)
            print(f"{n:>5}  {c_ratio:>7.1f}x {c_mb:>6.0f}  {d_ratio:>7.1f}x {d_mb:>6.0f}"
                  f"   (check {c_t:.2f} s exit {c_rc}, diff {d_t:.2f} s exit {d_rc})")

if __name__ == "__main__":
    main()
