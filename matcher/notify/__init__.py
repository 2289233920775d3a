"""Members answer for themselves: each member's contact, invitations and reminders by email in the
contact's language, and signed, expiring links by which a contact accepts or declines a proposal
without an account. Nothing is sent without mail settings (``MailSettings``)."""

from matcher.notify.contacts import CONTACT_LANGUAGES, Contact, Contacts, InvalidContactError
from matcher.notify.links import AnswerLinks, LinkRefused
from matcher.notify.settings import MailNotConfiguredError, MailSettings

__all__ = [
    "CONTACT_LANGUAGES",
    "AnswerLinks",
    "Contact",
    "Contacts",
    "InvalidContactError",
    "LinkRefused",
    "MailNotConfiguredError",
    "MailSettings",
]
