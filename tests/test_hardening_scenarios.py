"""Scenario files (shared between trainers and forces): broken and hostile files are refused
with exit 2 and a location, never a traceback; text in them (title, story, notes) is shown
literally or stripped, never interpreted by the terminal."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROOT
from sexting_triage.cli import main
from test_hardening_input import HOSTILE_YAML, refused

pytest.importorskip("sexting_triage.scenario")

BASE = (ROOT / "scenarios" / "adult-involvement" / "adult-grooms-12-year-old.yaml")
HOSTILE = (r" [bold red]MARKUP[/bold red] \e[31mRED\e[0m \e]0;pwned\a \e[2J \x9b2J \r\b\x7f"
           r" \u202eevil")
CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def write(tmp_path: Path, content: str | bytes, name: str = "scenario.yaml") -> Path:
    p = tmp_path / name
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text(content, encoding="utf-8")
    return p


@pytest.mark.parametrize(("name", "content", "where", "fragments"), HOSTILE_YAML,
                         ids=[c[0] for c in HOSTILE_YAML])
def test_hostile_scenario_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str,
                               content: str | bytes, where: str | None,
                               fragments: tuple[str, ...]) -> None:
    p = write(tmp_path, content)
    if "mapping" in fragments:
        fragments = ("a scenario file is a mapping",)
    for command in ("check", "walkthrough"):
        refused(capsys, ["scenarios", command, str(p)], p, where, *fragments)


def test_huge_scenario_file_refused_by_size(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "big.yaml"
    with open(p, "wb") as fh:
        fh.truncate(300 * 1024 * 1024)
    refused(capsys, ["scenarios", "check", str(p)], p, None, "the limit is")


def base_text() -> str:
    return BASE.read_text(encoding="utf-8")


@pytest.mark.parametrize(("old", "new", "fragment"), [
    ("answers:\n", "answers: [yes, no]\nold_answers:\n", "answers"),
    ("  youngest_age: 12\n", "  youngest_age: twelve\n", "youngest_age"),
    ("  youngest_age: 12\n", "  youngest_age: 99\n", "youngest_age"),
    ("    pathway: full-investigation\n", "    pathway: [full-investigation]\n", "pathway"),
    ("    pathway: full-investigation\n", "    pathway: full-investigaton\n",
     "full-investigaton"),
    ("    flags: []\n", "    flags: immediate-safeguarding\n", "flags"),
    ("tags: [", "tags: {a: 1}\nold_tags: [", "tags"),
    ("notes:\n", "notes: 5\nold_notes:\n", "notes"),
])
def test_wrong_types_in_a_scenario(tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str,
                                   new: str, fragment: str) -> None:
    text = base_text()
    assert old in text
    p = write(tmp_path, text.replace(old, new, 1))
    err = refused(capsys, ["scenarios", "check", str(p)], p, "", fragment)
    assert re.search(rf"^{re.escape(str(p))}:\d+:\d+: ", err, re.M)


def hostile_scenario(tmp_path: Path) -> Path:
    text = base_text()
    title = re.search(r'^title: "(.*)"$', text, re.M)
    assert title is not None
    text = text.replace(title.group(0), f'title: "{title.group(1)}{HOSTILE}"')
    text = re.sub(r"(?ms)^story: >-\n(?:  .*?\n)+(?=\S)",
                  lambda _: f'story: "STORY{HOSTILE}"\n', text)
    text = re.sub(r"(?m)^(  adult_involved: )>-\n(?:    .*\n)+",
                  lambda m: f'{m.group(1)}"NOTE{HOSTILE}"\n', text, count=1)
    assert text.count("MARKUP") == 3, text
    return write(tmp_path, text)


@pytest.mark.parametrize("args", [["check"], ["walkthrough"],
                                  ["walkthrough", "--format", "markdown"], ["coverage"]])
def test_scenario_text_is_never_interpreted(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            args: list[str]) -> None:
    p = hostile_scenario(tmp_path)
    code = main(["scenarios", *args, str(p), "--no-color"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert not CONTROLS.search(out + err), repr(CONTROLS.search(out + err))
    assert "pwned" not in out
    if args[0] == "walkthrough":
        assert "[bold red]MARKUP[/bold red]" in out or r"\[bold red\]MARKUP" in out
        assert "STORY" in out and "NOTE" in out
