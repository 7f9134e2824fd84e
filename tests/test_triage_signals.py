"""Issue 12.4: SIGTERM and SIGHUP during a triage save the answers and print the command to
continue, exactly as Ctrl-C does."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_signal_saves_and_says_how_to_continue(tmp_path: Path, sig: signal.Signals) -> None:
    folder = tmp_path / "sessions"
    env = dict(os.environ, NO_COLOR="1", XDG_CACHE_HOME=str(tmp_path / "cache"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "sexting_triage", "triage", "--accessible", "--rules",
         "cop-2016", "--session-dir", str(folder)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        text=True)
    assert proc.stdin is not None
    proc.stdin.write("yes\nyes\n15\n")
    proc.stdin.flush()
    deadline = time.monotonic() + 30
    saved: dict[str, object] = {}
    while time.monotonic() < deadline:  # wait until the third answer is saved
        files = list(folder.glob("*.json")) if folder.exists() else []
        if files:
            try:
                saved = json.loads(files[0].read_text())
            except ValueError:
                saved = {}
            if len(saved.get("answers", {})) == 3:  # type: ignore[arg-type]
                break
        time.sleep(0.05)
    proc.send_signal(sig)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert f"Stopped by {sig.name}." in err
    assert "3 answer(s) saved in" in err
    assert "To continue: sexting-triage triage --resume" in err
    assert "Traceback" not in err
    (session,) = folder.glob("*.json")
    assert json.loads(session.read_text())["answers"] == {
        "imagery": "yes", "subject_under_18": "yes", "youngest_age": 15}
