"""The session around `sexting-triage triage`: listing unfinished sessions, resuming one
(checked against the rules it was started with), stopping on Ctrl-C, end of input, SIGTERM or
SIGHUP with the answers saved and the exact command to continue, and at the end the decision
record, the scenario and the session file removed (or kept).

The command and its question loop are `cli/triage.py`; sessions themselves (files, locks,
saving after every answer) are `session.py`.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sexting_triage.cli.common import rules_for, save_scenario_file
from sexting_triage.errors import TriageError, UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from sexting_triage.conditions import Value
    from sexting_triage.engine import Decision
    from sexting_triage.ruleset import RuleSet
    from sexting_triage.session import Session


def list_sessions_in(folder: Path, no_color: bool) -> None:
    """`--list-sessions`: the unfinished sessions in `folder`, and how to continue one."""
    from sexting_triage import session as S
    from sexting_triage.render.terminal import console, text

    con = console(no_color=no_color)
    found, broken = S.list_sessions(folder)
    waiting = [s for s in found if not s.finished]
    if not waiting:
        con.print(text(f"No unfinished sessions in {folder}."))
    else:
        con.print(text(f"{'started (UTC)':<21} {'rule set':<24} {'answers':>7}  file", "bold"))
        for s in waiting:
            rules = f"{s.rules.get('id')} {s.rules.get('version')}"
            con.print(text(f"{s.started:<21} {rules:<24} {len(s.answers):>7}  {s.path}"),
                      soft_wrap=True)
            # the whole command, every option the triage was started with kept
            con.print(text(f"  to continue: {s.command}", "dim"), soft_wrap=True)
    kept = len(found) - len(waiting)
    if kept:
        con.print(text(f"({kept} finished session(s) kept with --keep-session not shown.)",
                       "dim"))
    for path, why in broken:
        from sexting_triage.cli import warn

        warn(f"{path}: cannot be read ({why})")


def resumed(resume: Path, rules: str | None, overlay: Path | None, con: Console,
            options: dict[str, str | bool]) -> tuple[Session, RuleSet, dict[str, Value]]:
    """`--resume FILE`: the session loaded, checked against `--rules`, locked, its rule set
    (with the overlay it was started with, unless `--overlay` says), and its answers checked
    again with those rules, saying what was dropped and whether the rules changed."""
    from sexting_triage import session as S
    from sexting_triage.cli import warn_if_not_current
    from sexting_triage.questionnaire import Questionnaire
    from sexting_triage.render.terminal import text

    try:
        sess = S.load(resume)
        # a session started with an overlay is resumed with it (unless --overlay says)
        saved_overlay = sess.rules.get("overlay_path")
        use = overlay if overlay is not None else (
            Path(saved_overlay) if isinstance(saved_overlay, str) else Path("none"))
        rs = rules_for(sess.rules["ref"], use)
        if rules is not None:
            _same_rules(resume, sess, rs, rules_for(rules, use), rules)
    except TriageError as exc:
        raise _cannot_resume(resume, rules, exc) from None
    sess.lock()  # the same session is never continued in two terminals at once
    warn_if_not_current(rs)
    restored, dropped = Questionnaire.restore(rs, sess.answers)
    answers = restored.answers
    lost = f" ({len(dropped)} saved answer(s) dropped: see below)" if dropped else ""
    con.print(text(f"Resuming the triage started {sess.started} with {len(answers)} "
                   f"answer(s), rule set {rs.id} {rs.version}.{lost}"))
    if sess.rules.get("sha256") != rs.sha256:
        con.print(text(
            f"The rule set has changed since this session was saved (sha256 "
            f"{str(sess.rules.get('sha256', ''))[:12]} -> {rs.sha256[:12]}). The saved "
            "answers were checked again with the new rules; only what is new will be "
            "asked.", "bold"))
        sess.pin(rs)
        _remember_overlay(sess, rs)
    for dr in dropped:
        label = rs.question(dr.question).text if dr.question in rs.question_index \
            else dr.question
        con.print(text(f"Note: the saved answer to \"{label}\" was dropped: {dr.why}.",
                       "italic"))
    sess.options = options  # kept in the session with the answers
    sess.set_answers(answers)
    return sess, rs, answers


def started(folder: Path, rules: str | None, overlay: Path | None,
            options: dict[str, str | bool]) -> tuple[Session, RuleSet]:
    """A new session in `folder`, pinned to the rule set (and overlay) the triage uses."""
    from sexting_triage import loader
    from sexting_triage import session as S
    from sexting_triage.cli import warn_if_not_current

    rs = rules_for(rules, overlay)
    ref = rules if rules is not None else getattr(getattr(rs, "base", None), "id", rs.id)
    warn_if_not_current(rs)
    sess = S.Session.create(folder, rs, S.rules_ref(ref, rs, loader.bundled_paths()),
                            options)
    if _remember_overlay(sess, rs):
        sess.save()
    return sess, rs


def _remember_overlay(sess: Session, rs: RuleSet) -> bool:
    """Keep the force overlay's path in the session, so a resume applies it again."""
    info = getattr(rs, "overlay", None)
    if info is None:
        return False
    sess.rules["overlay_path"] = str(Path(info.path).resolve())
    return True


def _same_rules(path: Path, sess: Session, pinned: RuleSet, given: RuleSet, ref: str) -> None:
    """`--resume S --rules OTHER` is refused: a session is answered under one rule set, and
    switching part-way would mix the questions of two editions. The session is untouched."""
    if given.id != pinned.id or given.sha256 != pinned.sha256:
        raise UsageError(
            f"{path}: this session was started with rule set {pinned.id} {pinned.version}, not "
            f"{given.id} {given.version} ({ref}); the session is unchanged. Resume it without "
            f"--rules, or start a new triage with --rules {shlex.quote(ref)}.")


def _cannot_resume(path: Path, rules: str | None, exc: TriageError) -> TriageError:
    """The error for a session that cannot be resumed (corrupt, edited, its rule set gone),
    with the command to start afresh; the file is left where it is."""
    from sexting_triage.errors import InputError, Problem

    again = "sexting-triage triage" + (f" --rules {shlex.quote(rules)}" if rules else "")
    hint = Problem(str(path), None, None, "", "this session cannot be resumed. Start afresh "
                   f"with: {again}")
    problems = exc.problems if isinstance(exc, InputError) else [
        Problem(str(path), None, None, "", line) for line in exc.lines()]
    return InputError([*problems, hint])


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP during a triage: saved and reported exactly as Ctrl-C is."""


def stop_on_signals() -> None:
    """A terminal closed (SIGHUP) or a shutdown (SIGTERM) stops the triage the way Ctrl-C
    does: the answers are saved and the command to continue is printed."""
    import signal

    def stop(signum: int, _frame: object) -> None:
        raise Stopped(signal.Signals(signum).name)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, stop)


def interrupted(sess: Session, answers: dict[str, Value], eof: bool) -> None:
    """Save once more and say exactly how to continue (or remove an empty session)."""
    from sexting_triage.session import SessionError

    stopped = sys.exc_info()[1]
    why = ("Input ended before the triage finished." if eof
           else f"Stopped by {stopped}." if isinstance(stopped, Stopped) else "Stopped.")
    lines: list[str] = []
    if not answers:
        sess.remove()
        lines.append(f"\n{why} No answers were given, so there is nothing to continue.")
    else:
        try:
            sess.set_answers(answers)
        except SessionError as exc:
            lines.append(f"\n{why} warning: {exc}\nThese answers could not be saved: "
                         + ", ".join(f"{k}={v}" for k, v in answers.items()))
        else:
            lines.append(f"\n{why} {len(answers)} answer(s) saved in {sess.path}")
        finally:
            sess.release()
        lines.append(f"To continue: {sess.command}")
    for line in lines:
        try:  # after SIGHUP the terminal may be gone: the session file is what matters
            print(line, file=sys.stderr)
        except OSError:
            break


def finish(con: Console, d: Decision, sess: Session, record: Path | None,
           incident_ref: str | None, save_scenario: Path | None, keep: bool,
           officer: dict[str, str] | None = None, key: bytes | None = None) -> None:
    """After the result and the officer's decision: the record and scenario, then the
    session file is removed."""
    from sexting_triage import records
    from sexting_triage.session import iso, utc_now

    try:
        if record is not None:
            rec = records.build(d, incident_ref, officer=officer)
            records.write(record, records.sign(rec, key) if key is not None else rec)
            print(f"decision record written to {record}", file=sys.stderr)
        if save_scenario is not None:
            save_scenario_file(save_scenario, d)
    except TriageError:
        print(f"The session is kept in {sess.path}; fix the problem below, then continue with: "
              f"{sess.command}", file=sys.stderr)
        raise
    if keep:
        sess.finished = iso(utc_now())
        sess.save()
        print(f"session kept in {sess.path}", file=sys.stderr)
    else:
        sess.remove()
