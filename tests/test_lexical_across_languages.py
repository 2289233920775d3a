"""Shared words are no bonus for sharing the asker's language (``similarity.across_languages``)."""

from __future__ import annotations

import numpy as np

from matcher.scoring.similarity import across_languages

# One query, six pool passages: three French (the query's language), three English.
LANGUAGES = np.asarray(["fr", "fr", "fr", "en", "en", ""])
POOL = np.arange(6)
# Dense evidence: the French passages at 0, 1 and 2 z; the English ones at 2 (as close in meaning
# as the best French one) and 0; the last passage's language is unknown.
DENSE = np.asarray([[0.0, 1.0, 2.0, 2.0, 0.0, 2.0]], dtype=np.float32)
# Lexical evidence: the French passages share more words the closer they are (1 + z); the English
# ones share none, but the second shares a name, worth 5.
LEXICAL = np.asarray([[1.0, 2.0, 3.0, 0.0, 5.0, 0.0]], dtype=np.float32)


def test_a_passage_in_another_language_gets_the_credit_of_one_in_the_askers_language_as_close_in_meaning() -> None:
    fair = across_languages(LEXICAL, DENSE, ["fr"], POOL, LANGUAGES)
    assert np.allclose(fair[0, :3], LEXICAL[0, :3])  # the asker's language: as it was
    assert np.isclose(fair[0, 3], 3.0)  # as close as the best French passage: its credit
    assert np.isclose(fair[0, 4], 5.0)  # shares more than a French passage would: its own is kept
    assert fair[0, 5] == 0.0  # a passage whose language is unknown is left alone
    assert LEXICAL[0, 3] == 0.0  # the input is not changed in place


def test_a_pool_in_one_language_or_a_query_of_unknown_language_is_left_exactly_as_it_was() -> None:
    english = np.asarray(["en"] * 6)
    assert across_languages(LEXICAL, DENSE, ["en"], POOL, english) is LEXICAL
    assert across_languages(LEXICAL, DENSE, [None], POOL, LANGUAGES) is LEXICAL
    assert across_languages(LEXICAL, DENSE, ["ru"], POOL, LANGUAGES) is LEXICAL  # no passage in Russian: nothing to go by


def test_only_pool_passages_are_credited() -> None:
    fair = across_languages(LEXICAL, DENSE[:, :4], ["fr"], np.arange(4), LANGUAGES[:4])
    assert np.isclose(fair[0, 3], 3.0) and fair[0, 4] == 5.0 and fair[0, 5] == 0.0


def test_a_members_main_language_is_the_one_most_of_its_evidence_is_written_in() -> None:
    from matcher.scoring.evidence import main_languages

    # owner 0: two English passages against one heavier French one; owner 1: a document by 1 and 2
    # in Spanish; owner 3: only a passage of unknown language
    languages: list[str | None] = ["en", "en", "fr", "es", None]
    owners = [[0], [0], [0], [1, 2], [3]]
    weights = [1.0, 1.0, 3.0, 1.0, 1.0]
    assert main_languages(languages, owners, weights, 4).tolist() == ["fr", "es", "es", ""]
