"""Writing files so they are never half-written nor written over, and reading the tool's
own JSON files (through `reading`, as every input is read).

Every file the tool writes goes through this module:

- `create_exclusive(path, data, force=False)`: an output the user named (records, saved
  scenarios, walkthroughs, notes). The file appears whole or not at all (written to a
  temporary file in the same folder, fsynced, then hard-linked to its name, which fails if the
  name exists), so of many processes racing to create one file exactly one succeeds; the rest
  get `OutputExists` (a UsageError, exit 2). An existing file is replaced only with
  `force=True` (records never pass it). Symbolic links, devices, FIFOs and folders are refused
  as output paths. Mode 0600 unless given.
- `check_output_paths({"--record": p, "--save-scenario": q})`: called before anything is
  written (or asked); refuses one file named for two outputs (same resolved path, or the
  same existing file through another name) and output paths that can never be written.
- `atomic_write(path, data)`: replace a file the tool owns (session files, the rule-set cache).

Sessions and records both read through `load_json`, which refuses duplicate keys.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
from pathlib import Path
from typing import Any

from sexting_triage.errors import InputError, Problem, UsageError
from sexting_triage.reading import (
    LONE_SURROGATE,
    a_kind,
    file_kind,
    line_col,
    read_file,
    surrogate_at,
    whole_text,
)


class OutputExists(UsageError):
    """An output file already exists and is not replaced."""


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write(path: Path, data: bytes, mode: int | None = 0o600,
                 lock: bool = False) -> int | None:
    """Replace `path` with `data` atomically: a temporary file in the same folder, flushed and
    fsynced, then `os.replace`, then the folder fsynced. On failure the temporary file is
    removed, the previous file is left untouched and the OSError propagates.

    `mode` is the new file's permissions (0600 unless given; None: as any new file, by the
    umask). With `lock`, the new file is flock()ed before it takes the name and its open,
    locked descriptor is returned (the caller closes it): a session stays locked across its
    saves, since each save is a new file."""
    import fcntl
    import tempfile  # with `random`, ~4 ms: only when a file is written

    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    held: int | None = None
    try:
        if lock:
            held = os.dup(fd)
            fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), _default_mode() if mode is None else mode)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if held is not None:
            os.close(held)
        raise
    _fsync_dir(folder)
    return held


def _refuse_special(path: Path, st: os.stat_result) -> None:
    kind = file_kind(st.st_mode)
    if kind is not None:
        raise UsageError(f"cannot write {path}: it is {kind}; outputs are written only as new "
                         "regular files (never through a link, to a device or a pipe)")


def _cannot(path: Path, exc: OSError) -> UsageError:
    return UsageError(f"cannot write {path}: {exc.strerror or exc}")


def create_exclusive(path: Path, data: bytes, *, force: bool = False,
                     mode: int = 0o600) -> None:
    """Create `path` holding `data`, whole or not at all, never replacing an existing file
    unless `force` (and never through a symbolic link, nor to a device, FIFO or folder).

    Raises OutputExists when the file exists (also when another process created it a moment
    earlier) and UsageError naming the file for every other failure; no temporary file is
    left behind."""
    path = Path(path)
    try:
        st: os.stat_result | None = os.lstat(path)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise _cannot(path, exc) from None
    if st is not None:
        _refuse_special(path, st)
        if not force:
            raise OutputExists(f"{path} already exists: choose another file name")
    folder = path.parent if str(path.parent) else Path(".")
    import tempfile  # with `random`, ~4 ms: only when a file is written

    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name[:200]}.", suffix=".tmp")
    except OSError as exc:
        raise _cannot(path, exc) from None
    try:
        try:
            with os.fdopen(fd, "wb") as fh:
                os.fchmod(fh.fileno(), mode)
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            if force:
                os.replace(tmp, path)  # replaces a name: a link planted since is not followed
            else:
                _link_new(Path(tmp), path, data, mode)
        except FileExistsError:
            raise OutputExists(f"{path} already exists: choose another file name") from None
        except OSError as exc:
            raise _cannot(path, exc) from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    _fsync_dir(folder)


def _link_new(tmp: Path, path: Path, data: bytes, mode: int) -> None:
    """Give the finished temporary file its name; link(2) fails if the name exists (even as
    a dangling symbolic link). File systems without hard links get O_EXCL | O_NOFOLLOW."""
    try:
        os.link(tmp, path, follow_symlinks=False)
        return
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK,
                             errno.EXDEV, errno.ENOSYS):
            raise
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), mode)
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise


def check_output_paths(paths: dict[str, Path | None]) -> None:
    """Before anything is written: refuse one file named for two outputs (the same path once
    resolved, or the same existing file under two names, as with a hard link), and output
    paths that can never be written (a symbolic link, device, FIFO or folder, a missing
    folder, a name too long). `paths` maps an option name (`--record`) to its path or None."""
    seen: dict[object, str] = {}
    for option, path in paths.items():
        if path is None:
            continue
        path = Path(path)
        try:
            st: os.stat_result | None = os.lstat(path)
        except FileNotFoundError:
            st = None
        except OSError as exc:
            raise UsageError(f"{option} {path}: {exc.strerror or exc}") from None
        if st is not None:
            kind = file_kind(st.st_mode)
            if kind is not None:
                raise UsageError(f"{option} {path}: it is {kind}; outputs are written only as "
                                 "new regular files")
        folder = path.parent if str(path.parent) else Path(".")
        if not folder.is_dir():
            raise UsageError(f"{option} {path}: the folder {folder} does not exist")
        keys: list[object] = [("path", os.path.realpath(path))]
        if st is not None:
            keys.append(("inode", st.st_dev, st.st_ino))
        for key in keys:
            if key in seen:
                raise UsageError(f"{seen[key]} and {option} name the same file ({path}): give "
                                 "each output its own file; nothing was written")
        for key in keys:
            seen[key] = option


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


class _Duplicate(Exception):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise _Duplicate(k)
        out[k] = v
    return out


def _has_lone_surrogate(data: Any) -> bool:
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if whole_text(item) is None:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def load_json(path: Path, kind: str) -> Any:
    """Parse one of the tool's JSON files (`kind`, e.g. "session file"); every problem is an
    InputError located as precisely as the file allows. A key given twice in one object
    (json keeps the last, silently) and a lone surrogate escape (`\\ud800`) make the file
    invalid."""
    p = str(path)
    _, text = read_file(path, kind)
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates)
    except _Duplicate as exc:
        line, col = _second_key(text, exc.key)
        raise InputError([Problem(p, line, col, "", f"not {a_kind(kind)}: the key "
                                  f"{json.dumps(exc.key)} appears twice in one object")]
                         ) from None
    except json.JSONDecodeError as exc:
        raise InputError([Problem(p, exc.lineno, exc.colno, "",
                                  f"not {a_kind(kind)} (invalid JSON: {exc.msg})")]) from None
    except (ValueError, RecursionError):
        # json.loads raises these (not JSONDecodeError) for a 5,000-digit number or
        # thousands of nested brackets
        raise InputError([Problem(p, None, None, "", f"not {a_kind(kind)} (its JSON nests too "
                                  "deeply or holds a number too long)")]) from None
    if _has_lone_surrogate(data):
        line, col = surrogate_at(text)
        raise InputError([Problem(p, line, col, "", f"not {a_kind(kind)}: {LONE_SURROGATE}")])
    return data


def _second_key(text: str, key: str) -> tuple[int | None, int | None]:
    """Where a duplicated key is written the second time (as exactly as a search allows)."""
    import re

    spelled = re.escape(json.dumps(key, ensure_ascii=False))
    hits = [m.start() for m in re.finditer(spelled + r"\s*:", text)]
    if len(hits) < 2:
        return None, None
    return line_col(text, hits[1])
