"""Compatibility home for the JSON writer: the shapes themselves live in serialize.py."""

from __future__ import annotations

from sexting_triage.serialize import DECISION_SCHEMA, NOTICE, decision_dict, dumps

__all__ = ["DECISION_SCHEMA", "NOTICE", "decision_dict", "dumps"]
