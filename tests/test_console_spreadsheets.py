"""A programme officer's spreadsheets, in French: a CSV saved by French Excel (';', Windows-1252,
the labels the console shows), an .xlsx, and the templates the console offers, each imported."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient

from matcher.ingest.validate import validate_file
from matcher.records import Member
from service.app import create_app
from service.console.accounts import Accounts
from service.console.labels import import_labels
from tests.fakes import FakeEncoder
from tests.test_console import BASE, PASSWORD, csrf_of, sign_in
from tests.test_service import seeded_settings

# As French Excel saves "CSV (séparateur : point-virgule)": Windows-1252, ';', labels in French.
FRENCH_EXCEL_CSV = (
    "id;name;kind;country;region;languages;profile;needs\r\n"
    "thies-sn;Thiès;ville;Sénégal;Afrique;français;Une ville apprenante.;formation numérique des enseignants\r\n"
    "bouake-ci;Bouaké;collectivité locale;Côte d’Ivoire;Afrique;Français;Ville côtière.;inondations\r\n"
).encode("cp1252")


def test_a_french_excel_csv_reads_with_the_consoles_labels(tmp_path: Path) -> None:
    path = tmp_path / "membres.csv"
    path.write_bytes(FRENCH_EXCEL_CSV)
    with pytest.raises(UnicodeDecodeError):
        FRENCH_EXCEL_CSV.decode("utf-8")  # the file really is not UTF-8
    validated = validate_file(path, "members", import_labels())
    assert validated.problems == []
    thies, bouake = validated.records
    assert isinstance(thies, Member) and isinstance(bouake, Member)
    assert (thies.name, thies.kind, thies.country, thies.region, thies.languages) == ("Thiès", "city", "SN", "Africa", ["fr"])
    assert (bouake.kind, bouake.country) == ("local_government", "CI")
    refused = validate_file(path, "members")  # without the console's labels (the API's import): codes only
    assert {p.field for p in refused.problems} >= {"country", "region", "kind"}


@pytest.fixture
def french_console(tmp_path: Path) -> TestClient:
    app = create_app(seeded_settings(tmp_path), FakeEncoder())
    accounts: Accounts = app.state.accounts
    accounts.create_user("alice", "secretariat", PASSWORD)
    client = TestClient(app, base_url=BASE, headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    sign_in(client)
    return client


def upload(client: TestClient, name: str, content: bytes) -> str:
    page = client.get("/import")
    checked = client.post("/import", data={"csrf_token": csrf_of(page.text), "record_type": ""}, files={"file": (name, content)})
    assert checked.status_code == 200, checked.text[-2000:]
    return checked.text


def commit(client: TestClient, checked: str) -> str:
    token = re.search(r'action="/import/([A-Za-z0-9_-]+)"', checked).group(1)  # type: ignore[union-attr]
    done = client.post(f"/import/{token}", data={"csrf_token": csrf_of(checked)})
    assert done.status_code == 200
    return done.text


def test_the_console_imports_a_french_excel_csv(french_console: TestClient) -> None:
    checked = upload(french_console, "membres.csv", FRENCH_EXCEL_CSV)
    assert "2 enregistrements valides" in checked or "2 enregistrement" in checked, checked[-1500:]
    assert "cellule(s) de plus" not in checked and "--records" not in checked
    commit(french_console, checked)
    store = french_console.app.state.service.workspace.store  # type: ignore[attr-defined]
    assert store.get("members", "thies-sn").region == "Africa"


def test_the_french_templates_import_as_they_stand(french_console: TestClient) -> None:
    template = french_console.get("/import/template/members.csv")
    text = template.content.decode("utf-8-sig")
    header, example = text.splitlines()[:2]
    assert header.startswith("id;name;kind;country;region") and ";ville;Sénégal;Afrique;Français, Wolof;" in example
    commit(french_console, upload(french_console, "members-template-fr.csv", template.content))
    workbook = french_console.get("/import/template/resources.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content)).active
    assert [c.value for c in sheet[1]][:4] == ["id", "title", "kind", "language"] and sheet["D2"].value == "Français"
    checked = upload(french_console, "resources-template-fr.xlsx", workbook.content)
    commit(french_console, checked)
    store = french_console.app.state.service.workspace.store  # type: ignore[attr-defined]
    member, resource = store.get("members", "city-example-sn"), store.get("resources", "resource-example")
    assert (member.kind, member.country, member.region, member.languages) == ("city", "SN", "Africa", ["fr", "wo"])
    expected = ("publication", "fr", ["city-example-sn"], "2024-05-01")
    assert (resource.kind, resource.language, resource.authors, str(resource.published)) == expected


def test_a_file_that_does_not_say_its_records_asks_in_the_readers_language(french_console: TestClient) -> None:
    page = french_console.get("/import")
    sheet = b"id;nom\r\nx;y\r\n"
    answer = french_console.post("/import", data={"csrf_token": csrf_of(page.text)}, files={"file": ("liste.csv", sheet)})
    assert answer.status_code == 422 and "Enregistrements" in answer.text and "--records" not in answer.text


def test_members_are_found_by_country_name_and_by_what_they_need_or_offer(french_console: TestClient) -> None:
    def found(q: str) -> set[str]:
        page = french_console.get("/members", params={"q": q}).text
        return set(re.findall(r'href="/members/([a-z-]+)"', page)) & {"dakar", "lyon", "lima"}

    assert found("Sénégal") == found("senegal") == {"dakar"}  # the name shown, accents or not
    assert found("Pérou") == found("Peru") == {"lima"}  # in another of the console's languages too
    assert found("older adults") == {"dakar", "lyon"}  # dakar needs it, lyon offers it
    assert found("flood drills") == {"lima"}
    assert found("SN") == {"dakar"}  # codes still work


def test_counts_agree_in_number_and_clusters_have_names(french_console: TestClient) -> None:
    one = french_console.get("/members", params={"q": "Sénégal"}).text
    assert "1 membre sur 3" in one and "1 membres" not in one
    assert "3 membres sur 3" in french_console.get("/members").text
    from service.console.web import cluster_topics
    from tests.conftest import member
    from tests.test_service import WRITE, auth

    body = member("bamako", country="ML", region="Africa", clusters=[{"cluster": "esd"}])
    assert french_console.put("/v1/members/bamako", headers=auth(WRITE), json=body).status_code == 200
    french_name = cluster_topics(None)["esd"].label["fr"]
    assert french_name != "esd" and f'<span class="tag">{french_name}</span>' in french_console.get("/members/bamako").text
    assert f'<option value="esd">{french_name}</option>' in french_console.get("/members").text


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8", "utf-8-sig", "mac_roman"])
def test_a_one_line_sheet_is_read_in_its_encoding(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "membres.csv"  # one short row: the hardest case for detection
    path.write_bytes("id;name;kind;country;region;languages\r\nthies;Thiès;ville;Sénégal;Afrique;français\r\n".encode(encoding))
    validated = validate_file(path, None, import_labels())
    assert validated.problems == [] and isinstance(validated.records[0], Member) and validated.records[0].name == "Thiès"


def test_a_partnership_made_through_a_proposal_is_listed_among_partners(french_console: TestClient) -> None:
    from tests.test_service import ANSWER, WRITE, auth

    assert "Aucun partenaire enregistré" in french_console.get("/members/dakar").text
    pid = french_console.post(
        "/v1/proposals", headers=auth(WRITE), json={"kind": "pairing", "member_id": "dakar", "partner_id": "lyon"}
    ).json()["id"]
    french_console.post(f"/v1/proposals/{pid}/approve", headers=auth(WRITE), json={})
    for side in ("dakar", "lyon"):
        french_console.post(f"/v1/proposals/{pid}/respond", headers=auth(ANSWER), json={"side": side, "accepted": True})
    french_console.post(f"/v1/proposals/{pid}/close", headers=auth(WRITE), json={"outcome": "done", "rating": 4})
    page = french_console.get("/members/dakar").text
    partners = page.split('id="partners-h"', 1)[1].split("</p>", 1)[0]
    assert "Aucun partenaire enregistré" not in partners and 'href="/members/lyon"' in partners
