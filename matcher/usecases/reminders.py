"""Invitations and reminders, and answers by signed link: the use cases behind /v1/reminders,
/v1/answers, the console's answer page and ``peermatch reminders send``.

* An **approved** proposal whose side has not answered: that side's contact gets an invitation
  (first time) or a reminder (every ``reminder_days`` after), each with fresh accept and decline links.
* An approved or active proposal whose **check-in is due** (``check_in_due`` on or before today):
  each side's contact gets one reminder per due date.
* Members without a contact are listed as skipped, never silently dropped. Nothing is sent, and
  nothing recorded, without complete mail settings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.message import EmailMessage

from pydantic import BaseModel, Field

from matcher.errors import PeermatchError
from matcher.notify import AnswerLinks, Contacts, LinkRefused, MailNotConfiguredError, MailSettings
from matcher.notify.links import LinkTarget
from matcher.notify.mailer import send
from matcher.notify.messages import Address, MessageKind, compose
from matcher.partnerships import Partnerships, Proposal
from matcher.store import Store


class SentNotice(BaseModel):
    kind: MessageKind
    proposal_id: int
    member_id: str
    email: str
    language: str
    subject: str


class SkippedNotice(BaseModel):
    proposal_id: int
    member_id: str
    reason: str = Field(description="Why nothing was sent, e.g. 'no contact'.")


class ReminderReport(BaseModel):
    sent: list[SentNotice]
    skipped: list[SkippedNotice]


@dataclass
class _Pending:
    notice: SentNotice
    log_kind: str  # what the notifications table keeps, to know what was already sent
    message: EmailMessage


def answer_links(store: Store, mail: MailSettings) -> AnswerLinks:
    """The links signed with the configured secret (MailNotConfiguredError without one)."""
    if mail.link_secret is None:
        raise MailNotConfiguredError("answer links are not configured: set PEERMATCH_LINK_SECRET")
    return AnswerLinks(store, mail.link_secret.get_secret_value() if mail.link_secret else "", mail.link_days)


def send_reminders(store: Store, mail: MailSettings, now: dt.datetime | None = None) -> ReminderReport:
    """Send what is due now (see the module's rules); returns what was sent and what was skipped."""
    mail.require()  # before anything is written: nothing sent, nothing recorded
    links = answer_links(store, mail)
    now = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    contacts = Contacts(store).all()
    names = {m.id: m.name for m in store.members()}
    last = _last_sent(store)
    pending: list[_Pending] = []
    skipped: list[SkippedNotice] = []
    for proposal in Partnerships(store).all():
        for side in _due_sides(proposal, now.date()):
            kind, log_kind = _what_is_due(proposal, side, now, last, mail.reminder_days)
            if kind is None:
                continue
            contact = contacts.get(side)
            if contact is None:
                skipped.append(SkippedNotice(proposal_id=proposal.id, member_id=side, reason="no contact"))
                continue
            partner = proposal.partner_id if side == proposal.member_id else proposal.member_id
            address = Address(mail.mail_from or "", contact.email, contact.name, names.get(side, side), names.get(partner, partner))
            if kind == "check_in_due":
                message = compose(kind, contact.language, address, due=proposal.check_in_due)
            else:
                token = links.issue(proposal.id, side, contact.email, now)
                base = f"{(mail.public_url or '').rstrip('/')}/answer/{token}"
                message = compose(
                    kind,
                    contact.language,
                    address,
                    reason=proposal.reason,
                    accept=f"{base}?answer=accept",
                    decline=f"{base}?answer=decline",
                    expires=now + dt.timedelta(days=mail.link_days),
                )
            notice = SentNotice(
                kind=kind,
                proposal_id=proposal.id,
                member_id=side,
                email=contact.email,
                language=contact.language,
                subject=str(message["Subject"]),
            )
            pending.append(_Pending(notice, log_kind, message))
    sent: list[SentNotice] = []

    def record(number: int) -> None:
        item = pending[number]
        with store.transaction() as db:
            db.execute(
                "INSERT INTO notifications (kind, proposal_id, member_id, email, language, subject, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    item.log_kind,
                    item.notice.proposal_id,
                    item.notice.member_id,
                    item.notice.email,
                    item.notice.language,
                    item.notice.subject,
                    now.isoformat(),
                ),
            )
        sent.append(item.notice)

    if pending:
        send(mail, [p.message for p in pending], record)
    return ReminderReport(sent=sent, skipped=skipped)


def _due_sides(proposal: Proposal, today: dt.date) -> list[str]:
    """The sides something may be due for: unanswered sides of an approved proposal, and both
    sides when the check-in is due."""
    sides: list[str] = []
    if proposal.status == "approved":
        sides += [s for s in proposal.sides if s not in proposal.responses]
    if proposal.status in ("approved", "active") and proposal.check_in_due is not None and proposal.check_in_due <= today:
        sides += [s for s in proposal.sides if s not in sides]
    return sides


def _what_is_due(
    proposal: Proposal, side: str, now: dt.datetime, last: dict[tuple[int, str, str], dt.datetime], every_days: int
) -> tuple[MessageKind | None, str]:
    if proposal.status == "approved" and side not in proposal.responses:
        previous = last.get((proposal.id, side, "answer"))
        if previous is None:
            return "invitation", "answer"
        if now - previous >= dt.timedelta(days=every_days):
            return "reminder", "answer"
    if proposal.check_in_due is not None and proposal.check_in_due <= now.date():
        log_kind = f"check_in_due:{proposal.check_in_due.isoformat()}"
        if (proposal.id, side, log_kind) not in last:
            return "check_in_due", log_kind
    return None, ""


def _last_sent(store: Store) -> dict[tuple[int, str, str], dt.datetime]:
    with store.reading() as db:
        rows = db.execute(
            "SELECT proposal_id, member_id, kind, MAX(sent_at) FROM notifications GROUP BY proposal_id, member_id, kind"
        ).fetchall()
    return {(int(p), str(m), str(k)): dt.datetime.fromisoformat(at) for p, m, k, at in rows}


# ---- answers by signed link ---------------------------------------------------------------------


class AnswerView(BaseModel):
    """What a link's page shows before the contact answers."""

    proposal_id: int
    member_id: str
    member_name: str
    partner_id: str
    partner_name: str
    reason: str
    status: str
    expires_at: dt.datetime


def link_target(store: Store, mail: MailSettings, token: str, now: dt.datetime | None = None) -> AnswerView:
    """The proposal a link answers for (LinkRefused when forged, expired or used)."""
    target = answer_links(store, mail).target(token, now)
    return _view(store, target)


def answer_by_link(store: Store, mail: MailSettings, token: str, accept: bool, now: dt.datetime | None = None) -> Proposal:
    """Record the link's member's answer, as ``contact:<email>`` at this time; the link is then used up."""
    links = answer_links(store, mail)
    target = links.target(token, now)
    if not links.claim(target, "accepted" if accept else "declined", now):
        raise LinkRefused("used", "this link was just used")
    try:
        return Partnerships(store).respond(
            target.proposal_id, target.member_id, accept, f"contact:{target.email}", "answered by signed link"
        )
    except PeermatchError:
        links.release(target)  # nothing was answered: the link still stands (the error says why)
        raise


def _view(store: Store, target: LinkTarget) -> AnswerView:
    proposal = Partnerships(store).get(target.proposal_id)
    partner = proposal.partner_id if target.member_id == proposal.member_id else proposal.member_id
    names = {m.id: m.name for m in store.members()}
    return AnswerView(
        proposal_id=proposal.id,
        member_id=target.member_id,
        member_name=names.get(target.member_id, target.member_id),
        partner_id=partner,
        partner_name=names.get(partner, partner),
        reason=proposal.reason,
        status=proposal.status,
        expires_at=target.expires_at,
    )
