"""Which of a member's needs a recommended peer answers, as the member page and the proposal show them.

A peer's label is its best need's (``PeerMatch.match_score``), but every need of the member comes
back with the peer's closest evidence, however weak. Quoting that evidence beside a need the peer
does not answer ("we need to train our teachers in global citizenship" ← "MOOC: youth employment
skills") reads as a claim it does: the console shows a need as answered from the partial match
on, like the label, and names the others as not answered.
"""

from __future__ import annotations

from collections.abc import Sequence

from matcher.recommend.peers import NeedMet
from matcher.scoring.calibration import MatchQuality, match_quality


def answered(needs: Sequence[NeedMet]) -> list[NeedMet]:
    """The needs whose evidence reaches a partial match, best first (as given)."""
    return [n for n in needs if match_quality(n.score) != "weak"]


def not_answered(needs: Sequence[NeedMet]) -> list[NeedMet]:
    """The needs whose closest evidence is weak: within chance, not an answer."""
    return [n for n in needs if match_quality(n.score) == "weak"]


def need_quality(need: NeedMet) -> MatchQuality:
    """One need's label, on the peers' scale."""
    return match_quality(need.score)
