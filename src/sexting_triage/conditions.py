"""The condition language of `ask_when` and rule `when`: parse, check, evaluate, print.

Conditions are Python expression syntax parsed with `ast` and accepted only from a whitelist
(and/or/not, comparisons of a fact id with a literal, lists or tuples for `in`); nothing is ever
evaluated by Python itself. A fact whose question was not asked has no value: `==`, `in` and
ordering comparisons are then false, `!=` and `not in` true.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

Value = str | int
MAX_LENGTH = 4000
MAX_DEPTH = 40
MAX_NUMBER = 10**9

_OPS: dict[type, str] = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.In: "in",
    ast.NotIn: "not in",
}
ORDERING = frozenset({"<", "<=", ">", ">="})
MEMBERSHIP = frozenset({"in", "not in"})

_CONSTRUCTS: dict[type, str] = {
    ast.Attribute: "attribute access is",
    ast.Call: "function calls are",
    ast.Subscript: "subscripts are",
    ast.Slice: "subscripts are",
    ast.Lambda: "lambdas are",
    ast.ListComp: "comprehensions are",
    ast.SetComp: "comprehensions are",
    ast.DictComp: "comprehensions are",
    ast.GeneratorExp: "comprehensions are",
    ast.BinOp: "arithmetic is",
    ast.UnaryOp: "signs other than `not` are",
    ast.IfExp: "conditional expressions are",
    ast.NamedExpr: "assignment expressions are",
    ast.Await: "await is",
    ast.Yield: "yield is",
    ast.YieldFrom: "yield is",
    ast.Starred: "starred expressions are",
    ast.Dict: "dicts are",
    ast.Set: "sets are",
    ast.JoinedStr: "f-strings are",
    ast.List: "lists here are",
    ast.Tuple: "lists here are",
    ast.Constant: "a value on its own is",
    ast.Compare: "comparisons inside a comparison are",
    ast.BoolOp: "and/or inside a comparison are",
}


class ConditionError(Exception):
    """A condition that does not parse or is not allowed; offsets are 0-based in the text."""

    def __init__(self, message: str, line: int = 0, col: int = 0):
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col


@dataclass(frozen=True, slots=True)
class Test:
    """`fact op value`: the only leaf of the language."""

    fact: str
    op: str
    value: Value | tuple[Value, ...]
    line: int = field(default=0, compare=False)
    col: int = field(default=0, compare=False)
    value_col: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class And:
    """Every item holds."""

    items: tuple[Cond, ...]


@dataclass(frozen=True, slots=True)
class Or:
    """At least one item holds."""

    items: tuple[Cond, ...]


@dataclass(frozen=True, slots=True)
class Not:
    """The item does not hold."""

    item: Cond


@dataclass(frozen=True, slots=True)
class Const:
    """`true` or `false`: produced by analyses (never needed in rule files, but accepted)."""

    value: bool


Cond = Test | And | Or | Not | Const


def parse(text: str) -> Cond:
    """Parse a condition, raising ConditionError naming the first construct not allowed."""
    if not isinstance(text, str):
        raise ConditionError("a condition must be a string")
    if not text.strip():
        raise ConditionError("the condition is empty")
    if len(text) > MAX_LENGTH:
        raise ConditionError(f"the condition is longer than {MAX_LENGTH} characters")
    source = " ".join(text.splitlines()) if "\n" in text else text
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        lead = len(source) - len(source.lstrip())
        body = source.strip()
        if not exc.offset or exc.offset > len(body):
            raise ConditionError("the condition does not parse: it ends unexpectedly",
                                 0, lead + len(body)) from None
        raise ConditionError(f"the condition does not parse: {exc.msg}", 0,
                             lead + exc.offset - 1) from None
    except (RecursionError, MemoryError):
        raise ConditionError("the condition is nested too deeply") from None
    lead = len(source) - len(source.lstrip())
    return _convert(tree.body, lead, 0)


def _pos(node: ast.AST, lead: int) -> tuple[int, int]:
    return 0, getattr(node, "col_offset", 0) + lead


def _convert(node: ast.AST, lead: int, depth: int) -> Cond:
    if depth > MAX_DEPTH:
        raise ConditionError(f"the condition is nested more than {MAX_DEPTH} levels deep", 0, 0)
    if isinstance(node, ast.BoolOp):
        items = tuple(_convert(v, lead, depth + 1) for v in node.values)
        return And(items) if isinstance(node.op, ast.And) else Or(items)
    if isinstance(node, ast.UnaryOp):
        if isinstance(node.op, ast.Not):
            return Not(_convert(node.operand, lead, depth + 1))
        raise ConditionError("only `not` is allowed as a unary operator", *_pos(node, lead))
    if isinstance(node, ast.Compare):
        return _compare(node, lead)
    if isinstance(node, ast.Name):
        if node.id in ("true", "false", "True", "False"):
            return Const(node.id.lower() == "true")
        raise ConditionError(
            f"`{node.id}` on its own is not a condition: compare it, e.g. {node.id} == \"yes\"",
            *_pos(node, lead),
        )
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        return Const(node.value)
    raise ConditionError(_not_allowed(node), *_pos(node, lead))


def _not_allowed(node: ast.AST) -> str:
    what = _CONSTRUCTS.get(type(node), f"`{type(node).__name__}` expressions are")
    return f"{what} not allowed in conditions"


def _compare(node: ast.Compare, lead: int) -> Cond:
    tests: list[Cond] = []
    left = node.left
    for op, right in zip(node.ops, node.comparators, strict=True):
        sym = _OPS.get(type(op))
        if sym is None:
            raise ConditionError("`is` is not allowed: use == or !=", *_pos(node, lead))
        tests.append(_test(left, sym, right, lead))
        left = right
    return tests[0] if len(tests) == 1 else And(tuple(tests))


_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


def _test(left: ast.AST, op: str, right: ast.AST, lead: int) -> Test:
    if not isinstance(left, ast.Name) and isinstance(right, ast.Name) and op in _FLIP:
        left, right, op = right, left, _FLIP[op]
    if not isinstance(left, ast.Name):
        if isinstance(left, ast.Constant | ast.List | ast.Tuple):
            raise ConditionError("a comparison must name a fact id", *_pos(left, lead))
        raise ConditionError(_not_allowed(left), *_pos(left, lead))
    value = _literal(right, op, lead)
    line, col = _pos(left, lead)
    return Test(left.id, op, value, line, col, _pos(right, lead)[1])


def _literal(node: ast.AST, op: str, lead: int) -> Value | tuple[Value, ...]:
    if op in MEMBERSHIP:
        if not isinstance(node, ast.List | ast.Tuple):
            raise ConditionError(f"`{op}` needs a list of values, e.g. [\"yes\", \"unknown\"]",
                                 *_pos(node, lead))
        if not node.elts:
            raise ConditionError(f"`{op}` needs at least one value", *_pos(node, lead))
        return tuple(_scalar(e, lead) for e in node.elts)
    if isinstance(node, ast.List | ast.Tuple):
        raise ConditionError(f"`{op}` compares with one value; use `in` for a list",
                             *_pos(node, lead))
    return _scalar(node, lead)


def _scalar(node: ast.AST, lead: int) -> Value:
    value: object = None
    if isinstance(node, ast.Constant) and not isinstance(node.value, bool):
        value = node.value
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = node.operand
        if isinstance(inner, ast.Constant) and type(inner.value) is int:
            value = -inner.value
    if isinstance(value, str):
        return value
    if type(value) is int:
        # a bound keeps messages printable (Python refuses str() of 4,300+ digits)
        if abs(value) > MAX_NUMBER:
            raise ConditionError(f"numbers in conditions must be between -{MAX_NUMBER:,} "
                                 f"and {MAX_NUMBER:,}", *_pos(node, lead))
        return value
    if isinstance(node, ast.Name):
        raise ConditionError(
            f"`{node.id}` is not a value: put values in quotes, e.g. \"{node.id}\"",
            *_pos(node, lead),
        )
    if isinstance(node, ast.Constant) or (isinstance(node, ast.UnaryOp)
                                          and isinstance(node.operand, ast.Constant)):
        raise ConditionError("values must be quoted strings or whole numbers", *_pos(node, lead))
    raise ConditionError(_not_allowed(node), *_pos(node, lead))


def tests(cond: Cond) -> Iterator[Test]:
    """Every leaf comparison in the condition."""
    if isinstance(cond, Test):
        yield cond
    elif isinstance(cond, And | Or):
        for item in cond.items:
            yield from tests(item)
    elif isinstance(cond, Not):
        yield from tests(cond.item)


def reads(cond: Cond) -> frozenset[str]:
    """The fact ids a condition reads."""
    return frozenset(t.fact for t in tests(cond))


def test_holds(t: Test, value: Value | None) -> bool:
    """Whether one leaf comparison holds for a fact's value (None: the fact was not asked)."""
    op = t.op
    if op == "==":
        return value == t.value
    if op == "!=":
        return value != t.value
    if op == "in":
        return value in t.value  # type: ignore[operator]
    if op == "not in":
        return value not in t.value  # type: ignore[operator]
    v = t.value
    # ordering holds only between whole numbers (the loader refuses `age < "13"`, but the
    # language must not raise on it: found by tests/test_fuzz_conditions.py)
    if type(value) is not int or type(v) is not int:
        return False
    if op == "<":
        return value < v
    if op == "<=":
        return value <= v
    if op == ">":
        return value > v
    return value >= v


def evaluate(cond: Cond, facts: Mapping[str, Value]) -> bool:
    """Evaluate a condition against fact values (a missing key means not asked)."""
    if isinstance(cond, Test):
        return test_holds(cond, facts.get(cond.fact))
    if isinstance(cond, And):
        return all(evaluate(i, facts) for i in cond.items)
    if isinstance(cond, Or):
        return any(evaluate(i, facts) for i in cond.items)
    if isinstance(cond, Not):
        return not evaluate(cond.item, facts)
    return cond.value


Predicate = Callable[[Mapping[str, Value]], bool]


def compile_cond(cond: Cond) -> Predicate:
    """A fast closure equivalent to `evaluate(cond, facts)`."""
    if isinstance(cond, Test):
        f, v, op = cond.fact, cond.value, cond.op
        if op == "==":
            return lambda a: a.get(f) == v
        if op == "!=":
            return lambda a: a.get(f) != v
        if op in MEMBERSHIP:
            s = frozenset(v)  # type: ignore[arg-type]
            if op == "in":
                return lambda a: a.get(f) in s
            return lambda a: a.get(f) not in s
        return lambda a: test_holds(cond, a.get(f))
    if isinstance(cond, And):
        parts = tuple(compile_cond(i) for i in cond.items)
        if len(parts) == 2:
            first, second = parts
            return lambda a: first(a) and second(a)
        return lambda a: all(p(a) for p in parts)
    if isinstance(cond, Or):
        parts = tuple(compile_cond(i) for i in cond.items)
        if len(parts) == 2:
            first, second = parts
            return lambda a: first(a) or second(a)
        return lambda a: any(p(a) for p in parts)
    if isinstance(cond, Not):
        inner = compile_cond(cond.item)
        return lambda a: not inner(a)
    const = cond.value
    return lambda a: const


def _lit(v: Value) -> str:
    return f'"{v}"' if isinstance(v, str) else str(v)


def to_text(cond: Cond) -> str:
    """Print a condition back in the rule-set expression language."""
    return _text(cond, 0)


def _text(cond: Cond, parent: int) -> str:
    # precedence: or=1, and=2, not=3, leaf=4; parenthesise when the parent binds tighter
    if isinstance(cond, Test):
        if cond.op in MEMBERSHIP:
            vals = ", ".join(_lit(v) for v in cond.value)  # type: ignore[union-attr]
            return f"{cond.fact} {cond.op} [{vals}]"
        return f"{cond.fact} {cond.op} {_lit(cond.value)}"  # type: ignore[arg-type]
    if isinstance(cond, Const):
        return "true" if cond.value else "false"
    if isinstance(cond, Not):
        s = "not " + _text(cond.item, 3)
        return f"({s})" if parent > 3 else s
    level = 2 if isinstance(cond, And) else 1
    joiner = " and " if level == 2 else " or "
    s = joiner.join(_text(i, level) for i in cond.items)
    return f"({s})" if parent > level else s
