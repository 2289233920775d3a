"""The life of a partnership: the state machine, every step stored with who and when, the errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from matcher.errors import (
    DuplicateProposalError,
    IllegalTransitionError,
    InvalidProposalError,
    UnknownIdError,
    UnknownProposalError,
)
from matcher.partnerships import Partnerships
from matcher.settings import Settings
from matcher.store import Store
from matcher.workspace import Workspace
from tests.conftest import import_file, member, write_jsonl


@pytest.fixture
def settings(tmp_path: Path, database_url: str | None) -> Settings:
    """Every test here runs on SQLite, then on PostgreSQL."""
    return Settings(data_dir=tmp_path / "data", database_url=database_url)


@pytest.fixture
def book(tmp_path: Path, settings: Settings) -> Partnerships:
    store = Store(settings.store_path, settings.database_url)
    rows = [member("dakar", country="SN"), member("lyon"), member("lima", country="PE"), member("quito", country="EC")]
    import_file(store, write_jsonl(tmp_path / "members.jsonl", rows), settings)
    return Partnerships(store)


def test_a_proposal_becomes_a_partnership_and_closes(book: Partnerships) -> None:
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    p = book.propose("recommendation", "dakar", "lyon", "user:alice", reason="digital skills", score=0.74, quality="strong")
    assert (p.status, p.created_by, p.sides, p.responses) == ("proposed", "user:alice", ("dakar", "lyon"), {})
    assert book.approve(p.id, "user:alice", "good fit").status == "approved"
    assert book.respond(p.id, "dakar", True, "key:hub").status == "approved"  # one side is not enough
    active = book.respond(p.id, "lyon", True, "user:bob", "by phone")
    assert active.status == "active" and active.responses == {"dakar": "accepted", "lyon": "accepted"}
    book.add_note(p.id, "user:alice", "kick-off planned")
    book.check_in(p.id, "user:alice", dt.date(2027, 1, 15), "first exchange held")
    closed = book.close(p.id, "user:alice", "joint training delivered", 5, "renew next year")
    assert (closed.status, closed.outcome, closed.rating) == ("closed", "joint training delivered", 5)
    steps = [(e.step, e.actor, e.note) for e in closed.events]
    assert steps == [
        ("propose", "user:alice", "digital skills"),
        ("approve", "user:alice", "good fit"),
        ("respond", "key:hub", ""),
        ("respond", "user:bob", "by phone"),
        ("note", "user:alice", "kick-off planned"),
        ("check_in", "user:alice", "first exchange held"),
        ("close", "user:alice", "renew next year"),
    ]
    assert closed.events[3].payload == {"side": "lyon", "answer": "accepted", "status": "active"}
    assert closed.events[5].payload == {"on": "2027-01-15"}
    assert closed.events[6].payload == {"outcome": "joint training delivered", "rating": 5, "status": "closed"}
    assert all(e.at.tzinfo is not None and e.at >= before for e in closed.events)
    assert book.get(p.id) == closed  # read back from the store as it was returned


def test_one_decline_ends_it_and_the_pair_is_not_proposed_again(book: Partnerships) -> None:
    p = book.propose("pairing", "dakar", "lyon", "user:alice", source="pairing run 7")
    book.approve(p.id, "user:alice")
    declined = book.respond(p.id, "lyon", False, "key:hub", "no capacity this year")
    assert declined.status == "declined" and declined.responses == {"lyon": "declined"}
    assert book.declined_partners("dakar") == {"lyon"} and book.declined_partners("lyon") == {"dakar"}
    rejected = book.reject(book.propose("recommendation", "lima", "dakar", "user:alice").id, "user:alice", "same project")
    assert rejected.status == "rejected"
    assert book.declined_partners("dakar") == {"lyon", "lima"}
    assert book.declined_partners("quito") == set()
    again = book.propose("recommendation", "lyon", "dakar", "user:alice", reason="asked again")  # allowed when asked
    assert book.declined_partners("dakar") == {"lima"}  # the latest proposal of the pair decides
    assert again.status == "proposed"


@pytest.mark.parametrize(
    ("steps", "illegal"),
    [
        ([], "respond"),
        ([], "close"),
        ([], "note"),
        (["approve"], "approve"),
        (["approve"], "reject"),
        (["approve"], "close"),
        (["reject"], "approve"),
        (["reject"], "note"),
        (["approve", "accept", "accept"], "approve"),
        (["approve", "accept", "accept", "close"], "note"),
        (["approve", "accept", "accept", "close"], "close"),
        (["approve", "decline"], "respond"),
    ],
)
def test_illegal_steps_name_the_proposal_its_status_and_the_step(book: Partnerships, steps: list[str], illegal: str) -> None:
    p = book.propose("recommendation", "dakar", "lyon", "user:alice")
    sides = iter(["dakar", "lyon"])
    do = {
        "approve": lambda: book.approve(p.id, "u"),
        "reject": lambda: book.reject(p.id, "u"),
        "accept": lambda: book.respond(p.id, next(sides), True, "u"),
        "decline": lambda: book.respond(p.id, next(sides), False, "u"),
        "respond": lambda: book.respond(p.id, "lyon", True, "u"),
        "close": lambda: book.close(p.id, "u", "done", 4),
        "note": lambda: book.add_note(p.id, "u", "hello"),
    }
    for step in steps:
        do[step]()
    status = book.get(p.id).status
    events = len(book.get(p.id).events)
    with pytest.raises(IllegalTransitionError) as raised:
        do[illegal]()
    assert f"proposal {p.id} is '{status}': cannot {illegal}" in str(raised.value)
    assert (raised.value.proposal_id, raised.value.status) == (p.id, status)
    assert len(book.get(p.id).events) == events  # nothing written


def test_a_side_answers_once_and_must_be_a_side(book: Partnerships) -> None:
    p = book.approve(book.propose("recommendation", "dakar", "lyon", "user:alice").id, "user:alice")
    book.respond(p.id, "dakar", True, "key:hub")
    with pytest.raises(IllegalTransitionError, match="'dakar' already answered 'accepted'"):
        book.respond(p.id, "dakar", False, "key:hub")
    with pytest.raises(InvalidProposalError, match="'lima' is not a side of proposal") as raised:
        book.respond(p.id, "lima", True, "key:hub")
    assert raised.value.field == "side"


def test_an_expert_group_proposal_needs_only_the_members_answer(book: Partnerships) -> None:
    p = book.propose("expert_group", "lima", "ESD expert group", "user:alice", reason="covers teacher training")
    assert (p.group, p.sides) == ("ESD expert group", ("lima",))
    book.approve(p.id, "user:alice")
    assert book.respond(p.id, "lima", True, "key:hub").status == "active"
    assert book.declined_partners("lima") == set()
    with pytest.raises(InvalidProposalError, match="'group'"):
        book.propose("expert_group", "dakar", "ESD expert group", "u", group="another group")


def test_bad_values_and_unknown_ids_are_named(book: Partnerships) -> None:
    with pytest.raises(UnknownProposalError, match="no proposal with id '999'") as missing:
        book.approve(999, "user:alice")
    assert isinstance(missing.value, UnknownIdError)
    with pytest.raises(InvalidProposalError, match="field 'partner_id': no member with id 'nowhere'"):
        book.propose("recommendation", "dakar", "nowhere", "user:alice")
    with pytest.raises(InvalidProposalError, match="field 'member_id': no member with id 'ghost'"):
        book.propose("pairing", "ghost", "lyon", "user:alice")
    with pytest.raises(InvalidProposalError, match="field 'actor'"):
        book.propose("pairing", "dakar", "lyon", " ")
    with pytest.raises(InvalidProposalError, match="field 'kind'"):
        book.propose("twinning", "dakar", "lyon", "u")  # type: ignore[arg-type]
    with pytest.raises(InvalidProposalError, match="field 'partner_id': 'dakar' is the member itself"):
        book.propose("pairing", "dakar", "dakar", "u")
    p = book.propose("pairing", "dakar", "lyon", "u")
    with pytest.raises(DuplicateProposalError, match=f"proposal {p.id} for 'lyon' and 'dakar' is already open"):
        book.propose("recommendation", "lyon", "dakar", "u")
    book.approve(p.id, "u")
    book.respond(p.id, "dakar", True, "u")
    book.respond(p.id, "lyon", True, "u")
    for rating in (0, 6, True):
        with pytest.raises(InvalidProposalError, match="field 'rating'"):
            book.close(p.id, "u", "done", rating)  # type: ignore[arg-type]
    assert book.get(p.id).status == "active"


def test_lists_filter_by_status_and_member_newest_first(book: Partnerships) -> None:
    first = book.propose("pairing", "dakar", "lyon", "u")
    second = book.propose("pairing", "lima", "quito", "u")
    third = book.propose("recommendation", "lyon", "lima", "u")
    book.approve(second.id, "u")
    total, page = book.list()
    assert total == 3 and [p.id for p in page] == [third.id, second.id, first.id]
    assert [p.id for p in book.list(member_id="lyon")[1]] == [third.id, first.id]  # either side
    assert book.list(status="approved")[0] == 1 and book.list(status="approved", member_id="dakar")[0] == 0
    total, page = book.list(offset=1, limit=1)
    assert total == 3 and [p.id for p in page] == [second.id]
    with pytest.raises(InvalidProposalError, match="field 'status'"):
        book.list(status="done")


def test_steps_survive_a_restart(book: Partnerships, settings: Settings) -> None:
    p = book.approve(book.propose("pairing", "dakar", "lyon", "u").id, "user:alice")
    book.store.close()
    with Store(settings.store_path, settings.database_url) as store:
        again = Partnerships(store).get(p.id)
    assert again == p


def test_reads_do_not_wait_for_a_write_in_progress(book: Partnerships) -> None:
    """A peer answer checks declined partners on every request: a long write (a bulk import
    holding the store's transaction) must not hold it up; it reads the last commit."""
    import threading

    p = book.propose("pairing", "dakar", "lyon", "u")
    writing, release = threading.Event(), threading.Event()

    def long_write() -> None:
        with book.store.transaction() as db:
            db.execute("UPDATE proposals SET status = 'rejected' WHERE id = ?", (p.id,))
            writing.set()
            release.wait(5)

    writer = threading.Thread(target=long_write)
    writer.start()
    writing.wait(5)
    try:
        result: list[set[str]] = []
        reader = threading.Thread(target=lambda: result.append(book.declined_partners("dakar")))
        reader.start()
        reader.join(2)
        assert result == [set()]  # answered during the write, from the last commit
    finally:
        release.set()
        writer.join()
    assert book.declined_partners("dakar") == {"lyon"}  # and sees the write once committed


def _mentee_and_two_mentors(tmp_path: Path) -> Workspace:
    """Dakar needs digital skills for older adults; Lyon offers exactly that, Lille something close."""
    from tests.fakes import FakeEncoder

    settings = Settings(data_dir=tmp_path / "data")
    workspace = Workspace(settings, FakeEncoder())
    rows = [
        member("dakar", country="SN", region="Africa", needs=[{"text": "digital older adults"}]),
        member("lyon", strengths=[{"text": "digital older adults"}]),
        member("lille", strengths=[{"text": "digital skills for adults"}]),
    ]
    import_file(workspace, write_jsonl(tmp_path / "members.jsonl", rows), settings)
    return workspace


def test_a_pairing_run_does_not_make_a_declined_pair_again_unless_asked(tmp_path: Path) -> None:
    """The best pair of a run, once declined, is ruled out of the next run (and named as the reason)."""
    from matcher.pairing.run import PairingRequest, pair_cohort
    from matcher.usecases.pairing import with_proposal_history

    workspace = _mentee_and_two_mentors(tmp_path)
    recommender = workspace.snapshot().recommender
    request = PairingRequest(mentees=["dakar"], mentors=["lyon", "lille"])
    first = pair_cohort(recommender, request).pairs[0]
    book = Partnerships(workspace.store)
    proposal = book.propose("pairing", first.mentee, first.mentor, "user:alice")
    book.approve(proposal.id, "user:alice")
    book.respond(proposal.id, first.mentor, False, "key:hub")
    again = pair_cohort(recommender, with_proposal_history(request, book)).pairs
    assert [(p.mentee, p.mentor) for p in again] == [("dakar", "lille" if first.mentor == "lyon" else "lyon")]
    asked = pair_cohort(recommender, with_proposal_history(request.model_copy(update={"include_declined": True}), book)).pairs
    assert [(p.mentee, p.mentor) for p in asked] == [(first.mentee, first.mentor)]
    workspace.close()


def test_a_pairing_run_treats_open_and_active_proposals_as_partners_already(tmp_path: Path) -> None:
    """Proposed again while its proposal is open, or once active, a pair would only be refused as a
    duplicate or repeat a partnership: the next run leaves it out, like a listed partner, and says so."""
    from matcher.pairing.run import PairingRequest, pair_cohort
    from matcher.usecases.pairing import with_proposal_history

    workspace = _mentee_and_two_mentors(tmp_path)
    recommender = workspace.snapshot().recommender
    request = PairingRequest(mentees=["dakar"], mentors=["lyon", "lille"])
    first = pair_cohort(recommender, request).pairs[0]
    other = "lille" if first.mentor == "lyon" else "lyon"
    book = Partnerships(workspace.store)
    proposal = book.propose("pairing", first.mentee, first.mentor, "user:alice")
    while_open = pair_cohort(recommender, with_proposal_history(request, book)).pairs
    assert [(p.mentee, p.mentor) for p in while_open] == [("dakar", other)]
    book.approve(proposal.id, "user:alice")
    book.respond(proposal.id, "dakar", True, "key:hub")
    book.respond(proposal.id, first.mentor, True, "key:hub")
    assert book.get(proposal.id).status == "active"
    alone = PairingRequest(mentees=["dakar"], mentors=[first.mentor])
    answer = pair_cohort(recommender, with_proposal_history(alone, book))
    assert answer.pairs == [] and "already in an active partnership or an open proposal" in answer.unmatched[0].reason
    allowed = alone.model_copy(update={"constraints": alone.constraints.model_copy(update={"forbid_existing_partners": False})})
    assert [(p.mentee, p.mentor) for p in pair_cohort(recommender, with_proposal_history(allowed, book)).pairs] == [("dakar", first.mentor)]
    workspace.close()
