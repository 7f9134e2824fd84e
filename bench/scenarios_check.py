"""Benchmark: `sexting-triage scenarios check` on 1,000 scenario files, as one process.

Generates 1,000 files in a temporary folder (variations of realistic cop-2016 cases, each with
the expectation the rules give, so all pass), then times the whole command end to end.
Target: under 2 s on the project machine. Prints the median, the per-file cost and the ratio
to the import floor every command pays.

    python bench/scenarios_check.py [--files N] [--runs N]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BIN, floor, time_process

from sexting_triage import engine, loader

FACTORS = ("immediate_risk", "adult_involved", "coercion", "grooming_or_exploitation",
           "profit_motive", "capacity_concern", "wider_child_protection", "sexual_acts",
           "taken_without_consent", "malicious_intent", "previous_incidents")
SHARING = ("not_shared", "intended_recipient", "few_others", "widely", "public_or_porn_site")


def random_answers(rng: random.Random) -> dict[str, object]:
    """A complete, realistic answer set: mostly no, sometimes yes or not known."""
    a: dict[str, object] = {"imagery": "yes", "subject_under_18": "yes",
                            "youngest_age": rng.randint(10, 17)}
    for f in FACTORS:
        a[f] = rng.choices(["no", "yes", "unknown"], weights=[8, 1, 1])[0]
    if a["sexual_acts"] == "yes":
        a["atypical_or_violent"] = rng.choice(["no", "yes", "unknown"])
    a["sharing_extent"] = rng.choice(SHARING)
    if a["sharing_extent"] != "not_shared":
        a["shared_without_consent"] = rng.choice(["no", "yes", "unknown"])
    return a


def scenario_yaml(n: int, d: engine.Decision) -> str:
    lines = [f'title: "Generated case {n}"',
             "story: >-",
             "  A generated case for the benchmark: two young people of similar age, an image",
             "  shared between them, and the facts below as the responder established them.",
             "tags: [generated]",
             "answers:"]
    lines += [f"  {k}: {v if isinstance(v, int) else repr(v)}" for k, v in d.answers.items()]
    lines += ["notes:", "  imagery: Answer from what you are told; do not view the image.",
              "expect:", "  cop-2016:", f"    pathway: {d.pathway}",
              f"    flags: [{', '.join(d.flags)}]",
              f"    reasons_include: [{', '.join(d.fired[:2])}]"]
    return "\n".join(lines) + "\n"


def generate(folder: Path, count: int, seed: int = 2016) -> None:
    rs = loader.resolve("cop-2016")
    rng = random.Random(seed)
    for n in range(count):
        d = engine.decide(rs, random_answers(rng))
        sub = folder / f"group-{n % 10}"
        sub.mkdir(exist_ok=True)
        (sub / f"case-{n:04d}.yaml").write_text(scenario_yaml(n, d), encoding="utf-8")


def cpu_seconds(argv: list[str], runs: int) -> float:
    """Median CPU time (user + system) of the command: unlike wall time, it does not grow
    when other work shares the machine's two cores."""
    times = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    exe = str(BIN / "sexting-triage")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        generate(folder, args.files)
        argv = [exe, "scenarios", "check", str(folder)]
        check = subprocess.run(argv, capture_output=True, text=True, check=False)
        last = check.stdout.strip().splitlines()[-1] if check.stdout.strip() else check.stderr
        if check.returncode != 0:
            sys.exit(f"scenarios check failed (exit {check.returncode}): {last}")
        seconds = time_process(argv, runs=args.runs, warmup=1)
        json_seconds = time_process([*argv, "--json"], runs=args.runs, warmup=1)
        cpu = cpu_seconds(argv, args.runs)
    load = os.getloadavg()[0]
    base = floor()
    print(f"scenarios check, {args.files} files in one process: {seconds:.2f} s median of "
          f"{args.runs} ({1000 * seconds / args.files:.2f} ms per file); target under 2 s: "
          f"{'met' if seconds < 2 else 'NOT met'}")
    print(f"  CPU time (user + system): {cpu:.2f} s median; load average during the run "
          f"{load:.1f} on {os.cpu_count()} cores (wall time grows with other work)")
    print(f"  with --json: {json_seconds:.2f} s")
    print(f"  import floor (python + typer + pydantic + yaml): {base:.2f} s; "
          f"ratio {seconds / base:.1f}x")
    print(f"  last line of output: {last}")


if __name__ == "__main__":
    main()
