"""Candidate cities: not yet members, imported with ``membership: candidate``, paired like members,
and followed toward joining: applied, supported, joined, each step with its date, who and when."""

from matcher.candidates.joining import JOINING_STATUSES, Joining, JoiningError, JoiningStatus, JoiningStep

__all__ = ["JOINING_STATUSES", "Joining", "JoiningError", "JoiningStatus", "JoiningStep"]
