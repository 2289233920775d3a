"""Invitations and reminders by email through a real local SMTP server (aiosmtpd), read back as
received; answers through the signed link, refused once used, expired, or forged; nothing sent
without mail settings."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
import socket
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from matcher.notify import Contacts, InvalidContactError, LinkRefused, MailNotConfiguredError, MailSettings
from matcher.partnerships import Partnerships
from matcher.records import Member
from matcher.store import Store
from matcher.usecases.reminders import answer_by_link, link_target, send_reminders

SECRET = "s" * 40


class Inbox:
    """aiosmtpd handler: keeps every message the server accepts."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def mail_settings(port: int, **extra: Any) -> MailSettings:
    values = {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_starttls": False,
        "mail_from": "Secretariat <secretariat@example.org>",
        "public_url": "https://console.example.org",
        "link_secret": SECRET,
    }
    return MailSettings.model_validate(values | extra)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "store.sqlite")
    members = [
        Member(id="dakar", name="Dakar", kind="city", country="SN", region="Africa", languages=["fr"]),
        Member(id="lyon", name="Lyon", kind="city", country="FR", region="Europe and North America", languages=["fr", "en"]),
        Member(id="lima", name="Lima", kind="city", country="PE", region="Latin America and the Caribbean", languages=["es"]),
    ]
    store.write(members)
    contacts = Contacts(store)
    contacts.set("dakar", "awa@dakar.example.sn", "fr", "user:sec", name="Awa Diop")
    contacts.set("lyon", "tom@lyon.example.fr", "en", "user:sec")
    return store


def approved(store: Store, member: str = "dakar", partner: str = "lyon") -> int:
    book = Partnerships(store)
    proposal = book.propose("recommendation", member, partner, "user:sec", reason="Digital skills for older adults.")
    book.approve(proposal.id, "user:sec")
    return proposal.id


def link(message: Message, answer: str) -> str:
    body = message.get_payload(decode=True).decode("utf-8")  # type: ignore[union-attr]
    found = re.search(rf"https://console\.example\.org/answer/(\S+)\?answer={answer}", body)
    assert found, body
    return found.group(1)


def test_invitations_go_out_in_each_contacts_language_and_a_link_answers_once(store: Store, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    mail = mail_settings(port)
    pid = approved(store)
    report = send_reminders(store, mail)
    assert sorted((s.member_id, s.kind, s.language) for s in report.sent) == [("dakar", "invitation", "fr"), ("lyon", "invitation", "en")]
    received = {m["To"]: m for m in inbox.messages}
    assert set(received) == {"awa@dakar.example.sn", "tom@lyon.example.fr"}
    french, english = received["awa@dakar.example.sn"], received["tom@lyon.example.fr"]
    assert french["Subject"] == "Proposition de partenariat : Dakar et Lyon" and french["Content-Language"] == "fr"
    assert "Bonjour Awa Diop" in french.get_payload(decode=True).decode("utf-8")  # type: ignore[union-attr]
    assert english["Subject"] == "Partnership proposal: Lyon and Dakar"
    # Nothing new is due the same day: no second email.
    assert send_reminders(store, mail).sent == [] and len(inbox.messages) == 2

    token = link(french, "accept")
    view = link_target(store, mail, token)
    assert (view.proposal_id, view.member_id, view.partner_name) == (pid, "dakar", "Lyon")
    answered = answer_by_link(store, mail, token, accept=True)
    event = answered.events[-1]
    assert (event.step, event.actor, event.payload["side"], event.payload["answer"]) == (
        "respond",
        "contact:awa@dakar.example.sn",
        "dakar",
        "accepted",
    )
    assert abs((dt.datetime.now(dt.UTC) - event.at).total_seconds()) < 60
    with pytest.raises(LinkRefused, match="already used") as refused:
        answer_by_link(store, mail, token, accept=False)
    assert refused.value.why == "used"
    decline = link(french, "decline")  # the same email's other link: the same token, so used too
    with pytest.raises(LinkRefused):
        answer_by_link(store, mail, decline, accept=False)
    # Lyon declines through its own link: the proposal is declined, answered by its contact.
    final = answer_by_link(store, mail, link(english, "decline"), accept=False)
    assert final.status == "declined" and final.responses == {"dakar": "accepted", "lyon": "declined"}


def test_links_expire_and_forged_ones_are_refused(store: Store, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    mail = mail_settings(port, link_days=3)
    approved(store)
    send_reminders(store, mail)
    token = link(inbox.messages[0], "accept")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=4)
    with pytest.raises(LinkRefused, match="expired") as expired:
        answer_by_link(store, mail, token, accept=True, now=later)
    assert expired.value.why == "expired"
    with pytest.raises(LinkRefused) as forged:
        answer_by_link(store, mail, token[:-2] + ("AA" if not token.endswith("AA") else "BB"), accept=True)
    assert forged.value.why == "invalid"
    other_secret = mail_settings(port, link_secret="t" * 40)
    with pytest.raises(LinkRefused, match="not one peermatch sent"):
        link_target(store, other_secret, token)
    # Expired and forged attempts used nothing up: the link still answers today.
    assert answer_by_link(store, mail, token, accept=True).responses


def test_reminders_follow_unanswered_proposals_and_due_check_ins(store: Store, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    mail = mail_settings(port, reminder_days=7)
    pid = approved(store)
    lima = approved(store, "lima", "lyon")
    first = send_reminders(store, mail)
    assert ("lima", "no contact") in {(s.member_id, s.reason) for s in first.skipped}  # said, not silently dropped
    week_later = dt.datetime.now(dt.UTC) + dt.timedelta(days=8)
    again = send_reminders(store, mail, now=week_later)
    assert sorted((s.proposal_id, s.member_id, s.kind) for s in again.sent) == [
        (pid, "dakar", "reminder"),
        (pid, "lyon", "reminder"),
        (lima, "lyon", "reminder"),
    ]
    assert inbox.messages[-1]["Subject"].startswith(("Reminder:", "Rappel :"))
    # Both accept; a check-in falls due; each side hears once per due date.
    book = Partnerships(store)
    book.respond(pid, "dakar", True, "user:sec")
    book.respond(pid, "lyon", True, "user:sec")
    due = dt.date.today() - dt.timedelta(days=1)
    proposal = book.schedule_check_in(pid, "user:sec", due)
    assert proposal.check_in_due == due and proposal.overdue(dt.date.today()) == ["check_in"]
    count = len(inbox.messages)
    report = send_reminders(store, mail, now=week_later)
    assert sorted((s.member_id, s.kind) for s in report.sent if s.proposal_id == pid) == [
        ("dakar", "check_in_due"),
        ("lyon", "check_in_due"),
    ]
    french = next(m for m in inbox.messages[count:] if m["To"] == "awa@dakar.example.sn")
    assert french["Subject"] == "Point d’étape attendu : Dakar et Lyon" and due.isoformat() in french.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert [s for s in send_reminders(store, mail, now=week_later).sent if s.kind == "check_in_due"] == []
    # The check-in held settles it; the next due date is set with it.
    held = book.check_in(pid, "user:sec", dt.date.today(), "first exchange", next_due=dt.date.today() + dt.timedelta(days=30))
    assert held.overdue(dt.date.today()) == [] and held.check_in_due == dt.date.today() + dt.timedelta(days=30)


def test_nothing_is_sent_or_recorded_without_mail_settings(store: Store) -> None:
    approved(store)
    with pytest.raises(
        MailNotConfiguredError, match="PEERMATCH_SMTP_HOST, PEERMATCH_MAIL_FROM, PEERMATCH_LINK_SECRET, PEERMATCH_PUBLIC_URL"
    ):
        send_reminders(store, MailSettings(_env_file=None))  # type: ignore[call-arg]
    with store.reading() as db:
        assert db.execute("SELECT COUNT(*) FROM notifications").fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM answer_links").fetchone()[0] == 0


def test_contacts_are_checked_field_by_field(store: Store) -> None:
    contacts = Contacts(store)
    with pytest.raises(InvalidContactError, match="email"):
        contacts.set("dakar", "awa@dakar.example.sn\r\nBcc: all@example.org", "fr", "user:sec")
    with pytest.raises(InvalidContactError, match="language"):
        contacts.set("dakar", "awa@dakar.example.sn", "de", "user:sec")
    with pytest.raises(InvalidContactError, match="unknown member 'nowhere'"):
        contacts.set("nowhere", "x@example.org", "fr", "user:sec")
    assert contacts.get("dakar") is not None and contacts.get("dakar").language == "fr"  # type: ignore[union-attr]
