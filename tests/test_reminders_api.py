"""Contacts, reminders and answers through /v1: the reminder read from a real local SMTP server, the
proposal answered through its signed link without a key, then the link refused (410)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from matcher.notify import MailSettings
from service.app import create_app
from tests.fakes import FakeEncoder
from tests.test_reminders import Inbox, link, mail_settings, smtp  # noqa: F401 (the smtp fixture)
from tests.test_service import READ, WRITE, auth, seeded_settings


def test_a_reminder_is_answered_through_its_link(tmp_path: Path, smtp: tuple[Inbox, int]) -> None:  # noqa: F811
    inbox, port = smtp
    client = TestClient(create_app(seeded_settings(tmp_path, precompute_peers=False), FakeEncoder(), mail=mail_settings(port)))
    contact = {"email": "awa@dakar.example.sn", "language": "fr", "name": "Awa Diop"}
    assert client.put("/v1/members/dakar/contact", headers=auth(READ), json=contact).status_code == 403
    assert client.put("/v1/members/dakar/contact", headers=auth(WRITE), json=contact).status_code == 200
    bad = client.put("/v1/members/lyon/contact", headers=auth(WRITE), json={"email": "not an address", "language": "en"})
    assert bad.status_code == 422 and "email" in bad.text
    pid = client.post(
        "/v1/proposals", headers=auth(WRITE), json={"kind": "recommendation", "member_id": "dakar", "partner_id": "lyon"}
    ).json()["id"]
    client.post(f"/v1/proposals/{pid}/approve", headers=auth(WRITE))
    report = client.post("/v1/reminders", headers=auth(WRITE)).json()
    assert [(s["member_id"], s["kind"], s["language"]) for s in report["sent"]] == [("dakar", "invitation", "fr")]
    assert report["skipped"] == [{"proposal_id": pid, "member_id": "lyon", "reason": "no contact"}]
    (message,) = inbox.messages
    token = link(message, "accept")
    shown = client.get(f"/v1/answers/{token}")  # no key: the link is the credential
    assert shown.status_code == 200 and (shown.json()["member_id"], shown.json()["partner_name"]) == ("dakar", "Lyon")
    answered = client.post(f"/v1/answers/{token}", json={"answer": "accept"})
    assert answered.status_code == 200, answered.text
    assert (
        answered.json()["responses"] == {"dakar": "accepted"} and answered.json()["events"][-1]["actor"] == "contact:awa@dakar.example.sn"
    )
    again = client.post(f"/v1/answers/{token}", json={"answer": "decline"})
    assert again.status_code == 410 and "already used" in again.json()["message"]
    assert client.get("/v1/answers/not-a-token-at-all").status_code == 404
    due = client.post(f"/v1/proposals/{pid}/check-in-due", headers=auth(WRITE), json={"due": "2020-01-01"}).json()
    assert due["check_in_due"] == "2020-01-01" and due["overdue"] == ["check_in"]


def test_reminders_without_mail_settings_say_which_are_missing(tmp_path: Path) -> None:
    client = TestClient(create_app(seeded_settings(tmp_path, precompute_peers=False), FakeEncoder(), mail=MailSettings(smtp_host=None)))
    refused = client.post("/v1/reminders", headers=auth(WRITE))
    assert refused.status_code == 409 and "PEERMATCH_SMTP_HOST" in refused.json()["message"]
