"""Requests and offers (issue 23): a government's request answered by a package of members' offers.

records (Offer, Request) -> files (import/export) -> storage + book (the life of a request)
-> candidates (evidence per component, on the peers' scale) -> solver (MILP package, greedy
baseline) -> diagnose (why a component is not covered). ``matcher.usecases.requests`` ties them
to a snapshot.
"""

from matcher.requests.book import RequestBook
from matcher.requests.records import Component, Offer, Request

__all__ = ["Component", "Offer", "Request", "RequestBook"]
