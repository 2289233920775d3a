"""A hub developer's view: the live /openapi.json is a valid OpenAPI document, openapi-python-client
generates a client from it without a warning, and that client, unmodified, does a hub's work
against the service (upsert, peers, search across languages, a proposal's life, errors)."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openapi_spec_validator import validate

from service.app import create_app
from service.auth import digest
from service.settings import ServiceSettings
from tests.conftest import member
from tests.fakes import FakeEncoder
from tests.test_service import ADMIN, ANSWER, READ, WRITE, auth, seeded_settings

PACKAGE = "peermatch_client"


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    app = create_app(seeded_settings(tmp_path_factory.mktemp("doc"), precompute_peers=False), FakeEncoder())
    answer: dict[str, Any] = TestClient(app).get("/openapi.json").json()
    return answer


@pytest.fixture(scope="module")
def client_package(document: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The client openapi-python-client generates from the live document, importable."""
    root = tmp_path_factory.mktemp("generated")
    (root / "openapi.json").write_text(json.dumps(document), encoding="utf-8")
    (root / "config.yaml").write_text("post_hooks: []\n", encoding="utf-8")  # no formatter run: the code is imported, not read
    generator = Path(sys.executable).with_name("openapi-python-client")
    command = [str(generator), "generate", "--path", str(root / "openapi.json"), "--output-path", str(root / PACKAGE)]
    done = subprocess.run([*command, "--meta", "none", "--config", str(root / "config.yaml")], capture_output=True, text=True, timeout=300)
    output = done.stdout + done.stderr
    # The generator skips what it cannot type and says so with a warning: that is a broken contract.
    assert done.returncode == 0 and "warning" not in output.lower(), output
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def operation(tag: str, name: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.api.{tag}.{name}")


def model(name: str) -> Any:
    return importlib.import_module(f"{PACKAGE}.models").__dict__[name]


def hub_client(package: ModuleType, app: Any, key: str) -> Any:
    """The generated client, sending its requests into ``app`` (a TestClient is an httpx.Client)."""
    client = package.AuthenticatedClient(base_url="http://testserver", token=key)
    client.set_httpx_client(TestClient(app, base_url="http://testserver", headers={"Authorization": f"Bearer {key}"}))
    return client


# ---- the document ------------------------------------------------------------------------------


def test_the_live_document_is_valid_openapi(document: dict[str, Any]) -> None:
    validate(document)  # raises, naming the path, on any violation of the OpenAPI 3.1 schema
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            for status, answer in op["responses"].items():
                assert answer.get("description"), (method, path, status)


def test_schema_titles_are_distinct_and_name_the_score_parts(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    titles = [schema.get("title", name) for name, schema in schemas.items()]
    assert len(titles) == len(set(titles)), sorted(t for t in titles if titles.count(t) > 1)
    assert {"PeerScoreParts", "SearchScoreParts"} <= set(schemas)
    assert all(schemas[name]["title"] == name for name in ("PeerScoreParts", "SearchScoreParts"))
    assert "0-1" in schemas["PeerScoreParts"]["properties"]["context"]["description"]  # mapped to 0-1 since a5c2308, no longer z units


def test_operation_ids_are_the_route_functions_names(document: dict[str, Any]) -> None:
    ids = [op["operationId"] for operations in document["paths"].values() for op in operations.values()]
    assert len(ids) == len(set(ids))
    assert "put_member" in ids and "member_peers" in ids and "create_proposal" in ids
    assert not [i for i in ids if "_v1_" in i]  # FastAPI's default: name, path and method


def test_every_route_that_needs_a_key_documents_401_and_403(document: dict[str, Any]) -> None:
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            if op.get("security"):
                assert {"401", "403"} <= set(op["responses"]), (method, path)
    assert "403" in document["paths"]["/metrics"]["get"]["responses"]


# ---- the generated client at work ----------------------------------------------------------------


def test_generated_client_does_a_hubs_work(client_package: ModuleType, tmp_path: Path) -> None:
    app = create_app(seeded_settings(tmp_path, precompute_peers=False), FakeEncoder())
    writer, reader = hub_client(client_package, app, WRITE), hub_client(client_package, app, READ)
    answerer = hub_client(client_package, app, ANSWER)  # the hub's key for its members' answers
    MemberWrite, Error = model("MemberWrite"), model("Error")

    # An upsert: a new member that needs flood drills (Lima offers them).
    accra = member("accra", country="GH", region="Africa", languages=["fr", "es"], needs=[{"text": "flood drills", "priority": 4}])
    written = operation("records", "put_member").sync(member_id="accra", client=writer, body=MemberWrite.from_dict(accra))
    assert written.changed == ["accra"] and written.store_revision >= 1

    # Peers for the new member, typed: PagePeerMatch of PeerMatch with PeerScoreParts.
    page = operation("recommendations", "member_peers").sync(member_id="accra", client=reader, k=1)
    assert [p.id for p in page.items] == ["lima"] and page.offset == 0 and page.limit == 1
    assert type(page.items[0].parts).__name__ == "PeerScoreParts" and page.items[0].parts.gives > 0.3

    # A resource search in another language (French words for floods), POST and GET alike.
    body = model("ResourceSearchRequest")(query="exercices d'inondations", k=1)
    found = operation("recommendations", "search_resources").sync(client=reader, body=body)
    assert type(found).__name__ == "ResourceSearchResponse" and [hit.id for hit in found.results] == ["floods"]
    assert type(found.results[0].explanation).__name__ == "SearchScoreParts"
    by_get = operation("recommendations", "search_resources_get").sync(client=reader, q="inundaciones", k=1)
    assert [hit.id for hit in by_get.results] == ["floods"]

    # A proposal through its states: proposed, approved, active (both sides accept), closed.
    create = model("ProposalCreate")(kind=model("ProposalCreateKind")("recommendation"), member_id="accra", partner_id="lima")
    proposal = operation("proposals", "create_proposal").sync(client=writer, body=create)
    assert proposal.status.value == "proposed"
    pid = proposal.id
    approved = operation("proposals", "approve_proposal").sync(pid, client=writer, body=model("StepNote")(note="good fit"))
    assert approved.status.value == "approved"
    for side in ("accra", "lima"):
        answer = model("SideAnswer")(side=side, accepted=True)
        answered = operation("proposals", "respond_to_proposal").sync(pid, client=answerer, body=answer)
    assert answered.status.value == "active"
    noted = operation("proposals", "add_proposal_note").sync(pid, client=writer, body=model("NoteIn")(note="kick-off held"))
    assert noted.events[-1].note == "kick-off held"
    closing = model("Closing")(outcome="drills run in both cities", rating=4)
    closed = operation("proposals", "close_proposal").sync(pid, client=writer, body=closing)
    assert (closed.status.value, closed.rating) == ("closed", 4)
    assert [e.step.value for e in closed.events] == ["propose", "approve", "respond", "respond", "note", "close"]

    # A 422, parsed as the Error schema, naming the field.
    bad = MemberWrite.from_dict(member("nowhere", country="XX"))
    refused = operation("records", "put_member").sync_detailed(member_id="nowhere", client=writer, body=bad)
    assert refused.status_code == 422 and isinstance(refused.parsed, Error) and "country" in str(refused.parsed.field)


def test_generated_client_reads_a_503_as_an_error(client_package: ModuleType, tmp_path: Path) -> None:
    settings = ServiceSettings(data_dir=tmp_path / "empty", api_keys=f"r:read:{digest(READ)}", log_json=False)
    app = create_app(settings, FakeEncoder())  # nothing imported: no index yet
    answer = operation("recommendations", "member_peers").sync_detailed(member_id="x", client=hub_client(client_package, app, READ))
    assert answer.status_code == 503 and isinstance(answer.parsed, model("Error")) and "not ready" in answer.parsed.message


def test_a_read_key_gets_a_documented_403_from_metrics(client_package: ModuleType, tmp_path: Path) -> None:
    app = create_app(seeded_settings(tmp_path, precompute_peers=False), FakeEncoder())
    answer = operation("operations", "metrics").sync_detailed(client=hub_client(client_package, app, READ))
    assert answer.status_code == 403 and isinstance(answer.parsed, model("Error"))
    assert operation("operations", "metrics").sync_detailed(client=hub_client(client_package, app, ADMIN)).status_code == 200


# ---- what the document promises about values ---------------------------------------------------------


def test_peers_offset_pages_through_one_ranking(tmp_path: Path) -> None:
    app = create_app(seeded_settings(tmp_path, precompute_peers=False), FakeEncoder())
    client = TestClient(app)
    url = "/v1/members/dakar/peers"
    common = {"only_evidence": False, "max_per_country": None, "require_common_language": False}
    whole = client.post("/v1/recommendations/peers", headers=auth(READ), json={"member_id": "dakar", "options": {"k": 10, **common}}).json()
    ids = [p["id"] for p in whole["items"]]
    assert len(ids) == 2 and whole["total"] == 2  # the two other members: nothing past them
    first = client.post("/v1/recommendations/peers", headers=auth(READ), json={"member_id": "dakar", "options": {"k": 1, **common}}).json()
    second = client.post(
        "/v1/recommendations/peers", headers=auth(READ), json={"member_id": "dakar", "offset": 1, "options": {"k": 1, **common}}
    ).json()
    assert [p["id"] for p in first["items"] + second["items"]] == ids
    assert (first["total"], first["offset"], second["total"], second["offset"]) == (2, 0, 2, 1)  # total > offset + limit: more
    got = client.get(url, headers=auth(READ), params={"k": 1, "offset": 0}).json()
    assert got["items"][0]["id"] == "lyon" and got["total"] >= 1
    past = client.get(url, headers=auth(READ), params={"k": 1, "offset": 5}).json()
    assert past["items"] == [] and past["offset"] == 5
    deep = {"member_id": "dakar", "offset": 400, "options": {"k": 100}}
    too_deep = client.post("/v1/recommendations/peers", headers=auth(READ), json=deep)
    assert too_deep.status_code == 422


def test_a_note_is_note_on_every_step(tmp_path: Path) -> None:
    client = TestClient(create_app(seeded_settings(tmp_path, precompute_peers=False), FakeEncoder()))
    body = {"kind": "pairing", "member_id": "dakar", "partner_id": "lyon"}
    pid = client.post("/v1/proposals", headers=auth(WRITE), json=body).json()["id"]
    client.post(f"/v1/proposals/{pid}/approve", headers=auth(WRITE), json={"note": "ok"})
    for side in ("dakar", "lyon"):
        client.post(f"/v1/proposals/{pid}/respond", headers=auth(READ), json={"side": side, "accepted": True})
    client.post(f"/v1/proposals/{pid}/notes", headers=auth(WRITE), json={"note": "a note"})
    client.post(f"/v1/proposals/{pid}/check-ins", headers=auth(WRITE), json={"on": "2027-01-15", "note": "a check-in"})
    client.post(f"/v1/proposals/{pid}/notes", headers=auth(WRITE), json={"text": "an older client's note"})  # still read
    events = client.get(f"/v1/proposals/{pid}", headers=auth(READ)).json()["events"]
    assert [e["note"] for e in events[-3:]] == ["a note", "a check-in", "an older client's note"]


def test_template_percent_values_is_the_sentence_for_every_explanation(tmp_path: Path) -> None:
    from matcher.explanations import PAIRING_LANGUAGE, PAIRING_MENTEE_SHORT, PAIRING_TOO_FEW_MENTORS, explain

    language = explain(PAIRING_LANGUAGE, count=12, language_code="fr", demand=12, capacity=4)
    nested = explain(PAIRING_TOO_FEW_MENTORS, explain(PAIRING_MENTEE_SHORT, mentee="dakar", eligible=0, needed=1, details="x"), count=1)
    for explanation in (language, nested):
        wire = json.loads(explanation.model_dump_json())  # what a hub receives
        assert wire["template"] % wire["values"] == explanation.text()
    assert "French-speaking" in language.text()
    client = TestClient(create_app(seeded_settings(tmp_path, precompute_peers=False), FakeEncoder()))
    group = client.post("/v1/recommendations/experts", headers=auth(READ), json={"theme": "tarte tatin"}).json()
    answer = group["answer_explanation"]
    assert answer["template"] % answer["values"] == group["answer"]
