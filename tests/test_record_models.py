"""A model per job for records (issue 19, item 5): what a client writes (``MemberWrite``), what the
store holds (``Member``), what GET answers (``MemberPublic``) and an unsaved profile
(``UnsavedProfile``), each boundary held: by the API, the OpenAPI document, the store, the
import files and the command line."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from typer.testing import CliRunner

from cli.main import app as cli_app
from matcher.ingest.readers import RawRow
from matcher.ingest.validate import validate_rows
from matcher.partnerships import Partnerships
from matcher.record_forms import UNSAVED_ID, MemberWrite, ResourceWrite, UnsavedProfile
from matcher.records import Member, Resource
from matcher.store import Store
from matcher.workspace import Workspace
from service.app import create_app
from service.public_records import MemberPublic, ResourcePublic
from tests.conftest import member, resource
from tests.fakes import FakeEncoder
from tests.test_service import READ, WRITE, auth, seeded_settings

EVERYONE = {"only_evidence": False, "max_per_country": None, "require_common_language": False, "k": 10}


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    return TestClient(create_app(seeded_settings(tmp_path, precompute_peers=False), FakeEncoder()))


def peers(client: TestClient, body: dict[str, Any]) -> list[tuple[str, float]]:
    response = client.post("/v1/recommendations/peers", headers=auth(READ), json={**body, "options": EVERYONE})
    assert response.status_code == 200, response.text
    return [(item["id"], item["score"]) for item in response.json()["items"]]


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


# ---- the unsaved profile -----------------------------------------------------------------------


def test_an_unsaved_profile_without_an_id_is_ranked_against_every_member(client: TestClient) -> None:
    visitor = member("visitor", needs=[{"text": "digital older adults", "priority": 5}])
    anonymous = {k: v for k, v in visitor.items() if k != "id"}
    ranked = peers(client, {"profile": anonymous})
    # every stored member is a candidate (none is taken for the profile itself), best helper first
    assert sorted(i for i, _ in ranked) == ["dakar", "lima", "lyon"] and ranked[0][0] == "lyon"
    assert ranked == peers(client, {"profile": visitor})  # an id that names nobody stored changes nothing
    assert UnsavedProfile.model_validate(anonymous).member().id == UNSAVED_ID


def test_a_profile_with_a_stored_members_id_is_a_draft_of_that_member(client: TestClient) -> None:
    """As before the split: the member named is left out, its declined proposals apply; and the
    GET answer, sent back as a profile as it is (its read-only time too), ranks as the member does."""
    stored = client.get("/v1/members/dakar", headers=auth(READ)).json()
    assert "updated_at" in stored
    assert peers(client, {"profile": stored}) == peers(client, {"member_id": "dakar"})
    assert "dakar" not in [i for i, _ in peers(client, {"profile": {**stored, "profile": "A draft."}})]
    service = client.app.state.service  # type: ignore[attr-defined]
    book = Partnerships(service.workspace.store)
    book.reject(book.propose("recommendation", "dakar", "lyon", "user:alice").id, "user:alice", "already twinned")
    assert "lyon" not in [i for i, _ in peers(client, {"profile": stored})]
    assert "lyon" in [i for i, _ in peers(client, {"profile": {k: v for k, v in stored.items() if k != "id"}})]


def test_an_unsaved_profile_refuses_what_no_model_has_naming_it(client: TestClient) -> None:
    body = {"profile": {**member("visitor"), "colour": "red"}}
    response = client.post("/v1/recommendations/peers", headers=auth(READ), json=body)
    assert (response.status_code, response.json()["field"]) == (422, "profile.colour")


def test_the_cli_ranks_a_profile_file_without_an_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace = Workspace(seeded_settings(tmp_path), FakeEncoder())
    monkeypatch.setattr("cli.recommend.workspace_for", lambda data_dir: workspace)
    profile = {k: v for k, v in member("x", needs=[{"text": "digital older adults"}]).items() if k != "id"}
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(profile), encoding="utf-8")
    result = CliRunner().invoke(cli_app, ["recommend", "peers", "--profile", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert [row["id"] for row in json.loads(result.stdout)][0] == "lyon"



def test_the_cli_names_each_bad_field_of_a_profile_file_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace = Workspace(seeded_settings(tmp_path), FakeEncoder())
    monkeypatch.setattr("cli.recommend.workspace_for", lambda data_dir: workspace)
    profile = {k: v for k, v in member("x").items() if k not in ("id", "country")} | {"region": "Europe"}
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(profile), encoding="utf-8")
    result = CliRunner().invoke(cli_app, ["recommend", "peers", "--profile", str(path)])
    assert result.exit_code != 0
    message = " ".join(result.output.split())  # the console wraps long lines
    assert f"{path}: not a valid member profile: field 'country': Field required; field 'region': Input should be 'Africa'" in message
    assert "pydantic" not in message and "validation error for" not in message

# ---- what a client writes, what the store holds, what GET answers --------------------------------


def test_a_get_answer_carries_the_time_of_the_last_write_and_validates_as_public(client: TestClient) -> None:
    before = now()
    assert client.put("/v1/members/accra", headers=auth(WRITE), json=member("accra", country="GH", region="Africa")).status_code == 200
    after = now()
    answer = client.get("/v1/members/accra", headers=auth(READ)).json()
    public = MemberPublic.model_validate(answer)  # every field of the public schema, no other
    assert before <= public.updated_at <= after and public.country == "GH"
    # the time 'updated_since' compares with: asking from it finds the record, from a second later nothing
    since = answer["updated_at"]
    listed = client.get("/v1/members", headers=auth(READ), params={"updated_since": since}).json()["items"]
    assert answer in listed and all(m["updated_at"] >= since for m in listed)  # the seed may share accra's second
    later = (public.updated_at + dt.timedelta(seconds=1)).isoformat()
    assert client.get("/v1/members", headers=auth(READ), params={"updated_since": later}).json()["items"] == []
    floods = client.get("/v1/resources/floods", headers=auth(READ)).json()
    assert ResourcePublic.model_validate(floods).updated_at <= after


def test_a_get_answer_sent_back_as_it_is_is_written_and_its_time_is_the_services(client: TestClient) -> None:
    answer = client.get("/v1/members/dakar", headers=auth(READ)).json()
    edited = {**answer, "profile": "Edited.", "updated_at": "2000-01-01T00:00:00Z"}
    before = now()
    written = client.put("/v1/members/dakar", headers=auth(WRITE), json=edited)
    assert written.status_code == 200 and written.json()["changed"] == ["dakar"]
    again = client.get("/v1/members/dakar", headers=auth(READ)).json()
    assert again["profile"] == "Edited." and dt.datetime.fromisoformat(again["updated_at"]) >= before
    stored = client.app.state.service.workspace.store.get("members", "dakar")  # type: ignore[attr-defined]
    assert type(stored) is Member and "updated_at" not in stored.model_dump()
    floods = client.get("/v1/resources/floods", headers=auth(READ)).json()
    bulk = client.post("/v1/resources/bulk", headers=auth(WRITE), json=[{**floods, "summary": "Drills."}])
    assert bulk.status_code == 200 and bulk.json()["changed"] == ["floods"]


def test_a_put_bodys_unknown_field_is_refused_naming_it(client: TestClient) -> None:
    response = client.put("/v1/members/accra", headers=auth(WRITE), json={**member("accra"), "colour": "red"})
    assert (response.status_code, response.json()["field"]) == (422, "colour")


def test_the_store_holds_stored_records_only(tmp_path: Path) -> None:
    """A client's model is never written as it is (its read-only fields would be stored with it):
    the store refuses it, naming it, and takes its ``record()``."""
    written = MemberWrite.model_validate({**member("accra"), "updated_at": "2026-01-01T00:00:00Z"})
    with Store(tmp_path / "store.sqlite") as store:
        with pytest.raises(TypeError, match="not MemberWrite"):
            store.write([written])  # type: ignore[list-item]  # the wrong model, on purpose
        with pytest.raises(TypeError, match="not UnsavedProfile"):
            store.write([UnsavedProfile.model_validate(member("b"))])  # type: ignore[list-item]  # on purpose
        assert store.count("members") == 0
        store.write([written.record()])
        assert store.get("members", "accra") == Member.model_validate(member("accra"))


@pytest.mark.parametrize(
    ("model", "stored", "row"),
    [
        (MemberWrite, Member, member("accra", clusters=[{"cluster": "Salud y bienestar"}], country=" gh ", needs=[{"text": "x"}])),
        (ResourceWrite, Resource, resource("floods", "Floods", "Drills.", url="https://example.org/a", published="2024-05-01")),
    ],
)
def test_a_written_record_is_the_stored_record_validated_once(model: Any, stored: Any, row: dict[str, Any]) -> None:
    """``record()`` builds the stored record without validating again: it must be the record that
    validating the same row as stored gives, to the byte of what the store compares and keeps."""
    record = model.model_validate({**row, "updated_at": "2026-01-01T00:00:00Z"}).record()
    expected = stored.model_validate(row)
    assert type(record) is stored and record == expected and record.model_dump_json() == expected.model_dump_json()


def test_an_import_row_may_carry_the_read_only_time_but_no_unknown_field() -> None:
    rows = [
        RawRow("members.jsonl", 1, {**member("accra"), "updated_at": "2026-01-01T00:00:00Z"}),
        RawRow("members.jsonl", 2, {**member("lome"), "colour": "red"}),
    ]
    validated = validate_rows(rows, "members")
    assert [type(r).__name__ for r in validated.records] == ["Member"] and validated.records[0].id == "accra"
    assert [(p.file, p.line, p.field, p.record_id) for p in validated.problems] == [("members.jsonl", 2, "colour", "lome")]
    with pytest.raises(ValidationError):
        Member.model_validate({**member("accra"), "updated_at": "2026-01-01T00:00:00Z"})  # the stored record has no time


# ---- the document -------------------------------------------------------------------------------


def test_the_openapi_document_names_each_jobs_schema(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    paths, schemas = document["paths"], document["components"]["schemas"]

    def ref(schema: dict[str, Any]) -> str:
        return str(schema["$ref"]).rsplit("/", 1)[1]

    def body(path: str, method: str) -> dict[str, Any]:
        return dict(paths[path][method]["requestBody"]["content"]["application/json"]["schema"])

    def answer(path: str) -> dict[str, Any]:
        return dict(paths[path]["get"]["responses"]["200"]["content"]["application/json"]["schema"])

    assert ref(body("/v1/members/{member_id}", "put")) == "MemberWrite"
    assert ref(body("/v1/members/bulk", "post")["items"]) == "MemberWrite"
    assert ref(body("/v1/resources/{resource_id}", "put")) == "ResourceWrite"
    assert ref(body("/v1/resources/bulk", "post")["items"]) == "ResourceWrite"
    assert ref(answer("/v1/members/{member_id}")) == "MemberPublic"
    assert ref(answer("/v1/resources/{resource_id}")) == "ResourcePublic"
    page = schemas[ref(answer("/v1/members"))]
    assert ref(page["properties"]["items"]["items"]) == "MemberPublic"
    assert "updated_at" in schemas["MemberPublic"]["required"] and "updated_at" in schemas["ResourcePublic"]["required"]
    assert "updated_at" not in schemas["MemberWrite"].get("required", [])
    profile = schemas["PeerRequest"]["properties"]["profile"]["anyOf"]
    assert "UnsavedProfile" in [ref(s) for s in profile if "$ref" in s]
    assert "id" not in schemas["UnsavedProfile"]["required"] and "id" in schemas["MemberWrite"]["required"]
    assert "Member" not in schemas and "Resource" not in schemas  # the stored records are not on the wire
