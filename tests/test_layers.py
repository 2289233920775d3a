"""Layers import downward only: embeddings < matcher < (service, evaluation) < cli.

The benchmark scripts (evaluation/benchmarks) drive the whole product, the service included, as
the command line does: they may import the service, never the command line."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "embeddings": {"matcher", "service", "evaluation", "cli"},
    "matcher": {"service", "evaluation", "cli"},
    "service": {"evaluation", "cli"},
    "evaluation": {"service", "cli"},
    "evaluation/benchmarks": {"cli"},
}


def imported_packages(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_upward_imports(package: str) -> None:
    inner = [other for other in FORBIDDEN if other.startswith(package + "/")]  # judged by their own rule
    upward = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in (ROOT / package).rglob("*.py")
        if not any(path.is_relative_to(ROOT / other) for other in inner)
        for name in imported_packages(path) & FORBIDDEN[package]
    }
    assert not upward, sorted(upward)


def test_the_checker_sees_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from service.app import create_app\n")
    assert "service" in imported_packages(module)
