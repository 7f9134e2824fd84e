"""The arrow-key prompter (questionary).

Every question is a select list (yes/no/not known, or the rule set's choices) or, for whole
numbers, a text field validated against the declared range. Each prompt also offers "Why am I
asked this?" and "Go back". Prompts use `unsafe_ask()` so Ctrl-C raises KeyboardInterrupt,
which the triage command catches once to save the session and print the resume command.

questionary and prompt_toolkit (about 150-190 ms to import) are imported only when the first
menu is needed, and in a terminal the first select list is on screen before that: it is drawn
as static lines by `prompt.first_menu` (the same lines, the preselected choice pointed at) with
the terminal in prompt_toolkit's key-reading mode, so keys typed meanwhile are neither echoed
nor lost; the static lines are erased just before the real menu's first drawing, which reads
those keys, and the terminal's attributes are restored exactly after that first menu. When
stdin or the menu stream is not a terminal, questionary draws the first menu as it draws the
others.
"""

from __future__ import annotations

import sys
from typing import IO, TYPE_CHECKING, Any, TextIO, cast

from sexting_triage.conditions import Value
from sexting_triage.prompt.accessible import (
    BACK,
    WHY,
    Nav,
    ReviewItem,
    pages,
    parse_reply,
    progress_label,
    review_line,
)
from sexting_triage.render.safe import clean
from sexting_triage.ruleset import Question

if TYPE_CHECKING:
    from rich.console import Console

WHY_LABEL = "Why am I asked this?"
BACK_LABEL = "Go back to the previous question"
CONFIRM = "__confirm__"
NEXT_PAGE = "__next__"
PREVIOUS_PAGE = "__previous__"


class ArrowPrompter:
    """questionary select lists and validated text fields; help printed above each question.

    `stream` is where the menus are drawn (see `prompt.terminal_stream`); None or stdout: the
    prompt_toolkit default."""

    def __init__(self, con: Console, no_color: bool = False, stream: IO[str] | None = None):
        self.con = con
        self.no_color = no_color
        self.stream = stream
        self._extra: dict[str, Any] | None = None

    @property
    def extra(self) -> dict[str, Any]:
        """Keyword arguments for every questionary prompt (imports prompt_toolkit once)."""
        if self._extra is None:
            extra: dict[str, Any] = {}
            if self.no_color:
                from prompt_toolkit.output import ColorDepth

                extra["color_depth"] = ColorDepth.DEPTH_1_BIT
            redirected = self.stream is not None and self.stream is not sys.stdout
            if redirected and not _session_output_set():
                from prompt_toolkit.output import create_output

                extra["output"] = create_output(stdout=cast("TextIO", self.stream))
            self._extra = extra
        return self._extra

    def _header(self, q: Question, number: int, about: int | None = None) -> None:
        from sexting_triage.render.terminal import rows, text

        self.con.print()
        self.con.print(text(progress_label(number, about), "dim"))
        if q.help:
            rows(self.con, [("", text(q.help, "dim italic"))])
        self.con.file.flush()

    def ask(self, q: Question, number: int, current: Value | None,
            can_go_back: bool, about: int | None = None) -> Value | Nav:
        self._header(q, number, about)
        if q.type == "integer":
            return self._integer(q, current, can_go_back)
        # (title, value, description); None for the blank separator line
        options: list[tuple[str, Value | Nav | None, str | None]] = []
        default: int | None = None
        for v in q.domain:
            desc = next((c.help for c in q.choices if c.id == v and c.help), None)
            if v == current:
                default = len(options)
            options.append((clean(q.label_of(v)), v, clean(desc) if desc else None))
        options.append((" ", None, None))
        options.append((WHY_LABEL, WHY, None))
        if can_go_back:
            options.append((BACK_LABEL, BACK, None))
        title, instruction = clean(q.text), "(arrow keys, then Enter)"
        menu = None
        if "questionary" not in sys.modules and self.stream is not None:
            from sexting_triage.prompt import first_menu

            menu = first_menu.draw(self.stream, first_menu.select_lines(
                title, instruction, [(t, d) for t, _v, d in options], default or 0,
                no_color=self.no_color))
        try:
            import questionary
            from questionary import Choice, Separator

            choices: list[Any] = [
                Separator(t) if v is None else Choice(t, value=v, description=d)
                for t, v, d in options]
            question = questionary.select(
                title, choices=choices,
                default=None if default is None else choices[default],
                instruction=instruction, use_jk_keys=False, use_emacs_keys=True,
                **self.extra)
            if menu is not None:
                question.application.pre_run_callables.append(menu.erase)
            reply = question.unsafe_ask()
        finally:
            if menu is not None:
                menu.close()
        return reply  # type: ignore[no-any-return]

    def _integer(self, q: Question, current: Value | None, can_go_back: bool) -> Value | Nav:
        import questionary

        words = "why" + (", back" if can_go_back else "")
        hint = f"({q.min}-{q.max}; or type {words})"

        def valid(s: str) -> bool | str:
            try:
                parse_reply(q, s, None, can_go_back)
            except ValueError as exc:
                return str(exc)
            return True

        reply = questionary.text(
            clean(q.text), default="" if current is None else str(current), validate=valid,
            instruction=hint, **self.extra).unsafe_ask()
        return parse_reply(q, reply, None, can_go_back)

    def choose(self, title: str, options: list[tuple[str, str]]) -> str:
        """A select list of fixed options (the first preselected). Never free text."""
        import questionary
        from questionary import Choice

        reply = questionary.select(
            title, choices=[Choice(clean(label), value=value) for value, label in options],
            instruction="(arrow keys, then Enter)", use_jk_keys=False,
            **self.extra).unsafe_ask()
        return str(reply)

    def review(self, items: list[ReviewItem]) -> str | None:
        """One select list with each answer once (one line each), in pages that fit 80 x 24."""
        import questionary
        from questionary import Choice, Separator

        from sexting_triage.render.terminal import text

        chunks = pages(items)
        page = 0
        while True:
            chunk = chunks[page]
            self.con.print()
            where = (f" (page {page + 1} of {len(chunks)})" if len(chunks) > 1 else "")
            self.con.print(text(f"REVIEW YOUR ANSWERS{where}", "bold underline"))
            self.con.file.flush()
            choices: list[Any] = [Choice("These answers are right: show the result",
                                         value=CONFIRM), Separator(" ")]
            # "Change " + the line, within 80 columns with questionary's pointer
            choices += [Choice(review_line(it, 70), value=it.question.id) for it in chunk]
            if page < len(chunks) - 1:
                choices.append(Choice(f"More answers (page {page + 2} of {len(chunks)})",
                                      value=NEXT_PAGE))
            if page > 0:
                choices.append(Choice(f"Earlier answers (page {page} of {len(chunks)})",
                                      value=PREVIOUS_PAGE))
            reply = questionary.select(
                "Choose an answer to change it, or show the result", choices=choices,
                instruction="(arrow keys, then Enter)", use_jk_keys=False,
                **self.extra).unsafe_ask()
            if reply == NEXT_PAGE:
                page += 1
            elif reply == PREVIOUS_PAGE:
                page -= 1
            else:
                return None if reply == CONFIRM else str(reply)


def _session_output_set() -> bool:
    """Whether the caller set up a prompt_toolkit session output already (tests do)."""
    from prompt_toolkit.application.current import get_app_session

    return getattr(get_app_session(), "_output", None) is not None


__all__ = ["ArrowPrompter"]
