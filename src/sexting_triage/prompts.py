"""The arrow-key prompter (questionary). The ONLY module that imports questionary or
prompt_toolkit, and it is imported only on the interactive path (≈130 ms), so `run`, `rules`
and `scenarios check` stay fast.

Every question is a select list (yes/no/not known, or the rule set's choices) or, for whole
numbers, a text field validated against the declared range. Each prompt also offers "Why am I
asked this?" and "Go back". Prompts use `unsafe_ask()` so Ctrl-C raises KeyboardInterrupt,
which the triage command catches once to save the session and print the resume command.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import questionary
from prompt_toolkit.output import ColorDepth
from questionary import Choice, Separator

from sexting_triage.accessible import BACK, WHY, Nav, ReviewItem, option_hint, parse_reply
from sexting_triage.conditions import Value
from sexting_triage.render.safe import clean
from sexting_triage.ruleset import Question

if TYPE_CHECKING:
    from rich.console import Console

WHY_LABEL = "Why am I asked this?"
BACK_LABEL = "Go back to the previous question"
CONFIRM = "__confirm__"


class ArrowPrompter:
    """questionary select lists and validated text fields; help printed above each question."""

    def __init__(self, con: Console, no_color: bool = False):
        self.con = con
        self.extra: dict[str, Any] = {"color_depth": ColorDepth.DEPTH_1_BIT} if no_color else {}

    def _header(self, q: Question, number: int) -> None:
        from sexting_triage.render.terminal import rows, text

        self.con.print()
        self.con.print(text(f"Question {number}", "dim"))
        if q.help:
            rows(self.con, [("", text(q.help, "dim italic"))])

    def ask(self, q: Question, number: int, current: Value | None,
            can_go_back: bool) -> Value | Nav:
        self._header(q, number)
        if q.type == "integer":
            return self._integer(q, current, can_go_back)
        choices: list[Any] = []
        default = None
        for v in q.domain:
            desc = next((c.help for c in q.choices if c.id == v and c.help), None)
            choice = Choice(clean(q.label_of(v)), value=v,
                            description=clean(desc) if desc else None)
            choices.append(choice)
            if v == current:
                default = choice
        choices.append(Separator(" "))
        choices.append(Choice(WHY_LABEL, value=WHY))
        if can_go_back:
            choices.append(Choice(BACK_LABEL, value=BACK))
        reply = questionary.select(
            clean(q.text), choices=choices, default=default,
            instruction="(arrow keys, then Enter)", use_jk_keys=False, use_emacs_keys=True,
            **self.extra).unsafe_ask()
        return reply  # type: ignore[no-any-return]

    def _integer(self, q: Question, current: Value | None, can_go_back: bool) -> Value | Nav:
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

    def _review_list(self, items: list[ReviewItem]) -> None:
        from sexting_triage.render.terminal import rows, text

        self.con.print()
        self.con.print(text("REVIEW YOUR ANSWERS", "bold underline"))
        rows(self.con, [(f"{it.number:>2}.", text(f"{it.question.text}  ") +
                         text(it.question.label_of(it.value), "bold")) for it in items], indent=1)

    def review(self, items: list[ReviewItem]) -> str | None:
        self._review_list(items)
        choices: list[Any] = [Choice("These answers are right: show the result", value=CONFIRM),
                              Separator(" ")]
        for it in items:
            short = it.question.text if len(it.question.text) <= 60 else (
                it.question.text[:57].rstrip() + "...")
            choices.append(Choice(clean(f"Change {it.number}. {short} "
                                        f"({it.question.label_of(it.value)})"),
                                  value=it.question.id))
        reply = questionary.select(
            "Review", choices=choices, instruction="(arrow keys, then Enter)",
            use_jk_keys=False, **self.extra).unsafe_ask()
        return None if reply == CONFIRM else str(reply)


__all__ = ["ArrowPrompter", "option_hint"]
