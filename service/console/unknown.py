"""An id that names nothing, told in the reader's language: the books say "no member with id 'x'"
in English, which the API returns as it is."""

from __future__ import annotations

from matcher.errors import UnknownIdError
from service.console.i18n import Translator


def unknown_id(t: Translator, error: UnknownIdError) -> str:
    """The book's "no member with id 'x'" in the reader's language (one sentence per kind of
    record, since a kind's name takes its own article and agreement in French and Spanish)."""
    kind, record_id = error.kind.split(" (")[0], error.record_id
    if kind == "member":
        return t.plain("No member has the id “%(id)s”.", id=record_id)
    if kind == "resource":
        return t.plain("No resource has the id “%(id)s”.", id=record_id)
    if kind == "event":
        return t.plain("No event has the id “%(id)s”.", id=record_id)
    if kind == "person":
        return t.plain("No person has the id “%(id)s”.", id=record_id)
    if kind == "expert group":
        return t.plain("No expert group has the number %(id)s.", id=record_id)
    if kind == "proposal":
        return t.plain("No proposal has the number %(id)s.", id=record_id)
    if kind == "request":
        return t.plain("No request has the id “%(id)s”.", id=record_id)
    if kind == "offer":
        return t.plain("No offer has the id “%(id)s”.", id=record_id)
    if kind == "cluster":
        return t.plain("No cluster is called “%(id)s”.", id=record_id)
    if kind == "invitation":
        return t.plain("This person has no invitation to this group (%(id)s).", id=record_id)
    return str(error)
