"""Privacy: no network at run time, nothing written that was not asked for, session and
record files private (0600 in 0700 folders), and no answer values in messages beyond what
the user gave in that command."""

from __future__ import annotations

import io
import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import ROOT
from helpers import CLEAN
from sexting_triage import engine, loader
from sexting_triage.cli import main

SENTINEL_REF = "CAD-4242-ZZ"


def cop2016_answers() -> dict[str, Any]:
    rs = loader.resolve("cop-2016")
    case = {"taken_without_consent": "no"} | CLEAN  # with the question rule sets 1.1 added
    return {k: v for k, v in case.items() if k in rs.question_index}


def answer_lines(rs_id: str, answers: dict[str, Any]) -> str:
    """What a person types in the accessible triage for these answers, then Enter to confirm
    the review."""
    rs = loader.resolve(rs_id)
    facts: dict[str, Any] = {}
    lines = []
    while (q := engine.next_question(rs, facts)) is not None:
        facts[q.id] = answers[q.id]
        lines.append(str(answers[q.id]))
    return "\n".join([*lines, ""]) + "\n"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private HOME and XDG folders, and the working directory inside it."""
    h = tmp_path / "home"
    h.mkdir()
    monkeypatch.setenv("HOME", str(h))
    for var, sub in (("XDG_STATE_HOME", ".local/state"), ("XDG_CONFIG_HOME", ".config"),
                     ("XDG_DATA_HOME", ".local/share"), ("XDG_CACHE_HOME", ".cache")):
        monkeypatch.setenv(var, str(h / sub))
    monkeypatch.delenv("SEXTING_TRIAGE_ACCESSIBLE", raising=False)
    work = h / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return h


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def leaf_commands() -> set[str]:
    """Every command the CLI registers, as space-joined paths (`rules show`)."""
    import typer

    from sexting_triage import cli

    cli._register()
    out: set[str] = set()

    def walk(cmd: Any, prefix: str) -> None:
        subs = getattr(cmd, "commands", None)
        if not subs:
            out.add(prefix)
            return
        for name, sub in subs.items():
            walk(sub, f"{prefix} {name}".strip())

    walk(typer.main.get_command(cli.app), "")
    return out


def test_every_command_runs_without_network(home: Path, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch,
                                            no_network: list[str]) -> None:
    answers = home / "work" / "answers.yaml"
    answers.write_text(yaml.safe_dump({"rules": "cop-2016", "answers": cop2016_answers()}),
                       encoding="utf-8")
    record = home / "work" / "record.json"
    sessions = home / "sessions"
    scenario = sorted((ROOT / "scenarios").glob("*/*.yaml"))[0]

    # the triage itself, typed in the accessible mode, writing a record
    monkeypatch.setattr(sys, "stdin", io.StringIO(answer_lines("cop-2016", cop2016_answers())))
    code, out, err = cli(capsys, "triage", "--accessible", "--rules", "cop-2016", "--no-color",
                         "--record", str(record), "--incident-ref", SENTINEL_REF,
                         "--session-dir", str(sessions))
    assert code == 0, err
    assert "RECOMMENDED PATHWAY" in out

    invocations: dict[str, list[list[str]]] = {
        "run": [["run", str(answers)], ["run", str(answers), "--json"]],
        "rules list": [["rules", "list"], ["rules", "list", "--json"]],
        "rules show": [["rules", "show", "cop-2016"], ["rules", "show", "cop-2016", "--json"]],
        "rules check": [["rules", "check", "cop-2016"]],
        "rules diff": [["rules", "diff", "cop-2016", "cop-2016"]],
        "rules schema": [["rules", "schema"]],
        "rules graph": [["rules", "graph", "cop-2016"]],
        "record verify": [["record", "verify", str(record)]],
        "record show": [["record", "show", str(record)],
                        ["record", "show", str(record), "--format", "html"]],
        "scenarios check": [["scenarios", "check", str(ROOT / "scenarios")]],
        "scenarios walkthrough": [["scenarios", "walkthrough", str(scenario)]],
        "scenarios coverage": [["scenarios", "coverage", str(ROOT / "scenarios")]],
        "triage": [["triage", "--list-sessions", "--session-dir", str(sessions)]],
    }
    for command in sorted(leaf_commands()):
        for args in invocations.get(command, [[*command.split(), "--help"]]):
            code, out, err = cli(capsys, *args)
            assert code in (0, 1), (args, code, err)
            assert "Traceback" not in err
    assert no_network == [], f"network use: {no_network}"
    # the core commands ran for real, not only their --help
    assert {"run", "rules list", "rules show", "record verify", "record show",
            "triage"} <= leaf_commands()


def files_under(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_read_only_commands_write_nothing_but_the_rule_set_cache(
        home: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """No log, history or copy of the answers anywhere: only the cache of validated bundled
    rule sets, which holds rule-set data and never the answers or the answers file's path."""
    case_dir = tmp_path / "case-CAD-4242-ZZ"
    case_dir.mkdir()
    answers = case_dir / "answers.yaml"
    answers.write_text(yaml.safe_dump({"rules": "cop-2016", "answers": cop2016_answers()}),
                       encoding="utf-8")
    before = files_under(tmp_path)
    for args in (["run", str(answers)], ["run", str(answers), "--json"],
                 ["rules", "show", "cop-2016"], ["rules", "list"],
                 ["scenarios", "check", str(ROOT / "scenarios")]):
        code, _, err = cli(capsys, *args)
        assert code == 0, err
    after = files_under(tmp_path)
    new = {p: data for p, data in after.items() if p not in before}
    cache = home / ".cache"
    assert all(cache in p.parents for p in new), sorted(map(str, new))
    rule_set_fields = {"id", "version", "title", "status", "summary", "sources", "questions",
                       "pathways", "precedence", "flags", "rules", "invariants", "recording",
                       "changelog"}
    for p, data in new.items():
        assert b"case-CAD-4242-ZZ" not in data, p
        doc = json.loads(data)
        assert set(doc) <= rule_set_fields and doc["id"] in loader.bundled_paths(), p
    assert {p: after[p] for p in before} == before  # nothing changed either


def test_session_and_record_files_are_private(home: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """0600 files in 0700 folders, whatever the umask (a shared machine's 022 or 000)."""
    old = os.umask(0)
    try:
        sessions = home / ".local" / "state" / "sexting-triage" / "sessions"
        lines = answer_lines("cop-2016", cop2016_answers())
        # interrupted half-way: the session file is kept
        half = "\n".join(lines.splitlines()[:5]) + "\n"
        monkeypatch.setattr(sys, "stdin", io.StringIO(half))
        code, _, err = cli(capsys, "triage", "--accessible", "--rules", "cop-2016")
        assert code == 130, err
        (session_file,) = sessions.glob("*.json")
        assert stat.S_IMODE(session_file.stat().st_mode) == 0o600
        assert stat.S_IMODE(sessions.stat().st_mode) == 0o700
        # finished with a record
        record = home / "work" / "rec.json"
        monkeypatch.setattr(sys, "stdin", io.StringIO(lines))
        code, _, err = cli(capsys, "triage", "--accessible", "--rules", "cop-2016", "--record",
                           str(record))
        assert code == 0, err
        assert stat.S_IMODE(record.stat().st_mode) == 0o600
    finally:
        os.umask(old)


def test_existing_sessions_folder_keeps_its_mode_and_a_new_one_is_private(
        home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 12.4: `--session-dir` names a folder someone chose (perhaps shared on purpose):
    its mode is never changed; the session file in it is 0600. A missing folder is created
    0700, even under umask 000."""
    sessions = home / "sessions"
    sessions.mkdir(mode=0o777)
    sessions.chmod(0o777)
    monkeypatch.setattr(sys, "stdin", io.StringIO("yes\n"))
    code, _, _ = cli(capsys, "triage", "--accessible", "--session-dir", str(sessions))
    assert code == 130
    assert stat.S_IMODE(sessions.stat().st_mode) == 0o777
    (saved,) = sessions.glob("*.json")
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    fresh = home / "made" / "sessions"
    monkeypatch.setattr(sys, "stdin", io.StringIO("yes\n"))
    old = os.umask(0)
    try:
        code, _, _ = cli(capsys, "triage", "--accessible", "--session-dir", str(fresh))
    finally:
        os.umask(old)
    assert code == 130
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o700


def test_listing_sessions_shows_no_answer_values(home: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A colleague listing sessions on a shared laptop sees when, which rules and how many
    answers: never the answers themselves."""
    answers = cop2016_answers() | {"youngest_age": 13, "sharing_extent": "public_or_porn_site"}
    lines = answer_lines("cop-2016", answers).splitlines()
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines[:-2]) + "\n"))
    sessions = home / "s"
    code, _, _ = cli(capsys, "triage", "--accessible", "--rules", "cop-2016", "--session-dir",
                     str(sessions))
    assert code == 130
    (session_file,) = sessions.glob("*.json")
    saved = json.loads(session_file.read_text())["answers"]
    assert saved["sharing_extent"] == "public_or_porn_site"
    # and one unreadable session beside it, holding answers in a broken shape
    broken = sessions / "20260101T000000Z-deadbeef.json"
    broken.write_text(json.dumps({"schema": "sexting-triage/session/1",
                                  "answers": {"sharing_extent": ["public_or_porn_site"]}}))
    code, out, err = cli(capsys, "triage", "--list-sessions", "--session-dir", str(sessions))
    assert code == 0
    assert f"{len(saved):>7}" in out
    for text in (out, err):
        assert "public_or_porn_site" not in text and "Posted publicly" not in text
    assert broken.name in err  # the broken one is named, its content is not shown


def test_errors_name_only_the_answer_at_fault(home: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """An invalid answer's message names its question and the accepted values, never the
    other answers in the file."""
    answers = cop2016_answers() | {"sharing_extent": "public_or_porn_site",
                                   "imagery": "perhaps"}
    p = home / "work" / "a.yaml"
    p.write_text(yaml.safe_dump({"rules": "cop-2016", "answers": answers}), encoding="utf-8")
    code, out, err = cli(capsys, "run", str(p))
    assert code == 2 and out == ""
    assert "answers.imagery" in err
    assert "public_or_porn_site" not in err and "sharing_extent" not in err
