"""YAML rule sets and answers files -> checked, compiled structures, with every problem
reported at once as `path:line:col: location: message`."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from sexting_triage import conditions as C
from sexting_triage import ruleset as R
from sexting_triage import semantics
from sexting_triage.bundled import rules_dir
from sexting_triage.errors import InputError, Problem, UsageError, sorted_problems
from sexting_triage.located import Located, PathKey
from sexting_triage.reading import read_file

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


def _parse(path: str | os.PathLike[str], kind: str, text: str | None = None) -> Located:
    """`yamlio.load_yaml`, imported on first use: a rule set served from the compiled cache
    (every bundled edition, every local file loaded before) never imports PyYAML."""
    from sexting_triage.yamlio import load_yaml

    return load_yaml(path, kind, text)


def load_ruleset(path: str | os.PathLike[str]) -> R.RuleSet:
    """Load, validate, check and compile one rule-set file.

    A rule set that has loaded cleanly once is cached, keyed by the sha256 of its bytes (so
    an edited file is a new key, never a stale hit), as the validated data: later runs skip
    YAML parsing and validation, and the CLI starts fast for bundled and local files alike."""
    raw, text = read_file(path, "rule set")
    sha = hashlib.sha256(raw).hexdigest()
    cached = _cache_read(sha)
    if cached is not None:
        try:
            return _compile(cached, sha, str(path))
        except Exception:  # a stale or damaged cache entry: fall back to the file itself
            pass
    doc = _parse(path, "rule set", text)
    data = validated(doc)
    _cache_write(sha, data)
    return _compile(data, sha, doc.path)


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
    problems.extend(semantics.problems(doc))
    if problems or model is None:
        raise InputError(sorted_problems(problems))
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
    for name in ("loader.py", "model.py", "conditions.py", "ruleset.py", "semantics.py"):
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
        _cache_prune(path.parent)
    except OSError:
        pass


CACHE_ENTRIES = 64


def _cache_prune(folder: Path) -> None:
    """Keep the newest CACHE_ENTRIES entries: local rule files are cached too, so the folder
    must stay bounded however many files a policy team tries."""
    entries = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in entries[CACHE_ENTRIES:]:
        old.unlink(missing_ok=True)


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


# ----------------------------------------------------------------------------- compiling


def _cite(cites: list[dict[str, Any]]) -> tuple[R.Cite, ...]:
    return tuple(R.Cite(c["source"], c["section"], c["quote"], c["approximate"]) for c in cites)


def _actions(items: list[Any]) -> tuple[R.Action, ...]:
    out = []
    for a in items:
        if isinstance(a, str):
            out.append(R.Action(a))
            continue
        cond = C.parse(a["if"]) if a.get("if") else None
        out.append(R.Action(a["text"], a["when"], a.get("if"), cond,
                            C.compile_cond(cond) if cond is not None else None))
    return tuple(out)


def _recording(m: dict[str, Any] | None) -> R.Recording | None:
    if m is None:
        return None
    cats = []
    for c in m["categories"]:
        cond = C.parse(c["when"]) if c["when"] else None
        cats.append(R.RecordingCategory(
            c["id"], c["title"], tuple(c["pathways"] or ()), cond, c["when"], c["reason"],
            c["treatment"], _cite(c["cite"]),
            C.compile_cond(cond) if cond is not None else None))
    return R.Recording(tuple(m["pathways"]), m["note"], tuple(cats))


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
    pathways = {}
    for p in m["pathways"]:
        lt = p.get("long_term")
        pathways[p["id"]] = R.Pathway(
            p["id"], p["title"], p["summary"], _actions(p["actions"]), p["ends_questionnaire"],
            rank[p["id"]], lt["text"] if lt else None, _cite(lt["cite"]) if lt else ())
    flags = {f["id"]: R.Flag(f["id"], f["title"], f["summary"], _actions(f["actions"]),
                             f["urgent"]) for f in m["flags"]}
    rules = []
    for r in m["rules"]:
        cond = C.parse(r["when"])
        rules.append(R.Rule(
            id=r["id"], when=cond, when_text=r["when"], pathway=r["pathway"], flag=r["flag"],
            reason=r["reason"], actions=_actions(r["actions"]), cite=_cite(r["cite"]),
            reads=C.reads(cond), test=C.compile_cond(cond), headline=r.get("headline")))
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
        sources={k: R.Source(k, s["title"], s["date"], s["publisher"], s["url"], s["note"],
                             tuple(s.get("checked_sections") or ()))
                 for k, s in m["sources"].items()},
        questions=tuple(questions), pathways=pathways, precedence=tuple(m["precedence"]),
        flags=flags, rules=tuple(rules), invariants=invariants, sha256=sha256, path=path,
        recording=_recording(m.get("recording")),
        changelog=tuple(R.ChangelogEntry(c["version"], c["date"], tuple(c["changes"]))
                        for c in m.get("changelog") or ()),
        question_index=index, stop_rules=stop_rules,
        steps=tuple((q, tuple(r for at, r in stop_rules if at == pos - 1))
                    for pos, q in enumerate(questions)),
        final_stops=tuple(r for at, r in stop_rules if at == len(questions) - 1))


def is_overlay_file(path: str | os.PathLike[str]) -> bool:
    """Whether a file given where a rule set is expected is a force overlay (its top level has
    `overlay:` and `base:`): for `rules check` and `rules diff` to tell them apart without
    loading the overlay package."""
    try:
        doc = _parse(path, "file")
    except (InputError, UsageError):
        return False
    return isinstance(doc.data, dict) and "overlay" in doc.data and "base" in doc.data


# ----------------------------------------------------------------------------- answers files


def load_answers(path: str | os.PathLike[str]) -> tuple[Located, dict[str, Any], str | None]:
    """An answers file: `answers:` (fact id -> value) and an optional `rules:` id."""
    doc = _parse(path, "answers file")
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
