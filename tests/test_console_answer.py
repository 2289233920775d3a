"""The console's answer page, reached from an invitation without an account: in the contact's
language, GET never answers, the POST records the answer once; used, expired and forged links are refused."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from matcher.notify import Contacts
from matcher.partnerships import Partnerships
from matcher.usecases.reminders import send_reminders
from service.app import create_app
from tests.fakes import FakeEncoder
from tests.test_reminders import Inbox, link, mail_settings, smtp  # noqa: F401 (the smtp fixture)
from tests.test_service import seeded_settings


def test_a_contact_answers_from_the_console_page_once(tmp_path: Path, smtp: tuple[Inbox, int]) -> None:  # noqa: F811
    inbox, port = smtp
    mail = mail_settings(port)
    app = create_app(seeded_settings(tmp_path, precompute_peers=False), FakeEncoder(), mail=mail)
    client = TestClient(app, base_url="https://console.test")  # the cookies are Secure
    store = app.state.service.workspace.store
    Contacts(store).set("dakar", "awa@dakar.example.sn", "fr", "user:sec", name="Awa Diop")
    book = Partnerships(store)
    pid = book.propose("recommendation", "dakar", "lyon", "user:sec", reason="Compétences numériques des aînés.").id
    book.approve(pid, "user:sec")
    send_reminders(store, mail)
    token = link(inbox.messages[0], "accept")

    page = client.get(f"/answer/{token}?answer=accept", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "Le secrétariat propose un partenariat entre Dakar et Lyon." in page.text  # the contact's language, not the browser's
    assert book.get(pid).responses == {}  # opening the link (as a mail scanner does) answers nothing
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    done = client.post(f"/answer/{token}", data={"answer": "accept", "csrf_token": csrf})
    assert done.status_code == 200 and "Merci : Dakar accepte le partenariat avec Lyon." in done.text
    assert book.get(pid).responses == {"dakar": "accepted"}
    assert book.get(pid).events[-1].actor == "contact:awa@dakar.example.sn"
    again = client.get(f"/answer/{token}")
    assert again.status_code == 410 and "déjà servi" in again.text
    forged = client.get(f"/answer/{token[:-3]}xyz", headers={"Accept-Language": "es"})
    assert forged.status_code == 404 and "Este enlace no lo envió la secretaría" in forged.text
