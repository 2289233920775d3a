"""The Dockerfile stays one that `make docker-rehearsal` can carry out, and keeps its promises:
slim base, non-root user, health check, the README's commands, a small build context."""

from __future__ import annotations

from pathlib import Path

from tests.docker_rehearsal import ROOT_DIR, RehearsalError, dockerignore_patterns, ignored, parse_dockerfile

REHEARSED = {"FROM", "ENV", "ARG", "WORKDIR", "COPY", "RUN", "USER", "EXPOSE", "HEALTHCHECK", "CMD"}


def test_the_dockerfile_uses_only_rehearsed_instructions_and_keeps_its_promises() -> None:
    instructions = parse_dockerfile(ROOT_DIR / "Dockerfile")
    keywords = [i.keyword for i in instructions]
    assert set(keywords) <= REHEARSED
    assert instructions[0].arguments.startswith("python:3.11-slim")
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
    except RehearsalError as error:
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
