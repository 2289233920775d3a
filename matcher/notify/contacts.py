"""Each member's contact for invitations and reminders: a name, an email address and the language
the emails are written in (one of the console's: French, English, Spanish)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from matcher.errors import InvalidProposalError
from matcher.store import Store

CONTACT_LANGUAGES = ("fr", "en", "es")  # the languages the invitations and reminders are written in
# One address, no display name, no spaces or line breaks (a header injection would need one).
EMAIL = re.compile(r"^[^@\s<>,;\"]{1,64}@[^@\s<>,;\"]+\.[^@\s<>,;\".]{2,}$")
MAX_NAME = 200
MAX_EMAIL = 254  # RFC 5321's limit on a path


class InvalidContactError(InvalidProposalError):
    """A contact with a bad field (the service answers 422 naming it)."""


@dataclass(frozen=True)
class Contact:
    member_id: str
    name: str
    email: str
    language: str
    updated_by: str
    updated_at: dt.datetime


class Contacts:
    def __init__(self, store: Store) -> None:
        self.store = store

    def set(self, member_id: str, email: str, language: str, actor: str, name: str = "") -> Contact:
        """Record (or replace) ``member_id``'s contact; errors name the field."""
        email = email.strip()
        if len(email) > MAX_EMAIL or not EMAIL.match(email):
            raise InvalidContactError("email", f"'{email[:80]}' is not one email address")
        if language not in CONTACT_LANGUAGES:
            raise InvalidContactError("language", f"'{language}' is not one of {', '.join(CONTACT_LANGUAGES)}")
        if len(name) > MAX_NAME or any(ch in name for ch in "\r\n"):
            raise InvalidContactError("name", f"at most {MAX_NAME} characters on one line")
        if not self.store.existing("members", [member_id]):
            raise InvalidContactError("member_id", f"unknown member '{member_id}'")
        at = dt.datetime.now(dt.UTC).replace(microsecond=0)
        with self.store.transaction() as db:
            db.execute(
                "INSERT INTO contacts (member_id, name, email, language, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (member_id) DO UPDATE SET name = excluded.name, email = excluded.email, language = excluded.language,"
                " updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                (member_id, name.strip(), email, language, actor, at.isoformat()),
            )
        return Contact(member_id, name.strip(), email, language, actor, at)

    def get(self, member_id: str) -> Contact | None:
        return self.all([member_id]).get(member_id)

    def all(self, member_ids: list[str] | None = None) -> dict[str, Contact]:
        """member id -> contact (only those who have one)."""
        with self.store.reading() as db:
            rows = db.execute("SELECT member_id, name, email, language, updated_by, updated_at FROM contacts ORDER BY member_id").fetchall()
        wanted = set(member_ids) if member_ids is not None else None
        return {
            m: Contact(m, n, e, lang, by, dt.datetime.fromisoformat(at)) for m, n, e, lang, by, at in rows if wanted is None or m in wanted
        }

    def remove(self, member_id: str) -> bool:
        with self.store.transaction() as db:
            return db.execute("DELETE FROM contacts WHERE member_id = ?", (member_id,)).rowcount > 0
