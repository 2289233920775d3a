"""A known theme asked in any language: every wording it has (``usecases.experts.known_wordings``,
``recommend.experts.every_wording`` and ``best_wording``)."""

from __future__ import annotations

import numpy as np

from matcher.recommend.experts import best_wording, every_wording
from matcher.usecases.experts import known_wordings


def test_a_taxonomy_name_in_any_language_brings_its_names_in_the_others() -> None:
    found = known_wordings(["éducation À LA  citoyenneté mondiale", "Vivienda", "tarte tatin"])
    assert found["éducation À LA  citoyenneté mondiale"] == [
        "Global citizenship education",
        "Éducation à la citoyenneté mondiale",
        "Educación para la ciudadanía mundial",
    ]
    assert found["Vivienda"] == ["Housing", "Logement", "Vivienda"]
    assert "tarte tatin" not in found  # free text keeps its one wording


def test_each_text_is_asked_in_every_wording_once() -> None:
    asked, query_of = every_wording(["Housing", "free text"], {"Housing": ["Housing", "Logement", "Vivienda"]})
    assert asked == ["Housing", "Logement", "Vivienda", "free text"]
    assert query_of.tolist() == [0, 0, 0, 1]


def test_each_candidate_takes_its_best_wording_and_where_that_came_from() -> None:
    values = np.asarray([[0.1, 0.9], [0.7, 0.2], [0.3, 0.3]], dtype=np.float32)  # 3 wordings x 2 candidates
    where = np.asarray([[10, 11], [20, 21], [30, 31]])
    best, best_where = best_wording(values, where, np.asarray([0, 0, 1]), 2)
    assert np.allclose(best, [[0.7, 0.9], [0.3, 0.3]])
    assert best_where.tolist() == [[20, 11], [30, 31]]
    same, same_where = best_wording(values, where, np.asarray([0, 1, 2]), 3)
    assert same is values and same_where is where  # one wording each: as it was
