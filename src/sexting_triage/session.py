"""Session files: the answers of an unfinished triage, saved after every answer.

A triage at a scene must never be lost to a closed laptop, a dropped call or Ctrl-C. After
every answer the whole session is written atomically (a temporary file in the same folder,
flushed and fsynced, then `os.replace`), so the file on disk is always either the last good
copy or the new one, never half of each.

A session holds only question ids and answer values, plus provenance (when it started, the
tool version, and the rule set's id, version and sha256): no names, no free text. Files are
mode 0600 in a folder of mode 0700.

A session is pinned to the sha256 of its rule set. On resume with a changed rule set, the saved
answers are checked again with `engine.walk`: answers the new rules no longer reach, or whose
values they no longer accept, are dropped, and only what is new is asked.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sexting_triage import __version__, files
from sexting_triage.conditions import Value
from sexting_triage.errors import InputError, Problem, TriageError
from sexting_triage.ruleset import RuleSet

SESSION_SCHEMA = "sexting-triage/session/1"
SUFFIX = ".json"


class SessionError(TriageError):
    """A session file could not be written or read (disk full, read-only folder, ...).

    When a write fails the last good copy of the session file is kept."""


# ----------------------------------------------------------------------------- files


def state_dir() -> Path:
    """$XDG_STATE_HOME/sexting-triage, or ~/.local/state/sexting-triage (the XDG default).

    A relative XDG_STATE_HOME is ignored, as the XDG specification asks."""
    base = os.environ.get("XDG_STATE_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".local" / "state"
    return root / "sexting-triage"


def default_dir() -> Path:
    return state_dir() / "sessions"


def ensure_dir(folder: Path) -> Path:
    """Create the sessions folder (mode 0700) if needed; tighten it if we own it."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if folder.stat().st_uid == os.getuid() and folder.stat().st_mode & 0o077:
            folder.chmod(0o700)
    except OSError as exc:
        raise SessionError(f"cannot create the sessions folder {folder}: "
                           f"{exc.strerror or exc}") from None
    return folder


def atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` with `data` atomically, mode 0600 (see files.atomic_write).

    On any failure the previous file is left untouched and the error surfaces as
    SessionError with a plain message."""
    try:
        files.atomic_write(Path(path), data, 0o600)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise SessionError(f"could not save {path}: {reason}. The last saved copy (if any) "
                           "is kept unchanged.") from None


def _reserve(folder: Path, started: datetime) -> Path:
    """A new, unique session file name, claimed with O_EXCL so two triages never share one."""
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    for _ in range(20):
        path = folder / f"{stamp}-{secrets.token_hex(4)}{SUFFIX}"
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        except OSError as exc:
            raise SessionError(f"cannot create a session file in {folder}: "
                               f"{exc.strerror or exc}") from None
        os.close(fd)
        return path
    raise SessionError(f"cannot find a free session file name in {folder}")


# ----------------------------------------------------------------------------- sessions


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def rules_ref(ref: str | None, rs: RuleSet, bundled: dict[str, Path]) -> str:
    """How to find the rule set again on resume: its bundled id, or its absolute path."""
    if ref is None or ref in bundled:
        return rs.id if rs.id in bundled else os.path.abspath(rs.path)
    return os.path.abspath(ref)


@dataclass
class Session:
    """One triage in progress. `answers` are in the order the questions are asked."""

    path: Path
    started: str
    rules: dict[str, str]  # id, version, sha256, ref
    answers: dict[str, Value] = field(default_factory=dict)
    updated: str | None = None
    finished: str | None = None
    tool: str = __version__
    _lock: int | None = field(default=None, repr=False, compare=False)

    @classmethod
    def create(cls, folder: Path, rs: RuleSet, ref: str) -> Session:
        """Start a session file in `folder` (created 0700 if needed) and write it at once."""
        ensure_dir(folder)
        sweep(folder)
        started = utc_now()
        path = _reserve(folder, started)
        s = cls(path, iso(started), rs.provenance() | {"ref": ref})
        try:
            s.lock()
            s.save()
        except SessionError:
            s.remove()
            raise
        return s

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(f".{self.path.name}.lock")

    def lock(self) -> None:
        """Hold an advisory lock while a triage uses this session, so the same session is
        never continued in two terminals at once (the kernel drops it if the process dies)."""
        import fcntl

        if self._lock is not None:
            return
        for _ in range(5):
            try:
                fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:
                return  # best effort: a folder we cannot write to is reported by the next save
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                raise SessionError(f"{self.path} is in use by another triage: finish or stop "
                                   "that one first") from None
            # release() unlinks the lock file: if the file we locked is no longer the one at
            # lock_path, another triage may hold the new one, so try again with that
            try:
                current = os.stat(self.lock_path).st_ino
            except FileNotFoundError:
                current = None
            if current == os.fstat(fd).st_ino:
                self._lock = fd
                return
            os.close(fd)
        raise SessionError(f"could not lock {self.path}: another triage keeps taking it; try "
                           "again")

    def release(self) -> None:
        """Drop the lock (the session file stays, to be resumed)."""
        if self._lock is not None:
            with contextlib.suppress(OSError):
                self.lock_path.unlink()
            os.close(self._lock)
            self._lock = None

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "schema": SESSION_SCHEMA,
            "tool": {"name": "sexting-triage", "version": self.tool},
            "started": self.started,
            "updated": self.updated or self.started,
            "rules": dict(self.rules),
            "answers": dict(self.answers),
        }
        if self.finished:
            d["finished"] = self.finished
        return d

    def save(self) -> None:
        """Write the whole session atomically (called after every answer)."""
        self.updated = iso(utc_now())
        data = json.dumps(self.as_dict(), indent=2, ensure_ascii=False) + "\n"
        atomic_write(self.path, data.encode("utf-8"))

    def set_answers(self, answers: dict[str, Value]) -> None:
        self.answers = dict(answers)
        self.save()

    def pin(self, rs: RuleSet) -> None:
        """Pin to another rule set (after a resume with changed rules); the ref is kept."""
        self.rules = rs.provenance() | {"ref": self.rules.get("ref", rs.id)}

    def remove(self) -> None:
        """Delete the session file (a finished triage) and its lock."""
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        self.release()

    @property
    def command(self) -> str:
        """The exact command that continues this session."""
        import shlex

        return f"sexting-triage triage --resume {shlex.quote(str(self.path))}"


def load(path: Path) -> Session:
    """Read a session file; every problem is reported as path:line:col: location: message."""

    p = str(path)
    data = files.load_json(path, "session file")
    problems: list[Problem] = []

    def bad(location: str, message: str) -> None:
        problems.append(Problem(p, None, None, location, message))

    if not isinstance(data, dict) or data.get("schema") != SESSION_SCHEMA:
        raise InputError([Problem(p, None, None, "schema",
                                  f"not a session file (expected schema {SESSION_SCHEMA})")])
    rules = data.get("rules")
    if not (isinstance(rules, dict) and all(isinstance(rules.get(k), str)
                                            for k in ("id", "version", "sha256", "ref"))):
        bad("rules", "expected the rule set's id, version, sha256 and ref")
        rules = {}
    answers = data.get("answers")
    if not isinstance(answers, dict):
        bad("answers", "expected a mapping of question ids to answers")
        answers = {}
    for k, v in answers.items():
        if not (isinstance(v, str) or (isinstance(v, int) and not isinstance(v, bool))):
            bad(f"answers.{k}", "an answer is a word or a whole number")
    started = data.get("started")
    if not isinstance(started, str):
        bad("started", "expected the time the session started")
        started = ""
    tool = data.get("tool")
    version = tool.get("version") if isinstance(tool, dict) else None
    if problems:
        raise InputError(problems)
    return Session(Path(path), started, dict(rules), dict(answers),
                   data.get("updated") if isinstance(data.get("updated"), str) else None,
                   data.get("finished") if isinstance(data.get("finished"), str) else None,
                   version if isinstance(version, str) else "unknown")


STALE_SECONDS = 3600


def sweep(folder: Path, now: float | None = None) -> list[Path]:
    """Remove what a killed triage can leave behind: temporary files from an interrupted save
    (older than an hour, so a save under way is never touched) and lock files whose session
    is gone and which nobody holds. Returns what was removed; failures are ignored."""
    import fcntl
    import time

    now = time.time() if now is None else now
    removed: list[Path] = []
    for tmp in folder.glob(f".*{SUFFIX}.*.tmp"):
        with contextlib.suppress(OSError):
            if now - tmp.stat().st_mtime > STALE_SECONDS:
                tmp.unlink()
                removed.append(tmp)
    for lock in folder.glob(f".*{SUFFIX}.lock"):
        if (folder / lock.name[1:-len(".lock")]).exists():
            continue
        try:
            fd = os.open(lock, os.O_RDWR)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            lock.unlink()
            removed.append(lock)
        except OSError:
            pass
        finally:
            os.close(fd)
    return removed


def list_sessions(folder: Path) -> tuple[list[Session], list[tuple[Path, str]]]:
    """Sessions in `folder`, oldest first, and the files that could not be read (with why).
    Leftovers of killed triages are swept away first (see sweep)."""
    found: list[Session] = []
    broken: list[tuple[Path, str]] = []
    if not folder.is_dir():
        return found, broken
    sweep(folder)
    for path in sorted(folder.glob(f"*{SUFFIX}")):
        try:
            found.append(load(path))
        except TriageError as exc:
            broken.append((path, exc.lines()[0]))
    found.sort(key=lambda s: (s.started, s.path.name))
    return found, broken


# ----------------------------------------------------------------------------- resume


@dataclass(frozen=True)
class Restored:
    """What resuming did to the saved answers."""

    answers: dict[str, Value]
    rules_changed: bool
    dropped: tuple[tuple[str, str], ...]  # (question id, why)


def restore(session: Session, rs: RuleSet) -> Restored:
    """The saved answers, checked again against `rs` with the engine.

    If `rs` is not the rule set the session was pinned to, answers to questions it does not
    have, values it does not accept, and answers it no longer reaches are dropped."""
    from sexting_triage.engine import normalize, walk

    changed = session.rules.get("sha256") != rs.sha256
    dropped: list[tuple[str, str]] = []
    facts: dict[str, Value] = {}
    for qid, value in session.answers.items():
        if qid not in rs.question_index:
            dropped.append((qid, "this rule set has no such question"))
            continue
        try:
            facts[qid] = normalize(rs.question(qid), value)
        except ValueError as exc:
            dropped.append((qid, f"the answer is no longer accepted ({exc})"))
    reached = set(walk(rs, facts, complete=True).asked)
    kept: dict[str, Value] = {}
    for q in rs.questions:
        if q.id in facts:
            if q.id in reached:
                kept[q.id] = facts[q.id]
            else:
                dropped.append((q.id, "the question is no longer asked with these answers"))
    return Restored(kept, changed, tuple(dropped))
