"""The paired statistics beside make quality's table: interval and p-value behave as they must."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from evaluation.paired import paired_difference
from evaluation.quality import Row, differences_table, write_report


def _values(array: np.ndarray) -> dict[str, float]:
    return {f"q{i}": float(v) for i, v in enumerate(array)}


def test_a_clear_gain_has_an_interval_above_zero_and_a_small_p() -> None:
    rng = np.random.default_rng(1)
    base = rng.uniform(0.2, 0.6, 60)
    better = base + 0.1 + rng.normal(0, 0.02, 60)
    found = paired_difference(_values(base), _values(better))
    assert found.mean == pytest.approx(float((better - base).mean()))
    assert 0 < found.low < found.mean < found.high
    assert found.p_value < 0.001 and found.queries == 60


def test_noise_alone_gives_an_interval_around_zero() -> None:
    rng = np.random.default_rng(2)
    base = rng.uniform(0.2, 0.6, 60)
    noisy = base + rng.normal(0, 0.05, 60)
    found = paired_difference(_values(base), _values(noisy))
    assert found.low < 0 < found.high and found.p_value > 0.05


def test_identical_runs_differ_by_exactly_zero_and_only_shared_queries_are_paired() -> None:
    same = paired_difference({"a": 0.5, "b": 0.7, "c": 0.1}, {"a": 0.5, "b": 0.7, "z": 0.9})
    assert (same.mean, same.low, same.high, same.p_value, same.queries) == (0.0, 0.0, 0.0, 1.0, 2)
    with pytest.raises(ValueError, match="at least two shared queries"):
        paired_difference({"a": 0.5}, {"a": 0.6})


def test_the_report_carries_each_difference_from_the_default(tmp_path: Path) -> None:
    row = Row("expertise-dblp", "ndcg@10", False)
    row.add("default", {"q1": 0.5, "q2": 0.4, "q3": 0.9, "q4": 0.2})
    row.add("tf-idf", {"q1": 0.1, "q2": 0.2, "q3": 0.5, "q4": 0.1})
    assert row.scores["default"] == pytest.approx(0.5)
    assert "| expertise-dblp | ndcg@10 | 4 | -0.2750 [" in differences_table([row])
    markdown, data = write_report(tmp_path, "Quality", [row], (), "usem3", {}, 1.0)
    difference = json.loads(data.read_text())["rows"][0]["differences_from_default"]["tf-idf"]
    assert difference["mean"] == pytest.approx(-0.275) and difference["ci95_high"] < 0 and difference["queries"] == 4
    assert "95 % bootstrap interval" in markdown.read_text()
