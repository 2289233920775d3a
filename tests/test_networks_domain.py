"""Issue 24 in the domain: a cluster with its coordinators' terms, work plan, status updates and a
participation view that flags an inactive member; an event whose recording enters the cluster's
peer-learning database and whose date is in the iCalendar feed; an expert group of people with an
external expert and its balance rule reported. Fake encoder: known vectors, known answers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import icalendar
import pytest

from matcher.calendar.model import Event, LearningLink
from matcher.clusters.model import CoordinatorTerm, PlanItem, StatusUpdate
from matcher.errors import InvalidFieldError, UnknownIdError
from matcher.partnerships import Partnerships
from matcher.people.model import BalanceRule, PeopleGroupOptions, Person
from matcher.settings import Settings
from matcher.usecases import calendar, clusters, library, people
from matcher.workspace import Workspace
from tests.conftest import member, resource, write_jsonl
from tests.fakes import FakeEncoder

DAY = dt.date(2026, 6, 30)


@pytest.fixture
def workspace(settings: Settings, tmp_path: Path) -> Workspace:
    rows = [
        member(
            "lyon",
            clusters=[{"cluster": "Éducation à la citoyenneté mondiale", "role": "coordinator"}],
            strengths=[{"text": "Teacher training in digital skills.", "topic": "gced-peace", "level": 4}],
        ),
        member(
            "quito",
            country="EC",
            region="Latin America and the Caribbean",
            languages=["es"],
            clusters=[{"cluster": "Educación para la ciudadanía mundial"}],
        ),
        member("cork", country="IE", languages=["en"], clusters=[{"cluster": "gced"}]),
        member("osaka", country="JP", region="Asia-Pacific", languages=["en"], clusters=[{"cluster": "esd"}]),
    ]
    docs = [
        resource(
            "rec-1",
            "Recording: peer exchange on teachers",
            "Teachers and digital tools, the recording.",
            kind="recording",
            authors=["lyon"],
            published="2026-05-02",
        ),
        resource("prog-1", "Notes from the summit", "The Global Teacher Campus trains teachers online.", authors=["cork"]),
        resource("other-1", "Teachers of the world", "Teachers teachers teachers digital.", published="2020-01-01"),
    ]
    ws = Workspace(settings, FakeEncoder())
    ws.import_files([write_jsonl(tmp_path / "members.jsonl", rows), write_jsonl(tmp_path / "resources.jsonl", docs)])
    return ws


def test_a_cluster_typed_in_spanish_or_french_is_the_taxonomy_cluster(workspace: Workspace) -> None:
    snapshot = workspace.snapshot()
    assert [c.cluster for c in snapshot.member("quito").clusters] == ["gced"]
    assert [c.cluster for c in snapshot.member("lyon").clusters] == ["gced"]
    overview = {c.code: c.members for c in clusters.clusters_overview(snapshot, workspace.store, DAY)}
    assert overview["gced"] == 3 and overview["esd"] == 1 and len(overview) == 5  # no sixth cluster
    assert clusters.resolve_cluster(snapshot, "Salud y bienestar") == "health"
    with pytest.raises(UnknownIdError, match="no cluster named 'Ciudadanía' .*gced"):
        clusters.resolve_cluster(snapshot, "Ciudadanía")


def test_cluster_report_terms_plan_updates_and_an_inactive_member(workspace: Workspace) -> None:
    snapshot, store = workspace.snapshot(), workspace.store
    clusters.add_coordinator(snapshot, store, "gced", CoordinatorTerm(member_id="lyon", starts=dt.date(2025, 1, 1)), "user:alice")
    clusters.add_coordinator(
        snapshot, store, "gced", CoordinatorTerm(member_id="cork", starts=dt.date(2021, 1, 1), ends=dt.date(2022, 12, 31)), "user:alice"
    )
    item = clusters.add_plan_item(
        snapshot,
        store,
        "Global citizenship education",
        PlanItem(objective="Train 200 teachers", output="Training kit", owner="lyon", due=dt.date(2026, 3, 1)),
        "user:alice",
    )
    clusters.add_status_update(
        snapshot,
        store,
        "gced",
        StatusUpdate(on=dt.date(2026, 2, 1), text="Kit drafted", plan_item=item, status="in_progress"),
        "user:alice",
    )
    with pytest.raises(InvalidFieldError, match="plan_item"):
        clusters.add_status_update(snapshot, store, "esd", StatusUpdate(on=DAY, text="x", plan_item=item), "user:alice")
    with pytest.raises(InvalidFieldError, match="owner"):
        clusters.add_plan_item(snapshot, store, "gced", PlanItem(objective="o", output="p", owner="nobody", due=DAY), "a")
    book = Partnerships(store)
    proposal = book.propose("recommendation", "quito", "lyon", "user:alice")
    book.approve(proposal.id, "user:alice")
    book.respond(proposal.id, "quito", True, "user:alice")
    book.respond(proposal.id, "lyon", True, "user:alice")
    book.check_in(proposal.id, "user:alice", dt.date(2026, 6, 1), "first exchange held")  # inside the period

    report = clusters.cluster_report(snapshot, store, "gced", on=DAY, fit=False)
    current, past = report.coordinators
    assert (current.member_id, current.ends, current.current) == ("lyon", dt.date(2026, 12, 31), True)  # two years by default
    assert current.days_left == (dt.date(2026, 12, 31) - DAY).days
    assert (past.member_id, past.current) == ("cork", False)
    assert [(p.objective, p.status, p.overdue) for p in report.plan] == [("Train 200 teachers", "in_progress", True)]
    assert [u.text for u in report.updates] == ["Kit drafted"]
    by_id = {p.member_id: p for p in report.participation}
    # the proposal is dated today, outside a period that ends on 30 June 2026; its check-in of 1 June is inside
    assert (by_id["lyon"].resources, by_id["lyon"].check_ins, by_id["lyon"].proposals) == (1, 1, 0)
    assert (by_id["quito"].check_ins, by_id["quito"].inactive) == (1, False)
    assert by_id["cork"].inactive and [p.member_id for p in report.inactive] == ["cork"]
    june = clusters.cluster_report(snapshot, store, "gced", on=DAY, since=dt.date(2026, 6, 2), fit=False)
    assert sorted(p.member_id for p in june.inactive) == ["cork", "lyon", "quito"]  # after the recording and the check-in
    today = dt.date.today()
    now = clusters.cluster_report(snapshot, store, "gced", on=today, fit=False)
    assert {p.member_id: p.proposals for p in now.participation} == {"lyon": 1, "quito": 1, "cork": 0}
    assert [p.member_id for p in now.inactive] == ["cork"]
    assert [t.topic for t in report.covered] == ["gced-peace"]
    csv_text = clusters.report_csv(report, "fr")
    assert "Éducation à la citoyenneté mondiale" in csv_text and "Train 200 teachers" in csv_text
    assert "cork,Cork,member,0,0,0,0,0,yes" in csv_text


def test_an_event_recording_in_the_peer_learning_database_and_its_date_in_the_feed(workspace: Workspace) -> None:
    snapshot, store = workspace.snapshot(), workspace.store
    event = Event(
        id="ev-1",
        title="Peer exchange: teachers and digital tools",
        kind="peer_exchange",
        cluster="Educación para la ciudadanía mundial",
        starts=dt.datetime(2026, 5, 2, 14, 0, tzinfo=dt.UTC),
        ends=dt.datetime(2026, 5, 2, 16, 0, tzinfo=dt.UTC),
        place="Lyon, Hôtel de Ville",
        hosts=["lyon"],
        participants=["quito", "cork"],
    )
    assert event.cluster == "gced"
    calendar.save_events(snapshot, store, [event])
    with pytest.raises(InvalidFieldError, match=r"ev-2.participants.0.*ghost"):
        calendar.save_events(snapshot, store, [event.model_copy(update={"id": "ev-2", "participants": ["ghost"]})])
    calendar.link_resources(snapshot, store, [LearningLink(resource_id="rec-1", event_id="ev-1")], "user:alice")
    entries = calendar.peer_learning(snapshot, store, "gced")
    assert [(e.resource_id, e.event_id, e.cluster) for e in entries] == [("rec-1", "ev-1", "gced")]
    assert calendar.peer_learning(snapshot, store, "esd") == []

    parsed = icalendar.Calendar.from_ical(calendar.calendar_feed(snapshot, store, "gced", "fr"))
    vevents = list(parsed.walk("VEVENT"))
    assert len(vevents) == 1
    assert vevents[0].decoded("dtstart") == dt.datetime(2026, 5, 2, 14, 0, tzinfo=dt.UTC)
    assert str(vevents[0]["uid"]) == "ev-1@peermatch" and str(vevents[0]["location"]) == "Lyon, Hôtel de Ville"
    assert "Quito" in str(vevents[0]["description"]) and str(parsed["x-wr-calname"]).endswith("citoyenneté mondiale")
    assert list(icalendar.Calendar.from_ical(calendar.calendar_feed(snapshot, store, "esd", "en")).walk("VEVENT")) == []

    report = clusters.cluster_report(snapshot, store, "gced", on=DAY, fit=False)
    by_id = {p.member_id: p for p in report.participation}
    assert (by_id["lyon"].events_hosted, by_id["quito"].events_attended, by_id["cork"].events_attended) == (1, 1, 1)
    assert not report.inactive


def test_event_needs_a_place_or_a_link_and_ends_after_it_starts() -> None:
    base = {"id": "e", "title": "t", "kind": "webinar", "starts": "2026-01-01T10:00:00Z", "hosts": ["a"]}
    with pytest.raises(ValueError, match="place, an online_url"):
        Event.model_validate(base | {"ends": "2026-01-01T11:00:00Z"})
    with pytest.raises(ValueError, match="before it starts"):
        Event.model_validate(base | {"ends": "2026-01-01T09:00:00Z", "place": "Lyon"})


def test_a_named_programme_is_found_first_by_its_name(workspace: Workspace) -> None:
    snapshot, store = workspace.snapshot(), workspace.store
    total, hits, _ = library.find_resources(snapshot, store, library.ResourceQuery(q="global teacher campus"))
    assert (hits[0].id, hits[0].matched) == ("prog-1", "text")
    _, by_author, _ = library.find_resources(snapshot, store, library.ResourceQuery(author="lyon"))
    assert [h.id for h in by_author] == ["rec-1"]
    _, recordings, _ = library.find_resources(snapshot, store, library.ResourceQuery(kind="recording", language="en"))
    assert [h.id for h in recordings] == ["rec-1"]


def _people() -> list[Person]:
    def person(pid: str, expertise: str, gender: str, **extra: object) -> Person:
        return Person.model_validate(
            {"id": pid, "name": pid.title(), "role": "expert", "languages": ["en"], "expertise": expertise, "gender": gender} | extra
        )

    return [
        person("ana", "Teacher training and digital literacy for teachers.", "woman", member_id="lyon"),
        person("bea", "Digital literacy and teacher networks.", "woman", member_id="quito"),
        person("cleo", "Teachers and digital literacy in schools.", "woman", member_id="cork"),
        person("dan", "Literacy for teachers, digital courses.", "man", organisation="UNESCO UIL", region="Europe and North America"),
        person("eve", "Flood budgets and gardens.", "woman", member_id="osaka"),
        person("fay", "Teacher digital literacy.", "woman", member_id="osaka", availability="unavailable"),
    ]


def test_an_expert_group_of_people_with_an_external_expert_and_a_gender_rule(workspace: Workspace) -> None:
    snapshot, store = workspace.snapshot(), workspace.store
    people.save_people(snapshot, store, _people())
    with pytest.raises(InvalidFieldError, match="zed.member_id"):
        people.save_people(snapshot, store, [_people()[0].model_copy(update={"id": "zed", "member_id": "ghost"})])
    theme, aspects = "digital literacy for teachers", ["teacher training", "digital literacy"]
    free = people.compose_group(snapshot, store, theme, PeopleGroupOptions(k=3, aspects=aspects))
    assert "fay" not in {p.id for p in free.members} and "eve" not in {p.id for p in free.members}
    ruled = people.compose_group(
        snapshot, store, theme, PeopleGroupOptions(k=3, aspects=aspects, balance=BalanceRule(by="gender", max_share=0.5))
    )
    ids = [p.id for p in ruled.members]
    assert "dan" in ids and len(ids) == 3  # two seats at most for women: the external expert takes the third
    assert ruled.balance is not None and ruled.balance.cap == 2 and ruled.balance.respected
    assert ruled.balance.counts == {"man": 1, "woman": 2} and ruled.balance.held_back
    dan = next(p for p in ruled.members if p.id == "dan")
    assert dan.external and dan.region == "Europe and North America" and dan.match_quality in {"partial", "strong"}

    group_id = people.save_group(store, "Teachers' digital literacy", "Advise the cluster on its 2026 training kit.", ruled, "user:alice")
    saved = people.answer_invitation(store, group_id, "dan", "accepted", "glad to")
    assert {i.person_id: i.status for i in saved.invitations}["dan"] == "accepted"
    assert saved.mandate.startswith("Advise") and saved.composition.balance == ruled.balance
    with pytest.raises(InvalidFieldError, match="already exists"):
        people.save_group(store, "Teachers' digital literacy", "again", ruled, "user:alice")


def test_a_csv_cluster_cell_with_a_colon_in_the_name_and_a_role(settings: Settings, tmp_path: Path) -> None:
    """A CSV cell names clusters as typed, in any language, a role after the last colon: the cluster
    "Inclusión: alfabetización y TIC" is one cluster, not "Inclusión" with the role "alfabetización y TIC"."""
    path = tmp_path / "members.csv"
    path.write_text(
        "id,name,kind,country,region,languages,clusters\n"
        "quito,Quito,city,EC,Latin America and the Caribbean,es,"
        '"Inclusión: alfabetización y TIC: coordinator; Salud y bienestar; esd:member"\n',
        encoding="utf-8",
    )
    ws = Workspace(settings, FakeEncoder())
    ws.import_files([path])
    clusters_of = [(c.cluster, c.role) for c in ws.store.get("members", "quito").clusters]
    assert clusters_of == [("inclusion", "coordinator"), ("health", "member"), ("esd", "member")]
