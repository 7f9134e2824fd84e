"""Decision records (build, seal, write, read, verify): what was answered, what was
recommended, by which exact rules, and what the officer decided. Keys and the Ed25519 maths
are `signing.py`'s; this module says which bytes of a record are signed.

A record is one JSON document that can be attached to case notes and checked later:

- `schema`, the tool version and the UTC time it was made;
- the rule set's id, version, title and the sha256 of its file (the exact rules used);
- the answers (question ids and values only) and, for reading, each question's text;
- the decision: pathway, flags, every reason with its citation, the actions;
- an optional incident reference (a short code, never a name: `check_incident_ref`);
- an optional officer decision: agree, or another pathway, with a reason from the fixed list
  `OFFICER_REASONS` (never free text);
- `parts` (a sha256 of each part) and `sha256` (of everything else), so an edit is named;
- an optional Ed25519 `signature` over all of that.

API (core: no front end):

    rec = build(decision, incident_ref=None, officer=None, now=None)
        officer = {"decision": "agree" | <pathway id>, "reason": <OFFICER_REASONS code>}
        (the reason may be left out when the officer agrees)
    rec = sign(rec, private_key_pem)          # needs the `sign` extra (signing.py)
    write(path, rec)                          # exclusive create, 0600, never replaces a file
    rec = load(path)
    parts = verify(rec, ruleset, public_key_pem=None)

`verify` recomputes the hashes and decides the stored answers again with the rule set named
in the record (or given), reporting separately whether the content, the provenance, the
answers, the decision, the officer's decision and (given a public key) the signature match.
What the hashes prove is said by `PROVES_UNSIGNED`: they catch accidental change, not someone
who edits a record and recomputes them; only a signature checked with a public key held
elsewhere (`PROVES_SIGNED`) shows who made the record and that it is unchanged since.

The tool never asks for or stores names, images or free-text descriptions, so a record holds
none.
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
from sexting_triage.serialize import RECORD_SCHEMA, RECORD_SCHEMAS_READ

DECISION_KEYS = ("pathway", "flags", "reasons", "actions", "asked")
REF_MAX = 40
_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9/_.:#-]*")
REF_HELP = ("a short incident or crime reference: up to 40 letters, digits and / - _ . : #, "
            "with at least one digit and no spaces (for example WMP-CR-12345/24 or "
            "CAD-1234-26). Never a name.")
# a word in name case: a capital then lower-case letters (Jane, Doe, McDonald's Mc and Donald)
_NAME_WORD = re.compile(r"[A-Z][a-z]+")


def check_incident_ref(ref: str) -> str:
    """The reference, if it looks like a reference; UsageError otherwise.

    Names identify children and must never reach a record. Refused: spaces, no digit
    (`JohnSmith`), and two or more words in name case, an initial capital then lower-case
    letters (`Jane.Doe.2011`, `JaneDoe-2011`). Force references (`WMP-CR-12345/24`,
    `CAD-1234-26`, `Ref-2026-1` with a single such word) pass."""
    if len(_NAME_WORD.findall(ref)) >= 2:
        raise UsageError(f"--incident-ref {ref!r} looks like a person's name (two or more "
                         "words with a capital then lower-case letters), which must never go "
                         f"into a record: give {REF_HELP}")
    if not (0 < len(ref) <= REF_MAX and _REF.fullmatch(ref) and any(c.isdigit() for c in ref)):
        raise UsageError(f"--incident-ref {ref!r} is not accepted: give {REF_HELP}")
    return ref


def canonical(content: dict[str, Any]) -> bytes:
    """The bytes the record hash covers: sorted keys, no spaces, UTF-8."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def content_hash(record: dict[str, Any]) -> str:
    """The record's own hash: every key but `sha256` and `signature`."""
    return hashlib.sha256(canonical({k: v for k, v in record.items()
                                     if k not in ("sha256", "signature")})).hexdigest()


# Each part of a record has its own digest (in `parts`, itself covered by `sha256`), so an edit
# is reported by name: "the answers were changed", not only "the record was changed".
PARTS = {"rules": "provenance (rule set)", "answers": "answers", "questions": "question texts",
         "decision": "decision", "incident_ref": "incident reference", "created": "time made",
         "tool": "tool version", "notice": "notice", "officer": "officer's decision"}
# parts a record made before they existed has no digest for (checked whenever either the part
# or its digest is present)
OPTIONAL_PARTS = frozenset({"officer"})


def part_hash(value: Any) -> str:
    return hashlib.sha256(canonical({"v": value})).hexdigest()


def part_digests(record: dict[str, Any]) -> dict[str, str]:
    return {k: part_hash(record.get(k)) for k in PARTS
            if k not in OPTIONAL_PARTS or k in record}


def intact(record: dict[str, Any]) -> bool:
    """The record's hash and every part digest match its content."""
    return content_hash(record) == record.get("sha256") and not changed_parts(record)


def changed_parts(record: dict[str, Any]) -> list[str] | None:
    """The names of the parts whose digest no longer matches (plus keys that were added or
    removed); None for a record made without part digests."""
    stored = record.get("parts")
    if not isinstance(stored, dict):
        return None
    now = {k: part_hash(record.get(k)) for k in PARTS}
    names = [PARTS[k] for k in PARTS if stored.get(k) != now[k]
             and (k not in OPTIONAL_PARTS or k in record or k in stored)]
    known = {*PARTS, "schema", "parts", "sha256", "signature"}
    names += [f"`{k}` (not part of a record)" for k in record if k not in known]
    return names


def decision_part(d: Decision) -> dict[str, Any]:
    """The decision pieces of render.jsonout.decision_dict that a record keeps."""
    from sexting_triage.serialize import decision_dict

    full = decision_dict(d)
    return {k: full[k] for k in (*DECISION_KEYS, "flag_details")}


OFFICER_REASONS: dict[str, str] = {
    "agree-with-reasons": "agrees, for the reasons the tool gives",
    "more-information-since": "more information has come to light since the questions",
    "supervisor-direction": "a supervisor directed this pathway",
    "force-policy": "local force policy requires this pathway",
    "safeguarding-concern": "a safeguarding concern the questions did not cover",
    "facts-disputed": "the facts are disputed or not yet clear",
}
AGREE = "agree"


def officer_part(d: Decision, officer: dict[str, Any]) -> dict[str, Any]:
    """The officer's decision as a record keeps it, checked: `decision` is "agree" or a
    pathway id of the rule set, `reason` a code of OFFICER_REASONS (required unless the
    officer agrees). UsageError otherwise, saying what is accepted."""
    rs = d.ruleset
    decision = officer.get("decision")
    reason = officer.get("reason")
    ids = list(rs.pathways)
    extra = sorted(set(officer) - {"decision", "reason"})
    if extra:
        raise UsageError(f"the officer's decision has only `decision` and `reason`, not "
                         f"{', '.join(map(str, extra))}")
    if not isinstance(decision, str) or (decision != AGREE and decision not in rs.pathways):
        raise UsageError(f"officer decision {decision!r} is not accepted: give {AGREE} or "
                         f"one of the pathway ids {', '.join(ids)}")
    if reason is not None and (not isinstance(reason, str) or reason not in OFFICER_REASONS):
        raise UsageError(f"officer reason {reason!r} is not accepted: give one of "
                         f"{', '.join(OFFICER_REASONS)} (a fixed list: never free text)")
    pathway = d.pathway if decision == AGREE else decision
    agrees = pathway == d.pathway
    if reason is None and not agrees:
        raise UsageError("an officer who chooses another pathway gives a reason: one of "
                         f"{', '.join(OFFICER_REASONS)}")
    return {"decision": AGREE if agrees else pathway, "pathway": pathway, "agrees": agrees,
            "reason": reason, "reason_text": OFFICER_REASONS[reason] if reason else None}


def build(d: Decision, incident_ref: str | None = None,
          officer: dict[str, Any] | None = None,
          now: datetime | None = None) -> dict[str, Any]:
    """A complete record (hashes included) for a decision; sign it with `sign`."""
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
    if officer is not None:
        rec["officer"] = officer_part(d, officer)
    return seal(rec)


def seal(rec: dict[str, Any]) -> dict[str, Any]:
    """Recompute the part digests and the record's hash (dropping any signature)."""
    rec = {k: v for k, v in rec.items() if k not in ("parts", "sha256", "signature")}
    rec["parts"] = part_digests(rec)
    rec["sha256"] = content_hash(rec)
    return rec


# ----------------------------------------------------------------------------- signatures


def _signed_bytes(record: dict[str, Any]) -> bytes:
    return canonical({k: v for k, v in record.items() if k != "signature"})


def sign(record: dict[str, Any], private_key_pem: bytes) -> dict[str, Any]:
    """A copy of the (sealed) record with an Ed25519 signature over everything in it."""
    from sexting_triage import signing

    out = {k: v for k, v in record.items() if k != "signature"}
    out["signature"] = signing.signature(_signed_bytes(out), private_key_pem)
    return out


def check_signature(record: dict[str, Any], public_key_pem: bytes) -> Part:
    """Whether the record carries a valid signature by the key matching `public_key_pem`."""
    from sexting_triage import signing

    ok, detail = signing.check(record.get("signature"), _signed_bytes(record), public_key_pem)
    return Part("signature", ok, detail)


def dumps(record: dict[str, Any]) -> str:
    return json.dumps(record, indent=2, ensure_ascii=False) + "\n"


def write(path: Path, record: dict[str, Any]) -> None:
    """Create the record file (mode 0600), exclusively: an existing file is never replaced,
    not even one another process created a moment ago (files.create_exclusive)."""
    try:
        files.create_exclusive(Path(path), dumps(record).encode("utf-8"))
    except files.OutputExists:
        raise files.OutputExists(f"{path} already exists: a decision record is never "
                                 "overwritten; choose another file name") from None


def check_target(path: Path) -> None:
    """Fail before any question is asked if the record could not be written at the end."""
    files.check_output_paths({"--record": path})
    if os.path.lexists(path):
        raise files.OutputExists(f"{path} already exists: a decision record is never "
                                 "overwritten; choose another file name")
    folder = path.parent if str(path.parent) else Path(".")
    if not os.access(folder, os.W_OK):
        raise UsageError(f"cannot write the record to {path}: the folder {folder} is not "
                         "writable")


def load(path: Path) -> dict[str, Any]:
    """Read a record; problems are reported as path:line:col: location: message."""

    p = str(path)
    data = files.load_json(path, "decision record")
    if not isinstance(data, dict) or data.get("schema") not in RECORD_SCHEMAS_READ:
        raise InputError([Problem(p, None, None, "schema",
                                  f"not a decision record (expected schema {RECORD_SCHEMA})")])
    problems = []
    shapes = {"rules": dict, "answers": dict, "decision": dict, "sha256": str, "created": str}
    for key, kind in shapes.items():
        if not isinstance(data.get(key), kind):
            problems.append(Problem(p, None, None, key, f"missing or not a {kind.__name__}"))
    rules = _dict(data.get("rules"))
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


def verify(record: dict[str, Any], rs: RuleSet,
           public_key_pem: bytes | None = None) -> list[Part]:
    """Check a record's integrity and decide its answers again with `rs`; with a public key,
    check its signature first."""
    parts: list[Part] = []
    if public_key_pem is not None:
        parts.append(check_signature(record, public_key_pem))
    parts += _verify(record, rs)
    officer = record.get("officer")
    if officer is not None or "officer" in _dict(record.get("parts")):
        parts.append(_check_officer(officer, rs))
    return parts


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _check_officer(officer: Any, rs: RuleSet) -> Part:
    """The stored officer's decision still makes sense: a known reason, a pathway of `rs`."""
    o = _dict(officer)
    pathway, reason = o.get("pathway"), o.get("reason")
    if not isinstance(pathway, str) or pathway not in rs.pathways:
        return Part("officer", False, f"the officer's pathway {pathway!r} is not a pathway of "
                    f"{rs.id}")
    if reason is not None and reason not in OFFICER_REASONS:
        return Part("officer", False, f"the officer's reason {reason!r} is not one of the "
                    "fixed reasons")
    why = f" ({OFFICER_REASONS[reason]})" if isinstance(reason, str) else ""
    if o.get("agrees") is True:
        return Part("officer", True, f"the officer agreed with the recommendation{why}")
    return Part("officer", True, f"the officer chose {pathway}{why}")


def _verify(record: dict[str, Any], rs: RuleSet) -> list[Part]:
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
    # a record made before flag details were kept has none: nothing to compare
    if "flag_details" in stored and stored.get("flag_details") != now["flag_details"]:
        diffs.append("flag titles or headlines differ")
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
