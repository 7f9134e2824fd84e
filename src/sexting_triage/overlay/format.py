"""The overlay file format: its pydantic models (the source of its JSON Schema), the rule
that a contact is a service and never a person, and loading a file with every problem at
`path:line:col`."""

from __future__ import annotations

import hashlib
import itertools
import os
import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from sexting_triage import model as M
from sexting_triage.errors import InputError, Problem, sorted_problems
from sexting_triage.serialize import OVERLAY_FILE_SCHEMA
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
        raise InputError(sorted_problems(problems)) from None
    problems = _local_problems(doc)
    if problems:
        raise InputError(sorted_problems(problems))
    return Overlay(doc.path, hashlib.sha256(raw).hexdigest(), text, doc,
                   model.model_dump(mode="json", by_alias=True))


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


