"""The JSON shapes the tool prints: one document, with a `schema` key."""

from __future__ import annotations

import json
from typing import Any

from sexting_triage import __version__
from sexting_triage.engine import Decision

DECISION_SCHEMA = "sexting-triage/decision/1"


def decision_dict(d: Decision) -> dict[str, Any]:
    """The decision as data: what JSON output, records and scenarios all share."""
    rs = d.ruleset
    return {
        "schema": DECISION_SCHEMA,
        "tool": {"name": "sexting-triage", "version": __version__},
        "rules": rs.provenance() | {"title": rs.title, "status": rs.status},
        "pathway": {"id": d.pathway, "title": rs.pathways[d.pathway].title},
        "flags": list(d.flags),
        "reasons": [r.as_dict() for r in d.reasons],
        "actions": list(d.actions),
        "answers": dict(d.answers),
        "asked": list(d.asked),
        "ignored": [i.as_dict() for i in d.ignored],
        "notice": NOTICE,
    }


NOTICE = ("Decision support only: officer judgement, supervision and force policy come first.")


def dumps(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)
