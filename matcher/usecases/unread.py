"""The flag every answer carries when a text it was asked about is in a language the encoder was
not trained on: its vector is meaningless, so the scores built on it are too.

Peers flag each result (``matcher.recommend.peers.UNREAD``); the other answers did not, so a hub
asking in Vietnamese got an expert group, a resource list or helps labelled as if they meant
something. One function here, used by each use case, so the rule and its wording are the same in
every answer: a flag starts with ``language not read by the model (CODES)``.
"""

from __future__ import annotations

from collections.abc import Sequence

from embeddings.languages import languages_read
from matcher.recommend.peers import UNREAD as UNREAD_NEED
from matcher.snapshot import Snapshot
from matcher.text_language import unread

UNREAD_PREFIX = "language not read by the model"
UNREAD_QUESTION = UNREAD_PREFIX + " ({languages}): the scores of this question are not meaningful"


def unread_languages(snapshot: Snapshot, texts: Sequence[str], declared: Sequence[str] = ()) -> list[str]:
    """The ISO 639-1 codes of ``texts`` that ``snapshot``'s encoder does not read, in order (none
    when its languages are unknown: a model directory)."""
    return unread(texts, declared, languages_read(snapshot.encoder.model_id))


def question_flags(snapshot: Snapshot, texts: Sequence[str]) -> list[str]:
    """[the flag] when a question (a search query, a theme or an aspect) is in a language the
    encoder does not read; else []."""
    codes = unread_languages(snapshot, texts)
    return [UNREAD_QUESTION.format(languages=", ".join(codes))] if codes else []


def need_flags(snapshot: Snapshot, need: str, declared: Sequence[str]) -> list[str]:
    """[peers' flag] when ``need`` (written by a member declaring ``declared``) is in a language
    the encoder does not read; else []."""
    codes = unread_languages(snapshot, [need], declared)
    return [UNREAD_NEED.format(languages=", ".join(codes))] if codes else []
