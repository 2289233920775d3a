"""The requests and offers pages of the console over HTTP: filters, a request's package with its
evidence and what is uncovered, a preview with a partner swapped out, every step, in French too."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from matcher.requests import Offer, Request, RequestBook
from service.app import create_app
from service.console.accounts import Accounts
from tests.fakes import FakeEncoder
from tests.test_console import BASE, PASSWORD, csrf_of, sign_in
from tests.test_requests_api import OFFERS, REQUEST
from tests.test_service import seeded_settings


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    app = create_app(seeded_settings(tmp_path, precompute_peers=False), FakeEncoder())
    accounts: Accounts = app.state.accounts
    accounts.create_user("alice", "secretariat", PASSWORD)
    accounts.create_user("victor", "viewer", PASSWORD)
    book = RequestBook(app.state.service.workspace.store)
    book.put_offers([Offer.model_validate(o) for o in OFFERS])
    book.receive(Request.model_validate(REQUEST), "user:alice")
    other = {**REQUEST, "id": "req-lima", "title": "Lima", "country": "PE", "region": "Latin America and the Caribbean"}
    book.receive(
        Request.model_validate({**other, "components": [{"text": "budget", "type": "financial", "quantity": 5, "currency": "EUR"}]}),
        "user:alice",
    )
    return TestClient(app, base_url=BASE)


def post(client: TestClient, path: str, data: dict[str, object]) -> str:
    page = client.get("/requests/req-dakar").text
    answer = client.post(path, data={**data, "csrf_token": csrf_of(page)}, follow_redirects=True)
    assert answer.status_code == 200, answer.text
    return unescape(answer.text)


def test_the_list_filters_by_status_country_and_type(client: TestClient) -> None:
    sign_in(client)
    assert 'href="/requests/req-dakar"' in client.get("/requests?country=sn").text
    assert 'href="/requests/req-dakar"' not in client.get("/requests?type=financial&country=PE").text
    assert 'href="/requests/req-lima"' in client.get("/requests?type=financial&country=PE").text
    assert 'href="/requests/req-lima"' not in client.get("/requests?type=in_kind").text
    assert "req-dakar" not in client.get("/requests?status=closed").text


def test_a_request_lives_through_the_console_and_its_package_shows_its_evidence(client: TestClient) -> None:
    sign_in(client)
    post(client, "/requests/req-dakar/triage", {"decision": "accept"})
    page = post(client, "/requests/req-dakar/propose", {"max_partners": "3"})
    assert "digital teacher training" in page and "strong match" in page
    assert "Not covered:" in page and "no member offers this type of support" in page
    preview = client.get("/requests/req-dakar?preview=1&force_out=lyon").text
    assert "The package if solved now" in preview and "Lima" in preview.split("The package if solved now")[1]
    post(client, "/requests/req-dakar/approve", {})
    parts = re.findall(r'name="part" value="(\d+)"', client.get("/requests/req-dakar").text)
    assert len(parts) == 2
    page = post(client, "/requests/req-dakar/respond", {"part": parts[0], "answer": "declined", "note": "busy"})
    assert "package re-solved" in page
    for part in re.findall(r'name="part" value="(\d+)"', page):
        page = post(client, "/requests/req-dakar/respond", {"part": part, "answer": "confirmed"})
    page = post(client, "/requests/req-dakar/deliver", {})
    assert "in delivery" in page
    post(client, "/requests/req-dakar/check-in", {"on": "2027-02-01", "note": "first training held"})
    page = post(client, "/requests/req-dakar/close", {"outcome_0": "trained", "outcome_1": "bought", "outcome_2": "none", "rating": "4"})
    assert "rating 4 of 5" in page and "first training held" in page
    french = client.get("/requests/req-dakar", headers={"Accept-Language": "fr"})
    assert "trained" in french.text


def test_the_page_speaks_french_and_a_viewer_cannot_act(client: TestClient) -> None:
    sign_in(client)
    client.post("/language", data={"language": "fr", "csrf_token": csrf_of(client.get("/requests").text), "back": "/requests"})
    post(client, "/requests/req-dakar/triage", {"decision": "accept"})
    page = post(client, "/requests/req-dakar/propose", {})
    assert "Non couvert" in page and "aucun membre n’offre ce type de soutien" in page.lower().replace("'", "’")
    offers = client.get("/offers?type=financial").text
    assert "budget for tablets" in offers and "teacher training" not in offers
    client.post("/signout", data={"csrf_token": csrf_of(page)})
    sign_in(client, "victor")
    viewer = client.get("/requests/req-dakar").text
    assert "Approuver le paquet" not in viewer and 'action="/requests/req-dakar/approve"' not in viewer


def test_bad_form_values_are_named_not_a_500(client: TestClient) -> None:
    sign_in(client)
    page = post(client, "/requests/req-dakar/approve", {})
    assert "This step needs the request to be package proposed, and it is received now" in page
    post(client, "/requests/req-dakar/triage", {"decision": "accept"})
    page = post(client, "/requests/req-dakar/propose", {"max_partners": "two"})
    assert "max_partners" in page
    assert client.get("/requests/nope").status_code == 404


def test_a_step_taken_too_early_or_twice_is_told_in_french(client: TestClient) -> None:
    """A delivery before every part is confirmed, a part answered twice, a step the request's
    status no longer allows: each in the reader's words, not the book's English."""
    sign_in(client)
    client.cookies.set("peermatch_lang", "fr")
    post(client, "/requests/req-dakar/triage", {"decision": "accept"})
    post(client, "/requests/req-dakar/propose", {"max_partners": "3"})
    post(client, "/requests/req-dakar/approve", {})
    parts = re.findall(r'name="part" value="(\d+)"', client.get("/requests/req-dakar").text)
    page = post(client, "/requests/req-dakar/deliver", {})
    assert f"les parties {', '.join(parts)} ne le sont pas encore" in page and "cannot go into delivery" not in page
    post(client, "/requests/req-dakar/respond", {"part": parts[0], "answer": "confirmed"})
    page = post(client, "/requests/req-dakar/respond", {"part": parts[0], "answer": "confirmed"})
    assert f"La partie {parts[0]} a déjà le statut « confirmé »" in page
    page = post(client, "/requests/req-dakar/triage", {"decision": "accept"})
    assert "Cette étape demande une demande au statut « reçue », et elle est au statut « approuvée » maintenant" in page


def test_a_package_rule_that_cannot_hold_is_told_in_french_with_the_members_names(client: TestClient) -> None:
    sign_in(client)
    client.cookies.set("peermatch_lang", "fr")
    post(client, "/requests/req-dakar/triage", {"decision": "accept"})
    page = post(client, "/requests/req-dakar/propose", {"max_partners": "3", "force_in": "lyon", "force_out": "lyon"})
    assert "Lyon est à la fois imposé et écarté." in page and "forced in and out" not in page
    preview = unescape(client.get("/requests/req-dakar?preview=1&max_partners=0").text)
    assert "Au plus 0 partenaires : il en faut au moins 1." in preview


def test_rules_that_each_hold_but_not_together_are_told_in_french_not_as_the_solvers_message(client: TestClient) -> None:
    # Quito's request can be met by Lima (its region) or by Lyon; Lyon forced in, a regional
    # partner required and one partner at most: each rule alone can hold, the three together cannot.
    book = RequestBook(client.app.state.service.workspace.store)  # type: ignore[attr-defined]
    quito = {**REQUEST, "id": "req-quito", "requester_id": "lima", "country": "EC", "region": "Latin America and the Caribbean"}
    book.receive(Request.model_validate({**quito, "components": [REQUEST["components"][0]]}), "user:alice")
    sign_in(client)
    client.cookies.set("peermatch_lang", "fr")
    post(client, "/requests/req-quito/triage", {"decision": "accept"})
    page = post(client, "/requests/req-quito/propose", {"max_partners": "1", "force_in": "lyon", "regional": "1"})
    assert "Aucun ensemble ne respecte toutes ces règles à la fois" in page, re.findall(r"class=\"(?:notice|error)[^>]*>([^<]*)", page)
    assert "solver" not in page


def test_a_partner_count_or_a_rating_that_is_not_a_number_is_named_by_its_box_in_french(client: TestClient) -> None:
    sign_in(client)
    client.cookies.set("peermatch_lang", "fr")
    post(client, "/requests/req-dakar/triage", {"decision": "accept"})
    preview = unescape(client.get("/requests/req-dakar?preview=1&max_partners=abc").text)
    assert "« abc » n’est pas un nombre entier" in preview and "max_partners" not in preview.split("<main")[1].split("<form")[0]
    page = post(client, "/requests/req-dakar/check-in", {"on": "demain"})
    assert "« demain » n’est pas une date (année-mois-jour)" in page and "isoformat" not in page


def test_the_package_is_shown_with_the_rules_it_was_solved_under(client: TestClient) -> None:
    """A part the rules left uncovered is said to be ("the package's rules rule them out"): the
    rules must be on the page to read, not an empty form."""
    sign_in(client)
    post(client, "/requests/req-dakar/triage", {"decision": "accept"})
    page = post(client, "/requests/req-dakar/propose", {"max_partners": "1", "force_out": "lima"})
    form = page.split('id="solve-form"', 1)[1].split("</form>", 1)[0]
    assert re.search(r'name="max_partners"[^>]*value="1"', form)
    assert re.search(r'<option value="lima" selected', form.split('id="solve-out"', 1)[1]), form


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_the_list_names_each_column_once_in_every_language(client: TestClient, language: str) -> None:
    """French called both the request's title and the kinds of support it asks for 'Demande':
    two columns of one name, which a screen reader announces alike."""
    sign_in(client)
    client.cookies.set("peermatch_lang", language)
    head = client.get("/requests").text.split("<thead>", 1)[1].split("</thead>", 1)[0]
    names = [unescape(n) for n in re.findall(r'<th scope="col">([^<]*)</th>', head)]
    assert len(names) == 7 and len(set(names)) == len(names), names


def test_countries_and_languages_are_named_in_the_readers_language_not_coded(client: TestClient) -> None:
    """The request's page said 'Pays SN · Afrique' and 'Langues fr', the list 'SN', the offers 'fr':
    codes where the members' pages say 'Sénégal' and 'Français'."""
    sign_in(client)
    client.cookies.set("peermatch_lang", "fr")
    page = unescape(client.get("/requests/req-dakar").text)
    facts = page.split('<dl class="grid2">', 1)[1].split("</dl>", 1)[0]
    assert "<dd>Sénégal · Afrique</dd>" in facts and "<dd>Français</dd>" in facts, facts
    listing = unescape(client.get("/requests").text).split("<tbody>", 1)[1]
    assert "<td>Sénégal</td>" in listing and "<td>SN</td>" not in listing
    offers = unescape(client.get("/offers").text).split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    cells = re.findall(r"<td>([^<]*)</td>\s*</tr>", offers)  # each row's last cell: its languages
    assert cells and all(cell and cell[0].isupper() and len(cell) > 2 for cell in cells), cells


def test_before_any_package_suitable_offers_are_not_said_to_be_left_out_by_its_rules(client: TestClient) -> None:
    """A request just received has no package and no rules: 'the package's constraints leave them
    out' was false. The page says no package is proposed yet; once one is, the reasons are the
    diagnosis's again (here the component nobody offers keeps its own reason throughout)."""
    sign_in(client)
    client.cookies.set("peermatch_lang", "fr")
    page = unescape(client.get("/requests/req-dakar").text)
    said = re.findall(r'<p class="uncovered">(.*?)</p>', page, re.S)
    assert not any("les écartent" in s for s in said), said
    assert any("Pas encore couvert :" in s and "aucun paquet n’a été proposé" in s for s in said), said
    assert any("aucun membre n’offre ce type de soutien" in s for s in said), said


@pytest.mark.parametrize(
    ("language", "one", "many"),
    [("fr", "besoin : 1 jour-personne", "reste : 60 jours-personne"), ("en", "needed: 1 person-day", "left: 60 person-days")],
)
def test_one_unit_is_named_in_the_singular(client: TestClient, language: str, one: str, many: str) -> None:
    """The capacity table read 'besoin : 1 unités' (needed: 1 units): a unit agrees with its number."""
    book = RequestBook(client.app.state.service.workspace.store)  # type: ignore[attr-defined]
    single = {**REQUEST, "id": "req-suva", "title": "Suva", "country": "FJ", "region": "Asia-Pacific"}
    book.receive(
        Request.model_validate({**single, "components": [{"text": "one day of advice", "type": "expertise", "quantity": 1}]}), "user:alice"
    )
    sign_in(client)
    client.cookies.set("peermatch_lang", language)
    table = re.sub(r"<[^>]+>", " ", unescape(client.get("/offers").text).split('id="capacity-h"', 1)[-1])
    table = re.sub(r"\s+", " ", table)
    assert one in table, table
    assert many in table, table
