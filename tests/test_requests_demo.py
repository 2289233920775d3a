"""The Coalition demo with the real model: what issue 23 promises of it.

A French request from Senegal's ministry of education (connectivity for rural schools, teacher
training in digital skills, funding for tablets, and school meals that nobody offers) gets a
package of at least three partners, one offer of each needed type, each with its evidence; the
meals are named as uncovered; a partner declining leads to a package re-solved around the parts
already confirmed."""

from __future__ import annotations

from typing import Any

import pytest

from matcher.demo import COALITION_MEMBERS, DEMO_FILES
from matcher.demo.coalition import load_coalition
from matcher.requests import RequestBook
from matcher.settings import Settings
from matcher.usecases import requests as usecase
from matcher.workspace import Workspace

pytestmark = pytest.mark.model
SENEGAL = "req-sn-ecoles-rurales"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, real_encoder: Any) -> tuple[Workspace, RequestBook]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("coalition") / "data")
    workspace = Workspace(settings, real_encoder)
    workspace.import_files([*DEMO_FILES, COALITION_MEMBERS])
    assert load_coalition(workspace.store) == (14, 6)
    assert load_coalition(workspace.store) == (14, 0)  # loading again receives nothing twice
    return workspace, RequestBook(workspace.store)


def test_the_demo_has_every_kind_type_language_and_region(demo: tuple[Workspace, RequestBook]) -> None:
    workspace, book = demo
    snapshot = workspace.snapshot()
    kinds = {m.kind for m in snapshot.members}
    assert {"government", "multilateral", "private_sector", "media", "academia"} <= kinds
    assert {o.type for o in book.offers()} == {"expertise", "in_kind", "financial", "content", "connectivity"}
    requests = book.list()[1]
    assert {r.request.languages[0] for r in requests} == {"fr", "en", "es"}
    regions = [r.request.region for r in requests]
    assert regions.count("Africa") >= 3 and {"Latin America and the Caribbean", "Asia-Pacific"} <= set(regions)
    assert any(r.request.requester_name for r in requests)  # a non-member asks too
    networks = {n for m in snapshot.members for n in m.networks}
    assert "Digital Transformation Collaborative" in networks


def test_the_french_request_gets_a_package_of_three_partners_and_names_what_nobody_offers(demo: tuple[Workspace, RequestBook]) -> None:
    workspace, book = demo
    snapshot = workspace.snapshot()
    stored = usecase.propose(snapshot, book, SENEGAL, "user:secretariat")
    assert stored.status == "proposed" and len(stored.partners) >= 3
    _, solved = usecase.current(snapshot, book, SENEGAL)
    by_component = {p.component: p for p in solved.package.parts}
    assert {c: solved.request.components[c].type for c in by_component} == {0: "connectivity", 1: "expertise", 2: "financial"}
    assert {c: book.offer(p.offer_id).type for c, p in by_component.items()} == {0: "connectivity", 1: "expertise", 2: "financial"}
    assert solved.package.share[:3] == [1.0, 1.0, 1.0]
    assert all(p.score >= 0.3 for p in solved.package.parts)  # each part at least a partial match on the peers' scale
    (meals,) = solved.uncovered
    assert meals.component == 3 and meals.code == "evidence"
    assert meals.reasons[0].text().startswith("no offer of this type answers this need")


def test_a_declined_part_is_replaced_and_the_confirmed_parts_stay(demo: tuple[Workspace, RequestBook]) -> None:
    workspace, book = demo
    snapshot = workspace.snapshot()
    if book.get(SENEGAL).status == "triaged":
        usecase.propose(snapshot, book, SENEGAL, "user:secretariat")
    approved = book.approve(SENEGAL, "user:secretariat", "the ministry agrees")
    part = {p.component: p for p in approved.package}
    book.respond(SENEGAL, part[1].id, True, "key:hub")
    book.respond(SENEGAL, part[2].id, True, "key:hub")
    after = usecase.respond(snapshot, book, SENEGAL, part[0].id, False, "key:hub", "our 4G network does not reach the region")
    now = {p.component: p for p in after.package}
    assert (now[1].id, now[1].status) == (part[1].id, "confirmed") and (now[2].id, now[2].status) == (part[2].id, "confirmed")
    assert now[0].offer_id != part[0].offer_id and now[0].status == "proposed"
    assert book.offer(now[0].offer_id).type == "connectivity" and now[0].member_id != part[0].member_id
    assert after.events[-1].step == "resolve" and after.events[-2].payload["answer"] == "declined"


def test_every_demo_request_gets_an_answer(demo: tuple[Workspace, RequestBook]) -> None:
    workspace, book = demo
    snapshot = workspace.snapshot()
    covered = {}
    for stored in book.list()[1]:
        solved = usecase.solve(snapshot, book, stored.id)
        covered[stored.id] = sum(solved.package.covered)
        assert len(solved.uncovered) + covered[stored.id] == len(stored.request.components)
    assert covered["req-pe-andes"] >= 2 and covered["req-cd-radio"] == 2


def test_the_spanish_request_through_v1_on_the_demo(demo: tuple[Workspace, RequestBook], real_encoder: Any) -> None:
    """The hub's path on the demo: a preview, then a proposed package, for Peru's request in Spanish."""
    from fastapi.testclient import TestClient

    from service.app import create_app
    from service.auth import digest
    from service.settings import ServiceSettings

    workspace, _ = demo
    keys = f"read:read:{digest('read-key-demo')};write:write:{digest('write-key-demo')}"
    settings = ServiceSettings(data_dir=workspace.settings.data_dir, api_keys=keys, log_json=False, precompute_peers=False)
    client = TestClient(create_app(settings, real_encoder))
    read, write = {"Authorization": "Bearer read-key-demo"}, {"Authorization": "Bearer write-key-demo"}
    preview = client.post("/v1/requests/req-pe-andes/preview", headers=read).json()
    shares = {c["type"]: c["share"] for c in preview["components"]}
    assert shares["content"] == 1.0 and shares["expertise"] == 1.0  # televised lessons, rural teacher training
    tablets = next(c for c in preview["components"] if c["type"] == "in_kind")
    assert tablets["share"] == 1.0 or tablets["reasons"]  # covered, or the reason is named
    proposed = client.post("/v1/requests/req-pe-andes/propose", headers=write, json={"options": {"regional_partner": True}})
    assert proposed.status_code == 200, proposed.text
    body = proposed.json()
    assert body["status"] == "proposed" and {"med-tv-andina"} <= set(body["partners"])
    regional = {m.id for m in workspace.snapshot().members if m.region == "Latin America and the Caribbean"}
    assert set(body["partners"]) & regional
