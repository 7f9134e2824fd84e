"""The JSON shapes the tool prints: one document, with a `schema` key."""

from __future__ import annotations

import json
import re
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


# Characters json.dumps leaves raw with ensure_ascii=False that a terminal may act on: DEL and
# the C1 controls (\x9b is a one-byte CSI), line/paragraph separators, bidi overrides.
_RAW_CONTROLS = re.compile("[\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def dumps(data: Any) -> str:
    """One JSON document; text stays exact, but every control character is a \\u escape
    (they can only occur inside strings, so the document decodes to the same data)."""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    return _RAW_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
