"""The demo's twinning run: the African cities, and the candidate city Dakar, paired with mentors
of other regions. Ignoring ties, Kati (Mali) goes to Siliana; preferring them, Kati keeps its twin
Erfurt although they share no working language, Dakar is paired, and the summary gives the
income-group and LDC figures."""

from __future__ import annotations

from typing import Any

import pytest

from matcher.demo import DEMO_CANDIDATES, DEMO_FILES, DEMO_TIES
from matcher.pairing.problem import PairingConstraints
from matcher.pairing.run import PairingRequest
from matcher.partnerships import Partnerships
from matcher.settings import Settings
from matcher.usecases.pairing import pairing_for
from matcher.usecases.ties import import_twin_cities
from matcher.workspace import Workspace
from tests.conftest import import_file


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, real_encoder: Any) -> Workspace:
    settings = Settings(data_dir=tmp_path_factory.mktemp("twinning") / "data")
    workspace = Workspace(settings, real_encoder)
    for path in (*DEMO_FILES, DEMO_CANDIDATES):
        import_file(workspace, path, settings)
    report = import_twin_cities(workspace.store, DEMO_TIES, "twinning", "demo")
    assert (report.matched, report.problem_count) == (5, 0)
    return workspace


def twinning(workspace: Workspace, **constraints: Any) -> Any:
    request = PairingRequest(
        mentee_regions=["Africa"],
        mentee_kinds=["city"],
        mentor_other_regions=True,
        constraints=PairingConstraints(max_load=2, **constraints),
    )
    return pairing_for(workspace.snapshot(), Partnerships(workspace.store), request)


def test_ignoring_ties_breaks_kati_and_erfurt_up(demo: Workspace) -> None:
    result = twinning(demo)
    pairs = {p.mentee: p.mentor for p in result.pairs}
    assert pairs["city-kati-ml"] == "city-siliana-tn"
    assert result.summary.tie_policy == "ignore" and result.summary.ties_kept == 0


def test_preferring_ties_keeps_kati_with_erfurt(demo: Workspace) -> None:
    result = twinning(demo, tie_policy="prefer", income_weights={"low": 2}, ldc_weight=1.5)
    kati = next(p for p in result.pairs if p.mentee == "city-kati-ml")
    assert (kati.mentor, kati.tie, kati.common_languages) == ("city-erfurt-de", True, [])
    assert result.summary.ties_in_cohort == 3  # Kati-Erfurt, Daloa-Campinas, and the candidate Dakar with Sfax
    assert result.summary.candidates_paired == ["candidate-dakar-sn"]
    assert result.summary.ties_kept >= 1
    assert result.summary.income_weights == {"low": 2.0} and result.summary.ldc_weight == 1.5
    assert result.summary.ldc_mentees > 0 and set(result.summary.mentees_by_income_group) <= {"low", "lower_middle", "upper_middle"}


def test_keeping_ties_makes_every_tie_in_the_cohort(demo: Workspace) -> None:
    result = twinning(demo, tie_policy="keep")
    made = {(p.mentee, p.mentor) for p in result.pairs if p.tie}
    assert made == {("city-kati-ml", "city-erfurt-de"), ("city-daloa-ci", "city-campinas-br"), ("candidate-dakar-sn", "city-sfax-tn")}
