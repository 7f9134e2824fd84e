"""Issue 12.7: `run` and `triage` sign their decision records with `--sign-key`, and
`record verify --public-key` checks the signature; a bad key is refused before anything is
asked or written."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml

from helpers import CLEAN
from sexting_triage.cli import main

crypto = pytest.importorskip("cryptography")


def _keys(tmp_path: Path) -> tuple[Path, Path]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    key = ed25519.Ed25519PrivateKey.generate()
    private = tmp_path / "key.pem"
    private.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    public = tmp_path / "key.pub"
    public.write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return private, public


def _answers(tmp_path: Path) -> Path:
    p = tmp_path / "a.yaml"
    p.write_text(yaml.safe_dump({"rules": "cop-2024", "answers": CLEAN}), encoding="utf-8")
    return p


def test_run_signs_the_record_and_verify_checks_it(tmp_path, capsys):
    private, public = _keys(tmp_path)
    out = tmp_path / "r.json"
    assert main(["run", str(_answers(tmp_path)), "--record", str(out), "--sign-key",
                 str(private)]) == 0
    assert "signature" in out.read_text()
    capsys.readouterr()
    assert main(["record", "verify", str(out), "--public-key", str(public)]) == 0
    (tmp_path / "other").mkdir()
    _, other = _keys(tmp_path / "other")  # someone else's key: the signature does not match
    assert main(["record", "verify", str(out), "--public-key", str(other)]) == 1


def test_a_bad_key_is_refused_before_anything_is_written(tmp_path, capsys):
    bad = tmp_path / "bad.pem"
    bad.write_text("not a key\n")
    out = tmp_path / "r.json"
    assert main(["run", str(_answers(tmp_path)), "--record", str(out), "--sign-key",
                 str(bad)]) == 2
    assert "not a PEM private key" in capsys.readouterr().err and not out.exists()
    assert main(["run", str(_answers(tmp_path)), "--sign-key", str(bad)]) == 2
    assert "give --record FILE as well" in capsys.readouterr().err


def test_triage_signs_its_record(tmp_path, monkeypatch, capsys):
    import sexting_triage.cli.triage as triage_mod

    private, public = _keys(tmp_path)
    monkeypatch.setattr(triage_mod, "stdin_is_interactive", lambda: True)
    monkeypatch.setattr("sys.stdin", io.StringIO("no\n\n\n\n"))  # out of scope at once
    out = tmp_path / "t.json"
    main(["triage", "--accessible", "--rules", "cop-2024", "--record", str(out),
          "--sign-key", str(private), "--session-dir", str(tmp_path / "s")])
    assert out.exists(), capsys.readouterr().err
    assert main(["record", "verify", str(out), "--public-key", str(public)]) == 0
