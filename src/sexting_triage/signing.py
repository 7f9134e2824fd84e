"""Ed25519 keys and signatures, through the optional `cryptography` package (the `sign`
extra): read and check a key, sign bytes, check a signature over bytes.

What is signed is the record's business (`records.sign` and `records.check_signature` give
the canonical bytes of a record); this module knows keys and signatures only, and imports
nothing of ours but `errors` and `reading`. `PROVES_UNSIGNED` and `PROVES_SIGNED` say what
a record's hashes, and a checked signature, do and do not show.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Any

from sexting_triage.errors import UsageError

SIGN_EXTRA = "pip install 'sexting-triage[sign]'"
PROVES_UNSIGNED = (
    "The hashes show the record has not changed by accident since it was written. They do "
    "not show who made it: anyone can edit a record and recompute its hashes. For that, sign "
    "records (--sign-key) and check them with the public key (--public-key).")
PROVES_SIGNED = (
    "The signature shows the record was made by the holder of the private key matching this "
    "public key and has not changed since it was signed.")


def _crypto() -> Any:
    try:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ed25519
    except ImportError:
        raise UsageError("signing and checking signatures need the optional cryptography "
                         f"package: {SIGN_EXTRA}") from None
    return serialization, ed25519


def key_id(public_key_pem: bytes) -> str:
    """A short fingerprint of an Ed25519 public key: sha256 of its raw 32 bytes."""
    serialization, ed25519 = _crypto()
    key = _public_key(public_key_pem)
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert isinstance(key, ed25519.Ed25519PublicKey)
    return hashlib.sha256(raw).hexdigest()[:16]


def _private_key(pem: bytes) -> Any:
    serialization, ed25519 = _crypto()
    from cryptography.exceptions import UnsupportedAlgorithm as UnsupportedKey

    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except TypeError:
        raise UsageError("the signing key is encrypted with a passphrase: give an "
                         "unencrypted Ed25519 private key (PEM), kept readable only by you"
                         ) from None
    except (ValueError, UnsupportedKey):
        raise UsageError("the signing key is not a PEM private key") from None
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise UsageError("the signing key is not an Ed25519 private key (records are signed "
                         "with Ed25519: openssl genpkey -algorithm ed25519)")
    return key


def _public_key(pem: bytes) -> Any:
    serialization, ed25519 = _crypto()
    from cryptography.exceptions import UnsupportedAlgorithm as UnsupportedKey

    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError, UnsupportedKey):
        raise UsageError("the public key is not a PEM public key") from None
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise UsageError("the public key is not an Ed25519 public key")
    return key


def signature(data: bytes, private_key_pem: bytes) -> dict[str, str]:
    """An Ed25519 signature over `data`: {"alg": "ed25519", "key_id", "value" (base64)}."""
    serialization, _ = _crypto()
    key = _private_key(private_key_pem)
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    value = key.sign(data)
    return {"alg": "ed25519", "key_id": key_id(public),
            "value": base64.b64encode(value).decode("ascii")}


def check(sig: Any, data: bytes, public_key_pem: bytes) -> tuple[bool, str]:
    """Whether `sig` (as stored: it may hold anything) is a valid signature over `data` by
    the key matching `public_key_pem`, and what was found, in words."""
    key = _public_key(public_key_pem)
    from cryptography.exceptions import InvalidSignature

    kid = key_id(public_key_pem)
    if sig is None:
        return False, "the record is not signed"
    if not (isinstance(sig, dict) and sig.get("alg") == "ed25519"
            and isinstance(sig.get("value"), str)):
        return False, "the signature is not an Ed25519 signature"
    try:
        value = base64.b64decode(sig["value"], validate=True)
        key.verify(value, data)
    except (InvalidSignature, ValueError):
        other = sig.get("key_id")
        if isinstance(other, str) and other != kid:
            return False, f"signed with another key ({other[:16]}), not this public key ({kid})"
        return False, ("the signature does not match the record: it was changed after it "
                       "was signed (or re-sealed)")
    if sig.get("key_id") != kid or set(sig) != {"alg", "key_id", "value"}:
        # the signature covers the record, not its own label: an edited label is an edit
        return False, ("the signature's own fields were edited (its key id or an added "
                       "field)")
    return True, f"valid Ed25519 signature by key {kid}"


def check_signing_key(private_key_pem: bytes) -> None:
    """Raise the error `signature` would give for this key, before anything is asked or
    written."""
    _private_key(private_key_pem)


def read_key(path: Path, kind: str) -> bytes:
    """The bytes of a key file (`kind` "signing key" or "public key"), refusing what any
    input file refuses (folders, FIFOs, devices, oversized files)."""
    from sexting_triage.reading import read_file

    return read_file(path, kind)[0]
