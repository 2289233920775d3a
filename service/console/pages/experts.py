"""The expert-group composer: a theme and its aspects in; a group, what each member covers and what
nobody covers out; swap a member and see the coverage change; save the group as proposals."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import APIRouter, Query
from fastapi.responses import Response

from matcher.recommend.experts import MAX_ASPECTS, ExpertOptions
from matcher.records import MEMBER_KINDS
from matcher.usecases.experts import cluster_aspects, experts_for
from service.console.web import SignedIn

router = APIRouter(include_in_schema=False)


def _ids(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


@dataclass
class Composition:
    """What the composer's form holds; it travels in the address, so a group can be shared as a link."""

    theme: str = ""
    aspects: list[str] = field(default_factory=list)
    k: int = 5
    max_per_country: int = 1
    region_balance: bool = False
    kind: str = ""
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)

    def options(self) -> ExpertOptions:
        return ExpertOptions(
            k=self.k,
            aspects=self.aspects,
            max_per_country=self.max_per_country or None,
            region_balance=self.region_balance,
            kinds=[self.kind] if self.kind else None,
            include=self.include,
            exclude=self.exclude,
        )

    def swapped(self, group: list[str], out: str, into: str) -> Composition:
        """The same composition with ``out`` replaced by ``into`` (or by peermatch's next choice when empty)."""
        kept = [m for m in group if m != out]
        return Composition(
            self.theme,
            self.aspects,
            self.k,
            self.max_per_country,
            self.region_balance,
            self.kind,
            kept + ([into] if into else []),
            [*dict.fromkeys([*self.exclude, out])],
        )


@router.get("/experts")
def composer(
    page: SignedIn,
    theme: str = Query("", max_length=2000),
    aspects: str = Query("", max_length=20 * 520),
    k: int = Query(5, ge=1, le=50),
    max_per_country: int = Query(1, ge=0, le=50),
    region_balance: bool = False,
    kind: str = Query("", max_length=50),
    include: str = Query("", max_length=20_000),
    exclude: str = Query("", max_length=20_000),
    swap_out: str = Query("", max_length=200),
    swap_in: str = Query("", max_length=200),
) -> Response:
    lines = [line.strip() for line in aspects.splitlines() if line.strip()]
    composition = Composition(theme.strip(), lines[:MAX_ASPECTS], k, max_per_country, region_balance, kind, _ids(include), _ids(exclude))
    if swap_out:
        composition = composition.swapped(composition.include, swap_out, swap_in)
    group = None
    error = None
    if len(lines) > MAX_ASPECTS:
        error = page.t.plain("At most %(n)s aspects; the first %(n)s are used.", n=MAX_ASPECTS)
    snapshot = page.state.snapshot
    from_cluster = False
    if composition.theme and not composition.aspects:
        # A cluster's name: its practice themes are the aspects (as experts_for would take them),
        # written into the form so that the officer sees them, edits them, and a swap keeps them.
        composition.aspects = cluster_aspects(composition.theme, snapshot.settings.taxonomy_path)
        from_cluster = bool(composition.aspects)
    if composition.theme:
        group = experts_for(snapshot, composition.theme, composition.options())
    return page.render(
        "experts.html", c=composition, group=group, names=snapshot.names, kinds=MEMBER_KINDS, error=error, from_cluster=from_cluster
    )
