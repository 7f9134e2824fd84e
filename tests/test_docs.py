"""The docs are tested where they show commands or files.

In README.md and docs/*.md:
- each line `$ sexting-triage ...` inside a ```console block is run from a scratch folder that
  links the repository's rules/, scenarios/, docs/ and schema/; it must exit 0, or the code
  given by a trailing `  # exit N`; a trailing `  # not run` skips it (interactive commands);
- a fenced block whose first line is `# file: PATH` must match that file in the repository.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from sexting_triage.cli import main

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)
LINKED = ("rules", "scenarios", "docs", "schema", "bench")


def _blocks(path: Path) -> list[tuple[str, str]]:
    return FENCE.findall(path.read_text(encoding="utf-8"))


def _commands() -> list[tuple[str, str, int]]:
    out = []
    for path in DOCS:
        for lang, body in _blocks(path):
            if lang != "console":
                continue
            for line in body.splitlines():
                if not line.startswith("$ sexting-triage"):
                    continue
                cmd = line[2:]
                if cmd.rstrip().endswith("# not run"):
                    continue
                code = 0
                m = re.search(r"\s+# exit (\d+)\s*$", cmd)
                if m:
                    code = int(m.group(1))
                    cmd = cmd[: m.start()]
                out.append((path.name, cmd.strip(), code))
    return out


def _files() -> list[tuple[str, str, str]]:
    out = []
    for path in DOCS:
        for _, body in _blocks(path):
            first, _, rest = body.partition("\n")
            if first.startswith("# file: "):
                out.append((path.name, first[len("# file: "):].strip(), rest))
    return out


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    for name in LINKED:
        if (ROOT / name).exists():
            (tmp_path / name).symlink_to(ROOT / name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("NO_COLOR", "1")
    return tmp_path


@pytest.mark.parametrize(("doc", "cmd", "code"), _commands(),
                         ids=[f"{d}: {c}" for d, c, _ in _commands()])
def test_doc_command(doc, cmd, code, scratch, capsys):
    if re.search(r"[|<>;&]", cmd):
        env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}"
                   f"{os.environ.get('PATH', '')}")
        r = subprocess.run(["bash", "-c", cmd], cwd=scratch, env=env, capture_output=True,
                           text=True, timeout=120, stdin=subprocess.DEVNULL)
        assert r.returncode == code, f"{cmd}\n{r.stdout}\n{r.stderr}"
        assert "Traceback" not in r.stderr
        return
    got = main(shlex.split(cmd)[1:])
    out, err = capsys.readouterr()
    assert got == code, f"{cmd}\nstdout:\n{out}\nstderr:\n{err}"
    assert "Traceback" not in err


@pytest.mark.parametrize(("doc", "path", "body"), _files(),
                         ids=[f"{d}: {p}" for d, p, _ in _files()])
def test_doc_file_matches_repository(doc, path, body):
    assert (ROOT / path).read_text(encoding="utf-8") == body


def test_docs_show_commands():
    assert _commands(), "no commands found in the docs"
