"""A known theme asked in any language: the names it has in the network's languages
(``usecases.experts.known_wordings``, ``recommend.experts.every_wording`` and ``best_wording``)."""

from __future__ import annotations

import numpy as np

from matcher.recommend.experts import best_wording, every_wording
from matcher.usecases.experts import known_wordings

NETWORK = {"en", "fr", "es"}


def test_a_taxonomy_name_in_any_language_brings_its_names_in_the_networks_languages() -> None:
    found = known_wordings(["éducation À LA  citoyenneté mondiale", "Vivienda", "gced", "tarte tatin"], NETWORK)
    names = ["Global citizenship education", "Éducation à la citoyenneté mondiale", "Educación para la ciudadanía mundial"]
    assert found["éducation À LA  citoyenneté mondiale"] == names
    assert found["gced"] == names  # a cluster's code names it too
    assert found["Vivienda"] == ["Housing", "Logement", "Vivienda"]
    assert "tarte tatin" not in found  # free text keeps its one wording


def test_a_language_nobody_in_the_network_writes_adds_no_name() -> None:
    assert known_wordings(["Logement"], {"en"}) == {"Logement": ["Housing"]}
    assert known_wordings(["Logement"], {"fr", "es"}) == {"Logement": ["Logement", "Vivienda"]}
    assert known_wordings(["Logement"], {"ru"}) == {}  # no name in the network's languages: asked as typed


def test_a_text_with_names_is_asked_in_those_names_however_it_was_typed() -> None:
    for typed in ("housing", "Logement", "  VIVIENDA "):
        asked, query_of = every_wording([typed, "free text"], known_wordings([typed], NETWORK))
        assert asked == ["Housing", "Logement", "Vivienda", "free text"], typed
        assert query_of.tolist() == [0, 0, 0, 1]


def test_each_candidate_takes_its_best_wording_and_where_that_came_from() -> None:
    values = np.asarray([[0.1, 0.9], [0.7, 0.2], [0.3, 0.3]], dtype=np.float32)  # 3 wordings x 2 candidates
    where = np.asarray([[10, 11], [20, 21], [30, 31]])
    best, best_where = best_wording(values, where, np.asarray([0, 0, 1]), 2)
    assert np.allclose(best, [[0.7, 0.9], [0.3, 0.3]])
    assert best_where.tolist() == [[20, 11], [30, 31]]
    same, same_where = best_wording(values, where, np.asarray([0, 1, 2]), 3)
    assert same is values and same_where is where  # one wording each: as it was
