"""The scenario library shipped with the tool: where it is (inside an installed wheel, or at
the top of the source tree), and what is in it."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sexting_triage.bundled import scenarios_dir
from sexting_triage.scenarios.load import find_files, load_scenarios


def library_dir() -> Path:
    """The folder of the shipped scenario library."""
    return scenarios_dir()


def paths_or_library(paths: Iterable[Path] | None) -> list[Path]:
    """The paths given, or the shipped library when none is."""
    given = list(paths or ())
    return given or [library_dir()]


@dataclass(frozen=True)
class Entry:
    """One case of the library: its name (file, and position in a list), title and tags."""

    name: str
    title: str
    tags: tuple[str, ...]


def library_files() -> list[Path]:
    """Every scenario file of the shipped library, in order."""
    return find_files([library_dir()])


def listing() -> list[Entry]:
    """Every case of the shipped library, relative to the library folder."""
    root = library_dir()
    out = []
    for s in load_scenarios([root]):
        name = os.path.relpath(s.path, root) + ("" if s.index is None else f"#{s.index + 1}")
        out.append(Entry(name, s.title, s.tags))
    return out
