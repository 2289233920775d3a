"""Layers import downward only: embeddings < matcher < (service, evaluation) < cli, with tools/
(the offline generators) beside cli, on top.

The benchmark scripts (evaluation/benchmarks) drive the whole product, the service included, as
the command line does: they may import the service, never the command line.

Inside matcher, the data's path: records, ingestion, store and indexes below the scorers
(recommend, search, graph, pairing, partnerships), the snapshot over them, the use cases on top.
Shared scoring (calibration, similarity, lexical evidence, pooling) lives in scoring/, below every
scorer and above index/, which reads only an encoder's scale from it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "embeddings": {"matcher", "service", "evaluation", "cli", "tools"},
    "matcher": {"service", "evaluation", "cli", "tools"},
    "service": {"evaluation", "cli", "tools"},
    "evaluation": {"service", "cli", "tools"},
    "evaluation/benchmarks": {"cli", "tools"},
}
SCORERS = {"matcher.recommend", "matcher.search", "matcher.graph", "matcher.pairing", "matcher.partnerships"}
ABOVE_SCORERS = {"matcher.snapshot", "matcher.workspace", "matcher.usecases"}
# Within matcher: module prefixes each subpackage may not import (``matcher.x`` covers matcher/x.py and matcher/x/).
FORBIDDEN_INSIDE = {
    "matcher/records.py": SCORERS | ABOVE_SCORERS | {"matcher.store", "matcher.index", "matcher.ingest", "matcher.record_forms"},
    # What clients send (write models, unsaved profiles) sits beside the stored records; only
    # ingestion and the use cases turn it into them: the store and the scorers hold stored records only.
    "matcher/record_forms.py": SCORERS | ABOVE_SCORERS | {"matcher.store", "matcher.index", "matcher.ingest"},
    "matcher/ingest": SCORERS | ABOVE_SCORERS | {"matcher.index"},
    "matcher/store": SCORERS | ABOVE_SCORERS | {"matcher.index", "matcher.ingest", "matcher.record_forms"},
    "matcher/index": ABOVE_SCORERS
    | SCORERS
    | {"matcher.ingest", "matcher.scoring.similarity", "matcher.scoring.evidence", "matcher.scoring.lexical_profiles"},
    "matcher/scoring": ABOVE_SCORERS | SCORERS | {"matcher.ingest"},
    "matcher/partnerships": ABOVE_SCORERS | {"matcher.recommend", "matcher.search", "matcher.graph", "matcher.pairing"},
    "matcher/recommend": ABOVE_SCORERS | {"matcher.pairing", "matcher.partnerships", "matcher.ingest", "matcher.record_forms"},
    "matcher/search": ABOVE_SCORERS | {"matcher.pairing", "matcher.partnerships", "matcher.graph", "matcher.record_forms"},
    "matcher/graph": ABOVE_SCORERS | {"matcher.pairing", "matcher.partnerships", "matcher.demo", "matcher.record_forms"},
    "matcher/pairing": ABOVE_SCORERS | {"matcher.partnerships", "matcher.record_forms"},
    "matcher/snapshot.py": {"matcher.workspace", "matcher.usecases"},
    "matcher/workspace.py": {"matcher.usecases"},
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


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


@pytest.mark.parametrize("part", sorted(FORBIDDEN_INSIDE))
def test_matchers_subpackages_import_downward_only(part: str) -> None:
    target = ROOT / part
    paths = [target] if target.suffix == ".py" else sorted(target.rglob("*.py"))
    assert paths, f"{part} is gone: update FORBIDDEN_INSIDE"
    upward = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in paths
        for name in imported_modules(path)
        for prefix in FORBIDDEN_INSIDE[part]
        if name == prefix or name.startswith(prefix + ".")
    }
    assert not upward, sorted(upward)


def test_nothing_in_the_runtime_package_is_an_offline_generator() -> None:
    """The demo's and the taxonomy's generators live in tools/ (``python -m tools.demo_build``)."""
    assert not (ROOT / "matcher/demo/build.py").exists() and not (ROOT / "matcher/graph/make_taxonomy.py").exists()
    assert (ROOT / "tools/demo_build.py").exists() and (ROOT / "tools/make_taxonomy.py").exists()


def test_the_checker_sees_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from service.app import create_app\n")
    assert "service" in imported_packages(module)
