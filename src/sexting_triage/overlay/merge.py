"""An overlay checked against its base (pinned by sha256; only additions) and merged into one
compiled rule set that names both; what records and commands need to use it."""

from __future__ import annotations

import copy
import hashlib
import os
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from sexting_triage import ruleset as R
from sexting_triage.errors import InputError, Problem, UsageError, sorted_problems
from sexting_triage.overlay.format import (
    Overlay,
    _all_actions,
    _items,
    load_overlay,
)
from sexting_triage.yamlio import Located, PathKey, load_yaml, read_file

if TYPE_CHECKING:
    from sexting_triage.config import OverlayChoice

# ----------------------------------------------------------------------------- the base


def base_data(base: R.RuleSet) -> dict[str, Any]:
    """The base rule set's validated data (the form the loader compiles): the loader's own
    cache entry for its sha256 when there is one (loading the base just wrote it), else the
    file read and validated again."""
    from sexting_triage import loader

    cached = loader._cache_read(base.sha256)
    if cached is not None and cached.get("id") == base.id:
        return cached
    raw, text = read_file(base.path, "rule set")
    if hashlib.sha256(raw).hexdigest() != base.sha256:
        raise UsageError(f"{base.path} changed while it was being read: run the command again")
    return loader.validated(load_yaml(base.path, "rule set", text))


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
        raise InputError(sorted_problems(problems))
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
                         resolve: Any, warn: Any = None,
                         choice: OverlayChoice | None = None) -> R.RuleSet:
    """The rule set a command uses: `resolve(base_ref)` with the overlay given, or the one
    configured (environment or config file), applied. With no `base_ref`, the base is the
    overlay's pinned edition when it is bundled. An overlay found in the environment or a
    config file for another rule-set id is not applied to this one (`warn` is told).
    `choice`: the overlay already looked up for `overlay` (the config is then not read again)."""
    from sexting_triage.config import ENV_VAR, overlay_choice
    from sexting_triage.loader import bundled_paths

    choice = choice if choice is not None else overlay_choice(overlay)
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


