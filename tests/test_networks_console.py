"""The console's cluster page, calendar, resource page and groups of people over HTTP (no browser):
names not codes, terms, plan, updates, the inactive flag, the CSV, forms that write, and French."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from html import unescape

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from service.console.accounts import Accounts
from tests.test_console import BASE, app_and_accounts, csrf_of, sign_in  # noqa: F401 - the fixture
from tests.test_service import WRITE, auth


def _setup(client: TestClient) -> None:
    for member_id in ("dakar", "lyon", "lima"):
        row = client.get(f"/v1/members/{member_id}", headers=auth(WRITE)).json()
        row["clusters"] = [{"cluster": "Salud y bienestar"}]
        client.put(f"/v1/members/{member_id}", headers=auth(WRITE), json=row)
    client.post("/v1/clusters/health/coordinators", headers=auth(WRITE), json={"member_id": "lyon", "starts": "2025-07-01"})
    event = {
        "id": "ev-1",
        "title": "Webinar on older learners",
        "kind": "webinar",
        "cluster": "health",
        "starts": (dt.datetime.now(dt.UTC) - dt.timedelta(days=10)).isoformat(),
        "ends": (dt.datetime.now(dt.UTC) - dt.timedelta(days=10, hours=-2)).isoformat(),
        "online_url": "https://example.org/webinar",
        "hosts": ["lyon"],
        "participants": ["lima"],
    }
    assert client.put("/v1/calendar/events", headers=auth(WRITE), json=[event]).status_code == 200
    client.put("/v1/learning-links", headers=auth(WRITE), json=[{"resource_id": "gardens", "event_id": "ev-1"}])


def _signed_in_in_french(client: TestClient) -> None:
    """The network of ``_setup``, an officer signed in, the console in French."""
    _setup(client)
    sign_in(client)
    client.cookies.set("peermatch_lang", "fr")


def test_cluster_page_in_french_with_terms_plan_updates_and_the_inactive_member(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    client, _ = app_and_accounts
    _signed_in_in_french(client)
    listing = client.get("/clusters").text
    assert "Santé et bien-être" in listing and ">health<" not in listing
    page = client.get("/clusters/health")
    token = csrf_of(page.text)
    due = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    added = client.post(
        "/clusters/health/plan",
        data={"csrf_token": token, "objective": "Guide", "output": "A PDF", "owner": "lyon", "due": due},
        follow_redirects=False,
    )
    assert added.status_code == 303
    bad = client.post(
        "/clusters/health/plan",
        data={"csrf_token": token, "objective": "x", "output": "y", "owner": "nobody", "due": due},
        follow_redirects=True,
    )
    assert "nobody" in bad.text
    client.post("/clusters/health/updates", data={"csrf_token": token, "on": "2026-01-05", "text": "Le guide avance"})
    html = client.get("/clusters/health").text
    assert "Santé et bien-être" in html and "en fonction" in html  # the coordinator in office
    assert "Guide" in html and "en retard" in html  # overdue
    assert "Le guide avance" in html
    assert "1 membre sans activité" in html and "aucune activité" in html  # dakar did nothing
    assert "Webinar on older learners" in html or "Gardens" in html
    # Themes and resource kinds in French, the page's language, not the taxonomy's English.
    themes = html.split('id="themes-h"', 1)[1].split("</section>", 1)[0]
    assert "Peace" not in themes and "Health" not in themes and re.search(r"<li>[^<:]*(é|santé|apprentissage)", themes, re.I), themes
    learning = html.split('id="learning-h"', 1)[1].split("</section>", 1)[0]
    assert "Gardens <span class=\"muted\">(publication, Anglais)" in learning and ", EN)" not in learning
    sent = client.get("/clusters/health/report.csv")
    rows = list(csv.reader(io.StringIO(sent.text.lstrip("\ufeff"))))
    assert rows[0] == ["cluster", "health", "Santé et bien-être"]
    assert next(r for r in rows if r[1:2] == ["dakar"] and r[3:4] == ["member"])[9] == "yes"


def test_calendar_resources_and_a_group_page(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    client, _ = app_and_accounts
    _setup(client)
    client.put(
        "/v1/people",
        headers=auth(WRITE),
        json=[
            {
                "id": "ext",
                "name": "Kofi",
                "organisation": "UIL",
                "region": "Africa",
                "role": "external expert",
                "languages": ["en"],
                "expertise": "Digital literacy for older adults.",
                "gender": "man",
            }
        ],
    )
    sign_in(client)
    cal = client.get("/calendar", params={"cluster": "health", "past": "true"}).text
    assert "Webinar on older learners" in cal and "Gardens" in cal
    ics = client.get("/calendar.ics", params={"cluster": "health"})
    assert ics.headers["content-type"].startswith("text/calendar") and b"BEGIN:VEVENT" in ics.content
    assert "/v1/feeds/" not in cal and "PEERMATCH_LINK_SECRET" in cal  # no secret set: no address, and what to set
    client.app.state.service.mail = client.app.state.service.mail.model_copy(update={"link_secret": SecretStr("k" * 40)})  # type: ignore[attr-defined]
    address = re.search(r'id="subscribe"[^>]*value="([^"]+)"', client.get("/calendar", params={"cluster": "health"}).text)
    assert address and "/v1/feeds/" in address.group(1)
    client.cookies.clear()  # a calendar application: no session, no key
    subscribed = client.get(address.group(1).removeprefix(BASE))
    assert subscribed.status_code == 200 and b"Webinar on older learners" in subscribed.content
    sign_in(client)
    found = client.get("/resources", params={"q": "flood drills"}).text
    assert found.index("name in the title") < found.index("Flood drills")  # the exact title, tagged, first
    client.cookies.set("peermatch_lang", "es")
    composed = client.get("/groups", params={"theme": "digital literacy for older adults", "balance": "gender"}).text
    assert "Kofi" in composed and "Puestos: hombre: 1." in composed  # the rule's report, in Spanish
    # Five seats asked, one person with a partial match: the page says why the group is smaller.
    assert "1 persona tiene al menos una coincidencia parcial con este tema" in composed
    client.cookies.set("peermatch_lang", "en")
    token = csrf_of(composed)
    saved = client.post(
        "/groups",
        data={
            "csrf_token": token,
            "theme": "digital literacy for older adults",
            "k": "3",
            "balance": "gender",
            "share": "50",
            "external": "true",
            "aspects": "",
            "name": "Older learners",
            "mandate": "Advise.",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    group = client.get(saved.headers["location"]).text
    assert "Older learners" in group and "Advise." in group and "Kofi" in group and "external expert" in group


def test_a_resource_found_opens_on_a_page_of_its_own(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    client, _ = app_and_accounts
    _signed_in_in_french(client)
    listing = client.get("/resources?q=Gardens").text
    assert 'href="/resources/gardens"' in listing
    page = client.get("/resources/gardens")
    assert page.status_code == 200 and "<h1" in page.text and "Gardens" in page.text and "Anglais" in page.text
    missing = client.get("/resources/nowhere", headers={"Accept": "text/html"})
    assert missing.status_code == 404 and "Aucune ressource n’a l’identifiant « nowhere »." in missing.text.replace("&#34;", '"')


def test_a_resource_count_beyond_the_list_says_only_the_first_are_listed(
    app_and_accounts: tuple[TestClient, Accounts],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """'100 ressources' above a list of 50 with no next page read as 50 lost: the count says how
    many are listed and how to see the others. Here the page lists 1 of the network's 2."""
    from service.console.pages import calendar

    client, _ = app_and_accounts
    _signed_in_in_french(client)
    monkeypatch.setattr(calendar, "SHOWN", 1)
    page = unescape(client.get("/resources").text)
    status = page.split('<p role="status">', 1)[1].split("</p>", 1)[0]
    assert status == "2 ressources. Seule 1 est affichée : précisez la recherche ou les filtres pour voir les autres.", status
    assert page.split('<ol class="results">', 1)[1].split("</ol>", 1)[0].count("<li>") == 1
    monkeypatch.setattr(calendar, "SHOWN", 50)
    everything = unescape(client.get("/resources").text)
    assert "2 ressources</p>" in everything and "Seule" not in everything
