"""`run --json` start-up, beside the import floor measured in the same run (issue 14).

Prints median whole-process times and their ratio to the floor
(`python -c "import typer, pydantic, yaml"`; each run paired with a run of the floor, the
median of the per-pair ratios) for `run --json` on the bundled rules and on a rule file
outside the package (a copy in a temporary folder: its second run is served from the
validated-rules cache, keyed by the file's sha256), and the first run of that copy with the
cache turned off, to show what the cache saves.

Run: python bench/run_startup.py [RUNS]
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from common import BIN, ROOT, bench_env, paired

ANSWERS = """\
rules: {rules}
answers:
  imagery: "yes"
  subject_under_18: "yes"
  youngest_age: 15
  immediate_risk: "no"
  adult_involved: "no"
  coercion: "no"
  financial_sextortion: "no"
  grooming_or_exploitation: "no"
  profit_motive: "no"
  capacity_concern: "no"
  wider_child_protection: "no"
  sexual_acts: "no"
  ai_or_altered: "no"
  taken_without_consent: "no"
  sharing_extent: intended_recipient
  shared_without_consent: "no"
  malicious_intent: "no"
  previous_incidents: "no"
  power_imbalance: "no"
"""


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    exe = str(BIN / "sexting-triage")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")
        local = Path(tmp) / "local-rules.yaml"
        shutil.copy(ROOT / "rules" / "cop-2024.yaml", local)
        bundled_answers = Path(tmp) / "bundled.yaml"
        bundled_answers.write_text(ANSWERS.format(rules="cop-2024"), encoding="utf-8")
        local_answers = Path(tmp) / "local.yaml"
        local_answers.write_text(ANSWERS.format(rules=str(local)), encoding="utf-8")
        rows = [
            ("run --json, bundled rules", [exe, "run", str(bundled_answers), "--json"], {}),
            ("run --json, rule file outside the package (cached)",
             [exe, "run", str(local_answers), "--json"], {}),
            ("run --json, rule file outside the package (no cache)",
             [exe, "run", str(local_answers), "--json"], {"SEXTING_TRIAGE_NO_CACHE": "1"}),
        ]
        print(f"each command paired run by run with the import floor; medians of {runs} runs")
        for label, argv, env in rows:
            t, base, ratio = paired(argv, runs, env=bench_env(**env))
            print(f"{label:<56} {t * 1000:6.0f} ms  {ratio:4.2f}x floor ({base * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
