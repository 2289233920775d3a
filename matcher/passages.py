"""Split records into passages: the unit that is embedded, indexed and quoted back as a snippet."""

from __future__ import annotations

import re
from dataclasses import dataclass

from embeddings.cache import text_hash
from embeddings.embedder import Role
from matcher.records import Member, Resource
from matcher.text_language import detect

_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Passage:
    """A window of a record's text. ``key`` is unique in the store: ``<owner>#<field>:<n>``."""

    key: str
    collection: str  # "members" or "resources"
    owner_id: str
    field: str  # profile, strength:0, need:1, representative, title, body
    position: int
    language: str | None  # detected from the text; the record's declared language when it cannot be told
    text: str

    @property
    def text_hash(self) -> str:
        return text_hash(self.text)

    @property
    def role(self) -> Role:
        return role_of_field(self.field)


def role_of_field(field: str) -> Role:
    """A need asks (it is matched against what others state); a strength, a profile or a document
    states. An asymmetric encoder embeds the two differently (``embeddings.embedder``)."""
    return "query" if field.startswith("need") else "passage"


def split_words(text: str, size: int, overlap: int) -> list[str]:
    """Windows of ``size`` words, consecutive windows sharing ``overlap`` words; [] for blank text."""
    words = _WORD.findall(text)
    if not words:
        return []
    step = size - overlap
    windows = []
    for start in range(0, len(words), step):
        windows.append(" ".join(words[start : start + size]))
        if start + size >= len(words):
            break
    return windows


def member_passages(member: Member, size: int, overlap: int) -> list[Passage]:
    """Profile, each strength, each need and the representative, each split on its own.

    Strengths and needs stay separate passages so that a match can say which need met
    which strength. A strength or need that states its language is in it; any other text's
    language is detected among the member's (a member declaring Amharic may write in English),
    so that its cohort (``matcher.scoring.calibration``) is the right one.
    """
    fields: list[tuple[str, str, str | None]] = [("profile", member.profile, None)]
    fields += [(f"strength:{i}", s.text, s.language) for i, s in enumerate(member.strengths)]
    fields += [(f"need:{i}", n.text, n.language) for i, n in enumerate(member.needs)]
    if member.representative is not None:
        fields.append(("representative", member.representative.profile, None))
    return _passages("members", member.id, fields, member.languages, size, overlap)


def resource_passages(resource: Resource, size: int, overlap: int) -> list[Passage]:
    """The title on its own (short, precise) and the body in windows, in the resource's stated language."""
    fields: list[tuple[str, str, str | None]] = [("title", resource.title, resource.language), ("body", resource.body, resource.language)]
    return _passages("resources", resource.id, fields, [], size, overlap)


def _passages(
    collection: str,
    owner_id: str,
    fields: list[tuple[str, str, str | None]],
    declared: list[str],
    size: int,
    overlap: int,
) -> list[Passage]:
    """``fields``: (field, text, its stated language or None: detected among ``declared``)."""
    passages = []
    for field, text, stated in fields:
        language = stated or (detect(text, declared) if text.strip() else None)
        for position, window in enumerate(split_words(text, size, overlap)):
            key = f"{owner_id}#{field}:{position}"
            passages.append(Passage(key, collection, owner_id, field, position, language, window))
    return passages
