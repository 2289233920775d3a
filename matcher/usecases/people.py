"""People and expert groups made of them: records checked against the members they work for, a
group composed for a theme (``matcher.people.compose``), saved with a mandate and invitations."""

from __future__ import annotations

from matcher.errors import InvalidFieldError
from matcher.people.book import PeopleBook
from matcher.people.compose import compose_people
from matcher.people.model import InvitationStatus, PeopleGroup, PeopleGroupOptions, Person, SavedGroup
from matcher.snapshot import Snapshot
from matcher.store import Store


def save_people(snapshot: Snapshot, store: Store, people: list[Person]) -> int:
    """Create or replace people; none is written when one names an unknown member."""
    for person in people:
        if person.member_id is not None and person.member_id not in snapshot.members_by_id:
            raise InvalidFieldError(f"{person.id}.member_id", f"no member with id '{person.member_id}'")
    return PeopleBook(store).put(people)


def region_of(snapshot: Snapshot, person: Person) -> str | None:
    """A member's staff come from their member's region; an external expert states theirs."""
    member = snapshot.members_by_id.get(person.member_id) if person.member_id else None
    return member.region if member is not None else person.region


def compose_group(snapshot: Snapshot, store: Store, theme: str, options: PeopleGroupOptions | None = None) -> PeopleGroup:
    """An expert group of people for ``theme`` (its aspects, size, balance rule in ``options``)."""
    people = PeopleBook(store).all()
    regions = {p.id: region_of(snapshot, p) for p in people}
    similarity = snapshot.recommender.evidence.member_similarity
    return compose_people(theme, people, regions, options or PeopleGroupOptions(), similarity, snapshot.encoder)


def save_group(store: Store, name: str, mandate: str, group: PeopleGroup, actor: str) -> int:
    """Keep a composed group under ``name`` with its mandate; each of its people is invited."""
    if not group.members:
        raise InvalidFieldError("members", "the group is empty: nobody's expertise matches the theme")
    return PeopleBook(store).save_group(name, mandate, group, actor)


def answer_invitation(store: Store, group_id: int, person_id: str, status: InvitationStatus, note: str = "") -> SavedGroup:
    book = PeopleBook(store)
    book.answer(group_id, person_id, status, note)
    return book.group(group_id)


def saved_group(store: Store, group_id: int) -> SavedGroup:
    return PeopleBook(store).group(group_id)


def all_people(store: Store) -> list[Person]:
    return PeopleBook(store).all()
