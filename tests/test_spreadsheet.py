"""Issue 21, item 8: the CLI's CSV files (pair --out, recommend affinity --out) write member texts
as text, like the console's downloads: one writer for all."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from matcher.pairing.run import GreedyBaseline, Pair, PairingResult, PairingSummary
from matcher.recommend.affinity import AffinityMatrix
from matcher.spreadsheet import spreadsheet_safe

FORMULA = '=HYPERLINK("http://evil.example","click")'


def test_cells_that_start_a_formula_are_text_and_numbers_stay_numbers() -> None:
    assert [spreadsheet_safe(c) for c in (FORMULA, "@SUM(A1)", "+1+1", "-0.25", "1e-5", "plain")] == [
        "'" + FORMULA,
        "'@SUM(A1)",
        "'+1+1",
        "-0.25",
        "1e-5",
        "plain",
    ]


def test_the_affinity_csv_writes_a_formula_need_as_text(tmp_path: Path) -> None:
    matrix = AffinityMatrix(["a#need:0"], [FORMULA], ["b"], np.asarray([[-0.5]], dtype=np.float32))
    matrix.write_csv(tmp_path / "affinity.csv")
    rows = list(csv.reader((tmp_path / "affinity.csv").open(encoding="utf-8")))
    assert rows[1] == ["a#need:0", "'" + FORMULA, "-0.50000"]


def test_the_pairing_csv_writes_a_formula_need_as_text(tmp_path: Path) -> None:
    pair = Pair(
        mentee="a", mentor="b", affinity=0.5, common_languages=["fr"], need=FORMULA, evidence="@cmd", evidence_passage=None,
        match_score=0.21,
    )
    result = PairingResult(
        status="optimal",
        method="milp",
        pairs=[pair],
        unmatched=[],
        binding_constraints=[],
        summary=PairingSummary(
            mentees=1,
            mentors=1,
            pairs=1,
            objective=0.5,
            total_affinity=0.5,
            min_affinity=0.5,
            mean_affinity=0.5,
            load_per_mentor={"b": 1},
            served_share_by_region={},
        ),
        greedy_baseline=GreedyBaseline(objective=0.5, pairs=1, min_affinity=0.5, optimum_over_greedy=1.0),
    )
    csv_path, _ = result.write(tmp_path / "pairs")
    rows = list(csv.reader(csv_path.open(encoding="utf-8")))
    assert rows[0][2:5] == ["affinity", "match_score", "match"]
    assert rows[1] == ["a", "b", "0.5000", "0.2100", "weak", "fr", "'" + FORMULA, "'@cmd"]
    legacy = result.model_copy(update={"pairs": [pair.model_copy(update={"match_score": None})]})  # a run stored before it existed
    legacy_path, _ = legacy.write(tmp_path / "legacy")
    assert list(csv.reader(legacy_path.open(encoding="utf-8")))[1][3] == ""
