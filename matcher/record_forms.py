"""What clients send about members and resources, apart from what the store holds (``matcher.records``).

A record as a client writes it (a PUT body, a bulk item, an import row) is validated into a
``MemberWrite`` or ``ResourceWrite``, which ``record()`` turns into the stored ``Member`` or
``Resource``: the store only ever holds those, so the API's bodies can change (a field renamed, a
read-only field added) without migrating stored rows. A profile ranked without being stored
(``POST /v1/recommendations/peers``, ``peermatch recommend peers --profile``, an evaluation
question) is an ``UnsavedProfile``, whose ``member()`` is what the recommenders rank for.
The fields themselves are declared once, in ``MemberFields`` and ``ResourceFields``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field

from matcher.records import Member, MemberFields, RecordId, RecordType, Resource, ResourceFields

UPDATED_AT_NOTE = (
    "Read-only: when the service last wrote the record (GET answers it). A value sent is ignored,"
    " so that a GET answer can be sent back as it is."
)
# The id an unsaved profile without one is ranked under: not a valid record id (parentheses and a
# space), so it can never name a stored member, be left out as one, or read one's proposals.
UNSAVED_ID = "(unsaved profile)"


def _fields_of(model: Any, target: type[Member] | type[Resource]) -> dict[str, Any]:
    return {name: getattr(model, name) for name in target.model_fields}


# Why apart from Member: a client's body is not the stored row. It may carry the GET answer's
# read-only ``updated_at`` (a hub that reads a member, edits it and sends it back); any other field
# the model does not know is refused, naming it. Every other field is the stored record's, as is.
class MemberWrite(MemberFields):
    """A member as a client writes it: a PUT body, an item of a bulk import, a row of an import file."""

    updated_at: dt.datetime | None = Field(None, description=UPDATED_AT_NOTE)

    def record(self) -> Member:
        """The stored record: the fields as validated here (not validated a second time), the
        read-only ones dropped."""
        return Member.model_construct(_fields_set=self.model_fields_set - {"updated_at"}, **_fields_of(self, Member))


# Why apart from Resource: as for MemberWrite, the read-only ``updated_at`` of a GET answer may come back.
class ResourceWrite(ResourceFields):
    """A resource as a client writes it: a PUT body, an item of a bulk import, a row of an import file."""

    updated_at: dt.datetime | None = Field(None, description=UPDATED_AT_NOTE)

    def record(self) -> Resource:
        """The stored record, the read-only fields dropped."""
        return Resource.model_construct(_fields_set=self.model_fields_set - {"updated_at"}, **_fields_of(self, Resource))


# Why apart from Member: nothing is written, so an id is not needed (a visitor, a draft, an
# evaluation question has none). Given, it keeps its meaning of before: the profile is a draft of
# that stored member, who is left out of its own ranking and whose proposal history applies.
# ``partners`` stays: the members listed are left out of the ranking, as a stored member's partners
# are; that needs no store, so they are not checked against it. The fields the peer ranking does
# not read (networks, representative, membership, operates_in) are still accepted, and so is the
# GET answer's read-only ``updated_at`` (ignored), so that a stored member's JSON can be sent as a
# profile as it is, as before.
class UnsavedProfile(MemberFields):
    """A member profile ranked without being stored (its needs, strengths, profile text, languages, kind)."""

    id: RecordId | None = Field(  # type: ignore[assignment]
        None,
        description="Optional. A stored member's id: this profile is a draft of it (that member is left out, its declined"
        " proposals apply). Left out: a visitor's profile, ranked against every member.",
    )
    updated_at: dt.datetime | None = Field(None, description=UPDATED_AT_NOTE)

    def member(self) -> Member:
        """The profile as the recommenders rank it: a ``Member`` under its id, else ``UNSAVED_ID``."""
        fields = _fields_of(self, Member)
        if self.id is None:
            fields["id"] = UNSAVED_ID
        return Member.model_construct(_fields_set=self.model_fields_set | {"id"}, **fields)


WRITE_MODEL_OF: dict[RecordType, type[MemberWrite] | type[ResourceWrite]] = {"members": MemberWrite, "resources": ResourceWrite}
