"""The rooms of docs/architecture.md, held against the code: the core imports no front end,
and only the prompt package imports questionary or prompt_toolkit."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "sexting_triage"
FRONT_ENDS = ("cli", "prompt", "render")
UI_LIBRARIES = ("typer", "click", "rich", "questionary", "prompt_toolkit")


def _imports(path: Path) -> set[str]:
    """Every module a file imports (absolute names), at any depth of the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
    return out


def _room(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _core_files() -> list[Path]:
    return [p for p in SRC.rglob("*.py") if _room(p) not in FRONT_ENDS
            and p.name != "__main__.py" and not _is_shim(p)]


def _is_shim(path: Path) -> bool:
    """A compatibility module that only re-exports a front end (kept for old imports)."""
    text = path.read_text(encoding="utf-8")
    return "compatibility" in text.split("\n\n", 1)[0].lower() and len(text) < 1500


def test_the_core_imports_no_front_end_and_no_ui_library():
    offenders = []
    for path in _core_files():
        for name in _imports(path):
            top = name.split(".")[0]
            if top in UI_LIBRARIES or any(
                    name == f"sexting_triage.{room}" or name.startswith(f"sexting_triage.{room}.")
                    for room in FRONT_ENDS):
                offenders.append(f"{path.relative_to(SRC)} imports {name}")
    assert not offenders, "\n".join(sorted(set(offenders)))


def test_only_the_prompt_package_imports_questionary():
    offenders = [
        f"{p.relative_to(SRC)} imports {name}"
        for p in SRC.rglob("*.py") if _room(p) != "prompt" and not _is_shim(p)
        for name in _imports(p) if name.split(".")[0] in ("questionary", "prompt_toolkit")]
    assert not offenders, "\n".join(sorted(set(offenders)))


def test_the_checker_sees_a_violation(tmp_path):
    """The scan is not vacuous: a core file importing rich is found."""
    bad = tmp_path / "x.py"
    bad.write_text("def f():\n    from rich.console import Console\n    return Console\n")
    assert "rich.console" in _imports(bad)
