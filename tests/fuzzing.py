"""What the fuzz suites share: example budgets, scratch folders and structural mutation.

CI runs a fixed-seed, bounded number of examples. A longer run:
    SEXTING_TRIAGE_FUZZ_EXAMPLES=5000 pytest -m slow tests/test_fuzz_*.py
"""

from __future__ import annotations

import atexit
import copy
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

LONG = int(os.environ.get("SEXTING_TRIAGE_FUZZ_EXAMPLES", "0"))
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def fuzz(n: int) -> Any:
    """Hypothesis settings: `n` examples with a fixed seed in CI, LONG random ones when set."""
    return settings(max_examples=LONG or n, deadline=None, derandomize=not LONG,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


def scratch(prefix: str) -> Path:
    """A temporary folder for generated files, removed when the test run ends."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def paths(node: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path in nested dicts and lists (the root included)."""
    out = [here]
    if isinstance(node, dict):
        for k, v in node.items():
            out.extend(paths(v, (*here, k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.extend(paths(v, (*here, i)))
    return out


def get(node: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        node = node[part]
    return node


@st.composite
def mutated(draw: st.DrawFn, base: Any, values: st.SearchStrategy[Any],
            keys: st.SearchStrategy[Any],
            ops: Sequence[str] = ("replace", "delete", "add", "wrap", "dup")) -> Any:
    """A deep copy of `base` with one to three edits at random places: a value replaced by
    another (often of another type), deleted, a key added, a value wrapped in a list, or a
    list item duplicated."""
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        where = [p for p in paths(data) if p]
        if not where:
            break
        path = draw(st.sampled_from(where))
        parent, last = get(data, path[:-1]), path[-1]
        op = draw(st.sampled_from(list(ops)))
        # deep copies: sampled lists and mappings are shared objects
        if op == "replace":
            parent[last] = copy.deepcopy(draw(values))
        elif op == "delete":
            del parent[last]
        elif op == "add" and isinstance(parent, dict):
            parent[draw(keys)] = copy.deepcopy(draw(values))
        elif op == "wrap":
            parent[last] = [parent[last]]
        elif op == "dup" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[last]))
    return data
