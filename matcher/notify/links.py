"""Signed, expiring answer links: a contact accepts or declines a proposal for its member without
an account. The token (itsdangerous, signed with the link secret and timestamped) carries only a
random nonce; the store says which proposal and member it stands for and whether it was used, so
a link works once and a forged, altered or expired one is refused."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Literal

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from matcher.errors import PeermatchError
from matcher.store import Store

SALT = "peermatch.answer-link"  # keeps these tokens apart from anything else signed with the same secret
Why = Literal["invalid", "expired", "used"]


class LinkRefused(PeermatchError):
    """An answer link that cannot be used: ``why`` is invalid (forged, altered), expired or used."""

    def __init__(self, why: Why, message: str, member_id: str | None = None) -> None:
        super().__init__(message)
        self.why = why
        self.member_id = member_id  # whose link it was, when known (a used or expired one): its page speaks that contact's language


@dataclass(frozen=True)
class LinkTarget:
    nonce: str
    proposal_id: int
    member_id: str
    email: str
    expires_at: dt.datetime
    used_at: dt.datetime | None
    used_answer: str | None


class AnswerLinks:
    def __init__(self, store: Store, secret: str, days: int) -> None:
        self.store = store
        self.serializer = URLSafeTimedSerializer(secret, salt=SALT)
        self.days = days

    def issue(self, proposal_id: int, member_id: str, email: str, now: dt.datetime | None = None) -> str:
        """A new token for ``member_id``'s answer to ``proposal_id``, valid ``days`` days from ``now``."""
        issued = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
        nonce = secrets.token_urlsafe(18)
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO answer_links (nonce, proposal_id, member_id, email, issued_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                (nonce, proposal_id, member_id, email, issued.isoformat(), (issued + dt.timedelta(days=self.days)).isoformat()),
            )
        return self.serializer.dumps(nonce)

    def target(self, token: str, now: dt.datetime | None = None) -> LinkTarget:
        """What ``token`` answers for; LinkRefused when it is forged, expired or already used."""
        try:
            nonce = self.serializer.loads(token, max_age=self.days * 86_400)
        except SignatureExpired:
            raise LinkRefused("expired", f"this link expired: answer links are valid {self.days} days") from None
        except BadSignature:
            raise LinkRefused("invalid", "this link is not one peermatch sent (or it was altered)") from None
        with self.store.reading() as db:
            row = db.execute(
                "SELECT nonce, proposal_id, member_id, email, expires_at, used_at, used_answer FROM answer_links WHERE nonce = ?", (nonce,)
            ).fetchone()
        if row is None:
            raise LinkRefused("invalid", "this link is not one peermatch sent (or it was altered)")
        target = LinkTarget(
            row[0],
            int(row[1]),
            row[2],
            row[3],
            dt.datetime.fromisoformat(row[4]),
            dt.datetime.fromisoformat(row[5]) if row[5] else None,
            row[6],
        )
        if target.used_at is not None:
            used = f"this link was already used on {target.used_at:%Y-%m-%d %H:%M} UTC ({target.used_answer})"
            raise LinkRefused("used", used, target.member_id)
        if (now or dt.datetime.now(dt.UTC)) >= target.expires_at:
            raise LinkRefused("expired", f"this link expired on {target.expires_at:%Y-%m-%d %H:%M} UTC", target.member_id)
        return target

    def claim(self, target: LinkTarget, answer: str, now: dt.datetime | None = None) -> bool:
        """Mark the link used (once: False when another request used it first)."""
        at = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
        with self.store.transaction() as db:
            return (
                db.execute(
                    "UPDATE answer_links SET used_at = ?, used_answer = ? WHERE nonce = ? AND used_at IS NULL",
                    (at.isoformat(), answer, target.nonce),
                ).rowcount
                == 1
            )

    def release(self, target: LinkTarget) -> None:
        """Undo a claim whose answer could not be recorded (the proposal had moved on): nothing was answered."""
        with self.store.transaction() as db:
            db.execute("UPDATE answer_links SET used_at = NULL, used_answer = NULL WHERE nonce = ?", (target.nonce,))
