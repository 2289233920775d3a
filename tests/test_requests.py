"""Requests and offers (issue 23): records and files, the package solver against greedy and brute
force, the uncovered components' reasons, capacity held by other packages, and the life of a
request, on a small network and the fake keyword encoder (whose right answers are known)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from matcher.errors import InvalidRecordsError
from matcher.requests import Offer, Request, RequestBook
from matcher.requests.candidates import Candidate, Candidates
from matcher.requests.errors import PackageConstraintError, RequestConflictError
from matcher.requests.files import read_records, write_records
from matcher.requests.solver import PackageOptions, PartPlan, greedy_package, objective_of, solve_package
from matcher.settings import Settings
from matcher.usecases import requests as usecase
from matcher.workspace import Workspace
from tests.conftest import member, write_jsonl
from tests.fakes import FakeEncoder

TODAY = dt.date(2027, 1, 10)


def offer(offer_id: str, member_id: str, kind: str, description: str, **overrides: Any) -> dict[str, Any]:
    unit = {"expertise": "person_days", "financial": "amount"}.get(kind, "units")
    row: dict[str, Any] = {
        "id": offer_id,
        "member_id": member_id,
        "type": kind,
        "description": description,
        "unit": unit,
        "capacity": 100,
        "languages": ["fr", "en"],
    }
    if unit == "amount":
        row["currency"] = "USD"
    row.update(overrides)
    return row


def request_row(request_id: str = "req-sn", **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": request_id,
        "title": "Écoles rurales connectées",
        "requester_id": "gov-sn",
        "country": "SN",
        "region": "Africa",
        "languages": ["fr"],
        "components": [
            {"text": "formation des enseignants", "type": "expertise", "quantity": 20},
            {"text": "connectivité numérique des écoles", "type": "connectivity", "quantity": 40},
            {"text": "budget pour les tablettes", "type": "financial", "quantity": 100, "currency": "USD"},
            {"text": "jardins scolaires", "type": "in_kind"},
        ],
    }
    row.update(overrides)
    return row


@pytest.fixture
def world(tmp_path: Path, settings: Settings) -> tuple[Workspace, RequestBook]:
    members = [
        member("gov-sn", kind="government", country="SN", region="Africa", strengths=[{"text": "literacy campaigns"}]),
        member("alpha", kind="private_sector", strengths=[{"text": "digital teacher training"}]),
        member("beta", kind="multilateral", strengths=[{"text": "digital connectivity"}]),
        member("gamma", kind="academia", strengths=[{"text": "budget planning"}]),
        member("delta", kind="media", country="KE", region="Africa", strengths=[{"text": "older learners"}]),
        member("omega", kind="coalition", strengths=[{"text": "flood recovery"}]),
    ]
    workspace = Workspace(settings, FakeEncoder())
    workspace.import_files([write_jsonl(tmp_path / "members.jsonl", members)])
    book = RequestBook(workspace.store)
    offers = [
        offer("o-alpha-teach", "alpha", "expertise", "teacher training days"),
        offer("o-alpha-net", "alpha", "connectivity", "digital connectivity for schools", capacity=40),
        offer("o-beta-net", "beta", "connectivity", "digital connectivity routers", capacity=400),
        offer("o-gamma-fund", "gamma", "financial", "budget grants", capacity=150),
        offer("o-delta-fund", "delta", "financial", "budget support", capacity=60),
    ]
    book.put_offers([Offer.model_validate(o) for o in offers])
    return workspace, book


def received(book: RequestBook, row: dict[str, Any] | None = None) -> str:
    stored = book.receive(Request.model_validate(row or request_row()), "user:alice")
    book.triage(stored.id, "user:alice", accepted=True, note="within the mandate")
    return stored.id


# ---- records and files ---------------------------------------------------------------------------


def test_offers_and_requests_round_trip_through_every_format(tmp_path: Path) -> None:
    offers = [
        Offer.model_validate(offer("o1", "alpha", "financial", "budget", committed=20, countries=["SN", "CI"])),
        Offer.model_validate(offer("o2", "beta", "in_kind", "500 tablets", regions=["Africa"], tech_level="low")),
    ]
    requests = [Request.model_validate(request_row())]
    for suffix in (".jsonl", ".json", ".csv"):
        write_records(offers, tmp_path / f"offers{suffix}")
        write_records(requests, tmp_path / f"requests{suffix}")
        assert read_records(tmp_path / f"offers{suffix}", "offers") == offers
        assert read_records(tmp_path / f"requests{suffix}", "requests") == requests


def test_bad_offers_are_refused_naming_file_line_and_field(tmp_path: Path) -> None:
    rows = [
        offer("o1", "alpha", "financial", "budget", currency=None),  # money without a currency
        offer("o2", "alpha", "gift", "tablets"),  # no such type
        offer("o3", "alpha", "in_kind", "tablets", committed=200),  # more committed than offered
        offer("o1", "beta", "in_kind", "tablets"),  # a repeated id
    ]
    path = write_jsonl(tmp_path / "offers.jsonl", rows)
    with pytest.raises(InvalidRecordsError) as caught:
        read_records(path, "offers")
    found = {(p.line, p.field) for p in caught.value.problems}
    assert found == {(1, "(record)"), (2, "type"), (3, "(record)"), (4, "id")}
    assert "currency" in str(caught.value) and "exceeds the capacity" in str(caught.value) and "offers.jsonl:4" in str(caught.value)


def test_a_csv_request_with_broken_components_json_names_the_column(tmp_path: Path) -> None:
    path = tmp_path / "requests.csv"
    path.write_text("id,title,requester_name,country,region,languages,components\nr1,T,Ministry,SN,Africa,fr,[{oops\n", encoding="utf-8")
    with pytest.raises(InvalidRecordsError) as caught:
        read_records(path, "requests")
    assert [(p.line, p.field) for p in caught.value.problems] == [(2, "components")]


def test_a_request_names_one_requester() -> None:
    with pytest.raises(ValueError, match="exactly one of requester_id"):
        Request.model_validate(request_row(requester_name="Ministère"))


def test_the_new_member_kinds_are_members(world: tuple[Workspace, RequestBook]) -> None:
    workspace, _ = world
    kinds = {m.id: m.kind for m in workspace.snapshot().members}
    assert (kinds["gov-sn"], kinds["beta"], kinds["gamma"], kinds["delta"]) == ("government", "multilateral", "academia", "media")


# ---- the package ----------------------------------------------------------------------------------


def test_the_package_covers_each_component_with_the_fewest_partners(world: tuple[Workspace, RequestBook]) -> None:
    workspace, book = world
    request_id = received(book)
    solved = usecase.solve(workspace.snapshot(), book, request_id, today=TODAY)
    chosen = {(p.component, p.offer_id) for p in solved.package.parts}
    # alpha covers teachers and connectivity alone; beta's bigger connectivity offer would add a partner
    assert chosen == {(0, "o-alpha-teach"), (1, "o-alpha-net"), (2, "o-gamma-fund")}
    assert solved.package.share == [1.0, 1.0, 1.0, 0.0]
    assert [(u.component, u.code) for u in solved.uncovered] == [(3, "type")]
    assert solved.uncovered[0].reasons[0].text() == "no member offers this type of support"
    assert all(p.score >= 0.7 for p in solved.package.parts)  # the keyword encoder: each offer says what the component says
    greedy = usecase.solve(workspace.snapshot(), book, request_id, method="greedy", today=TODAY)
    assert {p.offer_id for p in greedy.package.parts if p.component == 1} == {"o-beta-net"}  # the most capacity left
    assert len(greedy.package.partners) == 3 and len(solved.package.partners) == 2
    assert solved.package.objective > greedy.package.objective


def test_an_offer_in_another_language_or_region_is_named_as_the_reason(world: tuple[Workspace, RequestBook]) -> None:
    workspace, book = world
    book.put_offers([Offer.model_validate(offer("o-omega-garden", "omega", "in_kind", "garden tools", languages=["es"]))])
    book.put_offers([Offer.model_validate(offer("o-omega-garden2", "omega", "in_kind", "gardens seeds", countries=["PE"]))])
    solved = usecase.solve(workspace.snapshot(), book, received(book), today=TODAY)
    (garden,) = solved.uncovered
    assert garden.code == "language" and len(garden.reasons) == 2
    assert garden.reasons[0].text() == "1 offer that answers it does not work in the request's languages (fr)"
    assert garden.reasons[1].text() == "1 offer that answers it does not serve SN"


def test_capacity_held_by_another_active_package_is_not_offered_twice(world: tuple[Workspace, RequestBook]) -> None:
    workspace, book = world
    snapshot = workspace.snapshot()
    first = received(book)
    usecase.propose(snapshot, book, first, "user:alice")
    assert book.committed()["o-gamma-fund"] == 100.0
    second = received(book, request_row("req-2"))
    solved = usecase.solve(snapshot, book, second, today=TODAY)
    funds = {p.offer_id: p.amount for p in solved.package.parts if p.component == 2}
    # gamma has 150 - 100 held = 50 left, delta 60: both are needed, and gamma gives no more than 50
    assert set(funds) == {"o-gamma-fund", "o-delta-fund"} and sum(funds.values()) == pytest.approx(100.0)
    assert funds["o-gamma-fund"] <= 50.0 + 1e-6
    teachers = [p for p in solved.package.parts if p.component == 0]
    assert [p.amount for p in teachers] == [20.0]  # 100 person-days, 20 held: 80 left


def test_a_component_no_capacity_is_left_for_says_so(world: tuple[Workspace, RequestBook]) -> None:
    workspace, book = world
    snapshot = workspace.snapshot()
    big = request_row("req-big")
    big["components"] = [{"text": "budget", "type": "financial", "quantity": 210, "currency": "USD"}]
    usecase.propose(snapshot, book, received(book, big), "user:alice")
    again = request_row("req-again")
    again["components"] = [{"text": "budget", "type": "financial", "quantity": 10, "currency": "USD"}]
    solved = usecase.solve(snapshot, book, received(book, again), today=TODAY)
    assert [(u.code, "no capacity left" in u.reasons[0].text()) for u in solved.uncovered] == [("capacity", True)]


def test_constraints_hold_or_name_the_one_that_binds(world: tuple[Workspace, RequestBook]) -> None:
    workspace, book = world
    snapshot = workspace.snapshot()
    request_id = received(book)
    one = usecase.solve(snapshot, book, request_id, PackageOptions(max_partners=1), today=TODAY)
    assert one.package.partners == ["alpha"] and [u.code for u in one.uncovered] == ["constraints", "type"]
    regional = usecase.solve(snapshot, book, request_id, PackageOptions(regional_partner=True), today=TODAY)
    assert "delta" in regional.package.partners  # the only partner from Africa
    forced = usecase.solve(snapshot, book, request_id, PackageOptions(force_in=("beta",), force_out=("gamma",)), today=TODAY)
    assert {"beta", "delta"} <= set(forced.package.partners) and "gamma" not in forced.package.partners
    with pytest.raises(PackageConstraintError, match="'omega' has no suitable offer") as caught:
        usecase.solve(snapshot, book, request_id, PackageOptions(force_in=("omega",)), today=TODAY)
    assert caught.value.field == "force_in"


def test_the_milp_finds_the_brute_force_optimum() -> None:
    """Components without quantities: each takes one offer or none; every combination is tried."""
    rng = np.random.default_rng(7)
    for trial in range(20):
        n_components = int(rng.integers(2, 5))
        request = Request.model_validate(request_row(components=[{"text": f"c{c}", "type": "expertise"} for c in range(n_components)]))
        members = [f"m{i}" for i in range(int(rng.integers(2, 5)))]
        by_component = []
        for _ in range(n_components):
            ranked = [
                Candidate(f"o{m}-{k}", m, float(rng.uniform(0.3, 1.0)), 10.0) for m in members for k in range(2) if rng.random() < 0.4
            ]
            by_component.append(sorted(ranked, key=lambda x: -x.score))
        candidates = Candidates(request, by_component)
        best = max(
            objective_of(candidates, [PartPlan(c, x.offer_id, x.member_id, 0.0, x.score) for c, x in enumerate(choice) if x is not None])[0]
            for choice in itertools.product(*[[None, *ranked] for ranked in by_component])
        )
        solved = solve_package(candidates)
        assert solved.objective == pytest.approx(best), trial
        assert solved.objective >= greedy_package(candidates).objective - 1e-9


# ---- the life of a request -------------------------------------------------------------------------


def test_the_life_of_a_request_with_a_declined_part_re_solved(world: tuple[Workspace, RequestBook]) -> None:
    workspace, book = world
    snapshot = workspace.snapshot()
    request_id = received(book)
    with pytest.raises(RequestConflictError, match="'triaged': cannot approve"):
        book.approve(request_id, "user:alice")
    proposed = usecase.propose(snapshot, book, request_id, "user:alice")
    assert proposed.status == "proposed" and proposed.partners == ["alpha", "gamma"]
    approved = book.approve(request_id, "user:bob", "the ministry agrees")
    part_of = {p.offer_id: p.id for p in approved.package}
    book.respond(request_id, part_of["o-alpha-teach"], True, "key:hub")
    book.respond(request_id, part_of["o-alpha-net"], True, "key:hub")
    with pytest.raises(RequestConflictError, match="not confirmed yet"):
        book.deliver(request_id, "user:alice")
    after = usecase.respond(snapshot, book, request_id, part_of["o-gamma-fund"], False, "key:hub", "budget already spent")
    # the confirmed parts stay; the declined fund is replaced by delta's, which covers 60 of 100
    assert {(p.offer_id, p.status) for p in after.package} == {
        ("o-alpha-teach", "confirmed"),
        ("o-alpha-net", "confirmed"),
        ("o-delta-fund", "proposed"),
    }
    assert [p.status for p in after.parts if p.offer_id == "o-gamma-fund"] == ["declined"]
    resolved = after.events[-1]
    assert resolved.step == "resolve" and resolved.payload["share"][2] == pytest.approx(0.6)
    assert [u["code"] for u in resolved.payload["uncovered"]] == ["partly", "type"]
    book.respond(request_id, next(p.id for p in after.package if p.offer_id == "o-delta-fund"), True, "key:hub")
    assert book.deliver(request_id, "user:alice").status == "in_delivery"
    book.check_in(request_id, "user:alice", dt.date(2027, 3, 1), "routers in 40 schools")
    book.add_note(request_id, "user:alice", "training planned for April")
    outcomes = {0: "20 days of training held", 1: "40 schools online", 2: "60 USD of 100 spent on tablets", 3: "nobody offered"}
    closed = book.close(request_id, "user:alice", outcomes, 4)
    assert (closed.status, closed.rating, closed.outcome) == ("closed", 4, {str(k): v for k, v in outcomes.items()})
    steps = [e.step for e in closed.events]
    assert steps == [
        "receive",
        "triage",
        "propose",
        "approve",
        "respond",
        "respond",
        "respond",
        "resolve",
        "respond",
        "deliver",
        "check_in",
        "note",
        "close",
    ]
    assert all(e.actor for e in closed.events) and closed.events[1].payload == {"accepted": True, "status": "triaged"}
    assert book.get(request_id) == closed
    assert book.committed()["o-delta-fund"] == 60.0  # delivered capacity stays committed


def test_a_declined_request_needs_a_reason_and_is_final(world: tuple[Workspace, RequestBook]) -> None:
    _, book = world
    stored = book.receive(Request.model_validate(request_row()), "user:alice")
    with pytest.raises(Exception, match="needs a reason"):
        book.triage(stored.id, "user:alice", accepted=False)
    assert book.triage(stored.id, "user:alice", accepted=False, note="outside the mandate").status == "declined"
    with pytest.raises(RequestConflictError):
        book.triage(stored.id, "user:alice", accepted=True)
    with pytest.raises(RequestConflictError, match="already exists"):
        book.receive(Request.model_validate(request_row()), "user:alice")


def test_requests_list_filters_by_status_country_and_type(world: tuple[Workspace, RequestBook]) -> None:
    _, book = world
    received(book)
    book.receive(
        Request.model_validate(
            request_row("req-pe", country="PE", region="Latin America and the Caribbean", components=[{"text": "x", "type": "content"}])
        ),
        "user:alice",
    )
    assert [r.id for r in book.list(status="received")[1]] == ["req-pe"]
    assert [r.id for r in book.list(country="SN")[1]] == ["req-sn"]
    assert [r.id for r in book.list(offer_type="content")[1]] == ["req-pe"]
    assert book.list(offer_type="financial")[0] == 1
    assert json.loads(json.dumps(book.list()[0])) == 2


def test_a_store_from_before_requests_opens_with_its_members_and_gains_the_new_tables(tmp_path: Path, settings: Settings) -> None:
    """Existing data keeps working: a store made by the migrations before this one (no offers, no
    requests) is migrated on opening; its members, of the old kinds, read back unchanged."""
    import sqlite3

    from matcher.store import Store
    from matcher.store.migrations import MIGRATIONS, sqlite_script

    ours = next(i for i, script in enumerate(MIGRATIONS) if "CREATE TABLE offers" in sqlite_script(script))
    path = settings.store_path
    path.parent.mkdir(parents=True, exist_ok=True)
    old = sqlite3.connect(path)
    for script in MIGRATIONS[:ours]:
        old.executescript(sqlite_script(script))
    body = json.dumps(member("lyon", kind="local_government"))
    old.execute("INSERT INTO members (id, body, updated_at) VALUES ('lyon', ?, '2026-01-01T00:00:00+00:00')", (body,))
    old.execute(f"PRAGMA user_version = {ours}")
    old.commit()
    old.close()
    with Store(path) as store:
        assert store.get("members", "lyon").kind == "local_government"
        book = RequestBook(store)
        assert book.offers() == [] and book.list() == (0, [])
        book.put_offers([Offer.model_validate(offer("o1", "lyon", "content", "radio lessons"))])
        assert [o.id for o in book.offers()] == ["o1"]


def test_offered_capacity_stands_beside_what_open_requests_still_need(world: tuple[Workspace, RequestBook]) -> None:
    from matcher.records import REGIONS
    from matcher.requests.supply import supply_by_region

    workspace, book = world
    homes = {m.id: m.region for m in workspace.snapshot().members}
    request_id = received(book)
    before = supply_by_region(book.offers(), book.list()[1], homes, book.committed(), REGIONS)
    money = before["Africa"]["financial"]
    assert (money.offers, dict(money.left), dict(money.needed), money.missing) == (2, {"USD": 210.0}, {"USD": 100.0}, False)
    assert before["Africa"]["in_kind"].missing and before["Asia-Pacific"]["financial"].needed == {}
    usecase.propose(workspace.snapshot(), book, request_id, "user:alice")
    after = supply_by_region(book.offers(), book.list()[1], homes, book.committed(), REGIONS)
    assert dict(after["Africa"]["financial"].left) == {"USD": 110.0} and after["Africa"]["financial"].needed == {}
    assert after["Africa"]["in_kind"].components == 1 and after["Africa"]["in_kind"].missing  # nobody offers in kind


def test_a_package_solved_on_stale_capacity_is_refused_and_a_held_offer_cannot_be_removed(world: tuple[Workspace, RequestBook]) -> None:
    workspace, book = world
    snapshot = workspace.snapshot()
    first, second = received(book), received(book, request_row("req-2"))
    stale = usecase.solve(snapshot, book, second)  # solved before the first package holds anything
    usecase.propose(snapshot, book, first, "user:alice")
    parts = [vars(p) for p in stale.package.parts]
    with pytest.raises(RequestConflictError, match="another package took it meanwhile"):
        book.propose(second, "user:bob", parts, {})
    assert book.get(second).status == "triaged" and book.get(second).parts == []  # nothing written
    with pytest.raises(RequestConflictError, match="part of the packages of req-sn"):
        book.delete_offer("o-gamma-fund")
    book.delete_offer("o-beta-net")
    assert "o-beta-net" not in {o.id for o in book.offers()}
