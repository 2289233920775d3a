"""The marks a template writes between two values follow the reader's language: French puts a
(non-breaking) space before ':' and ';' ("Dakar : pas encore de réponse"), English and Spanish none."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

from fastapi.testclient import TestClient

from service.console.accounts import Accounts
from tests.test_console import app_and_accounts, sign_in  # noqa: F401
from tests.test_service import WRITE, auth

TEMPLATES = Path(__file__).resolve().parents[1] / "service" / "console" / "templates"
# A colon or semicolon written right after a value, a link or a bold label, outside any message.
BARE_MARK = re.compile(r"(\}\}|</a>|</strong>|%\})[:;] ")


def test_no_template_writes_a_bare_colon_or_semicolon_after_a_value() -> None:
    found = [
        (path.name, number)
        for path in sorted(TEMPLATES.glob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if BARE_MARK.search(line)
    ]
    assert found == []


def test_a_proposals_answers_read_with_a_french_colon_in_french_only(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    client, _ = app_and_accounts
    sign_in(client)
    made = client.post("/v1/proposals", headers=auth(WRITE), json={"kind": "pairing", "member_id": "dakar", "partner_id": "lyon"})
    pid = made.json()["id"]
    client.post(f"/v1/proposals/{pid}/approve", headers=auth(WRITE), json={})
    said = {}
    for language in ("fr", "en", "es"):
        client.cookies.set("peermatch_lang", language)
        answers = unescape(client.get(f"/proposals/{pid}").text).split("</h2>", 2)[1]
        said[language] = re.sub(r"<[^>]+>", "", answers)
    assert "Dakar\u00a0: pas encore de réponse" in said["fr"], said["fr"]
    assert "Dakar: no answer yet" in said["en"], said["en"]
    assert "Dakar: " in said["es"] and "Dakar\u00a0:" not in said["es"]


def test_a_proposal_with_no_score_shows_a_dash_in_the_list_as_on_its_page(app_and_accounts: tuple[TestClient, Accounts]) -> None:  # noqa: F811
    """A proposal made without a score (a twinning, a demo proposal) left an empty cell in the
    list's Score column, and '–' on its own page."""
    client, _ = app_and_accounts
    sign_in(client)
    client.post("/v1/proposals", headers=auth(WRITE), json={"kind": "pairing", "member_id": "dakar", "partner_id": "lyon"})
    row = client.get("/proposals").text.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r"<td>(.*?)</td>", row, re.S)
    assert len(cells) == 7 and cells[5] == "–", cells
