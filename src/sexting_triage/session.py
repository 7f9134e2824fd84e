"""Session files: the answers of an unfinished triage, saved after every answer.

A triage at a scene must never be lost to a closed laptop, a dropped call or Ctrl-C. After
every answer the whole session is written atomically (a temporary file in the same folder,
flushed and fsynced, then `os.replace`), so the file on disk is always either the last good
copy or the new one, never half of each.

A session holds only question ids and answer values, plus provenance (when it started, the
tool version, and the rule set's id, version and sha256): no names, no free text. Files are
mode 0600; a sessions folder the tool creates is 0700 (an existing folder's mode is never
changed: `loose_folder` says when it lets others in).

While a triage uses a session, the session file itself is locked (flock on the open file,
its st_dev/st_ino checked against the path), not a lock file beside it: a symbolic or hard
link to the session is the same file and is refused as "in use". Each save is a new file,
locked before it takes the name; the file first locked stays locked too, so a hard link made
before the triage started cannot be resumed while it runs either.

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
from sexting_triage.serialize import SESSION_SCHEMA

SUFFIX = ".json"


class SessionError(TriageError):
    """A session file could not be written or read (disk full, read-only folder, ...).

    When a write fails the last good copy of the session file is kept."""


# ----------------------------------------------------------------------------- files


def home() -> Path:
    """The user's home folder: $HOME if it is an absolute path, else the password database's
    entry (an empty or relative HOME would put sessions in / or the working folder)."""
    env = os.environ.get("HOME", "")
    if env and os.path.isabs(env):
        return Path(env)
    try:
        import pwd

        entry = pwd.getpwuid(os.getuid()).pw_dir
    except (ImportError, KeyError, OSError):
        entry = ""
    if entry and os.path.isabs(entry):
        return Path(entry)
    raise SessionError("HOME is empty or not an absolute path, and the user has no home "
                       "folder: give the sessions folder with --session-dir DIR")


def state_dir() -> Path:
    """$XDG_STATE_HOME/sexting-triage, or ~/.local/state/sexting-triage (the XDG default).

    A relative XDG_STATE_HOME is ignored, as the XDG specification asks; so is an empty or
    relative HOME (see home)."""
    base = os.environ.get("XDG_STATE_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else home() / ".local" / "state"
    return root / "sexting-triage"


def default_dir() -> Path:
    return state_dir() / "sessions"


def ensure_dir(folder: Path) -> Path:
    """Create the sessions folder, mode 0700, if it is missing (its parents as any new
    folder). An existing folder is used as it is: its mode is never changed."""
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        folder.mkdir(mode=0o700)
    except FileExistsError:
        if not folder.is_dir():
            raise SessionError(f"cannot use {folder} as the sessions folder: it is not a "
                               "folder") from None
    except OSError as exc:
        raise SessionError(f"cannot create the sessions folder {folder}: "
                           f"{exc.strerror or exc}") from None
    return folder


def loose_folder(folder: Path) -> str | None:
    """A warning when an existing sessions folder lets other users in (the files themselves
    are 0600 either way), or None."""
    try:
        mode = folder.stat().st_mode & 0o777
    except OSError:
        return None
    if mode & 0o077:
        return (f"the sessions folder {folder} is mode {mode:04o}: other users can see which "
                f"sessions exist (each file is readable only by you). `chmod 700 {folder}` "
                "keeps them out.")
    return None


def atomic_write(path: Path, data: bytes, lock: bool = False) -> int | None:
    """Replace `path` with `data` atomically, mode 0600 (see files.atomic_write; with `lock`
    the new file's locked descriptor is returned).

    On any failure the previous file is left untouched and the error surfaces as
    SessionError with a plain message."""
    try:
        return files.atomic_write(Path(path), data, 0o600, lock=lock)
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
    # the triage's own options (outputs, way of asking), so that `--resume FILE` alone
    # continues exactly as started and every "To continue" line and listing can say so
    options: dict[str, str | bool] = field(default_factory=dict)
    # the locked descriptors: the file first locked, then the latest save's
    _locks: list[int] = field(default_factory=list, repr=False, compare=False)
    _real: Path | None = field(default=None, repr=False, compare=False)

    @classmethod
    def create(cls, folder: Path, rs: RuleSet, ref: str,
               options: dict[str, str | bool] | None = None) -> Session:
        """Start a session file in `folder` (created 0700 if missing) and write it at once,
        with the triage's `options` (see OPTIONS)."""
        ensure_dir(folder)
        sweep(folder)
        started = utc_now()
        path = _reserve(folder, started)
        s = cls(path, iso(started), rs.provenance() | {"ref": ref},
                options=dict(options or {}))
        try:
            s.lock()
            s.save()
        except SessionError:
            s.remove()
            raise
        return s

    @property
    def lock_path(self) -> Path:
        """Where earlier versions kept a lock file (swept when nobody holds it)."""
        return self.path.with_name(f".{self.path.name}.lock")

    @property
    def locked(self) -> bool:
        return bool(self._locks)

    def target(self) -> Path:
        """The file saves replace: the session file itself, through any symbolic link."""
        return self._real or Path(os.path.realpath(self.path))

    def lock(self) -> None:
        """Hold an advisory lock on the session file while a triage uses it, so the same
        session is never continued in two terminals at once, under any name (the kernel
        drops it if the process dies)."""
        import fcntl

        if self._locks:
            return
        for _ in range(5):
            real = Path(os.path.realpath(self.path))
            try:
                fd = os.open(real, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
            except OSError as exc:
                raise SessionError(f"cannot open {self.path}: {exc.strerror or exc}") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                raise SessionError(f"{self.path} is in use by another triage: finish or stop "
                                   "that one first") from None
            # a save (a new file) may have taken the name between open and flock: then the
            # file we locked is not the session any more, so lock the one that is
            try:
                now = os.stat(real)
            except OSError:
                now = None
            held = os.fstat(fd)
            if now is not None and (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino):
                self._locks = [fd]
                self._real = real
                return
            os.close(fd)
        raise SessionError(f"could not lock {self.path}: another triage keeps saving it; try "
                           "again")

    def release(self) -> None:
        """Drop the lock (the session file stays, to be resumed)."""
        for fd in self._locks:
            with contextlib.suppress(OSError):
                os.close(fd)
        self._locks = []

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
        if self.options:
            d["options"] = dict(self.options)
        return d

    def save(self) -> None:
        """Write the whole session atomically (called after every answer)."""
        self.updated = iso(utc_now())
        data = json.dumps(self.as_dict(), indent=2, ensure_ascii=False) + "\n"
        held = atomic_write(self.target(), data.encode("utf-8"), lock=self.locked)
        if held is not None:
            # keep the first file locked (a hard link made to it earlier), and the new one
            for fd in self._locks[1:]:
                with contextlib.suppress(OSError):
                    os.close(fd)
            self._locks = [self._locks[0], held]

    def set_answers(self, answers: dict[str, Value]) -> None:
        self.answers = dict(answers)
        self.save()

    def pin(self, rs: RuleSet) -> None:
        """Pin to another rule set (after a resume with changed rules); the ref is kept."""
        self.rules = rs.provenance() | {"ref": self.rules.get("ref", rs.id)}

    def remove(self) -> None:
        """Delete the session file (a finished triage) and its lock."""
        with contextlib.suppress(FileNotFoundError):
            self.target().unlink()
        self.release()

    @property
    def command(self) -> str:
        """The exact command that continues this session, with every option it keeps (a
        resume with `--resume FILE` alone uses them too)."""
        import shlex

        cmd = f"sexting-triage triage --resume {shlex.quote(str(self.path))}"
        for key in OPTIONS:
            value = self.options.get(key)
            if value is True:
                cmd += f" --{key.replace('_', '-')}"
            elif isinstance(value, str):
                cmd += f" --{key.replace('_', '-')} {shlex.quote(value)}"
        return cmd


# The options a session keeps, in the order a command shows them: file and reference options
# (a string) and switches (True when on).
OPTIONS: dict[str, type] = {"record": str, "incident_ref": str, "sign_key": str,
                            "save_scenario": str, "accessible": bool, "no_color": bool,
                            "keep_session": bool}


def saved_options(path: Path) -> dict[str, str | bool]:
    """The options a session file keeps, or none when it cannot be read (the resume itself
    then says why)."""
    try:
        return load(path).options
    except TriageError:
        return {}


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
    options = data.get("options", {})
    if not isinstance(options, dict):
        bad("options", "expected a mapping of the triage's options")
        options = {}
    for k, v in options.items():
        if k not in OPTIONS:
            bad(f"options.{k}", "not an option a triage keeps")
        elif type(v) is not OPTIONS[k] or (v is False):
            bad(f"options.{k}", "expected " + ("true" if OPTIONS[k] is bool else "a text"))
    if problems:
        raise InputError(problems)
    return Session(Path(path), started, dict(rules), dict(answers),
                   data.get("updated") if isinstance(data.get("updated"), str) else None,
                   data.get("finished") if isinstance(data.get("finished"), str) else None,
                   version if isinstance(version, str) else "unknown", dict(options))


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
    try:
        if not folder.is_dir():
            return found, broken
        sweep(folder)
        names = sorted(folder.glob(f"*{SUFFIX}"))
    except OSError:
        return found, broken
    for path in names:
        try:
            found.append(load(path))
        except TriageError as exc:
            broken.append((path, exc.lines()[0]))
        except (OSError, ValueError) as exc:  # never one file's fault for the whole list
            broken.append((path, str(exc) or type(exc).__name__))
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
