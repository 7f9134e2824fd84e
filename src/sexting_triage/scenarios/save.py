"""`--save-scenario`: a decision written back as a scenario file, so a trainer builds material
by playing a case once. Only answers, ids and a placeholder title and story are written: no
names, no free text beyond the title given. Writing goes through `files` (never replaces an
existing file, 0600: the answers are case data)."""

from __future__ import annotations

import json
import os
import re
import unicodedata
from pathlib import Path
from typing import Any

from sexting_triage import engine, files, loader

PLACEHOLDER_TITLE = "Untitled case (edit this title)"
PLACEHOLDER_STORY = ("Tell the case here as trainees will hear it: ages and relationships only, "
                     "no names, no graphic detail. (Edit this story.)")

_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)?|\x1b.")


def _one_line(title: str) -> str:
    """A title as one plain line: escape sequences, control and format characters dropped,
    runs of spaces collapsed, at most 300 characters (the format's limit)."""
    s = _ESCAPES.sub("", title)
    s = "".join(ch for ch in s if ch in "\t\n" or unicodedata.category(ch) not in ("Cc", "Cf"))
    return " ".join(s.split())[:300]


def _q(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def _scalar(v: Any) -> str:
    return str(v) if isinstance(v, int) and not isinstance(v, bool) else _q(str(v))


def scenario_text(decision: engine.Decision, title: str | None = None,
                  rules_ref: str | None = None) -> str:
    """A scenario file (YAML) replaying this decision, with `expect` keyed by its rule set.
    `rules_ref` names a rule file that is not bundled (a path relative to the scenario)."""
    rs = decision.ruleset
    t = (_one_line(title) if title else "") or PLACEHOLDER_TITLE
    lines = [
        "# A scenario saved by sexting-triage from a decision. Before using it in training:",
        "# edit the title and story (no names, no graphic detail), add trainer notes keyed by",
        "# question id, and prune `reasons_include` to the rules the case is meant to teach.",
        f"title: {_q(t)}",
        f"story: {_q(PLACEHOLDER_STORY)}",
    ]
    if rs.id not in loader.bundled_paths():
        lines.append(f"rules: {_q(rules_ref or os.path.abspath(rs.path))}")
    lines.append("answers:")
    for qid, v in decision.answers.items():
        lines.append(f"  {qid}: {_scalar(v)}")
    lines += [
        "notes: {}",
        "tags: []",
        "expect:",
        f"  {rs.id}:",
        f"    pathway: {decision.pathway}",
        f"    flags: [{', '.join(decision.flags)}]",
        f"    reasons_include: [{', '.join(decision.fired)}]",
    ]
    return "\n".join(lines) + "\n"


def save_scenario(path: Path, decision: engine.Decision, title: str | None = None) -> None:
    """Write the decision's answers and result as a new scenario file, 0600 (see the module
    doc). Raises files.OutputExists if the file exists: a trainer's edited scenario is never
    replaced."""
    path = Path(path)
    ref = os.path.relpath(os.path.abspath(decision.ruleset.path),
                          os.path.abspath(path.parent or Path(".")))
    files.create_exclusive(path, scenario_text(decision, title, ref).encode("utf-8"))
