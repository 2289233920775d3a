"""The country classification: World Bank income group, UN least-developed-country flag, and the
North/South side that follows from them (high income: North; every other group: South)."""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal, Protocol

from matcher.errors import PeermatchError
from matcher.explanations import english_noun

IncomeGroup = Literal["high", "upper_middle", "lower_middle", "low", "unclassified"]
Side = Literal["North", "South"]
INCOME_GROUPS: tuple[IncomeGroup, ...] = ("high", "upper_middle", "lower_middle", "low", "unclassified")
NORTH: Side = "North"
SOUTH: Side = "South"
SIDES: tuple[Side, ...] = (NORTH, SOUTH)
DEFAULT_PATH = Path(__file__).parent / "data" / "countries.csv"
PATH_VARIABLE = "PEERMATCH_COUNTRY_GROUPS_PATH"  # a newer list, same columns


class CountryGroupsError(PeermatchError):
    """The country classification file is missing a column or holds a value it cannot read."""


class Classified(Protocol):
    """What the rule reads of a member: its country and, when it declared one, where it operates."""

    @property
    def country(self) -> str: ...

    @property
    def operates_in(self) -> str | None: ...


@dataclass(frozen=True)
class CountryGroups:
    """Income group and LDC flag per ISO 3166-1 alpha-2 code (``income``, ``ldc``)."""

    income: dict[str, IncomeGroup]
    ldc: frozenset[str]
    source: str

    def income_group(self, country: str) -> IncomeGroup:
        """The country's World Bank group; ``unclassified`` for a code the list does not hold."""
        return self.income.get(country.upper(), "unclassified")

    def is_ldc(self, country: str) -> bool:
        return country.upper() in self.ldc

    def side(self, member: Classified) -> Side:
        """North or South: the member's declared ``operates_in`` if any, else its country's income
        group (high income: North). Its kind (city, organisation...) plays no part."""
        declared = getattr(member, "operates_in", None)
        if declared in SIDES:
            return declared  # type: ignore[return-value]
        return NORTH if self.income_group(member.country) == "high" else SOUTH


def load(path: Path) -> CountryGroups:
    """Read a ``countries.csv`` (iso2, income_group, ldc columns); errors name the file and line."""
    income: dict[str, IncomeGroup] = {}
    ldc: set[str] = set()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise CountryGroupsError(f"{path}: cannot read the country classification ({error.strerror})") from error
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = {"iso2", "income_group", "ldc"} - set(reader.fieldnames or [])
    if missing:
        raise CountryGroupsError(f"{path}: missing {english_noun(len(missing), 'column')} {', '.join(sorted(missing))}")
    for line, row in enumerate(reader, start=2):
        code, group, flag = row["iso2"].strip().upper(), row["income_group"].strip(), row["ldc"].strip()
        if len(code) != 2:
            raise CountryGroupsError(f"{path}:{line}: iso2 {code!r} is not a two-letter code")
        if group not in INCOME_GROUPS:
            raise CountryGroupsError(f"{path}:{line}: income_group {group!r} is not one of {', '.join(INCOME_GROUPS)}")
        if flag not in ("0", "1"):
            raise CountryGroupsError(f"{path}:{line}: ldc {flag!r} is not 0 or 1")
        income[code] = group  # type: ignore[assignment]
        if flag == "1":
            ldc.add(code)
    return CountryGroups(income, frozenset(ldc), str(path))


@lru_cache(maxsize=4)
def _cached(path: str) -> CountryGroups:
    return load(Path(path))


def country_groups() -> CountryGroups:
    """The classification in force: ``PEERMATCH_COUNTRY_GROUPS_PATH`` if set, else the shipped file."""
    return _cached(os.environ.get(PATH_VARIABLE) or str(DEFAULT_PATH))
