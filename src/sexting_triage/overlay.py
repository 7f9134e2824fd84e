"""Force overlays: a small file of local additions on top of a national edition.

An overlay names its base (id, version, sha256) and may only add: local contacts (services,
never people), actions added to a pathway or a flag, extra questions with rules that raise a
flag or a pathway or add actions, and extra sources (local procedure documents). It can never
redefine or remove anything of its base: reusing a base id, or a key the format does not
have, is a load error at `path:line:col`.

`apply(base, overlay)` merges the two into one compiled rule set (an `OverlaidRuleSet`, a
`RuleSet` that also carries the overlay's provenance); `prove(base, merged)` shows, exactly
over every situation, that the overlay never lowers a pathway, loses a flag or loses an
action; `rebase` re-proves an overlay against a new edition and rewrites only its pin.

Core module: no front end, no printing.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import os
import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from sexting_triage import model as M
from sexting_triage import ruleset as R
from sexting_triage.errors import InputError, Problem, UsageError
from sexting_triage.serialize import OVERLAY_FILE_SCHEMA, OVERLAY_PROOF_SCHEMA
from sexting_triage.yamlio import Located, PathKey, load_yaml, read_file

Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


# ----------------------------------------------------------------------------- the format


class BasePin(M._Strict):
    """The national edition this overlay was proved against."""

    id: M.Id
    version: M.ShortText
    sha256: Sha256 = Field(description="The sha256 of the base rule-set file's bytes.")


class Contact(M._Strict):
    """A local service to contact: its name, how to reach it and when. Never a person."""

    id: M.Id
    service: M.ShortText = Field(description="The name of the service or team, not a person.")
    reach: M.ShortText = Field(description="How to reach it: a phone number, a team mailbox, "
                               "a system (never a person's own address).")
    hours: M.ShortText = Field(description="When it can be reached, e.g. '24 hours'.")
    note: M.Text | None = None


class LocalAction(M.Action):
    """An action, optionally naming a local contact (its service, how to reach it and its
    hours are then added to the action's text)."""

    contact: M.Id | None = None


LocalActionItem = Annotated[M.Text | LocalAction, Field(union_mode="left_to_right")]


class AddedAction(LocalAction):
    """An action added to a base pathway or flag (after the base's own actions)."""

    to: M.Id = Field(description="A pathway or flag id of the base.")


class LocalQuestion(M.Question):
    """An extra finite question. It is asked after the base questions, or right after the
    base (or earlier local) question named by `after`; its `ask_when` may read base facts."""

    after: M.Id | None = None


class LocalRule(M.Rule):
    """A local rule: raises a flag or a pathway of the base, or (with neither) adds actions."""

    actions: list[LocalActionItem] = Field(default_factory=list)  # type: ignore[assignment]


class OverlayModel(M._Strict):
    """A force overlay: local additions to one national edition, pinned by its sha256."""

    overlay: M.Id = Field(description="The overlay's own id.")
    version: M.ShortText
    title: M.ShortText
    force: M.ShortText = Field(description="The force (organisation) the overlay is for.")
    summary: M.Text | None = None
    base: BasePin
    sources: dict[M.SourceKey, M.Source] = Field(
        default_factory=dict, description="Local procedure documents that local rules cite.")
    contacts: list[Contact] = Field(default_factory=list)
    actions: list[AddedAction] = Field(default_factory=list)
    questions: list[LocalQuestion] = Field(default_factory=list)
    rules: list[LocalRule] = Field(default_factory=list)
    changelog: list[M.ChangelogEntry] = Field(default_factory=list)


def overlay_schema() -> dict[str, Any]:
    """The JSON Schema of the overlay format (committed as schema/overlay.schema.json)."""
    schema = OverlayModel.model_json_schema(by_alias=True, mode="validation")
    schema.pop("title", None)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": OVERLAY_FILE_SCHEMA, "title": "sexting-triage force overlay", **schema}


# ----------------------------------------------------------------------------- person names

# Words that make a run of capitalised words the name of a service, not of a person.
SERVICE_WORDS = frozenset((
    "service", "services", "team", "teams", "unit", "units", "hub", "desk", "office", "line",
    "helpline", "centre", "center", "police", "constabulary", "force", "council", "county",
    "borough", "city", "district", "metropolitan", "care", "social", "children", "child",
    "family", "families", "safeguarding", "front", "door", "multi", "agency", "partnership",
    "board", "duty", "control", "room", "contact", "online", "exploitation", "abuse",
    "investigation", "investigations", "protection", "referral", "referrals", "school", "schools",
    "safer", "emergency", "hours", "health", "nhs", "trust", "hospital", "department",
    "directorate", "squad", "operation", "rota", "command", "bureau", "support", "victim",
    "victims", "youth", "justice", "offending", "early", "help", "intervention", "mental",
    "sexual", "assault", "public", "local", "authority", "neighbourhood", "policing",
    "management", "headquarters", "station", "switchboard", "desk", "camhs", "mash", "missing",
    "people", "crime", "crimes", "cyber", "digital", "forensic", "forensics", "child's",
    "children's", "report", "remove", "childline", "take", "it", "down", "internet", "watch",
    "foundation", "national", "agency", "the", "of", "and", "for", "monday", "tuesday",
    "wednesday", "thursday", "friday", "saturday", "sunday", "weekdays", "weekends", "bank",
    "holidays", "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december", "day", "days", "christmas", "easter",
    "new", "year", "eve", "boxing", "good", "closed", "open", "term", "terms",
))
TITLES = frozenset((
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "lady", "lord", "pc", "dc",
    "ds", "di", "dci", "dsi", "sgt", "insp", "supt", "pcso",
))
_NAME_CASE = re.compile(r"^(?=.*[a-z])(?!.*[A-Z]{2})[A-Z][A-Za-z'\u2019-]*$")
_WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019.-]*")
_PERSONAL_EMAIL = re.compile(r"\b[A-Za-z]{2,}[._][A-Za-z]{2,}@")


def _norm(word: str) -> str:
    w = word.lower().rstrip(".")
    return w.removesuffix("'s").removesuffix("\u2019s") if w not in SERVICE_WORDS else w


def looks_like_person(text: str) -> str | None:
    """Why `text` looks like it names a person, or None.

    The rule (docs/overlays.md): a title (Mr, Mrs, Ms, Dr, PC, DC, DS, Sgt, ...) followed by a
    capitalised word; two or more capitalised words in a row none of which is a service word
    (Team, Unit, Hub, Services, Police, Council, Safeguarding, ...); or an email address of the
    form first.last@ (use a team mailbox)."""
    why = titled_person(text)
    if why:
        return why
    words = _WORD.findall(text)
    run: list[str] = []
    for w in [*words, ""]:
        bare = w.rstrip(".")
        if bare and _NAME_CASE.match(bare) and _norm(bare) not in SERVICE_WORDS:
            run.append(bare)
            continue
        if len(run) >= 2:
            return (f"`{' '.join(run)}` looks like a person's name: name the service or team "
                    "instead (a contact is a service, never a person)")
        run = []
    return None


# ----------------------------------------------------------------------------- loaded overlay


@dataclass(frozen=True)
class Overlay:
    """A loaded, validated overlay file (not yet checked against a base)."""

    path: str
    sha256: str
    text: str
    doc: Located
    data: dict[str, Any]  # validated, dumped by alias

    @property
    def id(self) -> str:
        return str(self.data["overlay"])

    @property
    def version(self) -> str:
        return str(self.data["version"])

    @property
    def pin(self) -> dict[str, str]:
        return dict(self.data["base"])

    def provenance(self) -> dict[str, str]:
        return {"id": self.id, "version": self.version, "sha256": self.sha256}


def load_overlay(path: str | os.PathLike[str]) -> Overlay:
    """Read and validate an overlay file; every problem at once as path:line:col."""
    from pydantic import ValidationError

    from sexting_triage.loader import pydantic_problems

    raw, text = read_file(path, "overlay")
    doc = load_yaml(path, "overlay", text)
    if not isinstance(doc.data, dict):
        raise InputError([doc.problem((), "an overlay is a mapping with overlay, version, "
                                          "title, force and base (id, version, sha256)")])
    try:
        model = OverlayModel.model_validate(doc.data)
    except ValidationError as exc:
        problems = pydantic_problems(doc, exc)
        problems += _local_problems(doc)
        raise InputError(_sorted(problems)) from None
    problems = _local_problems(doc)
    if problems:
        raise InputError(_sorted(problems))
    return Overlay(doc.path, hashlib.sha256(raw).hexdigest(), text, doc,
                   model.model_dump(mode="json", by_alias=True))


def _sorted(problems: list[Problem]) -> list[Problem]:
    seen: set[str] = set()
    out = []
    for p in sorted(problems, key=lambda p: (p.line or 0, p.col or 0)):
        if str(p) not in seen:
            seen.add(str(p))
            out.append(p)
    return out


def _items(data: Any, key: str) -> list[tuple[int, dict[str, Any]]]:
    seq = data.get(key) if isinstance(data, dict) else None
    if not isinstance(seq, list):
        return []
    return [(i, x) for i, x in enumerate(seq) if isinstance(x, dict)]


def _local_problems(doc: Located) -> list[Problem]:
    """What the overlay alone can be checked for: duplicate ids, person names in contacts,
    unknown contact references."""
    data = doc.data if isinstance(doc.data, dict) else {}
    out: list[Problem] = []
    for key in ("contacts", "questions", "rules"):
        seen: dict[str, int] = {}
        for i, item in _items(data, key):
            ident = item.get("id")
            if isinstance(ident, str):
                if ident in seen:
                    out.append(doc.problem((key, i, "id"),
                                           f"duplicate id `{ident}` (also {key}[{seen[ident]}])"))
                else:
                    seen[ident] = i
    for i, c in _items(data, "contacts"):
        for fld in ("service", "reach", "hours", "note"):
            v = c.get(fld)
            if isinstance(v, str):
                why = looks_like_person(v)
                if why:
                    out.append(doc.problem(("contacts", i, fld), why))
    if isinstance(data.get("force"), str):
        why = looks_like_person(data["force"])
        if why:
            out.append(doc.problem(("force",), why))
    for loc, text in _local_texts(data):
        why = titled_person(text)
        if why:
            out.append(doc.problem(loc, why))
    contacts = {c.get("id") for _, c in _items(data, "contacts")}
    for loc, a in _all_actions(data):
        if isinstance(a, dict) and isinstance(a.get("contact"), str) \
                and a["contact"] not in contacts:
            known = ", ".join(str(c) for c in contacts if isinstance(c, str)) or "none"
            out.append(doc.problem((*loc, "contact"),
                                   f"unknown contact `{a['contact']}` (contacts: {known})"))
    return out


def _local_texts(data: dict[str, Any]) -> list[tuple[PathKey, str]]:
    """Every free text of the overlay other than its contacts (checked more strictly)."""
    out: list[tuple[PathKey, str]] = []
    for loc, a in _all_actions(data):
        if isinstance(a, str):
            out.append((loc, a))
        elif isinstance(a, dict) and isinstance(a.get("text"), str):
            out.append(((*loc, "text"), a["text"]))
    for key, fields_ in (("questions", ("text", "help")), ("rules", ("reason", "headline"))):
        for i, item in _items(data, key):
            out += [((key, i, f), item[f]) for f in fields_ if isinstance(item.get(f), str)]
    return out


def titled_person(text: str) -> str | None:
    """For any local text: a title followed by a capitalised word ("PC Morgan"), or an
    email address of the form first.last@; roles ("the duty inspector") are fine."""
    if _PERSONAL_EMAIL.search(text):
        return "an email address of the form first.last@ names a person: give a team mailbox"
    words = _WORD.findall(text)
    for a, b in itertools.pairwise(words):
        if a.lower().rstrip(".") in TITLES and _NAME_CASE.match(b.rstrip(".")) \
                and _norm(b.rstrip(".")) not in SERVICE_WORDS:
            return (f"`{a} {b}` looks like a person's name: name the role or team instead "
                    "(e.g. the duty inspector)")
    return None


def _all_actions(data: dict[str, Any]) -> list[tuple[PathKey, Any]]:
    out: list[tuple[PathKey, Any]] = [(("actions", i), a) for i, a in _items(data, "actions")]
    for i, r in _items(data, "rules"):
        acts = r.get("actions")
        if isinstance(acts, list):
            out += [(("rules", i, "actions", j), a) for j, a in enumerate(acts)]
    return out


# ----------------------------------------------------------------------------- the base


def base_data(base: R.RuleSet) -> dict[str, Any]:
    """The base rule set's validated data (the form the loader compiles)."""
    from sexting_triage.loader import validated

    raw, text = read_file(base.path, "rule set")
    if hashlib.sha256(raw).hexdigest() != base.sha256:
        raise UsageError(f"{base.path} changed while it was being read: run the command again")
    return validated(load_yaml(base.path, "rule set", text))


def pin_problem(base: R.RuleSet, ov: Overlay) -> str | None:
    """Why the overlay's pin does not match `base` (None when it does)."""
    pin = ov.pin
    if pin["id"] == base.id and pin["sha256"] == base.sha256:
        return None
    return (f"{ov.path}: overlay {ov.id} {ov.version} is pinned to {pin['id']} {pin['version']} "
            f"(sha256 {pin['sha256'][:12]}), not to {base.id} {base.version} (sha256 "
            f"{base.sha256[:12]}). The national edition has changed since the overlay was "
            "proved: re-check every local question, rule and action against it with "
            f"`sexting-triage rules rebase {ov.path} --onto {base.id}`, which proves the overlay "
            "add-only again and only then updates its pin.")


def base_problems(base: R.RuleSet, bdata: dict[str, Any], ov: Overlay) -> list[Problem]:
    """What the overlay must not do to its base: reuse a base id, name a pathway, flag,
    question, source or contact that does not exist, raise a pathway that ends the
    questionnaire, or give a condition that reads unknown facts or impossible values."""
    from sexting_triage.semantics import Context

    doc, data = ov.doc, ov.doc.data
    out: list[Problem] = []
    bq = {q["id"] for q in bdata["questions"]}
    br = {r["id"] for r in bdata["rules"]}
    bp = {p["id"] for p in bdata["pathways"]}
    bf = {f["id"] for f in bdata["flags"]}
    bs = set(bdata["sources"])
    where = f"base {base.id} {base.version}"
    for i, q in _items(data, "questions"):
        qid = q.get("id")
        if qid in bq:
            out.append(doc.problem(("questions", i, "id"), f"`{qid}` is a question of the "
                                   f"{where}: an overlay may only add, never redefine"))
    for i, r in _items(data, "rules"):
        rid = r.get("id")
        if rid in br:
            out.append(doc.problem(("rules", i, "id"), f"`{rid}` is a rule of the {where}: "
                                   "an overlay may only add, never redefine"))
        elif rid in bp | bf:
            out.append(doc.problem(("rules", i, "id"), f"`{rid}` is a pathway or flag of the "
                                   f"{where}: a checklist names where each action comes from, "
                                   "so a local rule needs an id of its own"))
    for key in data.get("sources") or {}:
        if key in bs:
            out.append(doc.problem(("sources", key), f"`{key}` is a source of the {where}: "
                                   "an overlay may only add, never redefine", key=True))
    ends = {p["id"] for p in bdata["pathways"] if p.get("ends_questionnaire")}
    for i, a in _items(data, "actions"):
        to = a.get("to")
        if isinstance(to, str) and to not in bp | bf:
            out.append(doc.problem(("actions", i, "to"), f"unknown pathway or flag `{to}` "
                                   f"(pathways: {', '.join(sorted(bp))}; flags: "
                                   f"{', '.join(sorted(bf))})"))
    sources = bs | set(data.get("sources") or {})
    for i, r in _items(data, "rules"):
        has_p, has_f = r.get("pathway") is not None, r.get("flag") is not None
        if has_p and has_f:
            out.append(doc.problem(("rules", i), "a rule raises one of `pathway` or `flag`, "
                                   "not both (a rule with neither adds its actions only)"))
        if has_p and r["pathway"] not in bp:
            out.append(doc.problem(("rules", i, "pathway"), f"unknown pathway `{r['pathway']}`"))
        elif has_p and r["pathway"] in ends:
            out.append(doc.problem(("rules", i, "pathway"), f"`{r['pathway']}` ends the "
                                   "questionnaire: a local rule raising it would stop the "
                                   "national questions early"))
        if has_f and r["flag"] not in bf:
            out.append(doc.problem(("rules", i, "flag"), f"unknown flag `{r['flag']}`"))
        if r.get("headline") is not None and not has_f:
            out.append(doc.problem(("rules", i, "headline"), "only a rule that raises a flag "
                                   "can have a `headline`", key=True))
        cites = r.get("cite")
        for j, c in enumerate(cites if isinstance(cites, list) else []):
            src = c.get("source") if isinstance(c, dict) else None
            if isinstance(src, str) and src not in sources:
                out.append(doc.problem(("rules", i, "cite", j, "source"),
                                       f"unknown source `{src}` (sources: "
                                       f"{', '.join(sorted(sources))})"))
    # local questions' own shape (choices, ranges), located in the overlay file
    from sexting_triage.semantics import choice_questions, integer_questions

    own = Context(doc, {"questions": data.get("questions")})
    out += [*choice_questions(own), *integer_questions(own)]
    # questions in merged order, for the conditions' domains and ask_when's earlier facts
    order, qproblems = _question_order(doc, bdata)
    out += qproblems
    ctx = Context(doc, {"questions": [q for q, _ in order]})
    earlier: set[str] = set()
    for q, loc in order:
        if loc is not None and "ask_when" in q:
            out += ctx.condition((*loc, "ask_when"), q["ask_when"], earlier)
        earlier.add(q["id"])
    for i, r in _items(data, "rules"):
        if "when" in r:
            out += ctx.condition(("rules", i, "when"), r["when"])
    for loc, a in _all_actions(data):
        if isinstance(a, dict) and isinstance(a.get("if"), str):
            out += ctx.condition((*loc, "if"), a["if"])
    return out


def _question_order(doc: Located, bdata: dict[str, Any]
                    ) -> tuple[list[tuple[dict[str, Any], PathKey | None]], list[Problem]]:
    """Base and local questions in the merged order, each with its location in the overlay
    (None for a base question)."""
    order: list[tuple[dict[str, Any], PathKey | None]] = [(q, None) for q in bdata["questions"]]
    problems: list[Problem] = []
    for i, q in _items(doc.data, "questions"):
        if not isinstance(q.get("id"), str):
            continue
        after = q.get("after")
        loc: PathKey = ("questions", i)
        if after is None:
            order.append((q, loc))
            continue
        ids = [x["id"] for x, _ in order]
        if after not in ids:
            problems.append(doc.problem((*loc, "after"), f"unknown question `{after}` (a base "
                                        "question or an earlier local question)"))
            order.append((q, loc))
            continue
        at = ids.index(after) + 1
        while at < len(order) and order[at][1] is not None:  # after earlier local ones too
            at += 1
        order.insert(at, (q, loc))
    return order, problems


# ----------------------------------------------------------------------------- merging


@dataclass(frozen=True)
class OverlayInfo:
    """What a merged rule set says about its overlay (for decisions, records and messages)."""

    id: str
    version: str
    title: str
    force: str
    sha256: str
    path: str
    base_id: str
    base_version: str
    base_sha256: str

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "version": self.version, "title": self.title,
                "force": self.force, "sha256": self.sha256,
                "base": {"id": self.base_id, "version": self.base_version,
                         "sha256": self.base_sha256}}


@dataclass(frozen=True)
class OverlaidRuleSet(R.RuleSet):
    """A base rule set with a force overlay applied. `sha256` is the digest of the pair
    (base file sha256 and overlay file sha256), so a session or record made with an overlay
    matches only the same base with the same overlay; `provenance()` names both."""

    overlay: OverlayInfo | None = None
    base: R.RuleSet | None = None
    file: Overlay | None = None

    def provenance(self) -> dict[str, str]:
        out = {"id": self.id, "version": self.version, "sha256": self.sha256}
        if self.overlay is not None:
            out |= {"base_sha256": self.overlay.base_sha256, "overlay": self.overlay.id,
                    "overlay_version": self.overlay.version,
                    "overlay_sha256": self.overlay.sha256}
        return out

    @property
    def edition(self) -> str:
        text = f"{self.id} {self.version} ({self.title})"
        if self.overlay is not None:
            text += f" with overlay {self.overlay.id} {self.overlay.version}"
        return text


def overlay_of(rs: R.RuleSet) -> OverlayInfo | None:
    """The overlay a rule set carries, if any."""
    return rs.overlay if isinstance(rs, OverlaidRuleSet) else None


def pair_sha256(base_sha: str, overlay_sha: str) -> str:
    return hashlib.sha256(f"{base_sha}+{overlay_sha}".encode()).hexdigest()


def _contact_text(text: str, contact: dict[str, Any] | None) -> str:
    if contact is None:
        return text
    return f"{text} ({contact['service']}: {contact['reach']}; {contact['hours']})"


def _action(a: Any, contacts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    if isinstance(a, str):
        return {"text": a, "when": "next", "if": None}
    c = contacts.get(a["contact"]) if a.get("contact") else None
    return {"text": _contact_text(a["text"], c), "when": a["when"], "if": a.get("if")}


def merged_data(bdata: dict[str, Any], ov: Overlay) -> dict[str, Any]:
    """Base data with the overlay's additions, in the loader's validated form."""
    data = copy.deepcopy(bdata)
    o = ov.data
    contacts = {c["id"]: c for c in o["contacts"]}
    data["sources"].update(copy.deepcopy(o["sources"]))
    order, _ = _question_order(ov.doc, bdata)
    local = {q["id"]: q for q in o["questions"]}
    data["questions"] = [
        copy.deepcopy(q) if loc is None
        else {k: v for k, v in local[q["id"]].items() if k != "after"}
        for q, loc in order]
    for key in ("pathways", "flags"):
        for item in data[key]:
            item["actions"] = [*item["actions"],
                               *(_action({k: v for k, v in a.items() if k != "to"}, contacts)
                                 for a in o["actions"] if a["to"] == item["id"])]
    for r in o["rules"]:
        rule = copy.deepcopy(r)
        rule["actions"] = [_action(a, contacts) for a in r["actions"]]
        data["rules"].append(rule)
    return data


def apply(base: R.RuleSet, ov: Overlay, check_pin: bool = True) -> OverlaidRuleSet:
    """The base with the overlay applied: checked against the base, then compiled.

    Raises UsageError when the pin does not match (`check_pin`), InputError (located in the
    overlay file) for anything the overlay may not do."""
    from sexting_triage.loader import build_ruleset

    if check_pin:
        why = pin_problem(base, ov)
        if why:
            raise UsageError(why)
    bdata = base_data(base)
    problems = base_problems(base, bdata, ov)
    if problems:
        raise InputError(_sorted(problems))
    merged = build_ruleset(Located(ov.path, merged_data(bdata, ov)), base.sha256)
    info = OverlayInfo(ov.id, ov.version, ov.data["title"], ov.data["force"], ov.sha256,
                       ov.path, base.id, base.version, base.sha256)
    values = {f.name: getattr(merged, f.name) for f in fields(R.RuleSet)}
    values["sha256"] = pair_sha256(base.sha256, ov.sha256)
    values["path"] = base.path
    return OverlaidRuleSet(**values, overlay=info, base=base, file=ov)


def apply_path(base: R.RuleSet, path: str | os.PathLike[str]) -> OverlaidRuleSet:
    return apply(base, load_overlay(path))


def record_rules(record: dict[str, Any], base: R.RuleSet,
                 overlay: str | os.PathLike[str] | None = None) -> R.RuleSet:
    """For `record verify`: the rule set a record was made with, re-applying the overlay it
    names. `overlay` is the overlay file given (else the configured one). Raises UsageError
    naming what is needed when the record names an overlay and none matching is found."""
    from sexting_triage.config import overlay_choice

    got = record.get("rules")
    rules: dict[str, Any] = got if isinstance(got, dict) else {}
    want = rules.get("overlay_sha256")
    if not isinstance(want, str):
        return base
    choice = overlay_choice(overlay)
    name = f"{rules.get('overlay')} {rules.get('overlay_version')}"
    if choice.path is None:
        raise UsageError(f"the record was made with overlay {name} (sha256 {want[:12]}): give "
                         "that overlay file with --overlay FILE")
    ov = load_overlay(choice.path)
    if ov.sha256 != want:
        raise UsageError(f"the record was made with overlay {name} (sha256 {want[:12]}), but "
                         f"{choice.path} is {ov.id} {ov.version} (sha256 {ov.sha256[:12]}): "
                         "give the overlay file the record was made with")
    return apply(base, ov)


def verify_overlay(record: dict[str, Any], rs: R.RuleSet) -> tuple[bool, str] | None:
    """For `record verify`: whether the overlay a record names is the one `rs` carries
    (ok, detail), or None when neither names an overlay."""
    got = record.get("rules")
    rules: dict[str, Any] = got if isinstance(got, dict) else {}
    want = rules.get("overlay_sha256")
    info = overlay_of(rs)
    if want is None and info is None:
        return None
    if info is None:
        return False, (f"the record was made with overlay {rules.get('overlay')} (sha256 "
                       f"{str(want)[:12]}); checking without it")
    if want is None:
        return False, (f"the record names no overlay; checking with overlay {info.id} "
                       f"{info.version} (sha256 {info.sha256[:12]})")
    if want == info.sha256 and rules.get("base_sha256") == info.base_sha256:
        return True, (f"overlay {info.id} {info.version} (sha256 {info.sha256[:12]}) on base "
                      f"sha256 {info.base_sha256[:12]} is the one the record names")
    return False, (f"the record names overlay {rules.get('overlay')} (sha256 {str(want)[:12]}); "
                   f"checking with {info.id} {info.version} (sha256 {info.sha256[:12]})")


# ----------------------------------------------------------------------------- for the CLI


def resolve_with_overlay(base_ref: str | None, overlay: str | os.PathLike[str] | None,
                         resolve: Any, warn: Any = None) -> R.RuleSet:
    """The rule set a command uses: `resolve(base_ref)` with the overlay given, or the one
    configured (environment or config file), applied. With no `base_ref`, the base is the
    overlay's pinned edition when it is bundled. An overlay found in the environment or a
    config file for another rule-set id is not applied to this one (`warn` is told)."""
    from sexting_triage.config import ENV_VAR, overlay_choice
    from sexting_triage.loader import bundled_paths

    choice = overlay_choice(overlay)
    if choice.path is None:
        return resolve(base_ref)  # type: ignore[no-any-return]
    try:
        ov = load_overlay(choice.path)
    except (UsageError, InputError) as exc:
        if choice.source == "option" or (isinstance(exc, InputError) and any(
                p.line is not None for p in exc.problems)):
            raise
        where = ("$" + ENV_VAR if choice.source == "environment" else choice.source)
        raise UsageError(f"{exc} (the force overlay named by {where}; `--overlay none` "
                         "goes without it)") from None
    if base_ref is None and ov.pin["id"] in bundled_paths():
        base_ref = ov.pin["id"]
    base = resolve(base_ref)
    if choice.source != "option" and ov.pin["id"] != base.id:
        if warn is not None:
            where = "$" + ENV_VAR if choice.source == "environment" else choice.source
            warn(f"{choice.path} (named by {where}) is an overlay for {ov.pin['id']}, not "
                 f"{base.id}: not applied")
        return base  # type: ignore[no-any-return]
    return apply(base, ov)


def write_pin(ov: Overlay, new: R.RuleSet) -> bytes:
    """The overlay file's bytes with its `base:` pin (id, version, sha256) rewritten for
    `new`; every other byte is kept."""
    text = ov.text
    edits: list[tuple[int, int, str]] = []
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    for key, value in (("id", new.id), ("version", new.version), ("sha256", new.sha256)):
        where = ov.doc.where(("base", key))
        if ("base", key) not in ov.doc.values or where[0] is None or where[1] is None:
            raise UsageError(f"{ov.path}: cannot find base.{key} to rewrite")
        start = starts[where[0] - 1] + where[1] - 1
        old = ov.doc.data["base"][key]
        style = ov.doc.styles.get(("base", key))
        end = _scalar_end(text, start, style)
        if text[start:end].strip("'\"") != str(old):
            raise UsageError(f"{ov.path}: base.{key} is not written on one line; write it as "
                             f"`{key}: \"...\"` and rebase again")
        quote = '"' if (style in ("'", '"') or key != "id") else ""
        edits.append((start, end, f"{quote}{value}{quote}"))
    for start, end, repl in sorted(edits, reverse=True):
        text = text[:start] + repl + text[end:]
    return text.encode("utf-8")


def _scalar_end(text: str, start: int, style: str | None) -> int:
    if style in ("'", '"'):
        end = text.index(style, start + 1)
        return end + 1
    end = start
    while end < len(text) and text[end] not in "\n\r#,}]":
        end += 1
    while end > start and text[end - 1] in " \t":
        end -= 1
    return end


def save_overlay(path: str | os.PathLike[str], data: bytes) -> None:
    from sexting_triage.files import atomic_write

    p = Path(path)
    try:
        mode = p.stat().st_mode & 0o777
    except OSError:
        mode = 0o600
    atomic_write(p, data, mode=mode)


# ----------------------------------------------------------------------------- the proof


@dataclass(frozen=True)
class Change:
    """Situations that the overlay changes in one (allowed or forbidden) way."""

    kind: str  # higher-pathway | flag-added | action-added | lower-pathway | flag-lost |
    #            action-lost | reordered | questions-changed
    subject: str  # "old -> new" pathways, a flag id, or an action's text
    count: int
    example: dict[str, Any]
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        d = {"kind": self.kind, "subject": self.subject, "count": self.count,
             "example": self.example}
        return d | ({"detail": self.detail} if self.detail else {})


FORBIDDEN = ("lower-pathway", "flag-lost", "action-lost", "reordered", "questions-changed",
             "overrides-stop")


@dataclass(frozen=True)
class Proof:
    """The result of proving an overlay add-only over every situation (see docs/overlays.md
    for what "no action lost" means when a local rule raises a higher pathway)."""

    base: R.RuleSet
    merged: R.RuleSet
    situations: int
    classes: int
    changes: tuple[Change, ...]
    structure: tuple[str, ...]  # problems found in the merged structure itself
    counts: tuple[tuple[str, int], ...] = ()  # situations changed, by kind

    @property
    def failures(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.kind in FORBIDDEN)

    @property
    def holds(self) -> bool:
        return not self.failures and not self.structure

    @property
    def counterexample(self) -> Change | None:
        return self.failures[0] if self.failures else None

    def of_kind(self, kind: str) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.kind == kind)

    def situations_changed(self, kind: str) -> int:
        """Situations with a change of this kind (each situation counted once per kind)."""
        return dict(self.counts).get(kind, 0)

    def as_dict(self) -> dict[str, Any]:
        info = overlay_of(self.merged)
        return {"schema": OVERLAY_PROOF_SCHEMA, "holds": self.holds,
                "base": {"id": self.base.id, "version": self.base.version,
                         "sha256": self.base.sha256},
                "overlay": info.as_dict() if info else None,
                "situations": self.situations,
                "situations_changed": dict(self.counts),
                "structure": list(self.structure),
                "changes": [c.as_dict() for c in self.changes]}



def _checklist_conds(rs: R.RuleSet) -> tuple[Any, ...]:
    """The conditions that, with the pathway and the flags, decide a situation's checklist:
    the `when` of every rule that adds actions, and every action's `if`."""
    out: list[Any] = [r.when for r in rs.rules if r.actions]
    groups = [*(p.actions for p in rs.pathways.values()), *(f.actions for f in rs.flags.values()),
              *(r.actions for r in rs.rules)]
    out += [a.if_ for acts in groups for a in acts if a.if_ is not None]
    return tuple(dict.fromkeys(out))


def structure_problems(base: R.RuleSet, merged: R.RuleSet) -> list[str]:
    """What the merged rule set must keep of its base, exactly: every base question with its
    `ask_when`, in the base order; every base rule unchanged; every pathway and flag with
    the base's actions first, in order; the same precedence; no new stop rule."""
    out: list[str] = []
    mq = [q.id for q in merged.questions if q.id in base.question_index]
    if mq != [q.id for q in base.questions]:
        out.append("the base questions are not all kept in the base order")
    for q in base.questions:
        if q.id in merged.question_index and merged.question(q.id).ask_when_text != \
                q.ask_when_text:
            out.append(f"question {q.id}: its ask_when changed")
    mr = {r.id: r for r in merged.rules}
    for r in base.rules:
        m = mr.get(r.id)
        if m is None or (m.when_text, m.pathway, m.flag, m.actions) != \
                (r.when_text, r.pathway, r.flag, r.actions):
            out.append(f"rule {r.id}: changed or removed")
    if merged.precedence != base.precedence:
        out.append("the precedence of the pathways changed")
    for kind, bd, md in (("pathway", base.pathways, merged.pathways),
                         ("flag", base.flags, merged.flags)):
        for k, item in bd.items():
            other = md.get(k)
            if other is None or tuple(other.actions[:len(item.actions)]) != item.actions:
                out.append(f"{kind} {k}: its national actions are not all kept, in order")
    base_stops = {r.id for _, r in base.stop_rules}
    for _, r in merged.stop_rules:
        if r.id not in base_stops:
            out.append(f"rule {r.id} raises a pathway that ends the questionnaire")
    return out


def _in_order(sub: list[str], full: list[str]) -> bool:
    it = iter(full)
    return all(x in it for x in sub)


def _adder(found: list[tuple[str, str, str]]) -> Any:
    def add(kind: str, subject: str, detail: str = "") -> None:
        found.append((kind, subject, detail))

    return add


def prove(base: R.RuleSet, merged: R.RuleSet) -> Proof:
    """Prove, over every situation (the exact joint walk of both questionnaires), that the
    merged rule set never gives a lower pathway, never loses a flag and never loses or
    reorders an action of its base. Situations are walked in classes that no condition
    tells apart (pathways, flags, rules that add actions and every action's `if`), so
    deciding one example per class is exact for the whole class."""
    from sexting_triage.analysis import Side, Space, side_answers
    from sexting_triage.engine import decide

    space = Space([Side(base, conds=_checklist_conds(base)),
                   Side(merged, conds=_checklist_conds(merged))])
    labels = space.explore()
    rank = {p: n for n, p in enumerate(base.precedence)}
    groups: dict[tuple[str, str], list[Any]] = {}
    per_kind: dict[str, int] = {}
    total = 0
    for _lab, agg in labels.items():
        total += agg.count
        a0, a1 = side_answers(agg.example, 0), side_answers(agg.example, 1)
        d0, d1 = decide(base, a0), decide(merged, a1)
        found: list[tuple[str, str, str]] = []
        add = _adder(found)
        if {k: v for k, v in a1.items() if k in base.question_index} != a0:
            add("questions-changed", "national questions asked",
                "the overlay changes which national questions are asked")
        r0, r1 = rank[d0.pathway], rank[d1.pathway]
        if base.pathways[d0.pathway].ends_questionnaire and d1.pathway != d0.pathway:
            # the national questions stopped here: the answers that decide a pathway were
            # never asked, so no local rule may give one
            add("overrides-stop", f"{d0.pathway} -> {d1.pathway}")
        elif r1 > r0:
            add("lower-pathway", f"{d0.pathway} -> {d1.pathway}")
        elif r1 < r0:
            add("higher-pathway", f"{d0.pathway} -> {d1.pathway}")
        for f in d0.flags:
            if f not in d1.flags:
                add("flag-lost", f)
        for f in d1.flags:
            if f not in d0.flags:
                add("flag-added", f)
        t0, t1 = list(d0.action_texts), list(d1.action_texts)
        if d0.pathway == d1.pathway:
            must = t0
        else:  # outweighed, as the national edition does when its own rules raise it
            outweighed = {a.text for a in d0.actions
                          if a.from_ == d0.pathway
                          or any(r.id == a.from_ and r.pathway == d0.pathway
                                 for r in base.rules)}
            must = [t for t in t0 if t not in outweighed]
        for t in must:
            if t not in t1:
                add("action-lost", t, f"on {d1.pathway}")
        if d0.pathway == d1.pathway and not _in_order([t for t in t0 if t in t1], t1):
            add("reordered", "national actions", "the national actions are not in their order")
        base_texts = set(t0)
        for a in d1.actions:
            if a.text not in base_texts:
                add("action-added", a.text, f"from {a.from_}")
        for kind, subject, detail in found:
            g = groups.setdefault((kind, subject), [0, a1, detail])
            g[0] += agg.count
        for kind in {k for k, _, _ in found}:
            per_kind[kind] = per_kind.get(kind, 0) + agg.count
    order = {k: n for n, k in enumerate(
        (*FORBIDDEN, "higher-pathway", "flag-added", "action-added"))}
    changes = sorted((Change(k, s, g[0], g[1], g[2]) for (k, s), g in groups.items()),
                     key=lambda c: (order[c.kind], -c.count, c.subject))
    return Proof(base, merged, total, len(labels), tuple(changes),
                 tuple(structure_problems(base, merged)), tuple(sorted(per_kind.items())))


def check_overlay(path: str | os.PathLike[str], base_ref: str | None = None,
                  resolve: Any = None) -> Proof:
    """For `rules check OVERLAY`: load the overlay, its pinned base (or `base_ref`), apply
    and prove it. A pin that does not match is a UsageError (exit 2) saying what to re-check."""
    from sexting_triage.loader import resolve as resolve_ref

    ov = load_overlay(path)
    base = (resolve or resolve_ref)(base_ref or ov.pin["id"])
    return prove(base, apply(base, ov))


def is_overlay_file(path: str | os.PathLike[str]) -> bool:
    """Whether a file given where a rule set is expected is an overlay (its top level has
    `overlay:` and `base:`): for `rules check` and `rules diff` to tell them apart."""
    try:
        doc = load_yaml(path, "file")
    except (InputError, UsageError):
        return False
    return isinstance(doc.data, dict) and "overlay" in doc.data and "base" in doc.data


# ----------------------------------------------------------------------------- rebasing


@dataclass(frozen=True)
class Duplicate:
    """A local question or action whose text the national edition now has itself."""

    kind: str  # question | action
    local: str  # the local id, or where the action is
    national: str  # where the national text is

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "local": self.local, "national": self.national}


@dataclass(frozen=True)
class Rebase:
    proof: Proof
    written: bool
    duplicates: tuple[Duplicate, ...]
    old_pin: dict[str, str]


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def duplicates(new: R.RuleSet, ov: Overlay) -> list[Duplicate]:
    """Every local question or action whose text (ignoring case, spacing and punctuation)
    the national edition now has."""
    out: list[Duplicate] = []
    qtexts = {_key(q.text): q.id for q in new.questions}
    for q in ov.data["questions"]:
        hit = qtexts.get(_key(q["text"]))
        if hit:
            out.append(Duplicate("question", q["id"], f"question {hit}"))
    national: dict[str, str] = {}
    for kind, items in (("pathway", new.pathways.values()), ("flag", new.flags.values()),
                        ("rule", new.rules)):
        for item in items:
            for a in item.actions:
                national.setdefault(_key(a.text), f"{kind} {item.id}")
    for i, a in enumerate(ov.data["actions"]):
        hit = national.get(_key(a["text"]))
        if hit:
            out.append(Duplicate("action", f"actions[{i}] (on {a['to']})", hit))
    for r in ov.data["rules"]:
        for j, a in enumerate(r["actions"]):
            text = a if isinstance(a, str) else a["text"]
            hit = national.get(_key(text))
            if hit:
                out.append(Duplicate("action", f"rules[{r['id']}].actions[{j}]", hit))
    return out


def rebase(path: str | os.PathLike[str], new: R.RuleSet, write: bool = True) -> Rebase:
    """Re-prove the overlay against a new national edition; rewrite its pin (id, version,
    sha256, every other byte kept, atomically) only when the proof holds."""
    ov = load_overlay(path)
    merged = apply(new, ov, check_pin=False)
    proof = prove(new, merged)
    dups = tuple(duplicates(new, ov))
    written = False
    if proof.holds and write and ov.pin != {"id": new.id, "version": new.version,
                                            "sha256": new.sha256}:
        data = write_pin(ov, new)
        if hashlib.sha256(Path(path).read_bytes()).hexdigest() != ov.sha256:
            raise UsageError(f"{path} changed while it was being re-proved: run the command "
                             "again")
        save_overlay(path, data)
        written = True
    return Rebase(proof, written, dups, ov.pin)
