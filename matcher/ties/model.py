"""A tie: an existing, typed relation between two members (a twinning, a cooperation agreement),
which pairing can prefer, keep or forbid (``matcher.pairing.problem.TiePolicy``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

TieKind = Literal["twinning", "cooperation"]
TIE_KINDS: tuple[TieKind, ...] = ("twinning", "cooperation")


@dataclass(frozen=True)
class Tie:
    """``member_a`` < ``member_b`` (id order: one tie per pair and kind, whichever way it was given)."""

    member_a: str
    member_b: str
    kind: TieKind
    source: str
    created_by: str
    created_at: dt.datetime

    def other(self, member_id: str) -> str:
        return self.member_b if member_id == self.member_a else self.member_a


def ordered(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)
