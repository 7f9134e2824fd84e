"""files.py: outputs are created whole or not at all, never written over, never through a
link or to a device; one file is never named for two outputs."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sexting_triage import files
from sexting_triage.errors import UsageError

RACER = """
import sys, time
from pathlib import Path
from sexting_triage import files
target, ready, go, me = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
ready.touch()
while not go.exists():
    time.sleep(0.001)
try:
    files.create_exclusive(target, ("written by " + me + "\\n").encode() * 2000)
except files.OutputExists as exc:
    print(exc, file=sys.stderr)
    sys.exit(2)
"""


def test_of_48_processes_racing_to_create_one_file_exactly_one_succeeds(tmp_path: Path) -> None:
    """Real processes, released together: one exits 0, 47 exit 2 saying the file exists,
    and the file holds the winner's whole content (never a mix, never half)."""
    n = 48
    target, go = tmp_path / "record.json", tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", RACER, str(target),
                               str(tmp_path / f"ready-{i}"), str(go), str(i)],
                              stderr=subprocess.PIPE, text=True) for i in range(n)]
    end = time.monotonic() + 120
    while len(list(tmp_path.glob("ready-*"))) < n and time.monotonic() < end:
        time.sleep(0.01)
    go.touch()
    results = [(p.wait(120), p.stderr.read() if p.stderr else "") for p in procs]
    winners = [i for i, (code, _) in enumerate(results) if code == 0]
    assert len(winners) == 1, results
    losers = [err for code, err in results if code != 0]
    assert all(code in (0, 2) for code, _ in results), results
    assert all(f"{target} already exists: choose another file name" in e for e in losers)
    assert target.read_text() == f"written by {winners[0]}\n" * 2000
    assert (target.stat().st_mode & 0o777) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("ready-")) == [
        "go", "record.json"]  # no temporary file left by any loser


def test_existing_file_is_replaced_only_with_force(tmp_path: Path) -> None:
    p = tmp_path / "out.md"
    files.create_exclusive(p, b"first")
    with pytest.raises(files.OutputExists, match="already exists"):
        files.create_exclusive(p, b"second")
    assert p.read_bytes() == b"first"
    files.create_exclusive(p, b"second", force=True)
    assert p.read_bytes() == b"second"
    assert [x.name for x in tmp_path.iterdir()] == ["out.md"]


def test_outputs_are_private_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        files.create_exclusive(tmp_path / "a", b"x")
        files.create_exclusive(tmp_path / "a", b"y", force=True)
    finally:
        os.umask(old)
    assert ((tmp_path / "a").stat().st_mode & 0o777) == 0o600


@pytest.mark.parametrize("kind", ["symlink-to-file", "dangling-symlink", "fifo", "folder",
                                  "/dev/null"])
def test_links_devices_fifos_and_folders_are_refused_as_outputs(tmp_path: Path,
                                                                kind: str) -> None:
    """Refused before and at writing, with `--force` too; the link's target is untouched."""
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    if kind == "symlink-to-file":
        p = tmp_path / "out"
        p.symlink_to(victim)
        what = "a symbolic link"
    elif kind == "dangling-symlink":
        p = tmp_path / "out"
        p.symlink_to(tmp_path / "created-through-link")
        what = "a symbolic link"
    elif kind == "fifo":
        p = tmp_path / "out"
        os.mkfifo(p)
        what = "a named pipe"
    elif kind == "folder":
        p = tmp_path / "out"
        p.mkdir()
        what = "a folder"
    else:
        p = Path(kind)
        what = "a device"
    for force in (False, True):
        with pytest.raises(UsageError, match=what):
            files.create_exclusive(p, b"data", force=force)
    with pytest.raises(UsageError, match=what):
        files.check_output_paths({"--output": p})
    assert victim.read_text() == "keep me"
    assert not (tmp_path / "created-through-link").exists()


def test_write_failure_names_the_file_and_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"cannot write .*No such file or directory"):
        files.create_exclusive(tmp_path / "missing" / "x.json", b"x")
    long = tmp_path / ("x" * 300)
    with pytest.raises(UsageError, match="File name too long"):
        files.create_exclusive(long, b"x")
    with pytest.raises(UsageError, match=r"--record .*File name too long"):
        files.check_output_paths({"--record": long})
    assert list(tmp_path.iterdir()) == []


def test_one_file_named_for_two_outputs_is_refused(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    existing = tmp_path / "x.json"
    existing.write_text("{}")
    (tmp_path / "hard.json").hardlink_to(existing)
    (tmp_path / "soft.json").symlink_to(existing)
    (tmp_path / "sub").mkdir()
    same = [
        (Path("out.json"), tmp_path / "out.json"),           # relative and absolute, new
        (Path("out.json"), Path("sub/../out.json")),          # dot-dot, new
        (Path("./x.json"), Path("x.json")),
        (existing, tmp_path / "hard.json"),                   # one file, two names
    ]
    for a, b in same:
        with pytest.raises(UsageError, match="--record and --save-scenario name the same "
                                             "file"):
            files.check_output_paths({"--record": a, "--save-scenario": b})
    # a symbolic link is refused as an output in its own right
    with pytest.raises(UsageError, match="symbolic link"):
        files.check_output_paths({"--record": existing, "--save-scenario":
                                  tmp_path / "soft.json"})
    files.check_output_paths({"--record": Path("a.json"), "--save-scenario": Path("b.yaml"),
                              "--output": None})
    with pytest.raises(UsageError, match=r"the folder .* does not exist"):
        files.check_output_paths({"--record": tmp_path / "nope" / "r.json"})
