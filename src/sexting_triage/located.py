"""Plain data read from a file, with the line and column of every value and key.

The rule-file checks (`semantics`), the scenario and overlay formats and every error message
point at `path:line:col` through a `Located`; `yamlio` makes them from YAML. Kept apart from
the YAML reader so that code which only reads positions (the semantic checks, a rule set
served from the compiled cache) does not import PyYAML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sexting_triage.errors import Problem

PathKey = tuple[str | int, ...]


@dataclass
class Located:
    """Plain data from a YAML file with the position of every value and every mapping key."""

    path: str
    data: Any
    values: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    keys: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    # for block scalars the text starts on the next line; for quoted ones one column in
    styles: dict[PathKey, str | None] = field(default_factory=dict)

    def where(self, loc: PathKey, key: bool = False) -> tuple[int | None, int | None]:
        """Line and column (1-based) of the value at `loc`, or of its nearest ancestor."""
        table = self.keys if key else self.values
        if key and loc in table:
            return table[loc]
        probe = tuple(loc)
        while True:
            if probe in self.values:
                return self.values[probe]
            if not probe:
                return None, None
            probe = probe[:-1]

    def problem(self, loc: PathKey, message: str, key: bool = False,
                offset: tuple[int, int] | None = None) -> Problem:
        line, col = self.where(loc, key)
        if offset is not None and line is not None and col is not None and loc in self.values:
            dline, dcol = offset
            style = self.styles.get(loc)
            if style in ("|", ">"):
                line, col = line + 1 + dline, None
            elif dline == 0:
                col = col + dcol + (1 if style in ("'", '"') else 0)
        return Problem(self.path, line, col, dotted(loc, self.data), message)


def dotted(loc: PathKey, data: Any = None) -> str:
    """`rules[adult-involved].when`: list items named by their id where they have one."""
    out = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            label = str(part)
            if isinstance(node, list) and 0 <= part < len(node):
                item = node[part]
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    label = item["id"]
                node = item
            else:
                node = None
            out += f"[{label}]"
        else:
            out += ("." if out else "") + str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out
