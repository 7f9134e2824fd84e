"""YAML rule sets and answers files -> checked, compiled structures, with every problem
reported at once as `path:line:col: location: message`."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sexting_triage import conditions as C
from sexting_triage import ruleset as R
from sexting_triage.bundled import rules_dir
from sexting_triage.errors import InputError, Problem, UsageError
from sexting_triage.yamlio import Located, PathKey, load_yaml, read_file

RULES_SUFFIXES = (".yaml", ".yml")


# ----------------------------------------------------------------------------- finding rule sets


def bundled_paths() -> dict[str, Path]:
    """Bundled rule sets by id (the file name without its suffix)."""
    folder = rules_dir()
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in sorted(folder.iterdir()) if p.suffix in RULES_SUFFIXES}


def bundled_rulesets() -> list[R.RuleSet]:
    return [load_ruleset(p) for p in bundled_paths().values()]


def default_id() -> str:
    """The newest bundled rule set: the last, by id, of those whose status is current."""
    sets = bundled_rulesets()
    if not sets:
        raise UsageError(f"no bundled rule sets found in {rules_dir()}")
    current = [s for s in sets if s.status == "current"] or sets
    return sorted(current, key=lambda s: s.id)[-1].id


def resolve(ref: str | None) -> R.RuleSet:
    """A bundled id, a path to a rule-set file, or None for the default."""
    if ref is None:
        ref = default_id()
    bundled = bundled_paths()
    if ref in bundled:
        return load_ruleset(bundled[ref])
    if os.sep in ref or ref.endswith(RULES_SUFFIXES) or os.path.exists(ref):
        return load_ruleset(ref)
    known = ", ".join(bundled) or "none"
    raise UsageError(f"no rule set `{ref}`: give a bundled id ({known}) or a path to a file")


# ----------------------------------------------------------------------------- loading


def load_ruleset(path: str | os.PathLike[str]) -> R.RuleSet:
    """Load, validate, check and compile one rule-set file.

    A rule set that has loaded cleanly once is cached (by the sha256 of its bytes) as the
    validated data, so later runs skip YAML parsing and validation: the CLI starts fast."""
    raw, text = read_file(path, "rule set")
    sha = hashlib.sha256(raw).hexdigest()
    cached = _cache_read(sha) if _bundled(path) else None
    if cached is not None:
        try:
            return _compile(cached, sha, str(path))
        except Exception:  # a stale or damaged cache entry: fall back to the file itself
            pass
    doc = load_yaml(path, "rule set", text)
    data = validated(doc)
    if _bundled(path):
        _cache_write(sha, data)
    return _compile(data, sha, doc.path)


def _bundled(path: str | os.PathLike[str]) -> bool:
    """Only the bundled rule sets are cached: a bounded set, on every responder's hot path."""
    return Path(path).resolve().parent == rules_dir().resolve()


def build_ruleset(doc: Located, sha256: str) -> R.RuleSet:
    """A rule set from parsed YAML: validated, checked and compiled."""
    return _compile(validated(doc), sha256, doc.path)


def validated(doc: Located) -> dict[str, Any]:
    """The rule-set data checked against the model and the semantic rules (every problem at
    once), dumped by alias: the form the compiler and the cache take."""
    from pydantic import ValidationError

    from sexting_triage.model import RuleSet as RuleSetModel

    problems: list[Problem] = []
    model = None
    if not isinstance(doc.data, dict):
        raise InputError([doc.problem((), "a rule set is a mapping with id, version, title, "
                                          "status, sources, questions, pathways, precedence, "
                                          "flags and rules")])
    try:
        model = RuleSetModel.model_validate(doc.data)
    except ValidationError as exc:
        problems.extend(pydantic_problems(doc, exc))
    problems.extend(_semantic_problems(doc))
    if problems or model is None:
        raise InputError(_sorted(problems))
    return model.model_dump(mode="json", by_alias=True)


# ----------------------------------------------------------------------------- cache


def _cache_key(sha256: str) -> Path | None:
    if os.environ.get("SEXTING_TRIAGE_NO_CACHE"):
        return None
    from sexting_triage import __version__

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    here = Path(__file__).parent
    # the code that validates and compiles is part of the key, so a changed tool never
    # reuses data it did not check itself
    stamp = hashlib.sha256(__version__.encode())
    for name in ("loader.py", "model.py", "conditions.py", "ruleset.py"):
        try:
            st = (here / name).stat()
            stamp.update(f"{name}:{st.st_mtime_ns}:{st.st_size}".encode())
        except OSError:
            return None
    return Path(base) / "sexting-triage" / "rulesets" / f"{sha256}-{stamp.hexdigest()[:16]}.json"


def _cache_read(sha256: str) -> dict[str, Any] | None:
    path = _cache_key(sha256)
    if path is None:
        return None
    try:
        import json

        # only an entry this user wrote, in a folder nobody else can write to, is trusted
        for p in (path.parent, path):
            st = p.stat()
            if st.st_uid != os.getuid() or st.st_mode & 0o022:
                return None
        data = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _cache_write(sha256: str, data: dict[str, Any]) -> None:
    """Best effort: a cache that cannot be written only costs start-up time."""
    path = _cache_key(sha256)
    if path is None:
        return
    import json

    from sexting_triage.files import atomic_write

    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        atomic_write(path, json.dumps(data).encode("utf-8"))
    except OSError:
        pass


def _sorted(problems: list[Problem]) -> list[Problem]:
    seen: set[str] = set()
    out = []
    for p in sorted(problems, key=lambda p: (p.line or 0, p.col or 0)):
        if str(p) not in seen:
            seen.add(str(p))
            out.append(p)
    return out


def pydantic_problems(doc: Located, exc: Any, base: PathKey = ()) -> list[Problem]:
    """Map pydantic's errors to positions in the YAML file."""
    out = []
    for err in exc.errors(include_url=False):
        loc: PathKey = (*base, *(p for p in err["loc"] if not str(p).startswith("function-")))
        kind = err["type"]
        if kind == "missing":
            field = loc[-1] if loc else "?"
            out.append(doc.problem(loc[:-1], f"missing field `{field}`"))
        elif kind == "extra_forbidden":
            out.append(doc.problem(loc, f"unknown field `{loc[-1]}`", key=True))
        else:
            msg = err["msg"]
            if msg.startswith("Value error, "):
                msg = msg[len("Value error, "):]
            given = err.get("input")
            if isinstance(given, bool | int | float | str) and kind != "string_pattern_mismatch":
                msg += f" (got {given!r})" if len(repr(given)) < 60 else ""
            elif kind == "string_pattern_mismatch":
                msg = "ids use lower-case letters, digits, - and _ (got " + repr(given)[:60] + ")"
            out.append(doc.problem(loc, msg[0].lower() + msg[1:]))
    return out


# ----------------------------------------------------------------------------- semantic checks


def _items(data: dict[str, Any], key: str) -> list[tuple[int, dict[str, Any]]]:
    seq = data.get(key)
    if not isinstance(seq, list):
        return []
    return [(i, x) for i, x in enumerate(seq) if isinstance(x, dict)]


def _list(value: Any) -> list[Any]:
    """A list from the file, or [] when it is anything else (pydantic reports the type)."""
    return value if isinstance(value, list) else []


def _ids(doc: Located, key: str, problems: list[Problem]) -> dict[str, int]:
    seen: dict[str, int] = {}
    for i, item in _items(doc.data, key):
        qid = item.get("id")
        if not isinstance(qid, str):
            continue
        if qid in seen:
            problems.append(doc.problem((key, i, "id"),
                                        f"duplicate id `{qid}` (also {key}[{seen[qid]}])"))
        else:
            seen[qid] = i
    return seen


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
                self.values[qid] = tuple(c.get("id") for c in _list(q.get("choices"))
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
            kind = self.types.get(t.fact)
            if kind is None:
                hint = ""
                if t.fact in R.YESNO:
                    hint = ": put answer values in quotes"
                out.append((f"unknown fact `{t.fact}` (no question has this id){hint}", t.col))
                continue
            values = t.value if isinstance(t.value, tuple) else (t.value,)
            if kind == "integer":
                if any(type(v) is not int for v in values):
                    out.append((f"`{t.fact}` is a whole number: compare it with numbers",
                                t.value_col))
                    continue
                if t.op in C.ORDERING or t.fact not in self.ranges:
                    continue
                lo, hi = self.ranges[t.fact]
                bad = [v for v in values if not lo <= v <= hi]
                if bad:
                    out.append((f"{bad[0]} is impossible for `{t.fact}` ({lo} to {hi})",
                                t.value_col))
                continue
            if t.op in C.ORDERING:
                out.append((f"`{t.op}` compares numbers, but `{t.fact}` is a {kind} answer",
                            t.col))
                continue
            allowed = self.values.get(t.fact, ())
            for v in values:
                if v not in allowed:
                    shown = ", ".join(str(a) for a in allowed)
                    out.append((f"`{v}` is not an answer to `{t.fact}` (answers: {shown})",
                                t.value_col))
                    break
        return out


def _condition(doc: Located, loc: PathKey, text: Any, domains: Domains,
               problems: list[Problem], earlier: set[str] | None = None) -> C.Cond | None:
    if not isinstance(text, str):
        return None
    try:
        cond = C.parse(text)
    except C.ConditionError as exc:
        problems.append(doc.problem(loc, exc.message, offset=(exc.line, exc.col)))
        return None
    for message, col in domains.check(cond):
        problems.append(doc.problem(loc, message, offset=(0, col)))
    if earlier is not None:
        for t in C.tests(cond):
            if t.fact in domains.types and t.fact not in earlier:
                problems.append(doc.problem(
                    loc, f"`{t.fact}` is not asked before this question: an ask_when can "
                         "only read earlier questions", offset=(t.line, t.col)))
    return cond


def _semantic_problems(doc: Located) -> list[Problem]:
    data = doc.data
    problems: list[Problem] = []
    qids = _ids(doc, "questions", problems)
    pids = _ids(doc, "pathways", problems)
    fids = _ids(doc, "flags", problems)
    _ids(doc, "rules", problems)
    _ids(doc, "invariants", problems)
    for fid, i in fids.items():
        if fid in pids:
            problems.append(doc.problem(("flags", i, "id"),
                                        f"`{fid}` is already a pathway id"))
    sources = data.get("sources") if isinstance(data.get("sources"), dict) else {}
    domains = Domains(q for _, q in _items(data, "questions"))

    earlier: set[str] = set()
    for i, q in _items(data, "questions"):
        kind = q.get("type", "yesno")
        if kind == "choice":
            choices = [c for c in _list(q.get("choices")) if isinstance(c, dict)]
            if len(choices) < 2:
                problems.append(doc.problem(("questions", i), "a choice question needs at "
                                            "least two `choices`"))
            cids = [c.get("id") for c in choices]
            for j, cid in enumerate(cids):
                if cid in cids[:j]:
                    problems.append(doc.problem(("questions", i, "choices", j, "id"),
                                                f"duplicate choice id `{cid}`"))
        elif kind == "integer":
            lo, hi = q.get("min"), q.get("max")
            if lo is None or hi is None:
                problems.append(doc.problem(("questions", i),
                                            "a whole-number question needs `min` and `max`"))
            elif type(lo) is not int or type(hi) is not int:
                pass  # a wrong type is reported by the model
            elif lo > hi:
                problems.append(doc.problem(("questions", i, "max"),
                                            f"max ({hi}) is below min ({lo})"))
            elif hi - lo > 1000:
                problems.append(doc.problem(("questions", i, "max"),
                                            "a whole-number range may hold at most 1,001 values"))
        if kind != "choice" and q.get("choices") is not None:
            problems.append(doc.problem(("questions", i, "choices"),
                                        f"`choices` is only for choice questions, not {kind}",
                                        key=True))
        if kind != "integer":
            for key in ("min", "max"):
                if q.get(key) is not None:
                    problems.append(doc.problem(("questions", i, key),
                                                f"`{key}` is only for whole-number questions",
                                                key=True))
        if "ask_when" in q:
            _condition(doc, ("questions", i, "ask_when"), q["ask_when"], domains, problems,
                       earlier)
        if isinstance(q.get("id"), str):
            earlier.add(q["id"])

    prec = data.get("precedence")
    if isinstance(prec, list):
        for j, pid in enumerate(prec):
            if isinstance(pid, str) and pid not in pids:
                problems.append(doc.problem(("precedence", j), f"unknown pathway `{pid}`"))
            elif pid in prec[:j]:
                problems.append(doc.problem(("precedence", j), f"`{pid}` is listed twice"))
        for pid in pids:
            if pid not in prec:
                problems.append(doc.problem(("precedence",),
                                            f"pathway `{pid}` is missing from precedence"))

    for i, r in _items(data, "rules"):
        has_p, has_f = r.get("pathway") is not None, r.get("flag") is not None
        if has_p == has_f:
            problems.append(doc.problem(("rules", i), "a rule raises exactly one of "
                                        "`pathway` or `flag`"))
        if has_p and isinstance(r["pathway"], str) and r["pathway"] not in pids:
            problems.append(doc.problem(("rules", i, "pathway"),
                                        f"unknown pathway `{r['pathway']}`"))
        if has_f and isinstance(r["flag"], str) and r["flag"] not in fids:
            problems.append(doc.problem(("rules", i, "flag"), f"unknown flag `{r['flag']}`"))
        cites = r.get("cite")
        if isinstance(cites, list):
            for j, c in enumerate(cites):
                src = c.get("source") if isinstance(c, dict) else None
                if isinstance(src, str) and src not in sources:
                    known = ", ".join(sources) or "none"
                    problems.append(doc.problem(("rules", i, "cite", j, "source"),
                                                f"unknown source `{src}` (sources: {known})"))
        if "when" in r:
            _condition(doc, ("rules", i, "when"), r["when"], domains, problems)

    for i, inv in _items(data, "invariants"):
        if inv.get("when") is not None:
            _condition(doc, ("invariants", i, "when"), inv["when"], domains, problems)
        for key, known, what in (("pathway", pids, "pathway"),):
            if isinstance(inv.get(key), str) and inv[key] not in known:
                problems.append(doc.problem(("invariants", i, key), f"unknown {what} "
                                            f"`{inv[key]}`"))
        for key, known, what in (("pathway_in", pids, "pathway"), ("flags_include", fids, "flag"),
                                 ("facts", qids, "fact")):
            for j, v in enumerate(_list(inv.get(key))):
                if isinstance(v, str) and v not in known:
                    problems.append(doc.problem(("invariants", i, key, j),
                                                f"unknown {what} `{v}`"))
        kind = inv.get("kind")
        if kind == "implies" and not (inv.get("pathway") or inv.get("pathway_in")
                                      or inv.get("flags_include")):
            problems.append(doc.problem(("invariants", i), "an `implies` invariant needs "
                                        "`pathway`, `pathway_in` or `flags_include`"))
        if kind == "monotone" and not (inv.get("facts") and inv.get("from") and inv.get("to")):
            problems.append(doc.problem(("invariants", i), "a `monotone` invariant needs "
                                        "`facts`, `from` and `to`"))
    return problems


# ----------------------------------------------------------------------------- compiling


def _compile(m: dict[str, Any], sha256: str, path: str) -> R.RuleSet:
    """Validated rule-set data (the model dumped by alias) -> the engine's structures."""
    questions = []
    for q in m["questions"]:
        cond = C.parse(q["ask_when"]) if q["ask_when"] else None
        questions.append(R.Question(
            id=q["id"], text=q["text"], type=q["type"], help=q["help"],
            choices=tuple(R.Choice(c["id"], c["label"], c["help"]) for c in q["choices"] or ()),
            min=q["min"], max=q["max"], ask_when=cond, ask_when_text=q["ask_when"],
            ask=C.compile_cond(cond) if cond is not None else None,
            reads=C.reads(cond) if cond is not None else frozenset(),
            accepts=frozenset(
                R.YESNO if q["type"] == "yesno"
                else [c["id"] for c in q["choices"] or ()] if q["type"] == "choice"
                else range(q["min"], q["max"] + 1))))
    rank = {pid: i for i, pid in enumerate(m["precedence"])}
    pathways = {p["id"]: R.Pathway(p["id"], p["title"], p["summary"], tuple(p["actions"]),
                                   p["ends_questionnaire"], rank[p["id"]])
                for p in m["pathways"]}
    flags = {f["id"]: R.Flag(f["id"], f["title"], f["summary"], tuple(f["actions"]), f["urgent"])
             for f in m["flags"]}
    rules = []
    for r in m["rules"]:
        cond = C.parse(r["when"])
        rules.append(R.Rule(
            id=r["id"], when=cond, when_text=r["when"], pathway=r["pathway"], flag=r["flag"],
            reason=r["reason"], actions=tuple(r["actions"]),
            cite=tuple(R.Cite(c["source"], c["section"], c["quote"], c["approximate"])
                       for c in r["cite"]),
            reads=C.reads(cond), test=C.compile_cond(cond)))
    invariants = tuple(R.Invariant(
        id=i["id"], description=i["description"], kind=i["kind"],
        when=C.parse(i["when"]) if i["when"] else None, when_text=i["when"],
        pathways=tuple([i["pathway"]] if i["pathway"] else (i["pathway_in"] or ())),
        flags_include=tuple(i["flags_include"] or ()), facts=tuple(i["facts"] or ()),
        from_=i["from"], to=i["to"]) for i in m["invariants"])
    index = {q.id: n for n, q in enumerate(questions)}
    stop_rules = tuple(sorted(
        ((max((index[f] for f in r.reads), default=-1), r) for r in rules
         if r.pathway and pathways[r.pathway].ends_questionnaire),
        key=lambda x: x[0]))
    return R.RuleSet(
        id=m["id"], version=m["version"], title=m["title"], status=m["status"],
        summary=m["summary"],
        sources={k: R.Source(k, s["title"], s["date"], s["publisher"], s["url"], s["note"])
                 for k, s in m["sources"].items()},
        questions=tuple(questions), pathways=pathways, precedence=tuple(m["precedence"]),
        flags=flags, rules=tuple(rules), invariants=invariants, sha256=sha256, path=path,
        question_index=index, stop_rules=stop_rules,
        steps=tuple((q, tuple(r for at, r in stop_rules if at == pos - 1))
                    for pos, q in enumerate(questions)),
        final_stops=tuple(r for at, r in stop_rules if at == len(questions) - 1))


# ----------------------------------------------------------------------------- answers files


def load_answers(path: str | os.PathLike[str]) -> tuple[Located, dict[str, Any], str | None]:
    """An answers file: `answers:` (fact id -> value) and an optional `rules:` id."""
    doc = load_yaml(path, "answers file")
    data = doc.data
    problems: list[Problem] = []
    if not isinstance(data, dict):
        raise InputError([doc.problem((), "an answers file is a mapping with `answers:` "
                                          "(question id: answer) and optionally `rules:`")])
    for key in data:
        if key not in ("answers", "rules"):
            problems.append(doc.problem((key,), f"unknown field `{key}` (expected `answers` "
                                                "and optionally `rules`)", key=True))
    answers = data.get("answers")
    if "answers" not in data:
        problems.append(doc.problem((), "missing field `answers`"))
    elif answers is None:
        answers = {}
    elif not isinstance(answers, dict):
        problems.append(doc.problem(("answers",), "`answers` must map question ids to answers"))
    rules = data.get("rules")
    if rules is not None and not isinstance(rules, str):
        problems.append(doc.problem(("rules",), "`rules` must be a rule-set id or path"))
    if problems:
        raise InputError(problems)
    return doc, {str(k): v for k, v in (answers or {}).items()}, rules
