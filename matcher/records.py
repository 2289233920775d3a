"""The records these networks hold: members (cities, governments, coalitions, people) and resources.

Validated once, where they enter (pydantic v2); everything downstream trusts them.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import pycountry
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, HttpUrl, StrictInt, model_validator

from matcher.clusters.names import canonical_cluster
from matcher.explanations import (
    IMPORT_CONTROL_CHARACTER,
    IMPORT_NO_BODY,
    IMPORT_NOT_COUNTRY,
    IMPORT_NOT_LANGUAGE,
    IMPORT_OWN_PARTNER,
    ExplainedValueError,
    explain,
)

# The Coalition's mix (issue 23): a ministry (``government``), multilateral agencies, companies,
# media and universities, beside the networks' cities and organisations. Members are stored as
# JSON bodies, so adding kinds needs no rewrite of stored rows: every old kind keeps its meaning.
MemberKind = Literal[
    "city",
    "local_government",
    "coalition",
    "organization",
    "person",
    "government",
    "multilateral",
    "private_sector",
    "media",
    "academia",
]
ResourceKind = Literal["recording", "video", "publication", "learning_module", "mooc", "discussion", "event"]
Region = Literal[
    "Africa",
    "Arab States",
    "Asia-Pacific",
    "Europe and North America",
    "Latin America and the Caribbean",
]
ClusterRole = Literal["member", "coordinator"]

REGIONS: tuple[str, ...] = Region.__args__  # type: ignore[attr-defined]
MEMBER_KINDS: tuple[str, ...] = MemberKind.__args__  # type: ignore[attr-defined]


def _country_code(value: str) -> str:
    code = value.strip().upper()
    if pycountry.countries.get(alpha_2=code) is None:
        raise ExplainedValueError(explain(IMPORT_NOT_COUNTRY, value=value))
    return code


def _language_code(value: str) -> str:
    code = value.strip().lower()
    if len(code) != 2 or pycountry.languages.get(alpha_2=code) is None:
        raise ExplainedValueError(explain(IMPORT_NOT_LANGUAGE, value=value))
    return code


def _no_control_characters(value: str) -> str:
    """Refuse NUL and the other control characters (tabs and line breaks aside) in a short field,
    and the invisible ones that make a name display as another (bidi overrides, zero-width)."""
    for position, character in enumerate(value):
        if character in _CONTROL or character in _SPOOFING:
            raise ExplainedValueError(explain(IMPORT_CONTROL_CHARACTER, code=f"{ord(character):04X}", position=position))
    return value


def _controls_as_spaces(value: str) -> str:
    """In a long text, control characters are layout (a PDF's form feeds), not content: spaces."""
    return value.translate(_AS_SPACE) if any(character in _CONTROL for character in value) else value


_CONTROL = frozenset(chr(c) for c in [*range(0x20), 0x7F]) - {"\t", "\n", "\r"}
_AS_SPACE = {ord(c): " " for c in _CONTROL}
# Bidi embeddings, overrides and isolates (U+202A-E, U+2066-9) reorder what follows ("gnp.exe"
# shown as "exe.png"); zero-width space, word joiner and BOM hide a difference between two names.
# Zero-width (non-)joiners stay: Persian and Indic spellings need them.
_SPOOFING = frozenset([*map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A)), "\u200b", "\u2060", "\ufeff"])


def _not_only_dots(value: str) -> str:
    """'.', '..': a path segment no URL can carry as an id (the client resolves it away)."""
    if set(value) == {"."}:
        raise ValueError(f"an id of dots only ({value!r}) cannot be reached by URL")
    return value

# Lengths a real record stays far below (the demo's longest name has 71 characters, profile 446,
# need 128): they bound what one record, or one request with an unsaved profile, costs to embed.
NAME_MAX = 300
PROFILE_MAX = 20_000
ITEM_TEXT_MAX = 2_000  # one strength or need: a sentence or a paragraph
ITEMS_MAX = 50  # strengths, needs per member
LABEL_MAX = 200  # a topic, network or cluster name
LIST_MAX = 1_000  # partners, authors, networks, topics

CountryCode = Annotated[str, AfterValidator(_country_code)]
LanguageCode = Annotated[str, AfterValidator(_language_code)]
RecordId = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_.:@~-]+$"), AfterValidator(_not_only_dots)]
Text = Annotated[str, Field(min_length=1, max_length=200_000), AfterValidator(_controls_as_spaces)]
Name = Annotated[str, Field(min_length=1, max_length=NAME_MAX), AfterValidator(_no_control_characters)]
Label = Annotated[str, Field(min_length=1, max_length=LABEL_MAX), AfterValidator(_no_control_characters)]
Profile = Annotated[str, Field(max_length=PROFILE_MAX), AfterValidator(_controls_as_spaces)]
ItemText = Annotated[str, Field(min_length=1, max_length=ITEM_TEXT_MAX), AfterValidator(_controls_as_spaces)]


# A need stated without a priority weighs as the middle of the 1-5 scale: neither urgent nor optional.
DEFAULT_PRIORITY = 3

class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Strength(_Record):
    """Something a member can offer, optionally tied to a topic and a level of 1 (some) to 5 (leading)."""

    text: ItemText
    topic: Label | None = None
    level: StrictInt | None = Field(None, ge=1, le=5)  # strict: JSON true is not the level 1
    language: LanguageCode | None = Field(
        None, description="The language the text is written in (ISO 639-1), when it is not the member's first language."
    )


class Need(_Record):
    """Something a member seeks help with; priority 1 (nice to have) to 5 (urgent)."""

    text: ItemText
    topic: Label | None = None
    priority: StrictInt | None = Field(None, ge=1, le=5)
    language: LanguageCode | None = Field(
        None, description="The language the text is written in (ISO 639-1), when it is not the member's first language."
    )

    @property
    def weight(self) -> int:
        """The priority a ranking weighs this need by: as stated, else ``DEFAULT_PRIORITY``."""
        return self.priority or DEFAULT_PRIORITY


class ClusterMembership(_Record):
    # A cluster typed by any of its names ("Salud y bienestar", "health") is stored as its code.
    cluster: Annotated[Label, AfterValidator(canonical_cluster)]
    role: ClusterRole = "member"


class Representative(_Record):
    """The person a member sends to a cluster or expert group."""

    name: Name
    profile: Annotated[Profile, Field(min_length=1)]
    languages: list[LanguageCode] = Field(default_factory=list, max_length=LIST_MAX)


class MemberFields(_Record):
    """A member's fields, declared once for each job a member's JSON does: the stored record
    (``Member``), what a client writes (``matcher.record_forms.MemberWrite``), what ``GET``
    answers (``service.public_records.MemberPublic``) and an unsaved profile ranked without being
    stored (``matcher.record_forms.UnsavedProfile``). Each job's model says how it differs."""

    id: RecordId
    name: Name
    kind: MemberKind
    country: CountryCode
    region: Region
    languages: list[LanguageCode] = Field(min_length=1, max_length=LIST_MAX)
    networks: list[Label] = Field(default_factory=list, max_length=LIST_MAX)
    clusters: list[ClusterMembership] = Field(default_factory=list, max_length=LIST_MAX)
    profile: Profile = ""
    strengths: list[Strength] = Field(default_factory=list, max_length=ITEMS_MAX)
    needs: list[Need] = Field(default_factory=list, max_length=ITEMS_MAX)
    partners: list[RecordId] = Field(default_factory=list, max_length=LIST_MAX)
    representative: Representative | None = None
    membership: Literal["member", "candidate"] = Field(
        "member",
        description="'candidate': a city not yet in the network, paired like a member and followed toward joining (matcher.candidates).",
    )
    operates_in: Literal["North", "South"] | None = Field(
        None,
        description="Where the member works, when not on its country's side (an organisation seated in the North working in the"
        " South); else its country's World Bank income group decides (matcher.regions).",
    )

    @model_validator(mode="after")
    def _not_own_partner(self) -> MemberFields:
        if self.id in self.partners:
            raise ExplainedValueError(explain(IMPORT_OWN_PARTNER, id=self.id))
        return self


class Member(MemberFields):
    """A member as the store holds it and the snapshot, the recommenders and the pairing read it.
    Only what a client wrote (``MemberWrite.record``) or the store read back becomes one: the
    store writes nothing else (``Store.write`` refuses the other models)."""


class ResourceFields(_Record):
    """A resource's fields, declared once for its jobs: stored (``Resource``), written by a client
    (``ResourceWrite``) and answered by ``GET`` (``ResourcePublic``)."""

    id: RecordId
    title: Annotated[str, Field(min_length=1, max_length=2_000), AfterValidator(_no_control_characters)]
    text: Annotated[str, Field(max_length=200_000), AfterValidator(_controls_as_spaces)] = ""
    summary: Profile = ""
    url: HttpUrl | None = None
    kind: ResourceKind
    language: LanguageCode
    topics: list[Label] = Field(default_factory=list, max_length=LIST_MAX)
    authors: list[RecordId] = Field(default_factory=list, max_length=LIST_MAX)
    published: dt.date | None = None

    @model_validator(mode="after")
    def _has_body(self) -> ResourceFields:
        if not (self.text or self.summary):
            raise ExplainedValueError(explain(IMPORT_NO_BODY))
        return self

    @property
    def body(self) -> str:
        """The text to embed: the full text when there is one, else the summary."""
        return self.text or self.summary


class Resource(ResourceFields):
    """A resource as the store holds it and the indexes and recommenders read it."""


Record = Member | Resource
RecordType = Literal["members", "resources"]
