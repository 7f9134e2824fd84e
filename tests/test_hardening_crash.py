"""Crash safety: nothing a responder answered is lost to a killed process, a full or
read-only disk, or a second triage running at the same time; session files are never half
written; a session that cannot be resumed says how to start afresh.

The kill tests run the real program (`python -m sexting_triage triage --accessible`) with
answers piped in one line at a time, and SIGKILL it: no handler runs, so only what was
already on disk survives.
"""

from __future__ import annotations

import errno
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from helpers import CLEAN
from sexting_triage import engine, loader
from sexting_triage import session as S
from sexting_triage.cli import main

RULES = "cop-2016"
# the clean case, with the question the 1.1 rule sets added
CASE = {"taken_without_consent": "no"} | CLEAN


def ordered_answers(answers: dict[str, Any] | None = None) -> list[tuple[str, str]]:
    """(question id, typed line) in the order the triage asks them."""
    rs = loader.resolve(RULES)
    given = answers or {k: v for k, v in CASE.items() if k in rs.question_index}
    facts: dict[str, Any] = {}
    out = []
    while (q := engine.next_question(rs, facts)) is not None:
        facts[q.id] = given[q.id]
        out.append((q.id, str(given[q.id])))
    return out


ANSWERS = ordered_answers()


def env(tmp_path: Path) -> dict[str, str]:
    e = dict(os.environ)
    e.update(NO_COLOR="1", XDG_CACHE_HOME=str(tmp_path / "cache"), TERM="dumb",
             PYTHONUNBUFFERED="1")
    e.pop("SEXTING_TRIAGE_ACCESSIBLE", None)
    return e


def start(tmp_path: Path, folder: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "sexting_triage", "triage", "--accessible", "--rules", RULES,
         "--session-dir", str(folder), *extra],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        text=True, env=env(tmp_path))


def wait_for(check: Callable[[], Any], what: str, timeout: float = 30.0) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        result = check()
        if result:
            return result
        time.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


def answers_in(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))["answers"]
    except ValueError:  # the name is claimed (O_EXCL) a moment before the first save
        return None


def saved(folder: Path) -> dict[str, Any] | None:
    """The answers in the one session file, or None before it exists."""
    files = list(folder.glob("*.json"))
    return answers_in(files[0]) if len(files) == 1 else None


def expected(n: int) -> dict[str, Any]:
    rs = loader.resolve(RULES)
    return {qid: engine.normalize(rs.question(qid), line) for qid, line in ANSWERS[:n]}


@pytest.mark.parametrize("n", [1, 6, len(ANSWERS) - 1])
def test_sigkill_after_n_answers_resumes_with_exactly_n(tmp_path: Path, n: int) -> None:
    folder = tmp_path / "sessions"
    proc = start(tmp_path, folder)
    assert proc.stdin is not None
    try:
        for k, (_, line) in enumerate(ANSWERS[:n], 1):
            proc.stdin.write(line + "\n")
            proc.stdin.flush()
            wait_for(lambda k=k: (a := saved(folder)) is not None and len(a) == k,
                     f"answer {k} to be saved")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    (path,) = folder.glob("*.json")
    assert saved(folder) == expected(n)

    rest = "".join(line + "\n" for _, line in ANSWERS[n:]) + "\n"
    done = subprocess.run(
        [sys.executable, "-m", "sexting_triage", "triage", "--accessible", "--resume", str(path)],
        input=rest, capture_output=True, text=True, env=env(tmp_path), timeout=60)
    assert done.returncode == 0, done.stderr
    said = done.stderr + done.stdout  # narration and questions on stderr, the result on stdout
    assert f"with {n} answer(s)" in said
    asked = [int(x.split(":")[0].split()[0]) for x in said.split("Question ")[1:]]
    assert asked == list(range(n + 1, len(ANSWERS) + 1))  # nothing asked twice, none skipped
    assert "RECOMMENDED PATHWAY" in done.stdout
    assert not path.exists()  # finished: the session file is removed


@pytest.mark.parametrize("delay", [0.0, 0.05, 0.15, 0.3, 0.6])
def test_sigkill_at_any_moment_never_leaves_a_half_written_session(tmp_path: Path,
                                                                   delay: float) -> None:
    """All answers typed at once, killed after `delay`: whatever is on disk is a whole
    session holding a prefix of the answers, in order."""
    folder = tmp_path / "sessions"
    proc = start(tmp_path, folder)
    assert proc.stdin is not None
    wait_for(lambda: saved(folder) is not None, "the session file")
    proc.stdin.write("".join(line + "\n" for _, line in ANSWERS))
    proc.stdin.flush()
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    answers = saved(folder)
    assert answers is not None
    n = len(answers)
    assert answers == expected(n)
    assert list(answers) == [qid for qid, _ in ANSWERS[:n]]
    for leftover in folder.iterdir():  # a temporary file caught mid-write stays private
        assert leftover.stat().st_mode & 0o077 == 0


# ----------------------------------------------------------------------------- atomic writes


def test_atomic_write_is_temp_in_same_folder_flush_fsync_then_rename(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    events: list[tuple[str, Any]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")
                       if os.path.exists(f"/proc/self/fd/{fd}") else fd))
        real_fsync(fd)

    def replace(src: Any, dst: Any) -> None:
        events.append(("replace", (str(src), str(dst))))
        assert Path(src).read_bytes() == b"new", "renamed before the data was complete"
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    target = tmp_path / "s.json"
    target.write_bytes(b"old")
    S.atomic_write(target, b"new")
    kinds = [e[0] for e in events]
    assert kinds.index("fsync") < kinds.index("replace")
    src, dst = next(e[1] for e in events if e[0] == "replace")
    assert Path(src).parent == tmp_path and dst == str(target)
    if isinstance(events[0][1], str):
        assert events[0][1] == src  # the file fsynced is the temporary one
    assert target.read_bytes() == b"new"
    assert list(tmp_path.iterdir()) == [target]


@pytest.mark.parametrize(("where", "err"), [
    ("fsync", errno.ENOSPC), ("replace", errno.EROFS), ("mkstemp", errno.EACCES),
    ("write", errno.ENOSPC), ("write", errno.EIO),
])
def test_failed_save_keeps_the_last_good_file_and_no_temp(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str, err: int) -> None:
    import tempfile

    target = tmp_path / "s.json"
    target.write_bytes(b'{"last": "good"}')

    def fail(*_a: Any, **_k: Any) -> Any:
        raise OSError(err, os.strerror(err))

    if where == "fsync":
        monkeypatch.setattr(os, "fsync", fail)
    elif where == "replace":
        monkeypatch.setattr(os, "replace", fail)
    elif where == "mkstemp":
        monkeypatch.setattr(tempfile, "mkstemp", fail)
    else:
        real_fdopen = os.fdopen

        class Failing(io.RawIOBase):
            def __init__(self, fd: int) -> None:
                self.fh = real_fdopen(fd, "wb")

            def fileno(self) -> int:
                return self.fh.fileno()

            def write(self, _b: Any) -> int:
                raise OSError(err, os.strerror(err))

            def __exit__(self, *a: Any) -> None:
                self.fh.close()

        monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: Failing(fd))
    with pytest.raises(S.SessionError) as exc:
        S.atomic_write(target, b"NEW")
    assert os.strerror(err) in str(exc.value) and "kept unchanged" in str(exc.value)
    assert target.read_bytes() == b'{"last": "good"}'
    assert list(tmp_path.iterdir()) == [target]


@pytest.mark.parametrize(("fault", "err"), [("fsync", errno.ENOSPC), ("mkstemp", errno.EROFS)])
def test_disk_fault_mid_triage_is_a_clear_error_keeping_the_answers_saved(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        fault: str, err: int) -> None:
    """The fifth answer cannot be saved: exit 2, a plain message with the command to
    continue, and the session file still holds the first four."""
    import tempfile

    folder = tmp_path / "sessions"
    real_fsync, real_mkstemp = os.fsync, tempfile.mkstemp
    saves = {"n": 0}

    def in_sessions(fd: int) -> bool:
        try:
            return os.readlink(f"/proc/self/fd/{fd}").startswith(str(folder))
        except OSError:
            return True

    def fsync(fd: int) -> None:
        # each save fsyncs the file then the folder: fail the file of the 6th save
        # (the session's creation, then answers 1-4 succeed); the rule-set cache's own
        # saves are not counted
        if not in_sessions(fd):
            return real_fsync(fd)
        saves["n"] += 1
        if saves["n"] == 11:
            raise OSError(err, os.strerror(err))
        real_fsync(fd)

    def mkstemp(*a: Any, **k: Any) -> Any:
        if not str(k.get("dir", "")).startswith(str(folder)):
            return real_mkstemp(*a, **k)
        saves["n"] += 1
        if saves["n"] == 6:
            raise OSError(err, os.strerror(err))
        return real_mkstemp(*a, **k)

    if fault == "fsync":
        monkeypatch.setattr(os, "fsync", fsync)
    else:
        monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    monkeypatch.setattr(sys, "stdin", io.StringIO("".join(f"{x}\n" for _, x in ANSWERS)))
    code = main(["triage", "--accessible", "--rules", RULES, "--session-dir", str(folder)])
    _, stderr = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in stderr
    assert os.strerror(err) in stderr and "kept unchanged" in stderr
    (path,) = folder.glob("*.json")
    assert f"continue with: sexting-triage triage --resume {path}" in stderr
    assert saved(folder) == expected(4)
    assert [p for p in folder.iterdir() if not p.name.endswith(".lock")] == [path]


def test_read_only_sessions_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A really read-only folder (skipped as root, where permissions are not enforced)."""
    folder = tmp_path / "sessions"
    folder.mkdir(mode=0o700)
    folder.chmod(0o500)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("permissions are not enforced for this user (root)")
        monkeypatch.setattr(sys, "stdin", io.StringIO("yes\n"))
        code = main(["triage", "--accessible", "--rules", RULES, "--session-dir", str(folder)])
        _, err = capsys.readouterr()
        assert code == 2 and "Permission denied" in err and "Traceback" not in err
    finally:
        folder.chmod(0o700)


# ----------------------------------------------------------------------------- two at once


def test_sessions_started_in_the_same_second_never_share_a_file(tmp_path: Path) -> None:
    rs = loader.resolve(RULES)
    made: list[Path] = []
    lock = threading.Lock()

    def create() -> None:
        s = S.Session.create(tmp_path, rs, RULES)
        with lock:
            made.append(s.path)

    threads = [threading.Thread(target=create) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(made)) == 40 == len(list(tmp_path.glob("*.json")))


def test_two_triages_at_once_keep_their_own_answers(tmp_path: Path) -> None:
    folder = tmp_path / "sessions"
    other = ordered_answers(dict(CASE) | {"youngest_age": 13,
                                                               "sharing_extent": "widely"})
    a, b = start(tmp_path, folder), start(tmp_path, folder)
    assert a.stdin is not None and b.stdin is not None
    try:
        for (_, la), (_, lb) in zip(ANSWERS[:8], other[:8], strict=True):
            a.stdin.write(la + "\n")
            a.stdin.flush()
            b.stdin.write(lb + "\n")
            b.stdin.flush()

        def both() -> list[dict[str, Any]] | None:
            files = list(folder.glob("*.json"))
            if len(files) != 2:
                return None
            found = [answers_in(f) for f in files]
            return found if all(x is not None and len(x) == 8 for x in found) else None

        found = wait_for(both, "both sessions to hold 8 answers")
    finally:
        for p in (a, b):
            p.send_signal(signal.SIGKILL)
            p.wait()
    rs = loader.resolve(RULES)
    mine = expected(8)
    theirs = {q: engine.normalize(rs.question(q), x) for q, x in other[:8]}
    assert sorted(map(str, found)) == sorted(map(str, [mine, theirs]))


# ----------------------------------------------------------------------------- corrupt sessions

BAD_SESSIONS: list[tuple[str, str | bytes, str]] = [
    ("not-json", "{\"schema\": \"sexting-triage/session/1\", \"answ", "invalid JSON"),
    ("empty", "", "is empty"),
    ("truncated-by-a-crash-elsewhere", b"\x00" * 64, "not a session file"),
    ("not-utf8", b"{\"a\": \"\xff\"}", "not valid UTF-8"),
    ("deep", "[" * 100_000 + "]" * 100_000, "nests too deeply"),
    ("huge-number", '{"schema": "sexting-triage/session/1", "answers": {"a": '
     + "1" * 5000 + "}}", "number too long"),
    ("wrong-schema", '{"schema": "something/else"}', "not a session file"),
    ("answers-a-list", json.dumps({"schema": S.SESSION_SCHEMA, "started": "x", "answers": [1],
                                   "rules": {"id": "a", "version": "1", "sha256": "0",
                                             "ref": RULES}}), "answers"),
    ("answer-a-mapping", json.dumps({"schema": S.SESSION_SCHEMA, "started": "x",
                                     "answers": {"imagery": {"x": 1}},
                                     "rules": {"id": "a", "version": "1", "sha256": "0",
                                               "ref": RULES}}), "a word or a whole number"),
    ("rules-missing", json.dumps({"schema": S.SESSION_SCHEMA, "started": "x", "answers": {}}),
     "rule set's id"),
    ("rule-set-gone", json.dumps({"schema": S.SESSION_SCHEMA, "started": "x", "answers": {},
                                  "rules": {"id": "a", "version": "1", "sha256": "0",
                                            "ref": "/nonexistent/rules.yaml"}}),
     "no such rule set"),
]


@pytest.mark.parametrize(("name", "content", "fragment"), BAD_SESSIONS,
                         ids=[c[0] for c in BAD_SESSIONS])
def test_corrupt_session_says_how_to_start_afresh(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str],
                                                  name: str, content: str | bytes,
                                                  fragment: str) -> None:
    p = tmp_path / "session.json"
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text(content, encoding="utf-8")
    before = p.read_bytes()
    code = main(["triage", "--accessible", "--resume", str(p)])
    _, err = capsys.readouterr()
    assert code == 2, err
    assert "Traceback" not in err
    assert fragment in err
    assert f"{p}: this session cannot be resumed. Start afresh with: sexting-triage triage" in err
    assert p.read_bytes() == before  # left for someone to look at, never overwritten


def test_huge_session_file_refused_by_size(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "session.json"
    with open(p, "wb") as fh:
        fh.truncate(300 * 1024 * 1024)
    assert main(["triage", "--accessible", "--resume", str(p)]) == 2
    err = capsys.readouterr().err
    assert "bytes" in err and "limit" in err and "Start afresh" in err


def test_edited_answers_in_a_session_are_dropped_with_a_note(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Values outside a question's domain or unknown questions in a hand-edited session do
    not stop the resume: they are dropped, said so, and asked again."""
    rs = loader.resolve(RULES)
    s = S.Session.create(tmp_path, rs, RULES)
    s.set_answers({"imagery": "yes", "subject_under_18": "perhaps", "\x1b[2Jnope": "yes"})
    s.release()  # as if that triage had ended (its lock would block a second user)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code = main(["triage", "--accessible", "--resume", str(s.path), "--no-color"])
    out, err = capsys.readouterr()
    assert code == 130
    assert "with 1 answer(s)" in out + err
    assert "dropped" in out + err and "\x1b" not in out + err
    assert json.loads(s.path.read_text())["answers"] == {"imagery": "yes"}


def test_one_session_is_never_continued_in_two_terminals(tmp_path: Path) -> None:
    """While one triage uses a session, resuming the same file elsewhere is refused, and the
    running triage's answers are untouched; once it is killed the session resumes."""
    folder = tmp_path / "sessions"
    a = start(tmp_path, folder)
    assert a.stdin is not None
    try:
        for k, (_, line) in enumerate(ANSWERS[:3], 1):
            a.stdin.write(line + "\n")
            a.stdin.flush()
            wait_for(lambda k=k: (x := saved(folder)) is not None and len(x) == k, "answers")
        (path,) = folder.glob("*.json")
        b = subprocess.run([sys.executable, "-m", "sexting_triage", "triage", "--accessible",
                            "--resume", str(path)], input="no\n" * 20, capture_output=True,
                           text=True, env=env(tmp_path), timeout=60)
        assert b.returncode == 2, b.stderr
        assert "in use by another triage" in b.stderr and "Traceback" not in b.stderr
        assert saved(folder) == expected(3)
    finally:
        a.send_signal(signal.SIGKILL)
        a.wait()
    c = subprocess.run([sys.executable, "-m", "sexting_triage", "triage", "--accessible",
                        "--resume", str(path)], input="", capture_output=True, text=True,
                       env=env(tmp_path), timeout=60)
    assert c.returncode == 130 and "with 3 answer(s)" in c.stderr + c.stdout, c.stderr
