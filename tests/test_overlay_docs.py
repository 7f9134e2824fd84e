"""docs/overlays.md: every `$ sexting-triage ...` line in its ```shell blocks runs and exits
as the doc says (0, or the code after `# exit N`; `# not run` lines are interactive or need a
file the reader supplies). Its blocks are `shell`, not `console`, because they use the
shipped example in examples/, which the shared doc test does not link.

`rules check OVERLAY` and `rules diff BASE OVERLAY` are the overlay halves of those commands
(`cli.overlay.check_overlay_command`, `diff_overlay_command`); until `rules check` and
`rules diff` hand an overlay file to them, this test calls them for those two forms.
"""

from __future__ import annotations

import re
import shlex

import pytest

from conftest import ROOT

DOC = ROOT / "docs" / "overlays.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)


def _commands() -> list[tuple[str, int]]:
    out = []
    for lang, body in FENCE.findall(DOC.read_text(encoding="utf-8")):
        if lang != "shell":
            continue
        for line in body.splitlines():
            if not line.startswith("$ sexting-triage") or line.rstrip().endswith("# not run"):
                continue
            cmd, code = line[2:], 0
            m = re.search(r"\s+# exit (\d+)\s*$", cmd)
            if m:
                code, cmd = int(m.group(1)), cmd[: m.start()]
            out.append((cmd.strip(), code))
    return out


def _run(argv: list[str]) -> int:
    import sexting_triage.cli.overlay as cli_overlay
    from sexting_triage.cli import main
    from sexting_triage.errors import TriageError
    from sexting_triage.overlay import is_overlay_file

    try:
        if argv[:2] == ["rules", "check"] and is_overlay_file(argv[2]):
            return cli_overlay.check_overlay_command(argv[2], json_out="--json" in argv)
        if argv[:2] == ["rules", "diff"] and is_overlay_file(argv[3]):
            fmt = argv[argv.index("--format") + 1] if "--format" in argv else "text"
            return cli_overlay.diff_overlay_command(argv[2], argv[3], fmt)
    except TriageError as exc:
        return exc.exit_code
    return main(argv)


def test_the_doc_shows_commands():
    cmds = [c for c, _ in _commands()]
    assert any(c.startswith("sexting-triage rules check") for c in cmds)
    assert any(c.startswith("sexting-triage rules rebase") for c in cmds)
    assert any("--format markdown" in c for c in cmds)


@pytest.mark.parametrize(("cmd", "code"), _commands(), ids=[c for c, _ in _commands()])
def test_doc_command(cmd, code, tmp_path, monkeypatch, capsys):
    for name in ("rules", "examples", "schema"):
        (tmp_path / name).symlink_to(ROOT / name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("SEXTING_TRIAGE_OVERLAY", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "config-machine"))
    before = {p: p.read_bytes() for p in (ROOT / "examples").rglob("*.yaml")}
    got = _run(shlex.split(cmd)[1:])
    out = capsys.readouterr()
    assert got == code, out.out + out.err
    assert "Traceback" not in out.err
    # no command shown in the doc changes a shipped file
    assert {p: p.read_bytes() for p in (ROOT / "examples").rglob("*.yaml")} == before


def test_the_proof_and_the_change_note_say_what_the_doc_says(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    assert _run(["rules", "check", "examples/overlays/example-force.yaml"]) == 0
    out = capsys.readouterr().out
    assert "No situation gets a lower pathway, loses a flag or loses an action: proved over " \
           "every one of the" in out
    assert _run(["rules", "diff", "cop-2024", "examples/overlays/example-force.yaml",
                 "--format", "markdown"]) == 1
    note = capsys.readouterr().out
    for heading in ("## Safety", "## What the overlay adds", "### Local contacts",
                    "### Situations that get more actions", "## Sign-off"):
        assert heading in note
