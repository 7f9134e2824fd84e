"""The per-user and per-machine configuration: which force overlay to apply by default.

Where the overlay comes from, first match wins:

1. `--overlay FILE` on the command line (`--overlay none` turns overlays off);
2. the environment variable `SEXTING_TRIAGE_OVERLAY` (a path; set but empty, or `none`, turns
   overlays off);
3. `sexting-triage.toml` in the user's config folder (`$XDG_CONFIG_HOME`, else `~/.config`);
4. `sexting-triage.toml` in the machine's config folders (`$XDG_CONFIG_DIRS`, else `/etc/xdg`).

The file holds one table:

    [overlay]
    path = "/srv/force/overlay.yaml"   # relative paths are read relative to the file

A config file that cannot be read or parsed is an error naming the file and key, never
silently ignored: an officer must not get national-only advice because of a typo.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sexting_triage.errors import InputError, Problem

ENV_VAR = "SEXTING_TRIAGE_OVERLAY"
FILE_NAME = "sexting-triage.toml"
OFF = "none"


@dataclass(frozen=True, slots=True)
class OverlayChoice:
    """The overlay to apply (None: none) and where that choice was made, for messages."""

    path: Path | None
    source: str  # "option" | "environment" | a config file path | "default"


def config_files() -> list[Path]:
    """The config files to read, most specific first (user, then machine)."""
    home = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"),
                                                              ".config")
    dirs = [home]
    dirs += [d for d in (os.environ.get("XDG_CONFIG_DIRS") or "/etc/xdg").split(os.pathsep)
             if d]
    return [Path(d) / FILE_NAME for d in dirs]


def _from_file(path: Path) -> OverlayChoice | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InputError([Problem(str(path), None, None, "",
                                  f"cannot read the config file: {exc.strerror or exc}")]
                         ) from None
    import tomllib  # ~5 ms: only when there is a config file to read
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError([Problem(str(path), None, None, "",
                                  f"not a valid TOML config file: {exc}")]) from None
    table = data.get("overlay")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise InputError([Problem(str(path), None, None, "overlay",
                                  "expected a table `[overlay]` with `path = \"...\"`")])
    unknown = [k for k in table if k != "path"]
    if unknown:
        raise InputError([Problem(str(path), None, None, f"overlay.{unknown[0]}",
                                  f"unknown key `{unknown[0]}` (the only key is `path`)")])
    value = table.get("path")
    if not isinstance(value, str):
        raise InputError([Problem(str(path), None, None, "overlay.path",
                                  "expected a string: the path of the force's overlay file")])
    if value.strip() in ("", OFF):
        return OverlayChoice(None, str(path))
    p = Path(os.path.expanduser(value))
    if not p.is_absolute():
        p = path.parent / p
    return OverlayChoice(p, str(path))


def overlay_choice(option: str | os.PathLike[str] | None = None) -> OverlayChoice:
    """Which overlay applies, from the option, the environment or a config file."""
    if option is not None:
        text = os.fspath(option)
        if text.strip() in ("", OFF):
            return OverlayChoice(None, "option")
        return OverlayChoice(Path(text), "option")
    env = os.environ.get(ENV_VAR)
    if env is not None:
        if env.strip() in ("", OFF):
            return OverlayChoice(None, "environment")
        return OverlayChoice(Path(os.path.expanduser(env)), "environment")
    for path in config_files():
        got = _from_file(path)
        if got is not None:
            return got
    return OverlayChoice(None, "default")
