"""What GET answers about members and resources: the stored record and when it was last written.

Apart from the stored models (``matcher.records``) as ``ProposalPublic`` is apart from ``Proposal``:
the answer may carry what the store knows and the client never sent. The time is read from the
record's own row (no other query); the store's revision is not per record (only per change), so
it is not answered here (a write's answer and ``GET /v1/events`` carry it).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field

from matcher.records import MemberFields, ResourceFields
from matcher.store import StoredRecord

UPDATED_AT = "When the service last wrote this record (UTC): the time 'updated_since' compares with."


# Why apart from Member: the answer adds ``updated_at``, which a hub syncing with ``updated_since``
# needs to know where it stands, and which is not part of the record (a write leaves it out).
class MemberPublic(MemberFields):
    """A stored member as GET /v1/members answers it."""

    updated_at: dt.datetime = Field(description=UPDATED_AT)


# Why apart from Resource: as for MemberPublic, the time of the last write.
class ResourcePublic(ResourceFields):
    """A stored resource as GET /v1/resources answers it."""

    updated_at: dt.datetime = Field(description=UPDATED_AT)


def member_public(stored: StoredRecord) -> MemberPublic:
    """The answer for a stored member: its fields as stored (validated when written), and its time."""
    return MemberPublic.model_construct(**_fields(stored), updated_at=stored.updated_at)


def resource_public(stored: StoredRecord) -> ResourcePublic:
    """The answer for a stored resource: its fields as stored, and its time."""
    return ResourcePublic.model_construct(**_fields(stored), updated_at=stored.updated_at)


def _fields(stored: StoredRecord) -> dict[str, Any]:
    return {name: getattr(stored.record, name) for name in type(stored.record).model_fields}


PUBLIC_OF = {"members": member_public, "resources": resource_public}
