"""Shared fixtures."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def cop2016():
    from sexting_triage.loader import resolve

    return resolve("cop-2016")


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    """Tests never read or write the user's real cache of compiled rule sets."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "cache"))
    # nor a force overlay configured on the machine running them
    monkeypatch.delenv("SEXTING_TRIAGE_OVERLAY", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.getbasetemp() / "config"))
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path_factory.getbasetemp() / "config-dirs"))


# ----------------------------------------------------------------------------- no network
# Hardening (issue 6): the tool opens no network connection at run time. Any attempt under
# this fixture fails with OSError and is recorded, so a test can assert there were none even
# if some code swallowed the error.


@pytest.fixture
def no_network(monkeypatch):
    import socket

    attempts: list[str] = []

    def refuse(name):
        def blocked(*args, **kwargs):
            attempts.append(f"{name}{args[1:2]!r}" if name.startswith("socket.") else
                            f"{name}{args[:1]!r}")
            raise OSError(f"network use blocked by the test: {name}")
        return blocked

    for name in ("connect", "connect_ex", "sendto", "sendmsg"):
        monkeypatch.setattr(socket.socket, name, refuse(f"socket.{name}"))
    for name in ("create_connection", "getaddrinfo", "gethostbyname", "gethostbyname_ex"):
        monkeypatch.setattr(socket, name, refuse(name))
    return attempts
