"""Decision records: what was answered, what was recommended, and by which exact rules.

A record is one JSON document that can be attached to case notes and checked later:

- `schema`, the tool version and the UTC time it was made;
- the rule set's id, version, title and the sha256 of its file (the exact rules used);
- the answers (question ids and values only) and, for reading, each question's text;
- the decision: pathway, flags, every reason with its citation, the actions;
- an optional incident reference (a short code, never a name);
- `sha256`: the hash of the record's own canonical content (every other key).

`verify` recomputes that hash and decides the stored answers again with the rule set named
in the record (or given), reporting separately whether the content, the provenance, the
answers and the decision still match. The tool never asks for or stores names, images or
free-text descriptions, so a record holds none.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sexting_triage import __version__, files
from sexting_triage.engine import Decision
from sexting_triage.errors import (
    InputError,
    InvalidAnswers,
    MissingAnswers,
    NoPathway,
    Problem,
    UsageError,
)
from sexting_triage.ruleset import RuleSet

RECORD_SCHEMA = "sexting-triage/record/1"
DECISION_KEYS = ("pathway", "flags", "reasons", "actions", "asked")
REF_MAX = 40
_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9/_.:#-]*")
REF_HELP = ("a short incident or crime reference: up to 40 letters, digits and / - _ . : #, "
            "with at least one digit and no spaces (for example CAD-1234-26). Never a name.")


def check_incident_ref(ref: str) -> str:
    """The reference, if it looks like a reference; UsageError otherwise.

    Requiring a digit and refusing spaces keeps names (which identify children) out of
    records: `JohnSmith` and `Jane Doe` are both refused."""
    if not (0 < len(ref) <= REF_MAX and _REF.fullmatch(ref) and any(c.isdigit() for c in ref)):
        raise UsageError(f"--incident-ref {ref!r} is not accepted: give {REF_HELP}")
    return ref


def canonical(content: dict[str, Any]) -> bytes:
    """The bytes the record hash covers: sorted keys, no spaces, UTF-8."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def content_hash(record: dict[str, Any]) -> str:
    return hashlib.sha256(canonical({k: v for k, v in record.items()
                                     if k != "sha256"})).hexdigest()


# Each part of a record has its own digest (in `parts`, itself covered by `sha256`), so an edit
# is reported by name: "the answers were changed", not only "the record was changed".
PARTS = {"rules": "provenance (rule set)", "answers": "answers", "questions": "question texts",
         "decision": "decision", "incident_ref": "incident reference", "created": "time made",
         "tool": "tool version", "notice": "notice"}


def part_hash(value: Any) -> str:
    return hashlib.sha256(canonical({"v": value})).hexdigest()


def part_digests(record: dict[str, Any]) -> dict[str, str]:
    return {k: part_hash(record.get(k)) for k in PARTS}


def intact(record: dict[str, Any]) -> bool:
    """The record's hash and every part digest match its content."""
    return content_hash(record) == record.get("sha256") and not changed_parts(record)


def changed_parts(record: dict[str, Any]) -> list[str] | None:
    """The names of the parts whose digest no longer matches (plus keys that were added or
    removed); None for a record made without part digests."""
    stored = record.get("parts")
    if not isinstance(stored, dict):
        return None
    now = part_digests(record)
    names = [PARTS[k] for k in PARTS if stored.get(k) != now[k]]
    known = {*PARTS, "schema", "parts", "sha256"}
    names += [f"`{k}` (not part of a record)" for k in record if k not in known]
    return names


def decision_part(d: Decision) -> dict[str, Any]:
    """The decision pieces of render.jsonout.decision_dict that a record keeps."""
    from sexting_triage.serialize import decision_dict

    full = decision_dict(d)
    return {k: full[k] for k in DECISION_KEYS}


def build(d: Decision, incident_ref: str | None = None,
          now: datetime | None = None) -> dict[str, Any]:
    """A complete record (hash included) for a decision."""
    from sexting_triage.serialize import NOTICE

    rs = d.ruleset
    t = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    rec: dict[str, Any] = {
        "schema": RECORD_SCHEMA,
        "tool": {"name": "sexting-triage", "version": __version__},
        "created": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "incident_ref": check_incident_ref(incident_ref) if incident_ref else None,
        "rules": rs.provenance() | {"title": rs.title, "status": rs.status},
        "answers": dict(d.answers),
        "questions": [{"id": q, "text": rs.question(q).text,
                       "answer": rs.question(q).label_of(d.answers[q])} for q in d.asked],
        "decision": decision_part(d),
        "notice": NOTICE,
    }
    rec["parts"] = part_digests(rec)
    rec["sha256"] = content_hash(rec)
    return rec


def dumps(record: dict[str, Any]) -> str:
    return json.dumps(record, indent=2, ensure_ascii=False) + "\n"


def write(path: Path, record: dict[str, Any]) -> None:
    """Write a record atomically (mode 0600); an existing record is never overwritten."""
    from sexting_triage.session import SessionError, atomic_write

    if path.exists():
        raise UsageError(f"{path} already exists: a decision record is never overwritten; "
                         "choose another file name")
    try:
        atomic_write(path, dumps(record).encode("utf-8"))
    except SessionError as exc:
        raise UsageError(str(exc).replace("The last saved copy (if any) is kept unchanged.",
                                          "").strip()) from None


def check_target(path: Path) -> None:
    """Fail before any question is asked if the record could not be written at the end."""
    if path.exists():
        raise UsageError(f"{path} already exists: a decision record is never overwritten; "
                         "choose another file name")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"cannot write the record to {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise UsageError(f"cannot write the record to {path}: the folder {folder} is not "
                         "writable")


def load(path: Path) -> dict[str, Any]:
    """Read a record; problems are reported as path:line:col: location: message."""

    p = str(path)
    data = files.load_json(path, "decision record")
    if not isinstance(data, dict) or data.get("schema") != RECORD_SCHEMA:
        raise InputError([Problem(p, None, None, "schema",
                                  f"not a decision record (expected schema {RECORD_SCHEMA})")])
    problems = []
    shapes = {"rules": dict, "answers": dict, "decision": dict, "sha256": str, "created": str}
    for key, kind in shapes.items():
        if not isinstance(data.get(key), kind):
            problems.append(Problem(p, None, None, key, f"missing or not a {kind.__name__}"))
    rules = data.get("rules") if isinstance(data.get("rules"), dict) else {}
    for key in ("id", "version", "sha256"):
        if not isinstance(rules.get(key), str):
            problems.append(Problem(p, None, None, f"rules.{key}", "missing or not a string"))
    if problems:
        raise InputError(problems)
    return data


# ----------------------------------------------------------------------------- verification


@dataclass(frozen=True, slots=True)
class Part:
    """One part of a verification: content, provenance, answers or decision."""

    name: str
    ok: bool
    detail: str


def rules_for(record: dict[str, Any], ref: str | None) -> RuleSet:
    """The rule set to re-decide with: the one given, else the bundled one the record names."""
    from sexting_triage import loader

    if ref is not None:
        return loader.resolve(ref)
    rid = record["rules"]["id"]
    if rid in loader.bundled_paths():
        return loader.resolve(rid)
    raise UsageError(f"the record was made with rule set `{rid}`, which is not bundled: give "
                     "the rule-set file with --rules PATH")


def _as_list(value: Any) -> list[Any]:
    """A stored list, or the value as a one-item list: an edited record may hold anything."""
    return value if isinstance(value, list) else ([] if value is None else [value])


def _names(items: list[Any]) -> str:
    return ", ".join(str(x) for x in items) or "none"


def verify(record: dict[str, Any], rs: RuleSet) -> list[Part]:
    """Check a record's integrity and decide its answers again with `rs`."""
    from sexting_triage.engine import decide

    parts: list[Part] = []
    stored_hash = record.get("sha256")
    actual = content_hash(record)
    changed = changed_parts(record)
    if stored_hash == actual and not changed:
        parts.append(Part("content", True, f"sha256 {actual[:12]} matches the record's content"))
    elif changed:
        parts.append(Part("content", False, "the record was changed after it was written: "
                          f"changed: {', '.join(changed)}"))
    elif changed is None and stored_hash != actual:
        parts.append(Part("content", False, "the record was changed after it was written: its "
                          f"sha256 is {str(stored_hash)[:12]}, its content hashes to "
                          f"{actual[:12]}"))
    else:
        parts.append(Part("content", False, "the record was changed after it was written: "
                          "its part digests were edited"))

    rec_rules = record["rules"]
    label = f"{rs.id} {rs.version} (sha256 {rs.sha256[:12]})"
    if rec_rules.get("sha256") == rs.sha256:
        parts.append(Part("provenance", True, f"rule set {label} is the one the record names"))
    else:
        parts.append(Part("provenance", False, "the record names rule set "
                          f"{rec_rules.get('id')} {rec_rules.get('version')} (sha256 "
                          f"{str(rec_rules.get('sha256'))[:12]}); checking with {label}"))

    answers = record["answers"]
    try:
        d = decide(rs, answers)
    except InvalidAnswers as exc:
        parts.append(Part("answers", False, "answers the rule set does not accept: " +
                          "; ".join(f"{p.question}: {p.message}" for p in exc.problems)))
        parts.append(Part("decision", False, "cannot decide again: the answers do not fit"))
        return parts
    except MissingAnswers as exc:
        parts.append(Part("answers", False, f"the rule set now also asks: {_names(exc.missing)}"))
        parts.append(Part("decision", False, "cannot decide again: answers are missing"))
        return parts
    except NoPathway as exc:
        parts.append(Part("answers", True, f"{len(answers)} answers"))
        parts.append(Part("decision", False, str(exc)))
        return parts
    unused = [i.question for i in d.ignored]
    if unused:
        parts.append(Part("answers", False, f"no longer asked with these answers: "
                          f"{_names(unused)}"))
    else:
        parts.append(Part("answers", True, f"all {len(answers)} answers are still asked"))

    stored = record["decision"]
    now = decision_part(d)
    diffs = []
    old_path = (stored.get("pathway") or {}).get("id") if isinstance(stored.get("pathway"),
                                                                      dict) else None
    if old_path != now["pathway"]["id"]:
        diffs.append(f"pathway was {old_path}, now {now['pathway']['id']}")
    if stored.get("flags") != now["flags"]:
        diffs.append(f"flags were {_names(_as_list(stored.get('flags')))}, now "
                     f"{_names(now['flags'])}")
    if stored.get("reasons") != now["reasons"]:
        was = [r.get("rule") for r in _as_list(stored.get("reasons")) if isinstance(r, dict)]
        is_ = [r["rule"] for r in now["reasons"]]
        diffs.append(f"reasons differ (rules were {_names(was)}; now {_names(is_)})"
                     if was != is_ else "reason texts or citations differ")
    if stored.get("actions") != now["actions"]:
        diffs.append("actions differ")
    if stored.get("asked") != now["asked"]:
        diffs.append("the questions asked differ")
    if diffs:
        parts.append(Part("decision", False, "; ".join(diffs)))
    else:
        parts.append(Part("decision", True, f"same pathway ({now['pathway']['id']}), flags, "
                          "reasons and actions"))
    return parts
