"""What changed between two runs of a pairing: the pairs kept, the new ones, the dropped ones.

After locking pairs and solving again, a secretariat needs to see what moved; a pair is the same
pair when it has the same mentee and the same mentor.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from matcher.pairing.run import Pair, PairingResult


@dataclass
class RunChanges:
    kept: list[Pair] = field(default_factory=list)  # in both runs (as the current run has them)
    new: list[Pair] = field(default_factory=list)  # only in the current run
    dropped: list[Pair] = field(default_factory=list)  # only in the previous run (as it had them)

    @property
    def changed(self) -> bool:
        return bool(self.new or self.dropped)


def compare_runs(previous: PairingResult, current: PairingResult) -> RunChanges:
    """The current run's pairs against the previous run's, each list in its run's order."""
    before = {(p.mentee, p.mentor) for p in previous.pairs}
    after = {(p.mentee, p.mentor) for p in current.pairs}
    return RunChanges(
        kept=[p for p in current.pairs if (p.mentee, p.mentor) in before],
        new=[p for p in current.pairs if (p.mentee, p.mentor) not in before],
        dropped=[p for p in previous.pairs if (p.mentee, p.mentor) not in after],
    )
