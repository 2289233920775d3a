"""A console form the models refuse is told in the reader's language: each field by the label the
page shows for it and why, never pydantic's English with the code's field names, nor Python's
"invalid literal for int()"."""

from __future__ import annotations

import datetime as dt
import html
import re

from babel.dates import format_date
from fastapi.testclient import TestClient

from matcher.partnerships import Partnerships
from matcher.partnerships.model import Proposal
from service.console.accounts import Accounts
from tests.test_console import app_and_accounts, csrf_of, sign_in, signed_in_at_pairing  # noqa: F401 - the fixture
from tests.test_service import WRITE, auth


def test_a_refused_pairing_form_names_the_box_in_french_and_says_why(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    client, token = signed_in_at_pairing(app_and_accounts)
    client.cookies.set("peermatch_lang", "fr")
    # The browser's own check (min="1") is what a person meets first; a client without it gets the server's.
    refused = client.post("/pairing", data={"csrf_token": token, "mentees": "dakar", "max_load": "0", "min_partners": "-1"})
    page = html.unescape(refused.text)
    assert refused.status_code == 422
    assert "Maximum de filleuls par parrain : doit être au moins 1 (reçu 0)" in page
    assert "Minimum de partenaires par filleul : doit être au moins 0 (reçu -1)" in page
    assert "(reçu 0) ; Minimum" in page or "(reçu -1) ; Maximum" in page  # French spaces its semicolons
    assert "max_load" not in page.split('<main')[1].split("<form")[0]  # the message names no code field
    assert "Input should be" not in page
    typed = html.unescape(client.post("/pairing", data={"csrf_token": token, "mentees": "dakar", "max_load": "abc"}).text)
    assert "Maximum de filleuls par parrain : « abc » n’est pas un nombre entier" in typed
    client.cookies.set("peermatch_lang", "en")
    english = html.unescape(client.post("/pairing", data={"csrf_token": token, "mentees": "dakar", "max_load": "0"}).text)
    assert "Most mentees per mentor: must be at least 1 (got 0)" in english


def test_a_cluster_term_that_ends_before_it_starts_is_refused_in_spanish(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    client, _ = app_and_accounts
    row = client.get("/v1/members/lyon", headers=auth(WRITE)).json()
    row["clusters"] = [{"cluster": "Salud y bienestar"}]
    client.put("/v1/members/lyon", headers=auth(WRITE), json=row)
    sign_in(client)
    client.cookies.set("peermatch_lang", "es")
    token = csrf_of(client.get("/clusters/health").text)
    refused = client.post(
        "/clusters/health/coordinators",
        data={"csrf_token": token, "member_id": "lyon", "starts": "2026-06-01", "ends": "2026-01-01"},
        follow_redirects=True,
    )
    page = html.unescape(refused.text)
    # The days as a Spanish reader writes them, not ISO: "1 ene 2026".
    ends, starts = (format_date(day, format="medium", locale="es") for day in (dt.date(2026, 1, 1), dt.date(2026, 6, 1)))
    assert f"termina ({ends}) antes de empezar ({starts})" in page
    assert "2026-01-01" not in page
    assert "is before starts" not in page and "Value error" not in page
    update = {"csrf_token": token, "on": dt.date.today().isoformat(), "text": "Kick-off", "status": "done"}
    page = html.unescape(client.post("/clusters/health/updates", data=update, follow_redirects=True).text)
    assert "un nuevo estado necesita el elemento del plan al que se aplica" in page


def test_a_group_size_that_is_not_a_number_is_named_by_its_label(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    client, _ = app_and_accounts
    sign_in(client)
    client.cookies.set("peermatch_lang", "fr")
    token = csrf_of(client.get("/groups").text)
    form = {"csrf_token": token, "theme": "digital literacy", "share": "50", "name": "G", "mandate": "Advise."}
    page = html.unescape(client.post("/groups", data=form | {"k": "abc"}, follow_redirects=True).text)
    assert "Taille du groupe : « abc » n’est pas un nombre entier" in page
    assert "invalid literal" not in page
    page = html.unescape(client.post("/groups", data=form | {"k": "40"}, follow_redirects=True).text)
    assert "Taille du groupe : doit être au plus 30 (reçu 40)" in page


def test_the_resources_page_says_when_nothing_is_about_the_query(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    client, _ = app_and_accounts
    sign_in(client)
    client.cookies.set("peermatch_lang", "fr")
    page = html.unescape(client.get("/resources", params={"q": "tarte tatin"}).text)
    notice = page.split('<p class="notice info" role="status">', 1)[1].split("</p>", 1)[0]
    # a sentence of its own: it starts with a capital, as every notice does
    assert notice == "Aucune ressource du réseau ne traite de cela ; correspondances les plus proches, toutes faibles", notice
    assert "correspondance faible" in page  # each hit of the ranking carries its label
    # '0 ressource' above three listed resources contradicted the list: the notice says what they are
    assert re.search(r"\b0 ressource", page) is None, page.split("<ol", 1)[0][-400:]
    named = html.unescape(client.get("/resources", params={"q": "floods"}).text)
    assert "ucune ressource du réseau" not in named and "nom dans le texte" in named


def _proposal_seen_in_french(client: TestClient) -> tuple[Partnerships, Proposal]:
    """A proposal from Dakar to Lyon, and an officer signed in with the console in French."""
    book = Partnerships(client.app.state.service.workspace.store)  # type: ignore[attr-defined]
    proposal = book.propose("recommendation", "dakar", "lyon", "user:alice")
    sign_in(client)
    client.cookies.set("peermatch_lang", "fr")
    return book, proposal


def test_a_step_the_proposal_no_longer_allows_is_told_in_french(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    """Another officer, or the member by its e-mailed link, acted since the page was shown."""
    client, _ = app_and_accounts
    book, proposal = _proposal_seen_in_french(client)
    token = csrf_of(client.get(f"/proposals/{proposal.id}").text)
    book.approve(proposal.id, "key:write")
    book.respond(proposal.id, "dakar", True, "contact:dakar@example.org")
    step = f"/proposals/{proposal.id}"
    again = client.post(f"{step}/respond", data={"csrf_token": token, "side": "dakar", "answer": "declined"}, follow_redirects=True)
    assert "Dakar a déjà répondu : acceptée." in html.unescape(again.text)
    closed = client.post(f"{step}/close", data={"csrf_token": token, "outcome": "x", "rating": "4"}, follow_redirects=True)
    page = html.unescape(closed.text)
    assert "Cette étape demande une proposition active, et elle est approuvée maintenant" in page
    assert "cannot" not in page


def test_a_proposals_check_in_and_close_refused_in_french_name_the_box(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    from matcher.partnerships import Partnerships

    client, _ = app_and_accounts
    book = Partnerships(client.app.state.service.workspace.store)  # type: ignore[attr-defined]
    proposal = book.propose("recommendation", "dakar", "lyon", "user:alice")
    book.approve(proposal.id, "key:write")
    for side in ("dakar", "lyon"):
        book.respond(proposal.id, side, True, f"contact:{side}@example.org")
    sign_in(client)
    client.cookies.set("peermatch_lang", "fr")
    step = f"/proposals/{proposal.id}"
    token = csrf_of(client.get(step).text)

    def said(path: str, **fields: str) -> str:
        return html.unescape(client.post(f"{step}/{path}", data={"csrf_token": token, **fields}, follow_redirects=True).text)

    # A next check-in before the one just held would be overdue the moment it is set.
    page = said("check-in", on="2026-12-01", next_due="2026-01-01", note="ok")
    held, due = (format_date(day, format="medium", locale="fr") for day in (dt.date(2026, 12, 1), dt.date(2026, 1, 1)))
    assert f"Prochain point d’étape prévu (facultatif) : le prochain point d’étape ({due}) doit venir après celui-ci ({held})" in page
    assert "Date du point d’étape : « demain » n’est pas une date (année-mois-jour)" in said("check-in", on="demain")
    assert "isoformat" not in page
    rating = said("close", outcome="Deux ateliers", rating="abc")
    assert "Note (de 1 à 5) : « abc » n’est pas un nombre entier de 1 à 5" in rating
    assert "Résultat : c’est vide" in said("close", outcome=" ", rating="4")
    stored = book.get(proposal.id)
    assert stored.status == "active" and stored.check_in_due is None and not [e for e in stored.events if e.step == "check_in"]


def test_a_cluster_period_ending_before_it_starts_is_told_on_the_cluster_page(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    client, _ = app_and_accounts
    sign_in(client)
    client.cookies.set("peermatch_lang", "es")
    page = client.get("/clusters/health?since=2026-12-01&until=2026-01-01", follow_redirects=True)
    text = html.unescape(page.text)
    ends, starts = (format_date(day, format="medium", locale="es") for day in (dt.date(2026, 1, 1), dt.date(2026, 12, 1)))
    assert page.status_code == 200 and page.url.path == "/clusters/health"
    assert f"termina ({ends}) antes de empezar ({starts})" in text and "is after until" not in text
    typed = html.unescape(client.get("/clusters/health?since=ayer", follow_redirects=True).text)
    assert "«ayer» no es una fecha (año-mes-día)" in typed


def test_pairing_choices_that_cannot_run_are_refused_in_french_before_the_run(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    client, token = signed_in_at_pairing(app_and_accounts)
    client.cookies.set("peermatch_lang", "fr")

    def refused(**fields: str) -> str:
        answer = client.post("/pairing", data={"csrf_token": token, **fields}, follow_redirects=False)
        assert answer.status_code == 422, answer.status_code  # the form again, no run queued
        return html.unescape(answer.text)

    crossed = refused(mentees="dakar", min_partners="3", max_partners="1")
    assert "le minimum de partenaires par filleul (3) dépasse le maximum (1)" in crossed and "income_weights" not in crossed
    nobody = refused(mentees="dakar", conflicts="dakar, city-nope")
    assert "Aucun membre n’a l’identifiant « city-nope »." in nobody
    empty = refused(mentee_regions="Arab States")
    assert "personne à apparier : 0 filleuls avec des besoins" in empty and "cohort is empty" not in empty


def test_a_proposal_is_not_rejected_without_a_reason(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    client, _ = app_and_accounts
    book, proposal = _proposal_seen_in_french(client)
    step = f"/proposals/{proposal.id}"
    token = csrf_of(client.get(step).text)
    page = html.unescape(client.post(f"{step}/reject", data={"csrf_token": token, "note": " "}, follow_redirects=True).text)
    assert "Motif du rejet : c’est vide" in page and book.get(proposal.id).status == "proposed"
