"""Typed ties between members (twinnings, cooperation agreements): stored, imported, and read by pairing."""

from matcher.ties.model import TIE_KINDS, Tie, TieKind, ordered
from matcher.ties.ties import InvalidTieError, Ties

__all__ = ["TIE_KINDS", "InvalidTieError", "Tie", "TieKind", "Ties", "ordered"]
