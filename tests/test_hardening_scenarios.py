"""Scenario files (shared between trainers and forces): broken and hostile files are refused
with exit 2 and a location, never a traceback; text in them (title, story, notes) is shown
literally or stripped, never interpreted by the terminal."""

from __future__ import annotations

import io
import os
import re
import stat
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from sexting_triage.cli import main
from test_hardening_input import HOSTILE_YAML, refused

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


# ----------------------------------------------------------------------------- handouts (12.3)


def handout(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    code = main(["scenarios", "walkthrough", str(BASE), "-f", "markdown",
                 *(str(a) for a in args)])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_handout_never_replaces_a_file_without_force(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    target = tmp_path / "handout.md"
    target.write_text("a trainer's edited handout\n")
    code, out, err = handout(capsys, "-o", target)
    assert code == 2 and out == "" and f"{target} already exists" in err
    assert target.read_text() == "a trainer's edited handout\n"
    code, _, err = handout(capsys, "-o", target, "--force")
    assert code == 0 and target.read_text().startswith("# An adult grooms")
    new = tmp_path / "new.md"
    code, _, _ = handout(capsys, "-o", new)
    assert code == 0 and stat.S_IMODE(os.stat(new).st_mode) == 0o600
    assert sorted(os.listdir(tmp_path)) == ["handout.md", "new.md"]  # no temporary files
    quiz = tmp_path / "quiz.md"
    quiz.write_text("kept\n")
    code = main(["scenarios", "quiz", str(BASE), "-f", "markdown", "-o", str(quiz)])
    assert code == 2 and quiz.read_text() == "kept\n"
    capsys.readouterr()


def test_links_and_devices_are_refused_as_handout_paths(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    elsewhere = tmp_path / "elsewhere.md"
    elsewhere.write_text("not yours\n")
    link = tmp_path / "link.md"
    link.symlink_to(elsewhere)
    dangling = tmp_path / "dangling.md"
    dangling.symlink_to(tmp_path / "nowhere.md")
    for target in (link, dangling, Path(os.devnull), tmp_path):
        for extra in ((), ("--force",)):
            code, out, err = handout(capsys, "-o", target, *extra)
            assert code == 2 and out == "", (target, extra)
            assert "Traceback" not in err and str(target) in err
    assert elsewhere.read_text() == "not yours\n"
    assert not (tmp_path / "nowhere.md").exists()


# ----------------------------------------------------------------------------- markup (12.6)

MARKUP = ("# Heading\n| a | b |\n|---|---|\n<script>alert(1)</script> <b>x</b> &lt;i&gt;\n"
          "- item\n1. first\n===\n> quote [link](http://x) ![img](y) `code` **bold**")


def markup_scenario(tmp_path: Path) -> Path:
    doc = yaml.safe_load(base_text())
    doc["title"] = "Case " + MARKUP
    doc["story"] = MARKUP
    doc["notes"] = {"adult_involved": MARKUP}
    p = tmp_path / "markup.yaml"
    p.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return p


def inert(markdown: str) -> None:
    """No line the file's text reached opens a block, a tag, a link or a table row."""
    for line in markdown.splitlines():
        if "Heading" not in line:
            continue
        assert "<" not in line.replace("\\<", ""), line
        assert "&" not in line.replace("\\&", ""), line
        assert "|" not in line.replace("\\|", ""), line
        assert "[" not in line.replace("\\[", ""), line
        assert not re.match(r"\s*(?:[-+=]|\d+[.)]|>\s|#+\s[^A-Z\d])", line) or \
            line.startswith(("# Case", "### ", "## Case", "> **Trainer note:**")), line


def test_file_text_never_becomes_markdown_markup(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    p = markup_scenario(tmp_path)
    code = main(["scenarios", "walkthrough", str(p), "-f", "markdown"])
    out, _ = capsys.readouterr()
    assert code == 0
    inert(out)
    headings = [line for line in out.splitlines() if line.startswith("#")]
    assert headings[0].startswith("# Case \\# Heading \\| a \\| b \\|")
    assert all(not h.startswith("# Heading") for h in headings)
    assert "\n\\# Heading \\| a" in out  # the story: its own line, the # escaped
    code = main(["scenarios", "quiz", str(p), "-f", "markdown"])
    out, _ = capsys.readouterr()
    assert code == 0
    inert(out)


def test_quiz_on_the_terminal_shows_file_text_literally(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    p = hostile_scenario(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.StringIO("1\n0\n"))
    code = main(["scenarios", "quiz", str(p), "--no-color"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert not CONTROLS.search(out + err), repr(CONTROLS.search(out + err))
    assert "pwned" not in out and "[bold red]MARKUP[/bold red]" in out


def test_a_junit_report_is_replaced_whole_but_never_through_a_link(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "junit.xml"
    report.write_text("old report\n")
    assert main(["scenarios", "check", str(BASE), "--junit", str(report)]) == 0
    assert report.read_text().startswith('<?xml version="1.0"')  # a report is regenerated
    elsewhere = tmp_path / "elsewhere.xml"
    elsewhere.write_text("not a report\n")
    link = tmp_path / "link.xml"
    link.symlink_to(elsewhere)
    capsys.readouterr()
    code = main(["scenarios", "check", str(BASE), "--junit", str(link)])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and "symbolic link" in err
    assert elsewhere.read_text() == "not a report\n" and link.is_symlink()
