"""Secret feed addresses: a calendar application subscribes to the network's or a cluster's
iCalendar feed by its address alone, as it cannot send an API key.

The address carries a token (itsdangerous, signed with the link secret) that names one feed, the
network's or one cluster's, in one language, and grants nothing else: no record, no other route.
It does not expire, since a calendar keeps polling the same address for years; rotating
PEERMATCH_LINK_SECRET revokes every address at once (and the answer links with it). An address in a
server's log gives its reader that one calendar, which is why the key never goes there instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from itsdangerous import BadSignature, URLSafeSerializer

from matcher.errors import PeermatchError

SALT = "peermatch.calendar-feed"  # apart from the answer links signed with the same secret
FeedLanguage = Literal["en", "fr", "es"]


class FeedRefused(PeermatchError):
    """A feed token that was not signed by this secret (forged, altered or from a rotated secret)."""


@dataclass(frozen=True)
class FeedGrant:
    cluster: str | None  # None: the whole network's calendar
    language: FeedLanguage


class FeedTokens:
    def __init__(self, secret: str) -> None:
        self.serializer = URLSafeSerializer(secret, salt=SALT)

    def issue(self, grant: FeedGrant) -> str:
        return str(self.serializer.dumps({"cluster": grant.cluster, "language": grant.language}))

    def read(self, token: str) -> FeedGrant:
        try:
            payload = self.serializer.loads(token)
        except BadSignature:
            raise FeedRefused("this calendar address is not valid (altered, or its secret was rotated)") from None
        language = payload.get("language") if isinstance(payload, dict) else None
        if language not in ("en", "fr", "es"):
            raise FeedRefused("this calendar address is not valid")
        cluster = payload.get("cluster")
        return FeedGrant(cluster if isinstance(cluster, str) else None, language)
