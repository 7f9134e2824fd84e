"""Fuzzing session files and decision records: mutated copies of a real session and a real
record load (and verify, and restore) or are refused with the tool's own error, never
anything else.

Longer run: SEXTING_TRIAGE_FUZZ_EXAMPLES=5000 pytest -m slow tests/test_fuzz_sessions_records.py
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fuzzing import fuzz, mutated, scratch
from helpers import CLEAN
from sexting_triage import loader, records
from sexting_triage import session as S
from sexting_triage.engine import decide
from sexting_triage.errors import InputError, TriageError

pytestmark = pytest.mark.slow  # fuzzing: CI runs it with `pytest -m slow`

RS = loader.resolve("cop-2016")
CASE = {"taken_without_consent": "no"} | CLEAN  # with the question rule sets 1.1 added
ANSWERS = {k: v for k, v in CASE.items() if k in RS.question_index}
RECORD = records.build(decide(RS, ANSWERS), "CAD-1-26")
_DIR = scratch("fuzz-sessions-")
_SESSION = S.Session.create(_DIR, RS, "cop-2016")
_SESSION.set_answers({k: ANSWERS[k] for k in list(ANSWERS)[:6]})
_SESSION.release()
SESSION = json.loads(_SESSION.path.read_text(encoding="utf-8"))

VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["yes", "no", "unknown", "cop-2016", "/nonexistent.yaml",
                     "full-investigation", "0" * 64, "\x1b[2J"]),
    st.lists(st.sampled_from(["yes", 1, None, {"rule": "x"}]), max_size=3),
    st.dictionaries(st.sampled_from(["id", "rule", "text", "sha256", "version", "imagery"]),
                    st.sampled_from(["yes", 1, None, [], {}]), max_size=3),
)


KEYS = st.sampled_from(["x", "answers", "rules", "parts", "imagery"])


def mutated_file(base: dict[str, Any]) -> st.SearchStrategy[Any]:
    return mutated(base, VALUES, KEYS, ("replace", "delete", "add"))


def _write(data: Any, name: str) -> Path:
    p = _DIR / name
    p.write_text(json.dumps(data), encoding="utf-8")
    return p


@fuzz(150)
@given(mutated_file(SESSION))
def test_mutated_sessions_load_and_restore_or_are_refused(data: Any) -> None:
    p = _write(data, "s.json")
    try:
        sess = S.load(p)
    except InputError as exc:
        assert all(str(x).startswith(str(p)) for x in exc.problems)
        return
    restored = S.restore(sess, RS)
    for qid, value in restored.answers.items():
        assert value in RS.question(qid).domain


@fuzz(150)
@given(mutated_file(RECORD))
def test_mutated_records_load_and_verify_or_are_refused(data: Any) -> None:
    p = _write(data, "r.json")
    try:
        rec = records.load(p)
    except InputError as exc:
        assert all(str(x).startswith(str(p)) for x in exc.problems)
        return
    try:
        parts = records.verify(rec, RS)
    except TriageError:
        return
    assert [x.name for x in parts] == ["content", "provenance", "answers", "decision"]
    if data != RECORD:
        assert not all(x.ok for x in parts), "an edit went unnoticed"
    records.intact(rec)


@fuzz(40)
@given(mutated_file(RECORD))
def test_record_show_on_mutated_records(data: Any) -> None:
    import contextlib
    import io

    from sexting_triage.cli import main

    p = _write(data, "show.json")
    for fmt in ("text", "markdown", "html"):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["record", "show", str(p), "--format", fmt, "--no-color"])
        assert code in (0, 2), err.getvalue()
        assert "Traceback" not in err.getvalue()


def _signed_with_officer() -> tuple[dict[str, Any], bytes]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    key = ed25519.Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    d = decide(RS, ANSWERS)
    other = next(p for p in RS.pathways if p != d.pathway)
    rec = records.build(d, "CAD-1-26", {"decision": other, "reason": "facts-disputed"})
    return records.sign(rec, private), public


try:
    SIGNED, PUBLIC = _signed_with_officer()
except ImportError:  # the sign extra is not installed: the test below skips
    SIGNED, PUBLIC = RECORD, b""


@fuzz(100)
@given(mutated_file(SIGNED), st.booleans())
def test_any_edit_to_a_signed_record_fails_its_signature(data: Any, reseal: bool) -> None:
    """Whatever is edited, re-sealed or not, the signature check says so (and nothing else
    than the tool's own errors is raised)."""
    pytest.importorskip("cryptography")
    if reseal and isinstance(data, dict):
        sig = data.get("signature")
        data = records.seal(data)
        if sig is not None:
            data["signature"] = sig
    p = _write(data, "signed.json")
    try:
        rec = records.load(p)
        parts = records.verify(rec, RS, PUBLIC)
    except TriageError:
        return
    sig_ok = parts[0].name == "signature" and parts[0].ok
    assert sig_ok == (data == SIGNED), parts[0]
