"""People and their expert groups in the store (tables ``people``, ``people_groups``,
``people_invitations``). Callers check that the members named exist (``matcher.usecases.people``)."""

from __future__ import annotations

import datetime as dt
import sqlite3

from matcher.errors import InvalidFieldError, UnknownIdError
from matcher.people.model import Invitation, InvitationStatus, PeopleGroup, Person, SavedGroup
from matcher.store import Store


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class PeopleBook:
    def __init__(self, store: Store) -> None:
        self.store = store

    def put(self, people: list[Person]) -> int:
        with self.store.transaction() as db:
            db.executemany(
                "INSERT INTO people (id, member_id, body, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                " member_id = excluded.member_id, body = excluded.body, updated_at = excluded.updated_at",
                [(p.id, p.member_id, p.model_dump_json(), _now().isoformat()) for p in people],
            )
        return len(people)

    def all(self) -> list[Person]:
        with self.store.reading() as db:
            return [Person.model_validate_json(body) for (body,) in db.execute("SELECT body FROM people ORDER BY id")]

    def get(self, person_id: str) -> Person:
        with self.store.reading() as db:
            row = db.execute("SELECT body FROM people WHERE id = ?", (person_id,)).fetchone()
        if row is None:
            raise UnknownIdError("person", person_id)
        return Person.model_validate_json(row[0])

    def save_group(self, name: str, mandate: str, group: PeopleGroup, actor: str) -> int:
        """Keep the group and invite each of its people; one name, one group."""
        at = _now().isoformat()
        try:
            with self.store.transaction() as db:
                cursor = db.execute(
                    "INSERT INTO people_groups (name, theme, mandate, composition, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (name, group.theme, mandate, group.model_dump_json(), actor, at),
                )
                group_id = int(cursor.lastrowid or 0)
                db.executemany(
                    "INSERT INTO people_invitations (group_id, person_id, status, invited_at) VALUES (?, ?, 'invited', ?)",
                    [(group_id, pick.id, at) for pick in group.members],
                )
        except sqlite3.IntegrityError as error:
            raise InvalidFieldError("name", f"a group named '{name}' already exists") from error
        return group_id

    def answer(self, group_id: int, person_id: str, status: InvitationStatus, note: str) -> None:
        with self.store.transaction() as db:
            changed = db.execute(
                "UPDATE people_invitations SET status = ?, note = ?, answered_at = ? WHERE group_id = ? AND person_id = ?",
                (status, note, _now().isoformat(), group_id, person_id),
            ).rowcount
        if changed == 0:
            raise UnknownIdError("invitation", f"{group_id}/{person_id}")

    def groups(self) -> list[tuple[int, str, str, str]]:
        """(id, name, theme, created_at) of every saved group, newest first."""
        with self.store.reading() as db:
            return [tuple(row) for row in db.execute("SELECT id, name, theme, created_at FROM people_groups ORDER BY id DESC")]

    def group(self, group_id: int) -> SavedGroup:
        with self.store.reading() as db:
            row = db.execute(
                "SELECT id, name, theme, mandate, composition, created_by, created_at FROM people_groups WHERE id = ?", (group_id,)
            ).fetchone()
            if row is None:
                raise UnknownIdError("expert group", str(group_id))
            invited = db.execute(
                "SELECT person_id, status, note, invited_at, answered_at FROM people_invitations WHERE group_id = ?", (group_id,)
            ).fetchall()
        composition = PeopleGroup.model_validate_json(row[4])
        picks = {p.id: p for p in composition.members}
        invitations = [
            Invitation(
                person_id=pid,
                name=picks[pid].name if pid in picks else pid,
                external=picks[pid].external if pid in picks else False,
                status=status,
                note=note,
                invited_at=dt.datetime.fromisoformat(invited_at),
                answered_at=dt.datetime.fromisoformat(answered) if answered else None,
            )
            for pid, status, note, invited_at, answered in invited
        ]
        order = {p.id: i for i, p in enumerate(composition.members)}
        invitations.sort(key=lambda i: order.get(i.person_id, len(order)))
        return SavedGroup(
            id=row[0],
            name=row[1],
            theme=row[2],
            mandate=row[3],
            composition=composition,
            invitations=invitations,
            created_by=row[5],
            created_at=dt.datetime.fromisoformat(row[6]),
        )
