"""`sexting-triage triage`: the interactive triage for first responders.

The loop (`Triage`) is front-end neutral: it asks through a prompter (arrow keys from
prompt.arrows, or the plain numbered prompter from prompt.accessible) what the questionnaire
controller says to ask, saves the session after every answer, shows an urgent flag the moment
the controller says it is certain, lets the responder go back and change any answer, and ends
with a review screen, the result, and the officer's own decision. Rule logic lives only in
the engine and the controller. The session around it (listing, resuming, stopping on
Ctrl-C or a signal with the command to continue, the record and the session file at the end)
is `cli/triage_session.py`.

Questions, menus and narration go to the terminal (`prompt.terminal_stream`); only the result
goes to stdout, so `sexting-triage triage > result.txt` works. questionary is imported only
when the first menu is needed, to keep start-up fast; in a terminal that menu is drawn before
it (see prompt.first_menu).
"""

from __future__ import annotations

import os
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
    signing_key,
)
from sexting_triage.cli.triage_session import (
    finish,
    interrupted,
    list_sessions_in,
    resumed,
    started,
    stop_on_signals,
)
from sexting_triage.errors import EXIT_INTERRUPTED, NotInteractive, UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from sexting_triage.conditions import Value
    from sexting_triage.engine import Decision, FlagNotice
    from sexting_triage.prompt.accessible import Prompter
    from sexting_triage.ruleset import Question, RuleSet

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
        self._show(step.notices)

    def show_flags(self) -> None:
        """Show every urgent flag already certain (on resume)."""
        self._show(self.q.notices())

    def _show(self, notices: tuple[FlagNotice, ...]) -> None:
        """Each urgent flag's panel: its headline (e.g. 'Not yet known: establish now') and
        the actions of the rules that raised it, then its own."""
        from sexting_triage.render.terminal import flag_block

        for n in notices:
            if self.rs.flags[n.flag].urgent:
                self.con.print()
                flag_block(self.con, self.rs.flags[n.flag], n.headline,
                           [a.text for a in n.actions])
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
        list_sessions_in(folder, no_color)
        return
    from sexting_triage import records

    if resume is not None:
        # a resume continues as the triage was started: its outputs and way of asking are
        # kept in the session, and an option given now takes their place
        saved = S.saved_options(resume)

        def kept(name: str) -> str | None:
            value = saved.get(name)
            return value if isinstance(value, str) else None

        record = record if record is not None else _path(kept("record"))
        incident_ref = incident_ref if incident_ref is not None else kept("incident_ref")
        sign_key = sign_key if sign_key is not None else _path(kept("sign_key"))
        save_scenario = save_scenario if save_scenario is not None else _path(
            kept("save_scenario"))
        accessible = accessible or saved.get("accessible") is True
        no_color = no_color or saved.get("no_color") is True
        keep_session = keep_session or saved.get("keep_session") is True
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
    plain, explicit = accessible_requested(accessible)
    if not stdin_is_interactive() and not explicit:
        raise NotInteractive(
            "triage asks questions and needs a terminal on stdin. To decide from a file of "
            "answers use `sexting-triage run FILE`; to type or pipe plain answers, one per "
            "line, use `sexting-triage triage --accessible`.")

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
    given: dict[str, str | bool | None] = {
        "record": _text(record), "incident_ref": incident_ref, "sign_key": _text(sign_key),
        "save_scenario": _text(save_scenario), "accessible": accessible,
        "no_color": no_color, "keep_session": keep_session}
    options: dict[str, str | bool] = {}
    for k, v in given.items():
        if v is not None and v is not False:
            options[k] = v
    if resume is not None:
        sess, rs, answers = resumed(resume, rules, overlay, con, options)
    else:
        sess, rs = started(folder, rules, overlay, options)
        answers = {}

    if plain:
        from sexting_triage.prompt.accessible import PlainPrompter

        prompter: Prompter = PlainPrompter(con, sys.stdin)
    else:
        from sexting_triage.prompt.arrows import ArrowPrompter

        prompter = ArrowPrompter(con, no_color=no_color or "NO_COLOR" in os.environ,
                                 stream=stream)

    triage = Triage(rs, prompter, con, save=sess.set_answers, answers=answers)
    stop_on_signals()
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
                             f"{sess.command}") from None
    except (KeyboardInterrupt, EOFError) as exc:
        interrupted(sess, triage.answers, isinstance(exc, EOFError))
        raise typer.Exit(EXIT_INTERRUPTED) from None
    finally:
        sess.release()

    finish(con, d, sess, record, incident_ref, save_scenario, keep_session, officer, key)


def _path(value: str | None) -> Path | None:
    return None if value is None else Path(value)


def _text(value: Path | None) -> str | None:
    """A path as the session keeps it: absolute, so a resume from another folder finds it."""
    return None if value is None else os.path.abspath(value)


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
