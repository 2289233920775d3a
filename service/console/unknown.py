"""An id that names nothing, told in the reader's language: the books say "no member with id 'x'"
in English, which the API returns as it is."""

from __future__ import annotations

from matcher.errors import UnknownIdError
from matcher.explanations import N_
from service.console.i18n import Translator

# One sentence per kind of record, since a kind's name takes its own article and agreement in
# French and Spanish; numbered records (groups, proposals) say "number", not "id".
MESSAGES = {
    "member": N_("No member has the id “%(id)s”."),
    "resource": N_("No resource has the id “%(id)s”."),
    "event": N_("No event has the id “%(id)s”."),
    "person": N_("No person has the id “%(id)s”."),
    "expert group": N_("No expert group has the number %(id)s."),
    "proposal": N_("No proposal has the number %(id)s."),
    "request": N_("No request has the id “%(id)s”."),
    "offer": N_("No offer has the id “%(id)s”."),
    "cluster": N_("No cluster is called “%(id)s”."),
    "invitation": N_("This person has no invitation to this group (%(id)s)."),
}


def unknown_id(t: Translator, error: UnknownIdError) -> str:
    """The book's "no member with id 'x'" in the reader's language (the book's English for a kind
    without a sentence here)."""
    message = MESSAGES.get(error.kind.split(" (")[0])
    return t.plain(message, id=error.record_id) if message is not None else str(error)
