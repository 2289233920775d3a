"""Issue 21, item 4: import files that used to crash the reader or be misread. Each is a
line-numbered error or a correct read; none is a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matcher.errors import UnreadableFileError
from matcher.ingest.readers import read_rows
from tests.conftest import member


def test_deeply_nested_json_is_a_line_numbered_error(tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    path = tmp_path / "deep.json"
    path.write_text(f'[\n{{"id": "a"}},\n{deep}\n]')
    with pytest.raises(UnreadableFileError, match=r"deep.json:3: .*nested"):
        read_rows(path)


def test_deeply_nested_jsonl_line_is_that_lines_problem(tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    path.write_text(json.dumps(member("a")) + "\n" + "[" * 100_000 + "]" * 100_000 + "\n")
    rows = read_rows(path)
    assert [r.line for r in rows] == [1, 2]
    assert rows[0].data["id"] == "a" and not isinstance(rows[1].data, dict)
    assert "nested" in rows[1].data.explanation.text()


def test_a_long_csv_cell_is_read(tmp_path: Path) -> None:
    profile = "word " * 40_000  # 200,000 characters: as long as a text may be
    path = tmp_path / "long.csv"
    path.write_text(f'id,name,kind,country,region,languages,profile\na,A,city,FR,Europe and North America,fr,"{profile}"\n')
    rows = read_rows(path)
    assert len(rows) == 1 and rows[0].data["profile"] == profile.strip()


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\u0085"])
def test_unicode_line_separators_inside_jsonl_values_are_text(tmp_path: Path, separator: str) -> None:
    path = tmp_path / "seps.jsonl"
    rows = [member(f"m{i}", profile=f"line one{separator}line two") for i in range(3)]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    read = read_rows(path)
    assert [r.line for r in read] == [1, 2, 3]
    assert [r.data["profile"] for r in read] == [f"line one{separator}line two"] * 3


def test_unicode_line_separators_inside_csv_cells_are_text(tmp_path: Path) -> None:
    path = tmp_path / "seps.csv"
    path.write_text(
        "id,name,kind,country,region,languages,profile\n"
        "a,A,city,FR,Europe and North America,fr,one\u2028two\n"
        "b,B,city,FR,Europe and North America,fr,three\n",
        encoding="utf-8",
    )
    read = read_rows(path)
    assert [(r.line, r.data["id"]) for r in read] == [(2, "a"), (3, "b")]


def test_text_after_a_json_array_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "trailing.json"
    path.write_text(json.dumps([member("a")]) + "\n\ngarbage")
    with pytest.raises(UnreadableFileError, match=r"trailing.json:3: .*after the array"):
        read_rows(path)


def test_json_items_without_a_comma_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "nocomma.json"
    path.write_text("[\n" + json.dumps(member("a")) + "\n" + json.dumps(member("b")) + "\n]")
    with pytest.raises(UnreadableFileError, match=r"nocomma.json:3: "):
        read_rows(path)
