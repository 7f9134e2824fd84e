"""What a walk yields: groups of situations with one label (`Agg`: a count, an example,
the rules that give the outcome), examples shared between groups (`Example`), and the
answers of one side, or the joint answers, read out of an example.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sexting_triage.conditions import Value

Step = tuple[str, tuple[Value | None, ...]]


class Example:
    """One example situation as (fact, values) steps, iterated in order. The walk builds
    examples backwards, one shared cell per node, instead of copying every suffix (which
    cost memory quadratic in the number of questions)."""

    __slots__ = ("item", "rest")

    def __init__(self, item: Step, rest: Iterable[Step]) -> None:
        self.item = item
        self.rest = rest

    def __iter__(self) -> Iterator[Step]:
        node: Iterable[Step] = self
        while isinstance(node, Example):
            yield node.item
            node = node.rest
        yield from node

    def __repr__(self) -> str:
        return f"Example({list(self)!r})"


@dataclass(slots=True)
class Agg:
    """Situations with one label: how many, one example, rules that give the outcome."""

    count: int
    example: Iterable[Step]
    extra: tuple[frozenset[str], ...] = ()




def side_answers(example: Iterable[tuple[str, tuple[Value | None, ...]]], i: int
                 ) -> dict[str, Value]:
    """Side i's answers in an example from a joint walk."""
    out: dict[str, Value] = {}
    for f, vs in example:
        v = vs[i]
        if v is not None:
            out[f] = v
    return out


def joint_answers(example: Iterable[tuple[str, tuple[Value | None, ...]]]) -> dict[str, Value]:
    """The joint answers (a fact asked by either side) of an example."""
    out: dict[str, Value] = {}
    for f, vs in example:
        for v in vs:
            if v is not None:
                out[f] = v
                break
    return out
