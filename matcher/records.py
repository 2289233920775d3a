"""The records these networks hold: members (cities, governments, coalitions, people) and resources.

Validated once, where they enter (pydantic v2); everything downstream trusts them.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import pycountry
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, HttpUrl, model_validator

MemberKind = Literal["city", "local_government", "coalition", "organization", "person"]
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


def _country_code(value: str) -> str:
    code = value.strip().upper()
    if pycountry.countries.get(alpha_2=code) is None:
        raise ValueError(f"'{value}' is not an ISO 3166-1 alpha-2 country code (e.g. FR, KE, BR)")
    return code


def _language_code(value: str) -> str:
    code = value.strip().lower()
    if len(code) != 2 or pycountry.languages.get(alpha_2=code) is None:
        raise ValueError(f"'{value}' is not an ISO 639-1 language code (e.g. en, fr, es, pt, ar)")
    return code


CountryCode = Annotated[str, AfterValidator(_country_code)]
LanguageCode = Annotated[str, AfterValidator(_language_code)]
RecordId = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_.:@~-]+$")]
Text = Annotated[str, Field(min_length=1, max_length=200_000)]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class Strength(_Record):
    """Something a member can offer, optionally tied to a topic and a level of 1 (some) to 5 (leading)."""

    text: Text
    topic: str | None = None
    level: int | None = Field(None, ge=1, le=5)


class Need(_Record):
    """Something a member seeks help with; priority 1 (nice to have) to 5 (urgent)."""

    text: Text
    topic: str | None = None
    priority: int | None = Field(None, ge=1, le=5)


class ClusterMembership(_Record):
    cluster: str = Field(min_length=1)
    role: ClusterRole = "member"


class Representative(_Record):
    """The person a member sends to a cluster or expert group."""

    name: str = Field(min_length=1)
    profile: Text
    languages: list[LanguageCode] = Field(default_factory=list)


class Member(_Record):
    id: RecordId
    name: str = Field(min_length=1)
    kind: MemberKind
    country: CountryCode
    region: Region
    languages: list[LanguageCode] = Field(min_length=1)
    networks: list[str] = Field(default_factory=list)
    clusters: list[ClusterMembership] = Field(default_factory=list)
    profile: str = ""
    strengths: list[Strength] = Field(default_factory=list)
    needs: list[Need] = Field(default_factory=list)
    partners: list[RecordId] = Field(default_factory=list)
    representative: Representative | None = None

    @model_validator(mode="after")
    def _not_own_partner(self) -> Member:
        if self.id in self.partners:
            raise ValueError(f"member '{self.id}' lists itself among its partners")
        return self


class Resource(_Record):
    id: RecordId
    title: str = Field(min_length=1)
    text: str = ""
    summary: str = ""
    url: HttpUrl | None = None
    kind: ResourceKind
    language: LanguageCode
    topics: list[str] = Field(default_factory=list)
    authors: list[RecordId] = Field(default_factory=list)
    published: dt.date | None = None

    @model_validator(mode="after")
    def _has_body(self) -> Resource:
        if not (self.text or self.summary):
            raise ValueError("a resource needs a text or a summary")
        return self

    @property
    def body(self) -> str:
        """The text to embed: the full text when there is one, else the summary."""
        return self.text or self.summary


Record = Member | Resource
RecordType = Literal["members", "resources"]
MODEL_OF: dict[str, type[Member] | type[Resource]] = {"members": Member, "resources": Resource}
