"""The quiz model: the questions a trainee answers (which pathway, which flags), reading their
typed answers, scoring, and feedback in a trainer's words.

Feedback is plain sentences built from the rule set's own titles and reason texts: never a
rule id, a condition or engine output. Which flags and reasons apply comes from the decision
(the engine); nothing here decides anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sexting_triage import engine
from sexting_triage.ruleset import RuleSet


def pathway_choices(rs: RuleSet) -> list[tuple[str, str]]:
    """(id, title) of every pathway, in the rule set's order of precedence."""
    return [(p, rs.pathways[p].title) for p in rs.precedence]


def flag_choices(rs: RuleSet) -> list[tuple[str, str]]:
    """(id, title) of every flag."""
    return [(f, rs.flags[f].title) for f in rs.flags]


def parse_pathway(rs: RuleSet, typed: str) -> str | None:
    """The pathway a trainee typed: its number in the list, or its id; None if neither."""
    ids = list(rs.precedence)
    got = typed.strip()
    if got.isdigit() and 1 <= int(got) <= len(ids):
        return ids[int(got) - 1]
    return got if got in ids else None


def parse_flags(rs: RuleSet, typed: str) -> tuple[str, ...] | None:
    """The flags a trainee typed: numbers or ids separated by commas, `0` or `none` for no
    flag; None if any part is not one of them."""
    ids = list(rs.flags)
    got = typed.replace(" ", "")
    parts = [p for p in got.split(",") if p]
    if parts == ["0"] or got.lower() in ("none", "no"):
        return ()
    chosen = []
    for p in parts:
        if p.isdigit() and 1 <= int(p) <= len(ids):
            chosen.append(ids[int(p) - 1])
        elif p in ids:
            chosen.append(p)
        else:
            return None
    return tuple(f for f in ids if f in chosen) if parts else None


@dataclass
class Score:
    """A quiz session's score: one point for the pathway and one for the flags of each case."""

    pathway: int = 0
    flags: int = 0
    done: int = 0

    def add(self, fb: Feedback) -> None:
        self.pathway += fb.right_pathway
        self.flags += fb.right_flags
        self.done += 1

    @property
    def total(self) -> int:
        return self.pathway + self.flags

    def __str__(self) -> str:
        return (f"SCORE: {self.total} of {2 * self.done} (pathway {self.pathway}/{self.done}, "
                f"flags {self.flags}/{self.done})")


@dataclass(frozen=True)
class Feedback:
    """What a trainer would say about one answer: a verdict with the recommended response,
    the reasons for it, the flags that apply, and what the trainee's choice missed."""

    right_pathway: bool
    right_flags: bool
    verdict: str
    because: tuple[str, ...]
    flags: str
    differences: tuple[str, ...] = field(default=())

    @property
    def correct(self) -> bool:
        return self.right_pathway and self.right_flags


def _quoted(title: str) -> str:
    return f"\u201c{title}\u201d"


def feedback(d: engine.Decision, pathway: str, flags: Iterable[str]) -> Feedback:
    """Feedback on a trainee's choice of pathway and flags for the decided case."""
    rs = d.ruleset
    chosen = set(flags)
    right_p = pathway == d.pathway
    right_f = chosen == set(d.flags)
    title = rs.pathways[d.pathway].title
    because = tuple(r.text for r in d.reasons if r.role == "pathway")
    start = "Correct" if right_p and right_f else "Not quite"
    verdict = f"{start}: the recommended response is {title}"
    verdict += ", because:" if because else "."
    out: list[str] = []
    if not right_p:
        mine = rs.pathways[pathway].title
        if rs.pathways[pathway].rank < rs.pathways[d.pathway].rank:
            out.append(f"You chose {mine}: nothing the responder established calls for it "
                       "in this case.")
        else:
            out.append(f"You chose {mine}, but the reasons above call for more: the guidance "
                       f"puts {title} before it.")
    for f in d.flags:
        if f not in chosen:
            why = " ".join(r.text for r in d.reasons if r.role == "flag" and r.effect == f)
            out.append(f"You did not pick {_quoted(rs.flags[f].title)}, but it applies"
                       + (f": {why}" if why else "."))
    for f in rs.flags:
        if f in chosen and f not in d.flags:
            out.append(f"{_quoted(rs.flags[f].title)} does not apply here: nothing the "
                       "responder established raises it.")
    applied = ", ".join(_quoted(rs.flags[f].title) for f in d.flags)
    flags_line = f"Flags that apply: {applied}." if applied else "No flag applies."
    return Feedback(right_p, right_f, verdict, because, flags_line, tuple(out))
