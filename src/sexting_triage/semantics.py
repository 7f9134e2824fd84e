"""The rule-set file's semantic checks: what the schema cannot say, one documented check per
function (as yamllint keeps one rule per unit).

Each check takes the parsed file (`Context`) and yields `Problem`s located at the exact key
or value. `problems(doc)` runs every check in `CHECKS`; the loader reports them all at once,
beside the schema's own problems. To add a check: write a function here with a docstring
saying what it finds and why it matters, add it to `CHECKS`, and give it a passing and a
failing example in `tests/test_semantics.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sexting_triage import conditions as C
from sexting_triage import ruleset as R
from sexting_triage.errors import Problem
from sexting_triage.located import Located, PathKey


def items(data: Any, key: str) -> list[tuple[int, dict[str, Any]]]:
    """The mappings of a top-level list, with their positions (others are the schema's)."""
    seq = data.get(key) if isinstance(data, dict) else None
    if not isinstance(seq, list):
        return []
    return [(i, x) for i, x in enumerate(seq) if isinstance(x, dict)]


def as_list(value: Any) -> list[Any]:
    """A list from the file, or [] when it is anything else (the schema reports the type)."""
    return value if isinstance(value, list) else []


class Domains:
    """The answer domain of each question, for checking conditions."""

    def __init__(self, questions: Iterable[dict[str, Any]]):
        self.types: dict[str, str] = {}
        self.values: dict[str, tuple[Any, ...]] = {}
        self.ranges: dict[str, tuple[int, int]] = {}
        for q in questions:
            qid, kind = q.get("id"), q.get("type", "yesno")
            if not isinstance(qid, str) or qid in self.types:
                continue
            self.types[qid] = kind
            if kind == "choice":
                self.values[qid] = tuple(c.get("id") for c in as_list(q.get("choices"))
                                         if isinstance(c, dict))
            elif kind == "integer":
                lo, hi = q.get("min"), q.get("max")
                if type(lo) is int and type(hi) is int:
                    self.ranges[qid] = (lo, hi)
            else:
                self.values[qid] = R.YESNO

    def check(self, cond: C.Cond) -> list[tuple[str, int]]:
        """Unknown facts and impossible values, each with its column in the condition."""
        out: list[tuple[str, int]] = []
        for t in C.tests(cond):
            problem = self._test(t)
            if problem is not None:
                out.append(problem)
        return out

    def _test(self, t: C.Test) -> tuple[str, int] | None:
        kind = self.types.get(t.fact)
        if kind is None:
            hint = ": put answer values in quotes" if t.fact in R.YESNO else ""
            return f"unknown fact `{t.fact}` (no question has this id){hint}", t.col
        values = t.value if isinstance(t.value, tuple) else (t.value,)
        if kind == "integer":
            return self._integer(t, values)
        if t.op in C.ORDERING:
            return f"`{t.op}` compares numbers, but `{t.fact}` is a {kind} answer", t.col
        allowed = self.values.get(t.fact, ())
        for v in values:
            if v not in allowed:
                shown = ", ".join(str(a) for a in allowed)
                return f"`{v}` is not an answer to `{t.fact}` (answers: {shown})", t.value_col
        return None

    def _integer(self, t: C.Test, values: tuple[Any, ...]) -> tuple[str, int] | None:
        if any(type(v) is not int for v in values):
            return f"`{t.fact}` is a whole number: compare it with numbers", t.value_col
        if t.op in C.ORDERING or t.fact not in self.ranges:
            return None
        lo, hi = self.ranges[t.fact]
        bad = [v for v in values if not lo <= v <= hi]
        if bad:
            return f"{bad[0]} is impossible for `{t.fact}` ({lo} to {hi})", t.value_col
        return None


@dataclass
class Context:
    """The parsed file and what the checks share: ids, sources, answer domains."""

    doc: Located
    data: dict[str, Any]
    ids: dict[str, dict[str, int]] = field(default_factory=dict)
    domains: Domains = field(init=False)

    def __post_init__(self) -> None:
        self.domains = Domains(q for _, q in items(self.data, "questions"))
        for key in ("questions", "pathways", "flags", "rules", "invariants"):
            seen: dict[str, int] = {}
            for i, item in items(self.data, key):
                ident = item.get("id")
                if isinstance(ident, str) and ident not in seen:
                    seen[ident] = i
            self.ids[key] = seen

    @property
    def sources(self) -> dict[str, Any]:
        s = self.data.get("sources")
        return s if isinstance(s, dict) else {}

    def problem(self, loc: PathKey, message: str, key: bool = False,
                offset: tuple[int, int] | None = None) -> Problem:
        return self.doc.problem(loc, message, key=key, offset=offset)

    def condition(self, loc: PathKey, text: Any, earlier: set[str] | None = None
                  ) -> Iterator[Problem]:
        """Problems of one condition: syntax, unknown facts, impossible values and (for an
        ask_when) facts that are not asked before the question."""
        if not isinstance(text, str):
            return
        try:
            cond = C.parse(text)
        except C.ConditionError as exc:
            yield self.problem(loc, exc.message, offset=(exc.line, exc.col))
            return
        for message, col in self.domains.check(cond):
            yield self.problem(loc, message, offset=(0, col))
        if earlier is not None:
            for t in C.tests(cond):
                if t.fact in self.domains.types and t.fact not in earlier:
                    yield self.problem(loc, f"`{t.fact}` is not asked before this question: an "
                                            "ask_when can only read earlier questions",
                                       offset=(t.line, t.col))


Check = Callable[[Context], Iterator[Problem]]


# ----------------------------------------------------------------------------- the checks


def unique_ids(ctx: Context) -> Iterator[Problem]:
    """Two questions, pathways, flags, rules or invariants with one id: answers, scenarios
    and records name things by id, so an id must mean one thing. A flag may not reuse a
    pathway id either (decisions list both)."""
    for key in ("questions", "pathways", "flags", "rules", "invariants"):
        seen: dict[str, int] = {}
        for i, item in items(ctx.data, key):
            ident = item.get("id")
            if not isinstance(ident, str):
                continue
            if ident in seen:
                yield ctx.problem((key, i, "id"),
                                  f"duplicate id `{ident}` (also {key}[{seen[ident]}])")
            else:
                seen[ident] = i
    for fid, i in ctx.ids["flags"].items():
        if fid in ctx.ids["pathways"]:
            yield ctx.problem(("flags", i, "id"), f"`{fid}` is already a pathway id")


def choice_questions(ctx: Context) -> Iterator[Problem]:
    """A choice question needs two or more choices with distinct ids, and `choices` belongs
    to choice questions only: otherwise an answer could not be told apart or checked."""
    for i, q in items(ctx.data, "questions"):
        kind = q.get("type", "yesno")
        if kind == "choice":
            choices = [c for c in as_list(q.get("choices")) if isinstance(c, dict)]
            if len(choices) < 2:
                yield ctx.problem(("questions", i), "a choice question needs at least two "
                                                    "`choices`")
            cids = [c.get("id") for c in choices]
            for j, cid in enumerate(cids):
                if cid in cids[:j]:
                    yield ctx.problem(("questions", i, "choices", j, "id"),
                                      f"duplicate choice id `{cid}`")
        elif q.get("choices") is not None:
            yield ctx.problem(("questions", i, "choices"),
                              f"`choices` is only for choice questions, not {kind}", key=True)


def integer_questions(ctx: Context) -> Iterator[Problem]:
    """A whole-number question needs `min` <= `max` and at most 1,001 values (the exact
    analysis enumerates them); `min`/`max` belong to whole-number questions only."""
    for i, q in items(ctx.data, "questions"):
        kind = q.get("type", "yesno")
        if kind != "integer":
            for key in ("min", "max"):
                if q.get(key) is not None:
                    yield ctx.problem(("questions", i, key),
                                      f"`{key}` is only for whole-number questions", key=True)
            continue
        lo, hi = q.get("min"), q.get("max")
        if lo is None or hi is None:
            yield ctx.problem(("questions", i), "a whole-number question needs `min` and `max`")
        elif type(lo) is not int or type(hi) is not int:
            continue  # a wrong type is reported by the schema
        elif lo > hi:
            yield ctx.problem(("questions", i, "max"), f"max ({hi}) is below min ({lo})")
        elif hi - lo > 1000:
            yield ctx.problem(("questions", i, "max"),
                              "a whole-number range may hold at most 1,001 values")


def ask_when_conditions(ctx: Context) -> Iterator[Problem]:
    """An `ask_when` must parse, name real facts and possible values, and read only
    questions asked before it: the questionnaire decides whether to ask from what it knows."""
    earlier: set[str] = set()
    for i, q in items(ctx.data, "questions"):
        if "ask_when" in q:
            yield from ctx.condition(("questions", i, "ask_when"), q["ask_when"], earlier)
        if isinstance(q.get("id"), str):
            earlier.add(q["id"])


def precedence_complete(ctx: Context) -> Iterator[Problem]:
    """Precedence lists every pathway once and nothing else: the winning pathway is chosen
    by it, never by file order."""
    prec = ctx.data.get("precedence")
    if not isinstance(prec, list):
        return
    pids = ctx.ids["pathways"]
    for j, pid in enumerate(prec):
        if isinstance(pid, str) and pid not in pids:
            yield ctx.problem(("precedence", j), f"unknown pathway `{pid}`")
        elif pid in prec[:j]:
            yield ctx.problem(("precedence", j), f"`{pid}` is listed twice")
    for pid in pids:
        if pid not in prec:
            yield ctx.problem(("precedence",), f"pathway `{pid}` is missing from precedence")


def rule_effects(ctx: Context) -> Iterator[Problem]:
    """A rule raises at most one of a pathway or a flag (neither: a note, which adds its
    reason and actions only), each of them declared; a `headline` titles a flag's panel, so
    only a flag rule may have one."""
    pids, fids = ctx.ids["pathways"], ctx.ids["flags"]
    for i, r in items(ctx.data, "rules"):
        has_p, has_f = r.get("pathway") is not None, r.get("flag") is not None
        if has_p and has_f:
            yield ctx.problem(("rules", i), "a rule raises one of `pathway` or `flag`, not both "
                                            "(a rule with neither is a note)")
        if has_p and isinstance(r["pathway"], str) and r["pathway"] not in pids:
            yield ctx.problem(("rules", i, "pathway"), f"unknown pathway `{r['pathway']}`")
        if has_f and isinstance(r["flag"], str) and r["flag"] not in fids:
            yield ctx.problem(("rules", i, "flag"), f"unknown flag `{r['flag']}`")
        if r.get("headline") is not None and not has_f:
            yield ctx.problem(("rules", i, "headline"), "only a rule that raises a flag can "
                                                        "have a `headline`", key=True)


def rule_conditions(ctx: Context) -> Iterator[Problem]:
    """Every rule's `when` parses and names real facts and possible values: a typo would
    otherwise make a rule that never fires."""
    for i, r in items(ctx.data, "rules"):
        if "when" in r:
            yield from ctx.condition(("rules", i, "when"), r["when"])


def _cites(ctx: Context) -> Iterator[tuple[PathKey, list[Any]]]:
    for i, r in items(ctx.data, "rules"):
        yield ("rules", i, "cite"), as_list(r.get("cite"))
    for i, p in items(ctx.data, "pathways"):
        lt = p.get("long_term")
        if isinstance(lt, dict):
            yield ("pathways", i, "long_term", "cite"), as_list(lt.get("cite"))
    rec = ctx.data.get("recording")
    if isinstance(rec, dict):
        for i, c in items(rec, "categories"):
            yield ("recording", "categories", i, "cite"), as_list(c.get("cite"))


def cite_sources(ctx: Context) -> Iterator[Problem]:
    """Every citation names a declared source: a reason is only as good as where it comes
    from, and a record must say which document it cites."""
    known = ", ".join(ctx.sources) or "none"
    for loc, cites in _cites(ctx):
        for j, c in enumerate(cites):
            src = c.get("source") if isinstance(c, dict) else None
            if isinstance(src, str) and src not in ctx.sources:
                yield ctx.problem((*loc, j, "source"),
                                  f"unknown source `{src}` (sources: {known})")


def _actions(ctx: Context) -> Iterator[tuple[PathKey, Any]]:
    for key in ("pathways", "flags", "rules"):
        for i, item in items(ctx.data, key):
            for j, a in enumerate(as_list(item.get("actions"))):
                yield (key, i, "actions", j), a


def action_conditions(ctx: Context) -> Iterator[Problem]:
    """An action's `if` parses and names real facts and possible values: an action that is
    silently never offered is advice lost."""
    for loc, a in _actions(ctx):
        if isinstance(a, dict) and "if" in a:
            yield from ctx.condition((*loc, "if"), a["if"])


def recording_block(ctx: Context) -> Iterator[Problem]:
    """Recording categories name declared pathways, have conditions that parse, and end with
    one default category (no `pathways`, no `when`), so every in-scope decision gets exactly
    one category; with no categories, a `note` must say why."""
    rec = ctx.data.get("recording")
    if not isinstance(rec, dict):
        return
    pids = ctx.ids["pathways"]
    for j, pid in enumerate(as_list(rec.get("pathways"))):
        if isinstance(pid, str) and pid not in pids:
            yield ctx.problem(("recording", "pathways", j), f"unknown pathway `{pid}`")
    cats = items(rec, "categories")
    if not cats and not rec.get("note"):
        yield ctx.problem(("recording",), "without `categories`, a `note` must say why there "
                                          "are none")
    seen: set[str] = set()
    for n, (i, c) in enumerate(cats):
        loc: PathKey = ("recording", "categories", i)
        if isinstance(c.get("id"), str):
            if c["id"] in seen:
                yield ctx.problem((*loc, "id"), f"duplicate category `{c['id']}`")
            seen.add(c["id"])
        for j, pid in enumerate(as_list(c.get("pathways"))):
            if isinstance(pid, str) and pid not in pids:
                yield ctx.problem((*loc, "pathways", j), f"unknown pathway `{pid}`")
        if "when" in c:
            yield from ctx.condition((*loc, "when"), c["when"])
        default = not c.get("pathways") and c.get("when") is None
        last = n == len(cats) - 1
        if default and not last:
            yield ctx.problem(loc, "only the last category may have neither `pathways` nor "
                                   "`when` (it is the default)")
        if last and not default:
            yield ctx.problem(loc, "the last category is the default: give it neither "
                                   "`pathways` nor `when`")


def invariant_references(ctx: Context) -> Iterator[Problem]:
    """Invariants name declared pathways, flags and facts, have conditions that parse, and
    carry what their kind needs: an invariant that cannot be checked proves nothing."""
    pids, fids, qids = ctx.ids["pathways"], ctx.ids["flags"], ctx.ids["questions"]
    for i, inv in items(ctx.data, "invariants"):
        if inv.get("when") is not None:
            yield from ctx.condition(("invariants", i, "when"), inv["when"])
        if isinstance(inv.get("pathway"), str) and inv["pathway"] not in pids:
            yield ctx.problem(("invariants", i, "pathway"), f"unknown pathway `{inv['pathway']}`")
        for key, known, what in (("pathway_in", pids, "pathway"),
                                 ("flags_include", fids, "flag"), ("facts", qids, "fact")):
            for j, v in enumerate(as_list(inv.get(key))):
                if isinstance(v, str) and v not in known:
                    yield ctx.problem(("invariants", i, key, j), f"unknown {what} `{v}`")
        kind = inv.get("kind")
        if kind == "implies" and not (inv.get("pathway") or inv.get("pathway_in")
                                      or inv.get("flags_include")):
            yield ctx.problem(("invariants", i), "an `implies` invariant needs `pathway`, "
                                                 "`pathway_in` or `flags_include`")
        if kind == "monotone" and not (inv.get("facts") and inv.get("from") and inv.get("to")):
            yield ctx.problem(("invariants", i), "a `monotone` invariant needs `facts`, "
                                                 "`from` and `to`")


CHECKS: tuple[Check, ...] = (
    unique_ids, choice_questions, integer_questions, ask_when_conditions,
    precedence_complete, rule_effects, rule_conditions, cite_sources, action_conditions,
    recording_block, invariant_references,
)


def problems(doc: Located) -> list[Problem]:
    """Every semantic problem of a parsed rule-set file (its data a mapping)."""
    ctx = Context(doc, doc.data if isinstance(doc.data, dict) else {})
    return [p for check in CHECKS for p in check(ctx)]
