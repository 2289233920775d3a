"""The emails, in the contact's language: an invitation to answer a proposal (with its accept and
decline links) and a reminder that a check-in is due. Plain text; every value is the store's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Literal

MessageKind = Literal["invitation", "reminder", "check_in_due"]


@dataclass(frozen=True)
class Wording:
    subject: str
    body: str


WORDING: dict[str, dict[MessageKind, Wording]] = {
    "en": {
        "invitation": Wording(
            "Partnership proposal: {member} and {partner}",
            "Hello {name},\n\nThe secretariat proposes a partnership between {member} and {partner}.\n{reason}\n"
            "Please answer for {member}:\n\n  Accept:  {accept}\n  Decline: {decline}\n\n"
            "The links work once, until {expires}. No account is needed.\n",
        ),
        "reminder": Wording(
            "Reminder: your answer on the partnership {member} and {partner}",
            "Hello {name},\n\nThe partnership between {member} and {partner} is still waiting for {member}'s answer.\n{reason}\n"
            "  Accept:  {accept}\n  Decline: {decline}\n\nThe links work once, until {expires}.\n",
        ),
        "check_in_due": Wording(
            "Check-in due: {member} and {partner}",
            "Hello {name},\n\nA check-in on the partnership between {member} and {partner} was due on {due}.\n"
            "Please tell the secretariat how the exchange is going (what was done, what is next).\n",
        ),
    },
    "fr": {
        "invitation": Wording(
            "Proposition de partenariat : {member} et {partner}",
            "Bonjour {name},\n\nLe secrétariat propose un partenariat entre {member} et {partner}.\n{reason}\n"
            "Merci de répondre pour {member} :\n\n  Accepter : {accept}\n  Refuser :  {decline}\n\n"
            "Les liens servent une fois, jusqu’au {expires}. Aucun compte n’est nécessaire.\n",
        ),
        "reminder": Wording(
            "Rappel : votre réponse sur le partenariat {member} et {partner}",
            "Bonjour {name},\n\nLe partenariat entre {member} et {partner} attend toujours la réponse de {member}.\n{reason}\n"
            "  Accepter : {accept}\n  Refuser :  {decline}\n\nLes liens servent une fois, jusqu’au {expires}.\n",
        ),
        "check_in_due": Wording(
            "Point d’étape attendu : {member} et {partner}",
            "Bonjour {name},\n\nUn point d’étape sur le partenariat entre {member} et {partner} était prévu le {due}.\n"
            "Merci d’indiquer au secrétariat où en est l’échange (ce qui a été fait, la suite).\n",
        ),
    },
    "es": {
        "invitation": Wording(
            "Propuesta de alianza: {member} y {partner}",
            "Hola {name}:\n\nLa secretaría propone una alianza entre {member} y {partner}.\n{reason}\n"
            "Por favor, responda en nombre de {member}:\n\n  Aceptar:  {accept}\n  Rechazar: {decline}\n\n"
            "Los enlaces sirven una vez, hasta el {expires}. No hace falta una cuenta.\n",
        ),
        "reminder": Wording(
            "Recordatorio: su respuesta sobre la alianza {member} y {partner}",
            "Hola {name}:\n\nLa alianza entre {member} y {partner} sigue esperando la respuesta de {member}.\n{reason}\n"
            "  Aceptar:  {accept}\n  Rechazar: {decline}\n\nLos enlaces sirven una vez, hasta el {expires}.\n",
        ),
        "check_in_due": Wording(
            "Seguimiento pendiente: {member} y {partner}",
            "Hola {name}:\n\nUn seguimiento de la alianza entre {member} y {partner} estaba previsto para el {due}.\n"
            "Por favor, cuente a la secretaría cómo va el intercambio (lo hecho y lo que sigue).\n",
        ),
    },
}
GREETING_NAME = {"en": "colleague", "fr": "collègue", "es": "colega"}  # when the contact has no name


@dataclass(frozen=True)
class Address:
    """Who writes to whom, about which pair: ``member`` is the contact's member, ``partner`` the other side."""

    sender: str
    to: str
    name: str
    member: str
    partner: str


def compose(
    kind: MessageKind,
    language: str,
    address: Address,
    *,
    reason: str = "",
    accept: str = "",
    decline: str = "",
    expires: dt.datetime | None = None,
    due: dt.date | None = None,
) -> EmailMessage:
    """One email in ``language`` (fr, en or es)."""
    wording = WORDING[language][kind]
    values = {
        "name": address.name or GREETING_NAME[language],
        "member": address.member,
        "partner": address.partner,
        "reason": f"\n{reason}\n" if reason else "",
        "accept": accept,
        "decline": decline,
        "expires": f"{expires:%Y-%m-%d}" if expires else "",
        "due": due.isoformat() if due else "",
    }
    message = EmailMessage()
    message["Subject"] = wording.subject.format(**values)
    message["From"] = address.sender
    message["To"] = address.to
    message.set_content(wording.body.format(**values))
    message["Content-Language"] = language  # after set_content, which clears the Content-* headers
    return message
