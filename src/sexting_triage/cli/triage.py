"""`sexting-triage triage`: the interactive triage for first responders.

The loop (`Triage`) is front-end neutral: it asks through a prompter (arrow keys from
prompt.arrows, or the plain numbered prompter from prompt.accessible) what the questionnaire
controller says to ask, saves the session after every answer, shows an urgent flag the moment
the controller says it is certain, lets the responder go back and change any answer, and ends
with a review screen, the result, and the officer's own decision. Rule logic lives only in
the engine and the controller.

Questions, menus and narration go to the terminal (`prompt.terminal_stream`); only the result
goes to stdout, so `sexting-triage triage > result.txt` works. questionary is imported only
when the first menu is drawn, to keep start-up fast.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, cast

import typer

from sexting_triage.cli import EXIT_CODES_HELP, app
from sexting_triage.cli.common import (
    NoColorOption,
    OverlayOption,
    RulesOption,
    SignKeyOption,
    rules_for,
    save_scenario_file,
    signing_key,
)
from sexting_triage.errors import EXIT_INTERRUPTED, NotInteractive, TriageError, UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from sexting_triage.conditions import Value
    from sexting_triage.engine import Decision
    from sexting_triage.prompt.accessible import Prompter
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
    """One triage: asks through a prompter what the questionnaire controller says to ask,
    with back, why, review and urgent flags the moment the controller says they are certain.
    Saves after every answer. No rule logic here: the controller decides what comes next."""

    def __init__(self, rs: RuleSet, prompter: Prompter, con: Console,
                 save: Callable[[dict[str, Value]], None] | None = None,
                 answers: dict[str, Value] | None = None):
        from sexting_triage.questionnaire import Questionnaire

        self.rs = rs
        self.prompter = prompter
        self.con = con
        self.save = save or (lambda _a: None)
        self.q = Questionnaire(rs, answers)

    @property
    def answers(self) -> dict[str, Value]:
        return self.q.answers

    def _set(self, q: Question, value: Value) -> None:
        """Record an answer (the controller drops answers no longer reached), say what was
        dropped, save, and show urgent flags that became certain."""
        from sexting_triage.render.terminal import text

        step = self.q.answer(q.id, value)
        if len(step.dropped) > 2:
            self.con.print(text(f"Note: {len(step.dropped)} later answers no longer apply and "
                                "were removed; if those questions apply again, they will be "
                                "asked again.", "italic"))
        else:
            for k in step.dropped:
                self.con.print(text(f"Note: the answer to \"{self.rs.question(k).text}\" was "
                                    "removed: that question no longer applies.", "italic"))
        self.save(self.q.answers)
        self._show(step.new_flags)

    def show_flags(self) -> None:
        """Show every urgent flag already certain (on resume)."""
        self._show(self.q.certain_flags())

    def _show(self, flags: tuple[str, ...]) -> None:
        from sexting_triage.render.terminal import flag_block

        for f in flags:
            if self.rs.flags[f].urgent:
                self.con.print()
                flag_block(self.con, self.rs.flags[f])
                self.con.print()

    def run(self) -> Decision:
        """Ask until every reached question is answered and the review is confirmed."""
        from sexting_triage.prompt.accessible import BACK, WHY, Nav, ReviewItem
        from sexting_triage.render.terminal import why_asked

        q = self.q.current
        # After "Go back", answered questions that follow are shown again (answer preselected)
        # until an unanswered one is reached; otherwise the next question is the first open one.
        revisiting = False
        while True:
            if q is None:
                items = [ReviewItem(n, question, value)
                         for n, (question, value) in enumerate(self.q.review(), 1)]
                choice = self.prompter.review(items)
                if choice is None:
                    return self.q.decision()
                q, revisiting = self.rs.question(choice), False
                continue
            prev = self.q.previous(q.id)
            progress = self.q.progress(q.id)
            reply = self.prompter.ask(q, progress.number, self.answers.get(q.id),
                                      prev is not None, about=progress.about)
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
                q = self.q.following(q.id)
                revisiting = q is not None and q.id in self.answers
            else:
                q = self.q.current


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
        con.print(text("Continue one with: sexting-triage triage --resume FILE, adding the "
                       "options it was started with (--record and the rest: the \"To "
                       "continue\" line printed when it stopped has them all)", "dim"))
    kept = len(found) - len(waiting)
    if kept:
        con.print(text(f"({kept} finished session(s) kept with --keep-session not shown.)",
                       "dim"))
    for path, why in broken:
        from sexting_triage.cli import warn

        warn(f"{path}: cannot be read ({why})")


# Options given to the triage that a resume must repeat (set by the command: the hint then
# keeps every original option, outputs and the way of asking alike).
_KEEP: list[str] = []


def _resume_command(sess: Session, record: Path | None, incident_ref: str | None,
                    save_scenario: Path | None) -> str:
    """The exact command that continues a session with the same outputs and options."""
    cmd = sess.command
    if record is not None:
        cmd += f" --record {shlex.quote(str(record))}"
    if incident_ref:
        cmd += f" --incident-ref {shlex.quote(incident_ref)}"
    if save_scenario is not None:
        cmd += f" --save-scenario {shlex.quote(str(save_scenario))}"
    for opt in _KEEP:
        cmd += f" {opt}"
    return cmd


@app.command("triage", epilog=EXIT_CODES_HELP)
def triage_command(
    rules: str | None = RulesOption,
    overlay: Path | None = OverlayOption,
    record: Path | None = typer.Option(
        None, "--record", metavar="FILE",
        help="At the end, write a decision record (JSON) to FILE: answers, decision, rule-set "
        "sha256 and a hash of its own content. Never overwrites a file."),
    sign_key: Path | None = SignKeyOption,
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
        None, "--resume", metavar="FILE", help="Continue a saved session file."),
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
    from sexting_triage import files

    files.check_output_paths({"--record": record, "--save-scenario": save_scenario})
    if record is not None:
        records.check_target(record)
    key = signing_key(sign_key, record)
    if save_scenario is not None and save_scenario.exists():
        raise UsageError(f"{save_scenario} already exists: choose another file name")
    _KEEP[:] = [opt for opt, on in (("--accessible", accessible), ("--no-color", no_color),
                                    ("--keep-session", keep_session)) if on]
    if sign_key is not None:
        _KEEP.append(f"--sign-key {shlex.quote(str(sign_key))}")
    plain, explicit = accessible_requested(accessible)
    if not stdin_is_interactive() and not explicit:
        raise NotInteractive(
            "triage asks questions and needs a terminal on stdin. To decide from a file of "
            "answers use `sexting-triage run FILE`; to type or pipe plain answers, one per "
            "line, use `sexting-triage triage --accessible`.")

    from sexting_triage import loader
    from sexting_triage.cli import warn_if_not_current
    from sexting_triage.prompt import terminal_stream
    from sexting_triage.render.terminal import console, text

    stream = terminal_stream()
    if plain:
        from sexting_triage.prompt.accessible import PlainConsole

        def plain_console(file: IO[str]) -> Console:
            c = console(file=file, no_color=True)
            c.soft_wrap = True  # whole lines: a screen reader or braille display wraps them
            return c

        con = cast("Console", PlainConsole(stream, lambda: plain_console(stream)))
        out = con if stream is sys.stdout else cast(
            "Console", PlainConsole(sys.stdout, lambda: plain_console(sys.stdout)))
    else:
        con = console(file=stream, no_color=no_color)
        out = con if stream is sys.stdout else console(no_color=no_color)
    if resume is not None:
        from sexting_triage.questionnaire import Questionnaire

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
        sess.set_answers(answers)
    else:
        rs = rules_for(rules, overlay)
        ref = rules if rules is not None else getattr(getattr(rs, "base", None), "id", rs.id)
        warn_if_not_current(rs)
        sess = S.Session.create(folder, rs, S.rules_ref(ref, rs, loader.bundled_paths()))
        if _remember_overlay(sess, rs):
            sess.save()
        answers = {}

    if plain:
        from sexting_triage.prompt.accessible import PlainPrompter

        prompter: Prompter = PlainPrompter(con, sys.stdin)
    else:
        from sexting_triage.prompt.arrows import ArrowPrompter

        prompter = ArrowPrompter(con, no_color=no_color or "NO_COLOR" in os.environ,
                                 stream=stream)

    triage = Triage(rs, prompter, con, save=sess.set_answers, answers=answers)
    _stop_on_signals()
    try:
        if resume is not None:
            triage.show_flags()
        else:
            intro = [(f"Triage with rule set {rs.id} {rs.version}: {rs.title}", "bold"),
                     ("No names, images or descriptions are asked for. Your answers are saved "
                      "after each one; Ctrl-C stops and tells you how to continue.", "dim")]
            for line, style in intro:  # plain lines need no rich text (faster to screen)
                con.print(line if plain else text(line, style))
        d = triage.run()
        con.file.flush()
        if out is not con:
            con.print(text("The result is written to standard output.", "dim"))
        out.print()
        terminal_decision(out, d)
        out.file.flush()
        officer = _officer_decision(prompter, con, d)
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

    _finish(con, d, sess, record, incident_ref, save_scenario, keep_session, officer, key)


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


def _stop_on_signals() -> None:
    """A terminal closed (SIGHUP) or a shutdown (SIGTERM) stops the triage the way Ctrl-C
    does: the answers are saved and the command to continue is printed."""
    import signal

    def stop(signum: int, _frame: object) -> None:
        raise Stopped(signal.Signals(signum).name)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, stop)


def _interrupted(sess: Session, triage: Triage, eof: bool, record: Path | None,
                 incident_ref: str | None, save_scenario: Path | None) -> None:
    """Save once more and say exactly how to continue (or remove an empty session)."""
    from sexting_triage.session import SessionError

    stopped = sys.exc_info()[1]
    why = ("Input ended before the triage finished." if eof
           else f"Stopped by {stopped}." if isinstance(stopped, Stopped) else "Stopped.")
    lines: list[str] = []
    if not triage.answers:
        sess.remove()
        lines.append(f"\n{why} No answers were given, so there is nothing to continue.")
    else:
        try:
            sess.set_answers(triage.answers)
        except SessionError as exc:
            lines.append(f"\n{why} warning: {exc}\nThese answers could not be saved: "
                         + ", ".join(f"{k}={v}" for k, v in triage.answers.items()))
        else:
            lines.append(f"\n{why} {len(triage.answers)} answer(s) saved in {sess.path}")
        finally:
            sess.release()
        lines.append("To continue: "
                     f"{_resume_command(sess, record, incident_ref, save_scenario)}")
    for line in lines:
        try:  # after SIGHUP the terminal may be gone: the session file is what matters
            print(line, file=sys.stderr)
        except OSError:
            break


def terminal_decision(con: Console, d: Decision) -> None:
    from sexting_triage.render import terminal

    terminal.decision(con, d)


def _officer_decision(prompter: Prompter, con: Console, d: Decision
                      ) -> dict[str, str] | None:
    """The officer says whether they agree with the recommendation or chose another pathway,
    and why, from the fixed list (never free text). None when input ended before it."""
    from sexting_triage import records
    from sexting_triage.render.terminal import text

    rs = d.ruleset
    here = rs.pathways[d.pathway].title
    options = [(records.AGREE, f"I agree: {here}")]
    options += [(pid, f"I chose another pathway: {p.title}")
                for pid, p in rs.pathways.items() if pid != d.pathway]
    con.print()
    try:
        choice = prompter.choose("YOUR DECISION: do you agree with the recommended pathway?",
                                 options)
        reason = None
        if choice != records.AGREE:
            reason = prompter.choose("Why did you choose another pathway?",
                                     list(records.OFFICER_REASONS.items()))
    except EOFError:
        con.print(text("Input ended: your own decision was not recorded.", "italic"))
        return None
    chosen = here if choice == records.AGREE else rs.pathways[choice].title
    said = "agree with the recommendation" if choice == records.AGREE else (
        f"chose another pathway ({chosen}): {records.OFFICER_REASONS[reason or '']}")
    con.print(text(f"Your decision: you {said}.", "bold"))
    return {"decision": choice, **({"reason": reason} if reason else {})}


def _finish(con: Console, d: Decision, sess: Session, record: Path | None,
            incident_ref: str | None, save_scenario: Path | None, keep: bool,
            officer: dict[str, str] | None = None, key: bytes | None = None) -> None:
    """After the result and the officer's decision: the record and scenario, then the
    session file is removed."""
    from sexting_triage import records
    from sexting_triage.errors import TriageError
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
              f"{_resume_command(sess, record, incident_ref, save_scenario)}",
              file=sys.stderr)
        raise
    if keep:
        sess.finished = iso(utc_now())
        sess.save()
        print(f"session kept in {sess.path}", file=sys.stderr)
    else:
        sess.remove()
