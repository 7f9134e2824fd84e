"""`sexting-triage triage`: the interactive triage for first responders.

The loop (`Triage`) is front-end neutral: it asks through a prompter (arrow keys from
prompts.py, or the plain numbered prompter from accessible.py), saves the session after every
answer, shows an urgent flag the moment the engine says it is certain, lets the responder go
back and change any answer (dropping answers no longer reached, with a notice), and ends with
a review screen before the result. Rule logic lives only in the engine.

questionary is imported inside the command, never at module level, to keep startup fast.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from sexting_triage.cli import EXIT_CODES_HELP, app
from sexting_triage.cli.common import NoColorOption, RulesOption, save_scenario_file
from sexting_triage.errors import EXIT_INTERRUPTED, NotInteractive, TriageError, UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from sexting_triage.accessible import Prompter
    from sexting_triage.conditions import Value
    from sexting_triage.engine import Decision
    from sexting_triage.ruleset import Question, RuleSet
    from sexting_triage.session import Session

ACCESSIBLE_ENV = "SEXTING_TRIAGE_ACCESSIBLE"


def stdin_is_interactive() -> bool:
    """Whether a person can answer prompts (the one place tests switch)."""
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (ValueError, OSError):
        return False


def accessible_requested(flag: bool) -> tuple[bool, bool]:
    """(use the plain prompter, it was asked for explicitly by flag or environment)."""
    explicit = flag or os.environ.get(ACCESSIBLE_ENV, "").strip().lower() in (
        "1", "true", "yes", "on")
    return explicit or os.environ.get("TERM") == "dumb", explicit


# ----------------------------------------------------------------------------- the loop


class Triage:
    """One triage: questions in the rule set's order, with back, why, review and flags."""

    def __init__(self, rs: RuleSet, prompter: Prompter, con: Console,
                 save: Callable[[dict[str, Value]], None] | None = None,
                 answers: dict[str, Value] | None = None):
        self.rs = rs
        self.prompter = prompter
        self.con = con
        self.save = save or (lambda _a: None)
        self.answers: dict[str, Value] = dict(answers or {})
        self.shown: set[str] = set()

    # -- the walk, through the engine only

    def _before(self, q: Question) -> dict[str, Value]:
        pos = self.rs.question_index[q.id]
        return {k: v for k, v in self.answers.items() if self.rs.question_index[k] < pos}

    def _after(self, q: Question) -> Question | None:
        """The next question reached after `q` (answered or not)."""
        from sexting_triage.engine import walk

        pos = self.rs.question_index[q.id]
        upto = {k: v for k, v in self.answers.items() if self.rs.question_index[k] <= pos}
        return walk(self.rs, upto).next

    def _previous(self, q: Question) -> Question | None:
        from sexting_triage.engine import walk

        asked = walk(self.rs, self._before(q)).asked
        return self.rs.question(asked[-1]) if asked else None

    def _number(self, q: Question) -> int:
        from sexting_triage.engine import walk

        return len(walk(self.rs, self._before(q)).asked) + 1

    def _first_open(self) -> Question | None:
        from sexting_triage.engine import walk

        return walk(self.rs, self.answers).next

    # -- changes

    def _set(self, q: Question, value: Value) -> None:
        """Record an answer, drop answers no longer reached, save, and show new urgent flags."""
        from sexting_triage.engine import walk
        from sexting_triage.render.terminal import text

        self.answers[q.id] = value
        reached = set(walk(self.rs, self.answers, complete=True).asked)
        dropped = [k for k in self.answers if k not in reached]
        for k in dropped:
            del self.answers[k]
        self.answers = dict(sorted(self.answers.items(),
                                   key=lambda kv: self.rs.question_index[kv[0]]))
        if len(dropped) > 2:
            self.con.print(text(f"Note: {len(dropped)} later answers no longer apply and were "
                                "removed; if those questions apply again, they will be asked "
                                "again.", "italic"))
        else:
            for k in dropped:
                self.con.print(text(f"Note: the answer to \"{self.rs.question(k).text}\" was "
                                    "removed: that question no longer applies.", "italic"))
        self.save(self.answers)
        self.show_flags()

    def show_flags(self) -> None:
        """Show each urgent flag the moment the answers so far make it certain (once; again
        if it is cleared and raised anew)."""
        from sexting_triage.engine import raised_so_far
        from sexting_triage.render.terminal import flag_block

        raised = {f for f in raised_so_far(self.rs, self.answers) if self.rs.flags[f].urgent}
        for f in self.rs.flags:
            if f in raised and f not in self.shown:
                self.con.print()
                flag_block(self.con, self.rs.flags[f])
                self.con.print()
        self.shown = raised

    # -- the run

    def run(self) -> Decision:
        """Ask until every reached question is answered and the review is confirmed."""
        from sexting_triage.accessible import BACK, WHY, Nav, ReviewItem
        from sexting_triage.engine import decide
        from sexting_triage.render.terminal import why_asked

        q = self._first_open()
        # After "Go back", answered questions that follow are shown again (answer preselected)
        # until an unanswered one is reached; otherwise the next question is the first open one.
        revisiting = False
        while True:
            if q is None:
                items = [ReviewItem(n, self.rs.question(k), self.answers[k])
                         for n, k in enumerate(self.answers, 1)]
                choice = self.prompter.review(items)
                if choice is None:
                    return decide(self.rs, self.answers)
                q, revisiting = self.rs.question(choice), False
                continue
            prev = self._previous(q)
            reply = self.prompter.ask(q, self._number(q), self.answers.get(q.id),
                                      prev is not None)
            if reply == WHY:
                self.con.print()
                why_asked(self.con, self.rs, q.id)
                continue
            if reply == BACK:
                q, revisiting = (prev if prev is not None else q), True
                continue
            assert not isinstance(reply, Nav)
            self._set(q, reply)
            if revisiting:
                q = self._after(q)
                revisiting = q is not None and q.id in self.answers
            else:
                q = self._first_open()


# ----------------------------------------------------------------------------- the command


def _list_sessions(folder: Path, no_color: bool) -> None:
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
        con.print(text("Continue one with: sexting-triage triage --resume FILE", "dim"))
    kept = len(found) - len(waiting)
    if kept:
        con.print(text(f"({kept} finished session(s) kept with --keep-session not shown.)",
                       "dim"))
    for path, why in broken:
        from sexting_triage.cli import warn

        warn(f"{path}: cannot be read ({why})")


def _resume_command(sess: Session, record: Path | None, incident_ref: str | None,
                    save_scenario: Path | None) -> str:
    """The exact command that continues a session with the same outputs."""
    cmd = sess.command
    if record is not None:
        cmd += f" --record {shlex.quote(str(record))}"
    if incident_ref:
        cmd += f" --incident-ref {shlex.quote(incident_ref)}"
    if save_scenario is not None:
        cmd += f" --save-scenario {shlex.quote(str(save_scenario))}"
    return cmd


@app.command("triage", epilog=EXIT_CODES_HELP)
def triage_command(
    rules: str | None = RulesOption,
    record: Path | None = typer.Option(
        None, "--record", metavar="FILE",
        help="At the end, write a decision record (JSON) to FILE: answers, decision, rule-set "
        "sha256 and a hash of its own content. Never overwrites a file."),
    incident_ref: str | None = typer.Option(
        None, "--incident-ref", metavar="REF",
        help="A short incident or crime reference for the record (letters, digits and / - _ . "
        ": #, at least one digit, no spaces). Never a name."),
    accessible: bool = typer.Option(
        False, "--accessible",
        help="Plain numbered questions, no arrow-key menus or redraws; type the number or the "
        f"answer, `back` or `why`. Also {ACCESSIBLE_ENV}=1, and automatic when TERM=dumb. "
        "When asked for explicitly it also reads answers piped to stdin, one per line."),
    no_color: bool = NoColorOption,
    resume: Path | None = typer.Option(
        None, "--resume", metavar="PATH", help="Continue a saved session file."),
    list_sessions: bool = typer.Option(
        False, "--list-sessions", help="List unfinished sessions (when started, rule set, how "
        "many answers) and exit."),
    keep_session: bool = typer.Option(
        False, "--keep-session", help="Keep the session file after the result (normally "
        "removed)."),
    session_dir: Path | None = typer.Option(
        None, "--session-dir", metavar="DIR", help="Where session files are kept (default "
        "$XDG_STATE_HOME/sexting-triage/sessions, or ~/.local/state/sexting-triage/sessions)."),
    save_scenario: Path | None = typer.Option(
        None, "--save-scenario", metavar="FILE",
        help="Also write the answers and the decision as a scenario file for trainers."),
) -> None:
    """Answer the rule set's questions and get the recommended pathway, the flags, every
    reason with its source, and the actions. Saved after every answer; Ctrl-C stops and
    prints the command to continue."""
    from sexting_triage import session as S

    folder = session_dir if session_dir is not None else S.default_dir()
    if list_sessions:
        _list_sessions(folder, no_color)
        return
    from sexting_triage import records

    if incident_ref is not None:
        if record is None:
            raise UsageError("--incident-ref goes into the decision record: give --record FILE "
                             "as well")
        records.check_incident_ref(incident_ref)
    if record is not None:
        records.check_target(record)
    if save_scenario is not None:
        import importlib.util

        if importlib.util.find_spec("sexting_triage.scenario") is None:
            raise UsageError("--save-scenario is not available in this version of the tool")
        if save_scenario.exists():
            raise UsageError(f"{save_scenario} already exists: choose another file name")
    plain, explicit = accessible_requested(accessible)
    if not stdin_is_interactive() and not explicit:
        raise NotInteractive(
            "triage asks questions and needs a terminal on stdin. To decide from a file of "
            "answers use `sexting-triage run FILE`; to type or pipe plain answers, one per "
            "line, use `sexting-triage triage --accessible`.")

    from sexting_triage import loader
    from sexting_triage.render.terminal import console, text

    con = console(no_color=no_color or plain)
    if plain:
        con.soft_wrap = True  # whole lines: a screen reader or braille display wraps them
    if resume is not None:
        try:
            sess = S.load(resume)
            ref = rules or sess.rules["ref"]
            rs = loader.resolve(ref)
        except TriageError as exc:
            raise _cannot_resume(resume, rules, exc) from None
        sess.lock()  # the same session is never continued in two terminals at once
        restored = S.restore(sess, rs)
        con.print(text(f"Resuming the triage started {sess.started} with "
                       f"{len(restored.answers)} answer(s), rule set {rs.id} {rs.version}."))
        if restored.rules_changed:
            con.print(text(
                f"The rule set has changed since this session was saved (sha256 "
                f"{sess.rules.get('sha256', '')[:12]} -> {rs.sha256[:12]}). The saved answers "
                "were checked again with the new rules; only what is new will be asked.",
                "bold"))
            sess.pin(rs)
        if rules is not None:  # resumed with other rules: later resumes use them too
            sess.rules["ref"] = S.rules_ref(rules, rs, loader.bundled_paths())
        for qid, why in restored.dropped:
            label = rs.question(qid).text if qid in rs.question_index else qid
            con.print(text(f"Note: the saved answer to \"{label}\" was dropped: {why}.",
                           "italic"))
        sess.set_answers(restored.answers)
        answers = restored.answers
    else:
        ref = rules if rules is not None else loader.default_id()
        rs = loader.resolve(ref)
        sess = S.Session.create(folder, rs, S.rules_ref(ref, rs, loader.bundled_paths()))
        answers = {}

    if plain:
        from sexting_triage.accessible import PlainPrompter

        prompter: Prompter = PlainPrompter(con, sys.stdin)
    else:
        from sexting_triage.prompts import ArrowPrompter

        prompter = ArrowPrompter(con, no_color=no_color or "NO_COLOR" in os.environ)

    triage = Triage(rs, prompter, con, save=sess.set_answers, answers=answers)
    try:
        if resume is not None:
            triage.show_flags()
        else:
            con.print(text(f"Triage with rule set {rs.id} {rs.version}: {rs.title}", "bold"))
            con.print(text("No names, images or descriptions are asked for. Your answers are "
                           "saved after each one; Ctrl-C stops and tells you how to continue.",
                           "dim"))
        d = triage.run()
    except S.SessionError as exc:
        # disk full, folder made read-only: the last good session file is still there
        raise S.SessionError(f"{exc} When that is fixed, continue with: "
                             f"{_resume_command(sess, record, incident_ref, save_scenario)}"
                             ) from None
    except (KeyboardInterrupt, EOFError) as exc:
        _interrupted(sess, triage, isinstance(exc, EOFError), record, incident_ref,
                     save_scenario)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    finally:
        sess.release()

    _finish(con, d, sess, record, incident_ref, save_scenario, keep_session)


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


def _interrupted(sess: Session, triage: Triage, eof: bool, record: Path | None,
                 incident_ref: str | None, save_scenario: Path | None) -> None:
    """Save once more and say exactly how to continue (or remove an empty session)."""
    from sexting_triage.session import SessionError

    why = "Input ended before the triage finished." if eof else "Stopped."
    if not triage.answers:
        sess.remove()
        print(f"\n{why} No answers were given, so there is nothing to continue.",
              file=sys.stderr)
        return
    try:
        sess.set_answers(triage.answers)
    except SessionError as exc:
        print(f"\n{why} warning: {exc}\nThese answers could not be saved: " +
              ", ".join(f"{k}={v}" for k, v in triage.answers.items()), file=sys.stderr)
    else:
        print(f"\n{why} {len(triage.answers)} answer(s) saved in {sess.path}", file=sys.stderr)
    finally:
        sess.release()
    print(f"To continue: {_resume_command(sess, record, incident_ref, save_scenario)}",
          file=sys.stderr)


def _finish(con: Console, d: Decision, sess: Session, record: Path | None,
            incident_ref: str | None, save_scenario: Path | None, keep: bool) -> None:
    """The result screen, then the record and scenario, then the session file is removed."""
    from sexting_triage import records
    from sexting_triage.errors import TriageError
    from sexting_triage.render import terminal
    from sexting_triage.session import iso, utc_now

    con.print()
    terminal.decision(con, d)
    try:
        if record is not None:
            records.write(record, records.build(d, incident_ref))
            print(f"decision record written to {record}", file=sys.stderr)
        if save_scenario is not None:
            save_scenario_file(save_scenario, d)
    except TriageError:
        print(f"The session is kept in {sess.path}; fix the problem below, then continue with: "
              f"{_resume_command(sess, record, incident_ref, save_scenario)}",
              file=sys.stderr)
        raise
    if keep:
        sess.finished = iso(utc_now())
        sess.save()
        print(f"session kept in {sess.path}", file=sys.stderr)
    else:
        sess.remove()
