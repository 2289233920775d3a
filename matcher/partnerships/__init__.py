"""Partnerships: proposals, the secretariat's decisions, each side's answer, follow-up and outcome."""

from matcher.partnerships.model import Event, Proposal
from matcher.partnerships.partnerships import Partnerships

__all__ = ["Event", "Partnerships", "Proposal"]
