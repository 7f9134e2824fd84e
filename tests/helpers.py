"""Small shared test data: a clean baseline answers mapping for the bundled rule sets."""

from __future__ import annotations

from typing import Any

# A non-aggravated case: two 15-year-olds, images swapped with each other only.
CLEAN: dict[str, Any] = {
    "imagery": "yes",
    "subject_under_18": "yes",
    "youngest_age": 15,
    "immediate_risk": "no",
    "adult_involved": "no",
    "coercion": "no",
    "financial_sextortion": "no",
    "grooming_or_exploitation": "no",
    "profit_motive": "no",
    "capacity_concern": "no",
    "wider_child_protection": "no",
    "sexual_acts": "no",
    "ai_or_altered": "no",
    "taken_without_consent": "no",
    "sharing_extent": "intended_recipient",
    "shared_without_consent": "no",
    "malicious_intent": "no",
    "previous_incidents": "no",
    "power_imbalance": "no",
}

# The same case as cop-2016 asks it (that edition has no questions on these three facts).
CLEAN_2016: dict[str, Any] = {k: v for k, v in CLEAN.items()
                              if k not in ("financial_sextortion", "ai_or_altered",
                                           "power_imbalance")}


def case(**changes: Any) -> dict[str, Any]:
    """The clean baseline with some answers changed (None removes an answer)."""
    out = dict(CLEAN)
    for k, v in changes.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = v
    return out
