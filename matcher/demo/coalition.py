"""Load the Coalition demo's offers and requests into a store whose members are imported
(``COALITION_MEMBERS`` with the demo files): offers written, each request received and accepted
by the secretariat, ready for a package. Loading again changes nothing already there."""

from __future__ import annotations

from typing import cast

from matcher.demo import COALITION_OFFERS, COALITION_REQUESTS
from matcher.requests import Offer, Request, RequestBook
from matcher.requests.errors import UnknownRequestError
from matcher.requests.files import read_records
from matcher.store import Store

ACTOR = "user:demo"


def load_coalition(store: Store) -> tuple[int, int]:
    """(offers written, requests received now)."""
    book = RequestBook(store)
    offers = book.put_offers(cast(list[Offer], read_records(COALITION_OFFERS, "offers")))
    received = 0
    for request in cast(list[Request], read_records(COALITION_REQUESTS, "requests")):
        try:
            book.get(request.id)
            continue  # loaded before: its life goes on as it is
        except UnknownRequestError:
            pass
        book.receive(request, ACTOR, "demo request")
        book.triage(request.id, ACTOR, accepted=True, note="within the Coalition's mandate")
        received += 1
    return offers, received
