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

Core package: no front end, no printing. One job per module: `format` (the file, its
schema, loading), `merge` (checking against the base, merging, provenance), `proof` (the
exact add-only proof) and `rebase` (re-proving and re-pinning).
"""

from __future__ import annotations

from sexting_triage.loader import is_overlay_file
from sexting_triage.overlay.format import (
    SERVICE_WORDS,
    TITLES,
    AddedAction,
    BasePin,
    Contact,
    LocalAction,
    LocalQuestion,
    LocalRule,
    Overlay,
    OverlayModel,
    load_overlay,
    looks_like_person,
    overlay_schema,
    titled_person,
)
from sexting_triage.overlay.merge import (
    OverlaidRuleSet,
    OverlayInfo,
    apply,
    apply_path,
    base_data,
    base_problems,
    merged_data,
    overlay_of,
    pair_sha256,
    pin_problem,
    record_rules,
    resolve_with_overlay,
    verify_overlay,
)
from sexting_triage.overlay.proof import (
    FORBIDDEN,
    Change,
    Proof,
    check_overlay,
    prove,
    structure_problems,
)
from sexting_triage.overlay.rebase import (
    Duplicate,
    Rebase,
    duplicates,
    rebase,
    save_overlay,
    write_pin,
)

__all__ = [
    "FORBIDDEN", "SERVICE_WORDS", "TITLES", "AddedAction", "BasePin", "Change", "Contact",
    "Duplicate", "LocalAction", "LocalQuestion", "LocalRule", "OverlaidRuleSet", "Overlay",
    "OverlayInfo", "OverlayModel", "Proof", "Rebase", "apply", "apply_path", "base_data",
    "base_problems", "check_overlay", "duplicates", "is_overlay_file", "load_overlay",
    "looks_like_person", "merged_data", "overlay_of", "overlay_schema", "pair_sha256",
    "pin_problem", "prove", "rebase", "record_rules", "resolve_with_overlay", "save_overlay",
    "structure_problems", "titled_person", "verify_overlay", "write_pin",
]
