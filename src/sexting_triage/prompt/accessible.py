"""The plain prompter: numbered options on plain lines, answers typed as words or numbers.

For screen readers, braille displays, TERM=dumb terminals and scripts: no arrow-key menus,
no redraws, no spinners, no colour. Each question is printed as plain lines

    Question 4 of about 15: Is any child at immediate risk of harm because of this ...?
      1) Yes
      2) No
      3) Not known

and a line is read from stdin: the option's number or its id (`yes`, `few_others`, `14`), or
the words `back` and `why`. Mistakes are answered with a plain sentence and the question is
asked again. Because it only reads lines, it also works with answers piped in by a script.

This module also defines what every prompter returns, so the triage loop does not depend on
questionary (only `prompt.arrows` imports it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Protocol

from sexting_triage.conditions import Value
from sexting_triage.ruleset import Question

if TYPE_CHECKING:
    from rich.console import Console


@dataclass(frozen=True, slots=True)
class Nav:
    """A reply that is not an answer: go back, or explain why the question is asked."""

    word: str


BACK = Nav("back")
WHY = Nav("why")
BACK_WORDS = frozenset({"back", "b", "previous"})
WHY_WORDS = frozenset({"why", "?", "help", "h"})
OK_WORDS = frozenset({"", "ok", "done", "result", "r"})
MORE_WORDS = frozenset({"more", "m", "next", "n"})

# The review screen fits an 80 x 24 terminal: at most this many answers per page, one line
# each, with the heading and the instructions around them.
REVIEW_PAGE = 16
WIDTH = 80


@dataclass(frozen=True, slots=True)
class ReviewItem:
    number: int
    question: Question
    value: Value


class Prompter(Protocol):
    """What the triage loop needs from a front end."""

    def ask(self, q: Question, number: int, current: Value | None,
            can_go_back: bool, about: int | None = None) -> Value | Nav:
        """One question (number `number` of about `about`); an answer in the question's
        domain, BACK or WHY."""

    def review(self, items: list[ReviewItem]) -> str | None:
        """The review screen: None to confirm, or the id of a question to change."""

    def choose(self, title: str, options: list[tuple[str, str]]) -> str:
        """One of a fixed list of (value, label) options; the first is the default."""


def progress_label(number: int, about: int | None) -> str:
    """"Question 4 of about 15" (the count of questions that can still be asked)."""
    if about is None or about < number:
        return f"Question {number}"
    return f"Question {number} of about {about}"


def option_hint(q: Question) -> str:
    if q.type == "integer":
        return f"a whole number from {q.min} to {q.max}"
    return "a number from 1 to {} or the answer itself ({})".format(
        len(q.domain), ", ".join(str(v) for v in q.domain))


def shorten(s: str, width: int) -> str:
    """One line of at most `width` characters, cut at a word with "..." if longer."""
    s = " ".join(s.split())
    if len(s) <= width:
        return s
    cut = s[: max(width - 3, 1)].rsplit(" ", 1)[0].rstrip(" ,;:")
    return cut + "..."


def review_line(it: ReviewItem, width: int = WIDTH) -> str:
    """One answer on one line: `12) Question text, shortened...: Answer`."""
    from sexting_triage.render.safe import clean

    label = clean(it.question.label_of(it.value))
    head = f"{it.number:>2}) "
    room = max(width - len(head) - len(label) - 2, 12)
    return f"{head}{shorten(clean(it.question.text), room)}: {label}"


def pages(items: list[ReviewItem], size: int = REVIEW_PAGE) -> list[list[ReviewItem]]:
    return [items[i:i + size] for i in range(0, len(items), size)] or [[]]


def parse_reply(q: Question, reply: str, current: Value | None,
                can_go_back: bool) -> Value | Nav:
    """A typed line as an answer, BACK or WHY; ValueError with a plain sentence if neither."""
    from sexting_triage.engine import normalize

    s = reply.strip()
    low = s.lower()
    if low in BACK_WORDS:
        if not can_go_back:
            raise ValueError("This is the first question, so there is nothing to go back to.")
        return BACK
    if low in WHY_WORDS:
        return WHY
    if not s:
        if current is not None:
            return current
        raise ValueError(f"Please type an answer: {option_hint(q)}.")
    if q.type != "integer" and s.isdigit():
        n = int(s)
        if 1 <= n <= len(q.domain):
            return q.domain[n - 1]
        raise ValueError(f"{s} is not one of the options. Type {option_hint(q)}.")
    if q.type != "integer":
        for v in q.domain:
            if low == q.label_of(v).lower():
                return v
    try:
        return normalize(q, low if q.type == "yesno" else s)
    except ValueError:
        pass
    if q.type == "integer":
        if s.lstrip("-").isdigit():
            raise ValueError(f"{s} is outside the range. Type {option_hint(q)}.")
        raise ValueError(f"That is not a number. Type {option_hint(q)}, or back, or why.")
    raise ValueError(f"That is not one of the answers. Type {option_hint(q)}, or back, or why.")


class PlainConsole:
    """A console for the plain prompter that writes plain lines itself and builds the rich
    console (about 20 ms to import) only when something richer is printed: an urgent flag,
    "why", the result. So the first question is on screen sooner."""

    def __init__(self, file: IO[str], make: Callable[[], Console]):
        self.file = file
        self._make = make
        self._rich: Console | None = None

    @property
    def rich(self) -> Console:
        if self._rich is None:
            self._rich = self._make()
        return self._rich

    def print(self, *objects: object, end: str = "\n", **kw: object) -> None:
        if self._rich is None and all(isinstance(o, str) for o in objects):
            from sexting_triage.render.safe import clean

            self.file.write(clean(" ".join(str(o) for o in objects)) + end)
            return
        self.rich.print(*objects, end=end, **kw)  # type: ignore[arg-type]

    def __getattr__(self, name: str) -> object:
        return getattr(self.rich, name)


class PlainPrompter:
    """Numbered options on plain lines; reads one line per reply from `stdin`."""

    def __init__(self, con: Console, stdin: IO[str]):
        self.con = con
        self.stdin = stdin

    def _line(self, s: str = "") -> None:
        from sexting_triage.render.safe import clean

        self.con.print(clean(s), soft_wrap=True)

    def _read(self) -> str:
        """One line from stdin; EOFError when input has ended (saved like an interruption)."""
        self.con.print("> ", end="")
        self.con.file.flush()
        line = self.stdin.readline()
        if not line:
            self._line()
            raise EOFError
        return line.rstrip("\r\n")

    def ask(self, q: Question, number: int, current: Value | None,
            can_go_back: bool, about: int | None = None) -> Value | Nav:
        self._line()
        self._line(f"{progress_label(number, about)}: {q.text}")
        if q.help:
            self._line(f"  Help: {q.help}")
        if q.type == "integer":
            self._line(f"  Answer with {option_hint(q)}.")
        else:
            for n, v in enumerate(q.domain, 1):
                self._line(f"  {n}) {q.label_of(v)}")
                choice_help = next((c.help for c in q.choices if c.id == v and c.help), None)
                if choice_help:
                    self._line(f"     {choice_help}")
        words = "why" + (", back" if can_go_back else "")
        keep = f" Press Enter to keep: {q.label_of(current)}." if current is not None else ""
        self._line(f"  Type your answer, or: {words}.{keep}")
        while True:
            reply = self._read()
            try:
                return parse_reply(q, reply, current, can_go_back)
            except ValueError as exc:
                self._line(f"Sorry: {exc}")

    def choose(self, title: str, options: list[tuple[str, str]]) -> str:
        """Numbered options; Enter takes the first. Never free text."""
        self._line(title)
        for n, (_, label) in enumerate(options, 1):
            self._line(f"  {n}) {label}")
        self._line("  Type the number, or press Enter for 1.")
        while True:
            reply = self._read().strip().lower()
            if not reply:
                return options[0][0]
            if reply.isdigit() and 1 <= int(reply) <= len(options):
                return options[int(reply) - 1][0]
            for value, _ in options:
                if reply == value:
                    return value
            self._line(f"Sorry: type a number from 1 to {len(options)}.")

    def review(self, items: list[ReviewItem]) -> str | None:
        """Each answer once, on one line, in pages that fit 80 x 24: Enter shows the next
        page, and on the last page the result; a number changes that answer."""
        chunks = pages(items)
        page = 0
        while True:
            chunk = chunks[page]
            last = page == len(chunks) - 1
            self._line()
            where = (f" (page {page + 1} of {len(chunks)}, answers {chunk[0].number} to "
                     f"{chunk[-1].number} of {len(items)})") if len(chunks) > 1 else ""
            self._line(f"Review your answers before the result{where}:")
            for it in chunk:
                self._line(review_line(it))
            if last:
                self._line("Press Enter (or type ok) to see the result, or type the number "
                           "of an answer to change it.")
            else:
                self._line("Press Enter for the next page, or type the number of an answer "
                           "to change it.")
            reply = self._read().strip().lower()
            while True:
                if reply in OK_WORDS or reply in MORE_WORDS:
                    if not last:
                        page += 1
                        break
                    if reply in OK_WORDS:
                        return None
                if reply in BACK_WORDS and page > 0:
                    page -= 1
                    break
                if reply.isdigit():
                    for it in items:
                        if it.number == int(reply):
                            return it.question.id
                for it in items:
                    if reply == it.question.id:
                        return it.question.id
                self._line(f"Sorry: type a number from 1 to {len(items)} to change that "
                           "answer, or press Enter to "
                           f"{'see the result' if last else 'see the next page'}.")
                reply = self._read().strip().lower()
