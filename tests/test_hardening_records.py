"""Decision records: `record verify` detects any edit (answers, decision, provenance and
every other part) and names the part that changed; broken and hostile record files are
refused with exit 2 and a location, never a traceback."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sexting_triage import records, signing
from sexting_triage.cli import main
from sexting_triage.engine import decide
from sexting_triage.loader import resolve
from test_hardening_input import HOSTILE_YAML

ANSWERS = {
    "imagery": "yes", "subject_under_18": "yes", "youngest_age": 14, "immediate_risk": "no",
    "adult_involved": "no", "coercion": "no", "grooming_or_exploitation": "no",
    "profit_motive": "no", "capacity_concern": "no", "wider_child_protection": "no",
    "sexual_acts": "no", "taken_without_consent": "no",
    "sharing_extent": "few_others", "shared_without_consent": "yes",
    "malicious_intent": "no", "previous_incidents": "no",
}


@pytest.fixture(scope="module")
def record() -> dict[str, Any]:
    d = decide(resolve("cop-2016"), ANSWERS)
    return records.build(d, "CAD-1234-26", now=datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC))


def verify(capsys: pytest.CaptureFixture[str], tmp_path: Path,
           rec: dict[str, Any]) -> tuple[int, str, str]:
    p = tmp_path / "record.json"
    p.write_text(json.dumps(rec, indent=2, ensure_ascii=False), encoding="utf-8")
    code = main(["record", "verify", str(p), "--no-color"])
    out, err = capsys.readouterr()
    return code, out, err


def line_of(out: str, part: str) -> str:
    return next(x for x in out.splitlines() if x.startswith(part))


def set_path(rec: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    node = rec
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value


EDITS: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    # (what, edit, the part `content` names)
    ("answer-same-decision", lambda r: set_path(r, ("answers", "youngest_age"), 15), "answers"),
    ("answer-new-decision", lambda r: set_path(r, ("answers", "adult_involved"), "yes"),
     "answers"),
    ("answer-removed", lambda r: r["answers"].pop("previous_incidents"), "answers"),
    ("answer-added", lambda r: set_path(r, ("answers", "power_imbalance"), "no"), "answers"),
    ("pathway", lambda r: set_path(r, ("decision", "pathway", "id"), "full-investigation"),
     "decision"),
    ("pathway-title", lambda r: set_path(r, ("decision", "pathway", "title"), "Nothing to do"),
     "decision"),
    ("flag-removed", lambda r: set_path(r, ("decision", "flags"), []), "decision"),
    ("reason-text", lambda r: set_path(r, ("decision", "reasons", 0, "text"), "Fine."),
     "decision"),
    ("action-removed", lambda r: r["decision"]["actions"].pop(), "decision"),
    ("rules-sha256", lambda r: set_path(r, ("rules", "sha256"), "0" * 64),
     "provenance (rule set)"),
    ("rules-version", lambda r: set_path(r, ("rules", "version"), "9.9.9"),
     "provenance (rule set)"),
    ("question-text", lambda r: set_path(r, ("questions", 0, "text"), "Anything?"),
     "question texts"),
    ("incident-ref", lambda r: set_path(r, ("incident_ref",), "CAD-9999-26"),
     "incident reference"),
    ("created", lambda r: set_path(r, ("created",), "2020-01-01T00:00:00Z"), "time made"),
    ("tool-version", lambda r: set_path(r, ("tool", "version"), "0.0.1"), "tool version"),
    ("notice-removed", lambda r: r.pop("notice"), "notice"),
    ("key-added", lambda r: set_path(r, ("child_name",), "Jane Doe"), "`child_name`"),
    ("officer-decision-added", lambda r: set_path(r, ("officer",), "PC 1234"),
     "officer's decision"),
]


@pytest.mark.parametrize("recompute", [False, True],
                         ids=["hash-untouched", "overall-hash-recomputed"])
@pytest.mark.parametrize(("what", "edit", "part"), EDITS, ids=[e[0] for e in EDITS])
def test_any_edit_is_detected_and_named(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        record: dict[str, Any], what: str,
                                        edit: Callable[[dict[str, Any]], None], part: str,
                                        recompute: bool) -> None:
    rec = copy.deepcopy(record)
    edit(rec)
    assert rec != record, "the edit changed nothing: the test would prove nothing"
    if recompute:  # someone who knows the format fixes up the record's own hash
        rec["sha256"] = records.content_hash(rec)
    code, out, err = verify(capsys, tmp_path, rec)
    assert code == 1, (out, err)
    content = line_of(out, "content")
    assert "DIFFERS" in content and part in content, content
    assert "MISMATCH" in out and "Traceback" not in err


def test_intact_record_matches(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                               record: dict[str, Any]) -> None:
    code, out, _ = verify(capsys, tmp_path, record)
    assert code == 0 and "MATCH" in out and "DIFFERS" not in out


def test_edit_with_every_digest_recomputed_is_still_caught_by_deciding_again(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], record: dict[str, Any]) -> None:
    """Without a secret nothing stops a full re-seal; what is left to catch it is deciding the
    answers again and comparing the rule set's own hash."""
    rec = copy.deepcopy(record)
    rec["decision"]["pathway"] = {"id": "full-investigation", "title": "x"}
    rec["parts"] = records.part_digests(rec)
    rec["sha256"] = records.content_hash(rec)
    code, out, _ = verify(capsys, tmp_path, rec)
    assert code == 1
    assert "ok" in line_of(out, "content")
    assert "pathway was full-investigation, now proportionate-response" in line_of(
        out, "decision")

    rec = copy.deepcopy(record)
    rec["rules"]["sha256"] = "f" * 64
    rec["parts"] = records.part_digests(rec)
    rec["sha256"] = records.content_hash(rec)
    code, out, _ = verify(capsys, tmp_path, rec)
    assert code == 1 and "DIFFERS" in line_of(out, "provenance")


def test_record_show_marks_an_edited_record(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            record: dict[str, Any]) -> None:
    rec = copy.deepcopy(record)
    rec["answers"]["youngest_age"] = 15
    rec["sha256"] = records.content_hash(rec)
    p = tmp_path / "r.json"
    p.write_text(json.dumps(rec), encoding="utf-8")
    for fmt in ("text", "markdown", "html"):
        assert main(["record", "show", str(p), "--format", fmt, "--no-color"]) == 0
        shown = capsys.readouterr().out
        p.write_text(json.dumps(record), encoding="utf-8")
        assert main(["record", "show", str(p), "--format", fmt, "--no-color"]) == 0
        intact = capsys.readouterr().out
        p.write_text(json.dumps(rec), encoding="utf-8")
        assert shown != intact  # the edited one is marked differently


# ----------------------------------------------------------------------------- hostile files

JSON_CASES: list[tuple[str, str | bytes, str]] = [
    ("not-json", '{"schema": "sexting-triage/record/1", "ans', "invalid JSON"),
    ("yaml-not-json", "schema: sexting-triage/record/1\n", "invalid JSON"),
    ("empty", "", "is empty"),
    ("nul-bytes", b"\x00" * 100, "not a decision record"),
    ("not-utf8", b'{"a": "\xff"}', "not valid UTF-8"),
    ("deep", "[" * 100_000 + "]" * 100_000, "nests too deeply"),
    ("huge-number", '{"sha256": ' + "9" * 5000 + "}", "number too long"),
    ("a-list", "[1, 2, 3]", "not a decision record"),
    ("session-file", json.dumps({"schema": "sexting-triage/session/1"}), "not a decision record"),
    ("wrong-shapes", json.dumps({"schema": records.RECORD_SCHEMA, "rules": [], "answers": "yes",
                                 "decision": 1, "sha256": None, "created": 5}), "missing or not"),
    ("rules-id-missing", json.dumps({"schema": records.RECORD_SCHEMA, "rules": {},
                                     "answers": {}, "decision": {}, "sha256": "x",
                                     "created": "x"}), "rules.id"),
]


@pytest.mark.parametrize("command", ["verify", "show"])
@pytest.mark.parametrize(("name", "content", "fragment"), JSON_CASES,
                         ids=[c[0] for c in JSON_CASES])
def test_hostile_record_files(tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str,
                              name: str, content: str | bytes, fragment: str) -> None:
    p = tmp_path / "record.json"
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text(content, encoding="utf-8")
    code = main(["record", command, str(p)])
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    assert "Traceback" not in err and out == ""
    assert err.startswith(str(p)) and fragment in err, err


def test_huge_record_refused_by_size(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "record.json"
    with open(p, "wb") as fh:
        fh.truncate(300 * 1024 * 1024)
    assert main(["record", "verify", str(p)]) == 2
    assert "limit" in capsys.readouterr().err


@pytest.mark.parametrize(("what", "value"), [
    ("answers-hostile-types", {"imagery": [1], "youngest_age": 10**30, "x\x1b[2J": {"a": 1}}),
    ("answers-empty", {}),
])
def test_records_with_hostile_answers_verify_as_differences(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], record: dict[str, Any], what: str,
        value: dict[str, Any]) -> None:
    rec = copy.deepcopy(record)
    rec["answers"] = value
    code, out, err = verify(capsys, tmp_path, rec)
    assert code == 1, err
    assert "DIFFERS" in line_of(out, "answers") and "\x1b" not in out
    assert main(["record", "show", str(tmp_path / "record.json"), "--no-color"]) in (0, 2)
    shown = capsys.readouterr()
    assert "Traceback" not in shown.err and "\x1b" not in shown.out


def test_yaml_hostile_table_is_refused_as_records_too(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """The YAML files refused by the readers are not records either (exit 2, no traceback)."""
    for name, content, _, _ in HOSTILE_YAML:
        p = tmp_path / f"{name}.json"
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")
        assert main(["record", "verify", str(p)]) == 2, name
        err = capsys.readouterr().err
        assert "Traceback" not in err and err.startswith(str(p)), (name, err)


# ----------------------------------------------------------------------------- signatures


def _keys(tmp_path: Path, name: str = "key") -> tuple[bytes, Path]:
    """A new Ed25519 key pair: the private key's PEM bytes, and the public key's file."""
    pytest.importorskip("cryptography")
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    key = ed25519.Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    public = tmp_path / f"{name}.pub.pem"
    public.write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return private, public


def verify_signed(capsys: pytest.CaptureFixture[str], tmp_path: Path, rec: dict[str, Any],
                  public: Path | None) -> tuple[int, str, str]:
    p = tmp_path / "record.json"
    p.write_text(records.dumps(rec), encoding="utf-8")
    args = ["record", "verify", str(p), "--no-color"]
    code = main(args + (["--public-key", str(public)] if public else []))
    out, err = capsys.readouterr()
    return code, out, err


def _reseal(rec: dict[str, Any], edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """What someone who knows the format does: edit, then recompute every digest (keeping
    the old signature, or dropping it)."""
    rec = copy.deepcopy(rec)
    sig = rec.get("signature")
    edit(rec)
    rec = records.seal(rec)
    if sig is not None:
        rec["signature"] = sig
    return rec


def test_signed_record_verifies_with_its_public_key_and_says_what_that_proves(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], record: dict[str, Any]) -> None:
    private, public = _keys(tmp_path)
    signed = records.sign(record, private)
    assert signed["sha256"] == record["sha256"] and "signature" not in record
    code, out, err = verify_signed(capsys, tmp_path, signed, public)
    assert code == 0, (out, err)
    assert "valid Ed25519 signature" in line_of(out, "signature")
    assert signing.PROVES_SIGNED in out.replace("\n", " ")
    # without the key: the hashes match, and the output says what that does not prove
    code, out, _ = verify_signed(capsys, tmp_path, signed, None)
    flat = " ".join(out.split())
    assert code == 0
    assert "anyone can edit a record and recompute its hashes" in flat
    assert "signature was not checked: give --public-key KEY" in flat


@pytest.mark.parametrize(("what", "edit"), [
    ("pathway-and-answers", lambda r: (set_path(r, ("answers", "adult_involved"), "yes"),
                                       set_path(r, ("decision", "flags"), []))),
    ("incident-ref", lambda r: set_path(r, ("incident_ref",), "CAD-9999-26")),
    ("created", lambda r: set_path(r, ("created",), "2020-01-01T00:00:00Z")),
    ("officer-added", lambda r: set_path(r, ("officer",), {"decision": "agree"})),
])
def test_resealed_record_fails_the_signature_check(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], record: dict[str, Any],
        what: str, edit: Callable[[dict[str, Any]], None]) -> None:
    """Every digest recomputed after an edit: the hashes match again, the signature does
    not; verify exits 1 naming the signature."""
    private, public = _keys(tmp_path)
    forged = _reseal(records.sign(record, private), edit)
    assert records.intact(forged)  # the forgery is self-consistent
    code, out, _ = verify_signed(capsys, tmp_path, forged, public)
    assert code == 1
    sig = line_of(out, "signature")
    assert "DIFFERS" in sig and "changed after it was signed" in sig, sig
    assert "MISMATCH" in out


def test_signature_by_another_key_and_unsigned_record_fail(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], record: dict[str, Any]) -> None:
    private, _ = _keys(tmp_path, "mine")
    _, other_public = _keys(tmp_path, "other")
    code, out, _ = verify_signed(capsys, tmp_path, records.sign(record, private), other_public)
    assert code == 1 and "signed with another key" in line_of(out, "signature")
    code, out, _ = verify_signed(capsys, tmp_path, record, other_public)
    assert code == 1 and "the record is not signed" in line_of(out, "signature")
    # a re-sealer who also re-signs with their own key: fails against the real public key
    forger, _ = _keys(tmp_path, "forger")
    forged = records.sign(_reseal(record, lambda r: set_path(r, ("incident_ref",), "X-1")),
                          forger)
    code, out, _ = verify_signed(capsys, tmp_path, forged, other_public)
    assert code == 1 and "DIFFERS" in line_of(out, "signature")


@pytest.mark.parametrize("bad", ["not a key", "rsa", "public-as-private"])
def test_bad_keys_are_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                   record: dict[str, Any], bad: str) -> None:
    pytest.importorskip("cryptography")
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from sexting_triage.errors import UsageError

    _, public = _keys(tmp_path)
    if bad == "not a key":
        pem = b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
    elif bad == "rsa":
        pem = rsa.generate_private_key(65537, 1024).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())
    else:
        pem = public.read_bytes()
    with pytest.raises(UsageError) as exc:
        records.sign(record, pem)
    assert "private key" in str(exc.value)
    if bad == "public-as-private":
        return
    # not a public key where the public key goes: exit 2, one line
    p = tmp_path / "r.json"
    p.write_text(records.dumps(record), encoding="utf-8")
    k = tmp_path / "wrong.pem"
    k.write_bytes(pem)
    code = main(["record", "verify", str(p), "--public-key", str(k)])
    _, err = capsys.readouterr()
    assert code == 2 and "public key" in err and "Traceback" not in err


def test_missing_cryptography_names_the_extra(monkeypatch: pytest.MonkeyPatch,
                                              record: dict[str, Any]) -> None:
    import builtins

    from sexting_triage.errors import UsageError

    real = builtins.__import__

    def no_crypto(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("cryptography"):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_crypto)
    with pytest.raises(UsageError) as exc:
        records.sign(record, b"")
    assert "pip install 'sexting-triage[sign]'" in str(exc.value)


def test_cryptography_is_not_imported_unless_signatures_are_used(tmp_path: Path) -> None:
    import subprocess
    import sys

    rec = tmp_path / "r.json"
    code = ("import sys; from sexting_triage.cli import main; "
            f"main(['record', 'verify', {str(rec)!r}]); "
            "print('cryptography' in sys.modules)")
    d = decide(resolve("cop-2016"), ANSWERS)
    rec.write_text(records.dumps(records.build(d)), encoding="utf-8")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=False)
    assert out.stdout.strip().endswith("False"), out


def test_record_sign_command_signs_only_an_intact_record_into_a_new_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], record: dict[str, Any]) -> None:
    private, public = _keys(tmp_path)
    key = tmp_path / "key.pem"
    key.write_bytes(private)
    src = tmp_path / "r.json"
    src.write_text(records.dumps(record), encoding="utf-8")
    out = tmp_path / "signed.json"
    assert main(["record", "sign", str(src), "--sign-key", str(key), "--output", str(out)]) == 0
    capsys.readouterr()
    assert (out.stat().st_mode & 0o777) == 0o600
    assert main(["record", "verify", str(out), "--public-key", str(public)]) == 0
    assert "valid Ed25519 signature" in capsys.readouterr().out
    # never over an existing file, never over its own input, never an edited record
    assert main(["record", "sign", str(src), "--sign-key", str(key), "--output", str(out)]) == 2
    assert main(["record", "sign", str(src), "--sign-key", str(key), "--output", str(src)]) == 2
    assert "name the same file" in capsys.readouterr().err
    edited = copy.deepcopy(record)
    edited["answers"]["youngest_age"] = 16
    src.write_text(records.dumps(edited), encoding="utf-8")
    assert main(["record", "sign", str(src), "--sign-key", str(key), "--output",
                 str(tmp_path / "x.json")]) == 2
    assert "it is not signed" in capsys.readouterr().err
    assert not (tmp_path / "x.json").exists()
