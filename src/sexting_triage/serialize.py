"""Every JSON document shape the tool reads or writes, and every schema id, in one place.

Core module: it imports no front end. Commands print these documents with `dumps`; records,
sessions, scenarios, checks and diffs build their documents from the shapes here, so a
schema change is made (and its version bumped) in this one file. The arrows point one way:
serialize reads the scenario and diff types; neither package imports it back for a schema id
(the scenario file schema is built here, as the rule-set file schema is).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sexting_triage import __version__

if TYPE_CHECKING:  # types only: a diff or a check is serialised without loading the engine
    from sexting_triage.diff import DiffReport, Group
    from sexting_triage.engine import Decision
    from sexting_triage.ruleset import RuleSet
    from sexting_triage.scenarios.check import ScenarioResult
    from sexting_triage.scenarios.coverage import Coverage

# Schema ids: bump the number when a document's shape changes incompatibly.
DECISION_SCHEMA = "sexting-triage/decision/2"  # 2: actions as {text, when, from}; recording
RECORD_SCHEMA = "sexting-triage/record/2"  # 2: optional officer decision and signature
RECORD_SCHEMAS_READ = ("sexting-triage/record/1", RECORD_SCHEMA)
SESSION_SCHEMA = "sexting-triage/session/1"
SCENARIO_SCHEMA = "sexting-triage/scenario/1"
SCENARIO_CHECK_SCHEMA = "sexting-triage/scenario-check/1"
SCENARIO_COVERAGE_SCHEMA = "sexting-triage/scenario-coverage/1"
RULES_CHECK_SCHEMA = "sexting-triage/check/1"
DIFF_SCHEMA = "sexting-triage/diff/1"
RULESETS_SCHEMA = "sexting-triage/rulesets/1"
RULESET_SUMMARY_SCHEMA = "sexting-triage/ruleset-summary/1"
RULESET_FILE_SCHEMA = "sexting-triage/ruleset/1"
RECORD_VERIFY_SCHEMA = "sexting-triage/record-verify/1"
OVERLAY_FILE_SCHEMA = "sexting-triage/overlay/1"  # the overlay file format's JSON Schema id
OVERLAY_PROOF_SCHEMA = "sexting-triage/overlay-proof/1"
OVERLAY_REBASE_SCHEMA = "sexting-triage/overlay-rebase/1"

NOTICE = "Decision support only: officer judgement, supervision and force policy come first."

TOOL = {"name": "sexting-triage", "version": __version__}


def decision_dict(d: Decision) -> dict[str, Any]:
    """The decision as data: what JSON output, records and scenarios all share."""
    rs = d.ruleset
    return {
        "schema": DECISION_SCHEMA,
        "tool": dict(TOOL),
        "rules": rs.provenance() | {"title": rs.title, "status": rs.status},
        "pathway": {"id": d.pathway, "title": rs.pathways[d.pathway].title},
        "flags": list(d.flags),
        "flag_details": flag_details(d),
        "reasons": [r.as_dict() for r in d.reasons],
        "actions": [a.as_dict() for a in d.actions],
        "recording": d.recording.as_dict() if d.recording else None,
        "long_term": ({"text": d.long_term[0], "cite": [c.as_dict() for c in d.long_term[1]]}
                      if d.long_term else None),
        "answers": dict(d.answers),
        "asked": list(d.asked),
        "ignored": [i.as_dict() for i in d.ignored],
        "notice": NOTICE,
    } | _overlay(rs)


def flag_details(d: Decision) -> list[dict[str, Any]]:
    """Each flag raised, in order, with its title, whether it is urgent, and the headline of
    the first rule that raised it with one (e.g. 'Not yet known: establish now ...'), so a
    record read on its own says what each flag means."""
    rs = d.ruleset
    out = []
    for f in d.flags:
        headline = next((r.headline for r in d.reasons
                         if r.role == "flag" and r.effect == f and r.headline), None)
        out.append({"id": f, "title": rs.flags[f].title, "urgent": rs.flags[f].urgent,
                    "headline": headline})
    return out


def _overlay(rs: Any) -> dict[str, Any]:
    """`overlay` (id, version, title, force, sha256 and its base with its sha256) for a
    decision made with a force overlay; nothing otherwise."""
    info = getattr(rs, "overlay", None)
    return {"overlay": info.as_dict()} if info is not None else {}


# Characters json.dumps leaves raw with ensure_ascii=False that a terminal may act on: DEL and
# the C1 controls (\x9b is a one-byte CSI), line/paragraph separators, bidi overrides.
_RAW_CONTROLS = re.compile("[\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def dumps(data: Any) -> str:
    """One JSON document; text stays exact, but every control character is a \\u escape
    (they can only occur inside strings, so the document decodes to the same data)."""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    return _RAW_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def scenario_check_doc(results: Iterable[ScenarioResult], summary: dict[str, int]
                       ) -> dict[str, Any]:
    """`scenarios check --json`: the summary and one entry per scenario and rule set
    (`results` are scenarios.check.ScenarioResult)."""
    out = []
    for r in results:
        d, e = r.decision, r.scenario.expectation_for(r.ruleset)
        out.append({
            "scenario": r.scenario.name, "path": r.scenario.path, "index": r.scenario.index,
            "title": r.scenario.title, "tags": list(r.scenario.tags),
            "rules": r.ruleset.provenance(), "status": r.status,
            "failures": list(r.failures), "warnings": list(r.warnings),
            "expect": e.as_dict() if e else None,
            "decision": None if d is None else {"pathway": d.pathway, "flags": list(d.flags),
                                                "fired": list(d.fired)},
        })
    return {"schema": SCENARIO_CHECK_SCHEMA, "summary": summary, "results": out}


def scenario_coverage_doc(reports: Iterable[Coverage]) -> dict[str, Any]:
    """`scenarios coverage --json` (`reports` are scenarios.coverage.Coverage)."""
    return {"schema": SCENARIO_COVERAGE_SCHEMA, "coverage": [
        {"rules": c.ruleset.provenance(), "scenarios": c.scenarios, "decided": c.decided,
         "counts": {k: {"exercised": a, "reachable": b} for k, (a, b) in c.counts().items()},
         "exercised": {"pathways": c.pathways, "flags": c.flags, "rules": c.rules,
                       "questions": c.questions, "values": c.values},
         "never_exercised": c.missing()} for c in reports]}


# ----------------------------------------------------------------------------- rule sets


def ruleset_file_schema() -> dict[str, Any]:
    """The JSON Schema of the rule-set file format (`rules schema`), generated from the
    models the loader validates with."""
    from sexting_triage.model import RuleSet as RuleSetModel

    schema = RuleSetModel.model_json_schema(by_alias=True, mode="validation")
    schema.pop("title", None)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": RULESET_FILE_SCHEMA, "title": "sexting-triage rule set", **schema}


def scenario_file_schema() -> dict[str, Any]:
    """The published JSON Schema of scenario files (schema/scenario.schema.json), generated
    from the models scenario files are validated with."""
    from pydantic import TypeAdapter

    from sexting_triage.scenarios.format import ScenarioFile

    schema = TypeAdapter(ScenarioFile).json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": SCENARIO_SCHEMA, "title": "sexting-triage scenario file", **schema}


def rulesets_doc(sets: Iterable[RuleSet], default: str | None) -> dict[str, Any]:
    """`rules list --json`: the bundled rule sets and which is the default."""
    return {"schema": RULESETS_SCHEMA, "default": default, "rulesets": [
        {"id": s.id, "version": s.version, "title": s.title, "status": s.status,
         "default": s.id == default, "sha256": s.sha256,
         "sources": {k: {"title": v.title, "date": v.date} for k, v in s.sources.items()}}
        for s in sets]}


def ruleset_summary_doc(rs: RuleSet) -> dict[str, Any]:
    """`rules show --json`: questions, pathways, flags and rules of one rule set."""
    return {
        "schema": RULESET_SUMMARY_SCHEMA,
        "id": rs.id, "version": rs.version, "title": rs.title, "status": rs.status,
        "sha256": rs.sha256,
        "sources": {k: {"title": s.title, "date": s.date, "url": s.url}
                    for k, s in rs.sources.items()},
        "questions": [{"id": q.id, "text": q.text, "help": q.help, "type": q.type,
                       "domain": list(q.domain), "ask_when": q.ask_when_text}
                      for q in rs.questions],
        "pathways": [{"id": p, "title": rs.pathways[p].title,
                      "actions": [a.text for a in rs.pathways[p].actions]}
                     for p in rs.precedence],
        "flags": [{"id": f.id, "title": f.title, "urgent": f.urgent}
                  for f in rs.flags.values()],
        "rules": [{"id": r.id, "when": r.when_text, "pathway": r.pathway, "flag": r.flag,
                   "reason": r.reason, "actions": [a.text for a in r.actions],
                   "cite": [c.as_dict() for c in r.cite]} for r in rs.rules],
    } | _overlay(rs)


# ----------------------------------------------------------------------------- diffs


def diff_group_doc(g: Group) -> dict[str, Any]:
    """One group of situations that change in the same way."""
    head = {"from": g.old, "to": g.new} if g.kind == "pathway" else {"flag": g.old,
                                                                     "change": g.new}
    return {**head, "count": g.count, "when": g.when, "example": g.example,
            "rules_old": g.rules_old, "rules_new": g.rules_new}


def diff_doc(rep: DiffReport) -> dict[str, Any]:
    """`rules diff --json`: structure, behaviour (exact counts and conditions), scenarios."""
    return {
        "schema": DIFF_SCHEMA,
        "old": rep.old.provenance() | {"title": rep.old.title},
        "new": rep.new.provenance() | {"title": rep.new.title},
        "identical": rep.identical,
        "structural": rep.structural,
        "transitions": [diff_group_doc(g) for g in rep.behaviour.transitions],
        "flag_changes": [diff_group_doc(g) for g in rep.behaviour.flag_changes],
        "situations_total": rep.behaviour.total,
        "situations_changed": rep.behaviour.changed,
        "scenarios": rep.scenarios,
    }
