"""Writing files so they are never half-written, and reading the tool's own JSON files.

Every file the tool writes (sessions, records, scenarios, handouts, JUnit reports, the rule-set
cache) goes through `atomic_write`; sessions and records both read through `load_json`.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from sexting_triage.errors import InputError, Problem


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write(path: Path, data: bytes, mode: int | None = 0o600) -> None:
    """Replace `path` with `data` atomically: a temporary file in the same folder, flushed and
    fsynced, then `os.replace`, then the folder fsynced. On failure the temporary file is
    removed, the previous file is left untouched and the OSError propagates.

    `mode` is the new file's permissions (0600 unless given; None: as any new file, by the
    umask)."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), _default_mode() if mode is None else mode)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every file system allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def load_json(path: Path, kind: str) -> Any:
    """Parse one of the tool's JSON files (`kind`, e.g. "session file"); every problem is an
    InputError located as precisely as the file allows."""
    from sexting_triage.yamlio import read_file

    p = str(path)
    _, text = read_file(path, kind)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError([Problem(p, exc.lineno, exc.colno, "",
                                  f"not a {kind} (invalid JSON: {exc.msg})")]) from None
    except (ValueError, RecursionError):
        # json.loads raises these (not JSONDecodeError) for a 5,000-digit number or
        # thousands of nested brackets
        raise InputError([Problem(p, None, None, "", f"not a {kind} (its JSON nests too "
                                  "deeply or holds a number too long)")]) from None
