"""The progress page and its exports: figures per region in the reader's language, plots served as
PNG images, CSV with the locale's delimiter and decimal sign, .xlsx with numbers as numbers; /v1/progress."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
from fastapi.testclient import TestClient

from matcher.partnerships import Partnerships
from service.console.accounts import Accounts
from tests.test_console import app_and_accounts, sign_in  # noqa: F401 (the fixture)
from tests.test_service import READ, auth


def history(client: TestClient) -> None:
    book = Partnerships(client.app.state.service.workspace.store)  # type: ignore[attr-defined]
    one = book.propose("recommendation", "dakar", "lyon", "user:alice").id
    book.approve(one, "user:alice")
    book.respond(one, "dakar", True, "user:alice")
    book.respond(one, "lyon", True, "user:alice")
    book.schedule_check_in(one, "user:alice", dt.date(2020, 1, 1))  # long past: overdue
    two = book.propose("recommendation", "lima", "lyon", "user:alice").id
    book.reject(two, "user:alice")


def test_progress_page_plots_and_exports_in_french_and_english(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    client, _ = app_and_accounts
    history(client)
    sign_in(client)
    client.cookies.set("peermatch_lang", "fr")
    page = client.get("/progress?by=region")
    assert page.status_code == 200
    assert "Propositions par groupe" in page.text and "Afrique" in page.text
    summary = page.text.split('id="progress-summary">', 1)[1].split("</p>", 1)[0]
    for said in ("2 propositions.", "1 est devenue active", "En retard au", "1 point d’étape, 0 réponse."):
        assert said in summary, summary
    french_plot = client.get("/progress/plots/status.png?by=region")
    assert french_plot.headers["content-type"] == "image/png" and french_plot.content.startswith(b"\x89PNG")
    csv_text = client.get("/progress/export.csv?by=region").content.decode("utf-8-sig")
    header, *rows = csv_text.splitlines()
    assert header.startswith("Groupe;Propositions;proposée") or header.split(";")[:2] == ["Groupe", "Propositions"]
    total = rows[-1].split(";")
    assert total[0] == "Toutes les propositions" and total[1] == "2"
    assert "," in total[9]  # median days to active, with a decimal comma
    book = openpyxl.load_workbook(io.BytesIO(client.get("/progress/export.xlsx?by=region").content))
    sheet = book.active
    last = [c.value for c in sheet[sheet.max_row]]
    assert last[:2] == ["Toutes les propositions", 2] and isinstance(last[9], int | float)  # a number, not "0,00"

    client.cookies.set("peermatch_lang", "en")
    english = client.get("/progress?by=network")
    assert "Proposals by group" in english.text and "Afrique" not in english.text
    english_plot = client.get("/progress/plots/status.png?by=region")
    assert english_plot.content.startswith(b"\x89PNG") and english_plot.content != french_plot.content  # labels differ
    assert client.get("/progress/export.csv?by=region").content.decode("utf-8-sig").splitlines()[0].startswith("Group,Proposals,")
    assert client.get("/progress/plots/nothing.png").status_code == 404


def test_progress_through_v1(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    client, _ = app_and_accounts
    history(client)
    report = client.get("/v1/progress", headers=auth(READ), params={"by": "region", "today": "2026-06-01"}).json()
    assert report["total"]["proposals"] == 2 and report["total"]["by_status"]["rejected"] == 1
    assert report["total"]["overdue_check_ins"] == 1
    groups = {g["group"]: g["proposals"] for g in report["groups"]}
    assert groups == {"Europe and North America": 2, "Africa": 1, "Latin America and the Caribbean": 1}


def test_the_capacity_map_has_a_north_south_view_by_country(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    client, _ = app_and_accounts
    sign_in(client)
    client.cookies.set("peermatch_lang", "en")
    page = client.get("/capacity")
    assert page.status_code == 200 and 'id="north-south"' in page.text
    # dakar (Senegal) and lima (Peru) are South, lyon (France) North: by country income, not region or kind.
    assert "1 members in the North, 2 in the South" in page.text


def test_a_proposal_page_sets_the_check_in_due_date_and_shows_it_overdue(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    client, _ = app_and_accounts
    book = Partnerships(client.app.state.service.workspace.store)  # type: ignore[attr-defined]
    pid = book.propose("recommendation", "dakar", "lyon", "user:alice").id
    book.approve(pid, "user:alice")
    book.respond(pid, "dakar", True, "user:alice")
    book.respond(pid, "lyon", True, "user:alice")
    sign_in(client)
    client.cookies.set("peermatch_lang", "fr")
    page = client.get(f"/proposals/{pid}").text
    assert 'id="overdue"' not in page
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    done = client.post(f"/proposals/{pid}/check-in-due", data={"csrf_token": csrf, "due": "2026-01-15"}, follow_redirects=True)
    assert done.status_code == 200 and "Point d’étape en retard : il était prévu le 15 janv. 2026." in done.text
    assert book.get(pid).check_in_due == dt.date(2026, 1, 15)
    # The check-in held settles it and sets the next one.
    client.post(f"/proposals/{pid}/check-in", data={"csrf_token": csrf, "on": "2026-01-20", "note": "visite", "next_due": "2099-01-01"})
    after = client.get(f"/proposals/{pid}").text
    assert 'id="overdue"' not in after and book.get(pid).check_in_due == dt.date(2099, 1, 1)
