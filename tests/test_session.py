"""Session files: atomic writes, private modes, unique names, loading errors, resume checks."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest

from sexting_triage import session as S
from sexting_triage.errors import InputError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return S.default_dir()


def test_default_dir_follows_xdg_state_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert S.default_dir() == tmp_path / "sexting-triage" / "sessions"
    monkeypatch.setenv("XDG_STATE_HOME", "relative/path")  # ignored, as XDG asks
    assert S.default_dir() == Path.home() / ".local" / "state" / "sexting-triage" / "sessions"
    monkeypatch.delenv("XDG_STATE_HOME")
    assert S.default_dir() == Path.home() / ".local" / "state" / "sexting-triage" / "sessions"


def test_atomic_write_replaces_with_a_private_file(tmp_path):
    target = tmp_path / "f.json"
    target.write_text("old")
    target.chmod(0o644)
    S.atomic_write(target, b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]  # no temporary file left


def test_failed_write_keeps_the_last_good_file(tmp_path, monkeypatch):
    target = tmp_path / "f.json"
    S.atomic_write(target, b"good")

    def full(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(S.SessionError, match=r"No space left on device.*last saved copy"):
        S.atomic_write(target, b"half")
    assert target.read_bytes() == b"good"
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]


def test_read_only_folder_is_a_session_error(tmp_path, monkeypatch):
    target = tmp_path / "f.json"
    S.atomic_write(target, b"good")

    def read_only(*_a, **_k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("tempfile.mkstemp", read_only)
    msg = re.escape(f"could not save {target}: Permission denied")
    with pytest.raises(S.SessionError, match=msg):
        S.atomic_write(target, b"new")
    assert target.read_bytes() == b"good"


def test_create_makes_private_unique_files(folder, cop2016):
    a = S.Session.create(folder, cop2016, "cop-2016")
    b = S.Session.create(folder, cop2016, "cop-2016")
    assert a.path != b.path  # same second, still two files
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(a.path.stat().st_mode) == 0o600
    data = json.loads(a.path.read_text())
    assert data["schema"] == S.SESSION_SCHEMA
    assert data["rules"] == {"id": "cop-2016", "version": cop2016.version,
                             "sha256": cop2016.sha256, "ref": "cop-2016"}
    assert data["answers"] == {}


def test_existing_folder_keeps_its_mode_and_a_missing_one_is_made_0700(tmp_path, cop2016):
    """Issue 12.4: `--session-dir` may be a shared folder someone chose: never chmod it.
    A folder the tool creates is 0700; its files are 0600 either way."""
    folder = tmp_path / "s"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    s = S.Session.create(folder, cop2016, "cop-2016")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
    assert stat.S_IMODE(s.path.stat().st_mode) == 0o600
    assert "mode 0755" in (S.loose_folder(folder) or "")
    old = os.umask(0)
    try:
        made = S.Session.create(tmp_path / "new" / "sessions", cop2016, "cop-2016")
    finally:
        os.umask(old)
    assert stat.S_IMODE(made.path.parent.stat().st_mode) == 0o700
    assert S.loose_folder(made.path.parent) is None
    (tmp_path / "file").write_text("x")
    with pytest.raises(S.SessionError, match="not a folder"):
        S.ensure_dir(tmp_path / "file")


@pytest.mark.parametrize("home", ["", "relative/home"])
def test_empty_or_relative_home_is_not_used_for_sessions(monkeypatch, home):
    """HOME="" made Path.home() "/" (and a relative HOME the working folder): the password
    database's home folder is used instead."""
    import pwd

    monkeypatch.setenv("HOME", home)
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    expected = Path(pwd.getpwuid(os.getuid()).pw_dir) / ".local/state/sexting-triage/sessions"
    assert S.default_dir() == expected
    monkeypatch.setattr("pwd.getpwuid", lambda _uid: type("E", (), {"pw_dir": ""})())
    with pytest.raises(S.SessionError, match="give the sessions folder with --session-dir"):
        S.default_dir()


def test_save_and_load_round_trip_holds_only_ids_and_values(folder, cop2016):
    s = S.Session.create(folder, cop2016, "cop-2016")
    s.set_answers({"imagery": "yes", "subject_under_18": "yes", "youngest_age": 14})
    back = S.load(s.path)
    assert back.answers == {"imagery": "yes", "subject_under_18": "yes", "youngest_age": 14}
    assert back.rules["sha256"] == cop2016.sha256
    assert set(json.loads(s.path.read_text())) == {"schema", "tool", "started", "updated",
                                                   "rules", "answers"}


def test_load_reports_bad_files_with_positions(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "schema": ')
    with pytest.raises(InputError) as exc:
        S.load(bad)
    assert str(exc.value).startswith(f"{bad}:2:")
    bad.write_text('{"schema": "something-else"}')
    with pytest.raises(InputError, match="not a session file"):
        S.load(bad)
    bad.write_text(json.dumps({"schema": S.SESSION_SCHEMA, "started": "x",
                               "rules": {"id": "a"}, "answers": {"q": [1]}}))
    with pytest.raises(InputError) as exc:
        S.load(bad)
    assert {p.location for p in exc.value.problems} == {"rules", "answers.q"}


def test_list_sessions_skips_unreadable_files(folder, cop2016):
    s = S.Session.create(folder, cop2016, "cop-2016")
    (folder / "broken.json").write_text("not json")
    found, broken = S.list_sessions(folder)
    assert [x.path for x in found] == [s.path]
    assert [p.name for p, _ in broken] == ["broken.json"]
    assert S.list_sessions(folder / "missing") == ([], [])


def test_restore_same_rules_keeps_everything(folder, cop2016):
    s = S.Session.create(folder, cop2016, "cop-2016")
    s.answers = {"imagery": "yes", "subject_under_18": "yes", "youngest_age": 14}
    r = S.restore(s, cop2016)
    assert not r.rules_changed and r.dropped == ()
    assert r.answers == s.answers


def test_restore_drops_what_the_new_rules_do_not_reach(tmp_path, folder, cop2016):
    from sexting_triage.loader import load_ruleset

    s = S.Session.create(folder, cop2016, "cop-2016")
    s.answers = {"imagery": "no", "subject_under_18": "yes", "nonexistent": "yes",
                 "youngest_age": 99}
    r = S.restore(s, cop2016)
    # imagery == no ends the questionnaire (out of scope): later answers are not reached.
    assert r.answers == {"imagery": "no"}
    assert dict(r.dropped) == {
        "nonexistent": "this rule set has no such question",
        "youngest_age": "the answer is no longer accepted (99 is outside 0 to 17)",
        "subject_under_18": "the question is no longer asked with these answers"}

    copy = tmp_path / "changed.yaml"
    copy.write_text((ROOT / "rules" / "cop-2016.yaml").read_text() + "\n# edited\n")
    changed = load_ruleset(copy)
    assert S.restore(s, changed).rules_changed


def test_resume_command_quotes_the_path(tmp_path, cop2016):
    folder = tmp_path / "with space"
    s = S.Session.create(folder, cop2016, "cop-2016")
    assert s.command == f"sexting-triage triage --resume '{s.path}'"


def test_a_session_in_use_cannot_be_opened_twice(folder, cop2016):
    s = S.Session.create(folder, cop2016, "cop-2016")
    other = S.load(s.path)
    with pytest.raises(S.SessionError, match="in use by another triage"):
        other.lock()
    s.release()
    other.lock()
    other.remove()
    assert list(folder.iterdir()) == []  # session file and lock file both gone


def test_resume_refuses_a_session_in_use(folder, cop2016, monkeypatch, capsys):
    import sexting_triage.cli.triage as triage_mod
    from sexting_triage.cli import main

    monkeypatch.setattr(triage_mod, "stdin_is_interactive", lambda: True)
    s = S.Session.create(folder, cop2016, "cop-2016")
    assert main(["triage", "--resume", str(s.path)]) == 2
    assert "in use by another triage" in capsys.readouterr().err


def test_resume_with_other_rules_is_refused_and_leaves_the_session(folder, cop2016, tmp_path,
                                                                  monkeypatch, capsys):
    """Issue 12.4: a session is answered under one rule set; `--resume S --rules OTHER` exits
    2 and the session file is byte for byte what it was."""
    import sexting_triage.cli.triage as triage_mod
    from sexting_triage.cli import main

    monkeypatch.setattr(triage_mod, "stdin_is_interactive", lambda: True)
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO(""))
    copy = tmp_path / "edited.yaml"
    copy.write_text((ROOT / "rules" / "cop-2016.yaml").read_text() + "\n# edited\n")
    s = S.Session.create(folder, cop2016, "cop-2016")
    s.set_answers({"imagery": "yes"})
    s.release()
    before = s.path.read_bytes()
    for other in (str(copy), "cop-2024"):
        assert main(["triage", "--accessible", "--resume", str(s.path), "--rules", other]) == 2
        err = capsys.readouterr().err
        assert "this session was started with rule set cop-2016" in err
        assert "the session is unchanged" in err
        assert s.path.read_bytes() == before
    # the same rule set named explicitly is fine
    assert main(["triage", "--accessible", "--resume", str(s.path), "--rules", "cop-2016"]) == 130


def test_lock_taken_on_a_file_replaced_meanwhile_is_retried(folder, cop2016, monkeypatch):
    """A save (a new file) may take the session's name between our open and our flock: the
    file we locked is then not the session, so the lock is taken again on the new one."""
    import fcntl

    s = S.Session.create(folder, cop2016, "cop-2016")
    s.release()
    real_flock = fcntl.flock
    calls = []

    def flock_then_swap(fd, op):
        real_flock(fd, op)
        calls.append(fd)
        if len(calls) == 1:  # another process saves just after our first flock
            S.atomic_write(s.path, s.path.read_bytes())

    monkeypatch.setattr(fcntl, "flock", flock_then_swap)
    s.lock()
    assert len(calls) == 2
    assert os.fstat(s._locks[0]).st_ino == os.stat(s.path).st_ino
    s.release()


@pytest.mark.parametrize("how", ["symlink", "hardlink", "symlink-after-saves",
                                 "hardlink-after-saves"])
def test_lock_holds_across_symbolic_and_hard_links(folder, cop2016, tmp_path, how):
    """Issue 12.4: the lock is on the file, not its name: a session reached through a
    symbolic link or a hard link (made before the triage started) is in use too, before and
    after the holder has saved (each save is a new file)."""
    s = S.Session.create(folder, cop2016, "cop-2016")
    s.release()
    other = tmp_path / "other-name.json"
    if how.startswith("symlink"):
        other.symlink_to(s.path)
    else:
        other.hardlink_to(s.path)
    holder = S.load(s.path)
    holder.lock()
    if how.endswith("after-saves"):
        for n in range(3):
            holder.set_answers({"imagery": "yes", "youngest_age": 10 + n})
    with pytest.raises(S.SessionError, match="in use by another triage"):
        S.load(other).lock()
    with pytest.raises(S.SessionError, match="in use by another triage"):
        S.load(s.path).lock()
    holder.release()
    again = S.load(other)
    again.lock()
    again.release()


def test_saving_through_a_symbolic_link_writes_the_session_file(folder, cop2016, tmp_path):
    s = S.Session.create(folder, cop2016, "cop-2016")
    s.release()
    link = tmp_path / "link.json"
    link.symlink_to(s.path)
    via = S.load(link)
    via.lock()
    via.set_answers({"imagery": "no"})
    via.release()
    assert link.is_symlink()  # the link is not replaced by a copy
    assert S.load(s.path).answers == {"imagery": "no"}


def test_one_unreadable_session_never_breaks_the_list(folder, cop2016, monkeypatch):
    """A FIFO, a folder, a dangling link, a link loop, bad JSON, a file the loader fails on
    in an unexpected way: each is named as broken; the good session is listed; nothing
    blocks."""
    import signal

    good = S.Session.create(folder, cop2016, "cop-2016")
    good.release()
    os.mkfifo(folder / "fifo.json")
    (folder / "dir.json").mkdir()
    (folder / "dangling.json").symlink_to(folder / "gone")
    (folder / "loop.json").symlink_to(folder / "loop.json")
    (folder / "bad.json").write_text("{")
    (folder / "odd.json").write_text("{}")
    real_load = S.load

    def load(path):
        if path.name == "odd.json":
            raise OSError(5, "Input/output error")
        return real_load(path)

    monkeypatch.setattr(S, "load", load)
    signal.alarm(20)
    try:
        found, broken = S.list_sessions(folder)
    finally:
        signal.alarm(0)
    assert [x.path for x in found] == [good.path]
    assert sorted(p.name for p, _ in broken) == ["bad.json", "dangling.json", "dir.json",
                                                 "fifo.json", "loop.json", "odd.json"]
    why = dict((p.name, w) for p, w in broken)
    assert "named pipe" in why["fifo.json"] and "folder" in why["dir.json"]


def test_sweep_removes_what_a_killed_triage_leaves(folder, cop2016):
    import time

    S.ensure_dir(folder)
    live = S.Session.create(folder, cop2016, "cop-2016")
    old_tmp = folder / f".{live.path.name}.abc123.tmp"
    old_tmp.write_bytes(b"half")
    os.utime(old_tmp, (time.time() - 7200, time.time() - 7200))
    fresh_tmp = folder / f".{live.path.name}.def456.tmp"
    fresh_tmp.write_bytes(b"a save under way")
    orphan_lock = folder / ".20200101T000000Z-deadbeef.json.lock"
    orphan_lock.write_bytes(b"")
    removed = S.sweep(folder)
    assert sorted(removed) == sorted([old_tmp, orphan_lock])
    assert fresh_tmp.exists() and live.path.exists()
    live.release()


def test_a_session_keeps_the_triages_options_and_refuses_others(tmp_path, cop2016):
    s = S.Session.create(tmp_path, cop2016, "cop-2016",
                         {"record": "/cases/r.json", "incident_ref": "CAD-1/26",
                          "accessible": True})
    again = S.load(s.path)
    assert again.options == {"record": "/cases/r.json", "incident_ref": "CAD-1/26",
                             "accessible": True}
    assert again.command.endswith(
        " --record /cases/r.json --incident-ref CAD-1/26 --accessible")
    assert S.saved_options(s.path) == again.options
    assert S.saved_options(tmp_path / "missing.json") == {}
    data = json.loads(s.path.read_text())
    for bad, where in (({"name": "Jane"}, "options.name"), ({"record": 5}, "options.record"),
                       ({"accessible": "yes"}, "options.accessible"), ([1], "options")):
        data["options"] = bad
        s.path.write_text(json.dumps(data))
        with pytest.raises(InputError, match=where):
            S.load(s.path)
