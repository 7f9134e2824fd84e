"""One error hierarchy; the CLI maps it to exit codes in one place (cli.main)."""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INVALID = 2
EXIT_NOT_INTERACTIVE = 3
EXIT_INTERRUPTED = 130


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in an input file, located as precisely as the file allows."""

    path: str
    line: int | None
    col: int | None
    location: str
    message: str

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        loc = f" {self.location}:" if self.location else ""
        return f"{where}:{loc} {self.message}"


def sorted_problems(problems: list[Problem]) -> list[Problem]:
    """Problems in file order, each once (two checks may find the same thing)."""
    seen: set[str] = set()
    out = []
    for p in sorted(problems, key=lambda p: (p.line or 0, p.col or 0)):
        if str(p) not in seen:
            seen.add(str(p))
            out.append(p)
    return out


class TriageError(Exception):
    """Base of every error the tool reports to a user (never shown as a traceback)."""

    exit_code = EXIT_INVALID

    def lines(self) -> list[str]:
        return [str(self)]


class InputError(TriageError):
    """One or more problems in an input file (rule set, answers, scenario, session, record)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]


class UsageError(TriageError):
    """A bad option or argument (unknown rule-set id, unreadable path)."""


@dataclass(frozen=True, slots=True)
class AnswerProblem:
    """An answer whose value is outside its question's domain."""

    question: str
    value: object
    message: str


class InvalidAnswers(TriageError):
    """Answers whose values are outside their questions' domains."""

    def __init__(self, problems: list[AnswerProblem]):
        self.problems = problems
        super().__init__("; ".join(f"{p.question}: {p.message}" for p in problems))


class MissingAnswers(TriageError):
    """Questions the rule set reaches with these answers but which have no answer."""

    def __init__(self, missing: list[str], maybe: list[str]):
        self.missing = missing
        self.maybe = maybe
        msg = "missing answers for: " + ", ".join(missing)
        if maybe:
            msg += "; depending on those, possibly also: " + ", ".join(maybe)
        super().__init__(msg)


class NoPathway(TriageError):
    """The rule set gives no pathway for a reachable situation: a defect in the rule set."""


class NotInteractive(TriageError):
    """Input is needed but stdin is not a terminal."""

    exit_code = EXIT_NOT_INTERACTIVE
