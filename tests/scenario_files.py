"""Small scenario files for the scenario tests: the clean cop-2016 case as a scenario, with
some answers changed, written to a folder and loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import CLEAN_2016
from sexting_triage import loader
from sexting_triage.errors import InputError
from sexting_triage.scenarios.format import Scenario
from sexting_triage.scenarios.load import load_scenarios

ROOT = Path(__file__).resolve().parents[1]

# rule sets 1.1 ask taken_without_consent in every case
BASE = {**CLEAN_2016, "taken_without_consent": "no"}


def answers_yaml(**changes: object) -> str:
    a = dict(BASE)
    for k, v in changes.items():
        if v is None:
            a.pop(k)
        else:
            a[k] = v
    return "".join(f"  {k}: {v if isinstance(v, int) else repr(v)}\n" for k, v in a.items())


def scenario_text(expect: str, title: str = "A case", rules: str | None = "cop-2016",
                  **changes: object) -> str:
    head = f"rules: {rules}\n" if rules else ""
    return (f"title: {title}\nstory: Two 15-year-olds swap images.\n{head}"
            f"answers:\n{answers_yaml(**changes)}expect:\n{expect}")


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p


def problems_of(paths: list[Path]) -> list[str]:
    with pytest.raises(InputError) as exc:
        load_scenarios(paths)
    return [str(p) for p in exc.value.problems]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def one(tmp_path: Path, text: str) -> Scenario:
    (s,) = load_scenarios([write(tmp_path, "s.yaml", text)])
    return s


def other_edition(tmp_path: Path, new_id: str) -> Path:
    """A copy of cop-2016 under another id (a draft edition)."""
    src = loader.bundled_paths()["cop-2016"].read_text(encoding="utf-8")
    p = tmp_path / f"{new_id}.yaml"
    p.write_text(src.replace("id: cop-2016", f"id: {new_id}", 1), encoding="utf-8")
    return p
