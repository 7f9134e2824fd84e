"""Command-line conventions: --version, -h, shell completion for bash, zsh and fish, an
Examples section in every command's help, a static command tree (help and completion never
import the command modules), and output errors (full disk, closed streams, broken pipe) that
end with one line and a documented exit code, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sexting_triage import __version__
from sexting_triage.cli import COMMANDS, EXIT_BROKEN_PIPE, app, ascii_fallback, main

ROOT = Path(__file__).resolve().parents[1]
EXE = Path(sys.executable).parent / "sexting-triage"
ANSWERS = ROOT / "docs" / "examples" / "mini-answers.yaml"


def cli(*args: str, **kw) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", **kw.pop("env", {})}
    return subprocess.run([sys.executable, "-m", "sexting_triage", *args], capture_output=True,
                          text=True, env=env, timeout=120, **kw)


def sh(cmd: str, **env: str) -> subprocess.CompletedProcess[str]:
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PATH": path, "NO_COLOR": "1", **env}, cwd=ROOT)


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"sexting-triage {__version__}"


def leaves() -> list[str]:
    import typer

    from sexting_triage import cli as shell

    shell._register()
    out: list[str] = []

    def walk(cmd, prefix):
        subs = getattr(cmd, "commands", None)
        if not subs:
            out.append(prefix)
            return
        for name in (cmd.list_commands(None) if prefix == "" else subs):
            sub = cmd.get_command(None, name) if prefix == "" else subs[name]
            walk(sub, f"{prefix} {name}".strip())

    walk(typer.main.get_command(app), "")
    return out


def test_every_command_has_short_help_and_examples(capsys):
    paths = leaves()
    assert {"run", "triage"} <= set(paths) and any(p.startswith("rules ") for p in paths)
    for path in ["", *sorted({p.split()[0] for p in paths}), *paths]:
        assert main([*path.split(), "-h"]) == 0, path
        out = capsys.readouterr().out
        assert "Usage:" in out and "Examples:" in out and "$ sexting-triage" in out, path


def test_cli_runner_sees_every_command():
    runner = CliRunner()
    r = runner.invoke(app, ["--help"])
    assert r.exit_code == 0
    for name in COMMANDS:
        assert name in r.output
    r = runner.invoke(app, ["rules", "list"])
    assert r.exit_code == 0 and "cop-2024" in r.output


def test_help_and_completion_do_not_import_command_modules():
    code = ("import sys\nfrom sexting_triage.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in sys.modules if m.startswith('sexting_triage.cli.') or m in "
            "('pydantic', 'yaml', 'rich', 'questionary', 'sexting_triage.loader')]\n"
            "print(heavy)\nsys.exit(1 if heavy else 0)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_show_completion_for_each_shell(shell):
    r = cli("--show-completion", shell)
    assert r.returncode == 0, r.stderr
    assert "_SEXTING_TRIAGE_COMPLETE" in r.stdout


def test_completion_lists_every_command_and_subcommand():
    r = sh("sexting-triage", _SEXTING_TRIAGE_COMPLETE="complete_bash",
           COMP_WORDS="sexting-triage ", COMP_CWORD="1")
    assert r.returncode == 0, r.stderr
    assert set(r.stdout.split()) >= set(COMMANDS)
    r = sh("sexting-triage", _SEXTING_TRIAGE_COMPLETE="complete_bash",
           COMP_WORDS="sexting-triage rules c", COMP_CWORD="2")
    assert "check" in r.stdout.split()


def test_install_completion_writes_only_under_home(tmp_path):
    r = cli("--install-completion", "bash", env={"HOME": str(tmp_path), "SHELL": "/bin/bash"})
    assert r.returncode == 0, r.stderr
    assert "sexting-triage" in (tmp_path / ".bashrc").read_text() or any(tmp_path.rglob("*"))


def test_full_device_is_one_line_and_exit_2():
    r = sh(f"sexting-triage run {ANSWERS} --rules docs/examples/mini-rules.yaml > /dev/full")
    assert r.returncode == 2
    assert r.stderr.strip().splitlines()[-1] == (
        "error: cannot write the output: No space left on device")
    assert "Traceback" not in r.stderr and "Exception ignored" not in r.stderr


@pytest.mark.parametrize("cmd", [
    "rules schema", "rules list --json", "--help", "rules diff cop-2016 cop-2024",
    f"run {ANSWERS} --rules docs/examples/mini-rules.yaml"])
def test_broken_pipe_is_quiet_exit_141(cmd):
    # `true` exits at once, before the tool writes anything: every write meets a closed pipe
    r = sh(f"sexting-triage {cmd} 2>err.txt | true; echo \"rc=${{PIPESTATUS[0]}}\"; cat err.txt; "
           "rm -f err.txt")
    lines = r.stdout.splitlines()
    assert lines[0] == f"rc={EXIT_BROKEN_PIPE}", r.stdout
    assert [ln for ln in lines[1:] if not ln.startswith("warning:")] == []  # nothing else


def test_closed_stdout_is_one_line_and_exit_2():
    r = sh("sexting-triage rules list >&-")
    assert r.returncode == 2
    assert r.stderr.strip() == ("error: standard output is closed: there is nowhere to write "
                                "the result")


def test_closed_stdin_still_runs_and_triage_says_what_supplies_answers():
    r = sh("sexting-triage rules list <&-")
    assert r.returncode == 0 and "cop-2024" in r.stdout
    r = sh("sexting-triage triage <&-")
    assert r.returncode == 3
    assert "sexting-triage run FILE" in r.stderr and "Traceback" not in r.stderr


def test_closed_stderr_does_not_break_the_result():
    r = sh(f"sexting-triage run {ANSWERS} --rules docs/examples/mini-rules.yaml 2>&-")
    assert r.returncode == 0 and "RECOMMENDED PATHWAY" in r.stdout


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
def test_output_a_stream_cannot_encode_falls_back_to_ascii(encoding):
    r = cli("rules", "diff", "cop-2016", "cop-2024", "--format", "markdown",
            env={"PYTHONIOENCODING": encoding})
    assert r.returncode in (0, 1), r.stderr
    assert "Traceback" not in r.stderr and "UnicodeEncodeError" not in r.stderr
    r.stdout.encode(encoding)


def test_ascii_fallback_keeps_meaning():
    out = ascii_fallback("a \u2192 b \u2018q\u2019 \u201cd\u201d \u2713 caf\u00e9 \u2026")
    assert out.startswith("a -> b 'q' \"d\" ") and out.endswith(" cafe ...")
    assert out.isascii() and "?" not in out


def test_the_command_line_collects_cycles_rarely():
    """Start-up and exhaustive analysis (issue 14): the CLI process raises the cycle
    collector's first threshold, so the memos of a check or diff are not walked again and
    again as they grow."""
    code = ("import gc, sys\nfrom sexting_triage.cli import main\n"
            "before = gc.get_threshold()[0]\nmain(['--version'])\n"
            "print(before, gc.get_threshold()[0])\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    before, after = map(int, r.stdout.split()[-2:])
    assert before < 10_000 <= after, r.stdout + r.stderr
