"""A real wheel carries the bundled rule sets; the editable install finds them at the top of
the source tree."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_editable_install_reads_top_level_rules():
    from sexting_triage.bundled import rules_dir

    assert rules_dir() == ROOT / "rules"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                        "-q", "-w", str(out), str(ROOT)], capture_output=True, text=True,
                       timeout=300)
    if r.returncode != 0:
        pytest.fail(f"building the wheel failed:\n{r.stdout}\n{r.stderr}")
    (path,) = out.glob("sexting_triage-*.whl")
    return path


def test_wheel_contains_bundled_rules(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "sexting_triage/_bundled/rules/cop-2016.yaml" in names
    assert "sexting_triage/cli/__init__.py" in names


def test_wheel_install_finds_bundled_rules(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = ("import sexting_triage.bundled as b, sexting_triage.loader as l;"
            "print(b.rules_dir()); print(l.resolve('cop-2016').id)")
    # The wheel's copy comes first on the path, ahead of the editable install.
    env = dict(os.environ, PYTHONPATH=str(site))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                       cwd=tmp_path, timeout=60)
    assert r.returncode == 0, r.stderr
    where, rid = r.stdout.split()
    assert Path(where) == site / "sexting_triage" / "_bundled" / "rules"
    assert rid == "cop-2016"
