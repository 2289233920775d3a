"""The Dockerfile keeps its promises (slim Debian base by default, every installed package copied,
non-root user, health check, the README's commands, a small build context). `make image-check`
builds it with a real engine and checks the running image; these checks are the quick part."""

from __future__ import annotations

import tomllib
from pathlib import Path

from tools.image_check import ROOT_DIR, ImageCheckError, dockerignore_patterns, ignored, parse_dockerfile


def test_the_base_is_a_build_argument_defaulting_to_the_slim_python_image() -> None:
    instructions = parse_dockerfile(ROOT_DIR / "Dockerfile")
    first_from = next(i for i in instructions if i.keyword == "FROM")
    assert first_from.arguments == "${BASE_IMAGE}"
    base_arg = next(i.arguments for i in instructions if i.keyword == "ARG" and i.arguments.startswith("BASE_IMAGE="))
    assert base_arg == "BASE_IMAGE=python:3.11-slim-bookworm"


def test_every_package_the_project_installs_is_copied_into_the_image() -> None:
    """The image's `peermatch` command once could not start: `cli` was installed by pyproject but
    never copied."""
    include = tomllib.loads((ROOT_DIR / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = {pattern.rstrip("*") for pattern in include}
    copied = {i.arguments.split()[0] for i in parse_dockerfile(ROOT_DIR / "Dockerfile") if i.keyword == "COPY"}
    assert packages <= copied, f"installed but not copied: {sorted(packages - copied)}"


def test_the_image_runs_as_a_user_serves_the_demo_and_checks_its_health() -> None:
    instructions = parse_dockerfile(ROOT_DIR / "Dockerfile")
    keywords = [i.keyword for i in instructions]
    user = [i.arguments for i in instructions if i.keyword == "USER"]
    assert user and user[-1] not in {"root", "0"}
    assert keywords.index("USER") < keywords.index("CMD")
    runs = [i.arguments for i in instructions if i.keyword == "RUN"]
    assert any(r.startswith("peermatch demo") for r in runs)  # the demo (and the model) are in the image
    cmd = next(i.arguments for i in instructions if i.keyword == "CMD")
    assert cmd.startswith('["peermatch", "serve"')
    health = next(i.arguments for i in instructions if i.keyword == "HEALTHCHECK")
    assert "/ready" in health


def test_parse_joins_continued_lines_and_names_a_dangling_one(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM python:3.11-slim\n# a comment\nRUN a \\\n # inside\n && b\nUSER x\n")
    parsed = [(i.line, i.keyword, i.arguments) for i in parse_dockerfile(dockerfile)]
    assert parsed == [(1, "FROM", "python:3.11-slim"), (3, "RUN", "a  && b"), (6, "USER", "x")]
    dockerfile.write_text("FROM python:3.11-slim\nRUN a \\\n")
    try:
        parse_dockerfile(dockerfile)
    except ImageCheckError as error:
        assert f"{dockerfile}:2" in str(error)
    else:
        raise AssertionError("a file ending inside a continued line must be refused")


def test_the_build_context_leaves_out_the_virtualenv_and_caches() -> None:
    patterns = dockerignore_patterns(ROOT_DIR)
    assert ignored(".venv/lib/python3.11/site-packages/torch/__init__.py", patterns)
    assert ignored(".peermatch-demo/peermatch.sqlite", patterns)
    assert ignored("matcher/search/__pycache__/retrieval.cpython-311.pyc", patterns)
    assert not ignored("matcher/search/retrieval.py", patterns)
    assert not ignored("requirements.lock", patterns)
