"""Re-basing an overlay onto a new national edition: prove it again, then rewrite only its
pin (every other byte kept, atomically); report local text the edition now has itself."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from sexting_triage import ruleset as R
from sexting_triage.errors import UsageError
from sexting_triage.overlay.format import Overlay, load_overlay
from sexting_triage.overlay.merge import apply
from sexting_triage.overlay.proof import Proof, prove


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
