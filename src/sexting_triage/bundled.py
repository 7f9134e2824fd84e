"""Where the bundled rule sets and scenarios are: inside an installed wheel, or at the top
of the source tree for an editable install or a checkout."""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    wheel = _PKG / "_bundled" / name
    if wheel.is_dir():
        return wheel
    return _PKG.parents[1] / name


def rules_dir() -> Path:
    return _find("rules")


def scenarios_dir() -> Path:
    return _find("scenarios")
