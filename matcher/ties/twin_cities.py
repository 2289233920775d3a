"""Import twinnings from a twin-cities list (``city1,country1,lat1,lng1,city2,country2,lat2,lng2``,
e.g. ``../shared/data/twin-cities/twin_cities.csv``: Wikipedia's lists via Hekman/twincities,
CC BY-SA 4.0) by matching each side to a member by city name and country.

A row becomes a tie when both of its cities are members (kind city or local government, name
compared without case or accents, country as an ISO code). A row that names a country nobody can
read, or a city matching two members, is a problem named by line and field; rows whose cities are
not members are counted, not errors: the list is the world's, the network is a part of it.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pycountry

from matcher.errors import UnreadableFileError
from matcher.explanations import english_noun
from matcher.records import Member
from matcher.text_folding import fold

COLUMNS = ("city1", "country1", "city2", "country2")
SOURCE = "Twin-city pairs from Wikipedia, CC BY-SA 4.0, via Hekman/twincities"
# Wikipedia's spellings that ISO 3166 names do not match (checked against every name in the shipped list).
ALIASES = {
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "brunei": "BN",
    "falkland islands": "FK",
    "micronesia": "FM",
    "palestine": "PS",
    "west bank": "PS",
    "russia": "RU",
    "surinam": "SR",
    "sao tome and principe": "ST",
    "bosnia and hercegovina": "BA",
    "cape verde": "CV",
    "democratic republic of the congo": "CD",
    "east timor": "TL",
    "georgia (country)": "GE",
    "grece": "GR",
    "ivory coast": "CI",
    "kazakhstah": "KZ",
    "madagaskar": "MG",
    "moldavia": "MD",
    "republic of ireland": "IE",
    "turkey": "TR",
}
MEMBER_KINDS = ("city", "local_government")


@dataclass(frozen=True)
class TieProblem:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.field}: {self.message}"


@dataclass
class TwinCityMatch:
    """What a twin-cities file gives for the network: pairs of member ids, and what was left."""

    rows: int = 0
    pairs: list[tuple[str, str]] = field(default_factory=list)
    one_side_member: int = 0  # rows with one city in the network: a candidate city, not a tie
    problems: list[TieProblem] = field(default_factory=list)


def country_code(name: str) -> str | None:
    """ISO alpha-2 code of a country as the list writes it ('Mali', 'Ivory Coast', 'Lower Saxony, Germany'), else None."""
    text = name.strip()
    if "," in text:
        text = text.rsplit(",", 1)[1].strip()  # 'Réunion, France': the country is after the comma
    text = text.removeprefix("in ").strip()
    if not text:
        return None
    alias = ALIASES.get(fold(text))
    if alias:
        return alias
    try:
        return str(pycountry.countries.lookup(text).alpha_2)
    except LookupError:
        return None


def match_twin_cities(path: Path, members: Iterable[Member]) -> TwinCityMatch:
    """Read ``path`` and keep the rows whose two cities are members (see the module's rule)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise UnreadableFileError(f"{path}: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise UnreadableFileError(f"{path}: not UTF-8 text (byte {error.start})") from error
    return match_rows(io.StringIO(text, newline=""), str(path), members)


def match_rows(handle: Iterable[str], label: str, members: Iterable[Member]) -> TwinCityMatch:
    """The same as ``match_twin_cities`` on lines already open (``label`` names them in errors)."""
    by_key: dict[tuple[str, str], list[str]] = defaultdict(list)
    for member in members:
        if member.kind in MEMBER_KINDS:
            by_key[(fold(member.name), member.country)].append(member.id)
    out = TwinCityMatch()
    seen: set[tuple[str, str]] = set()
    reader = csv.DictReader(handle)
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        columns = english_noun(len(missing), "column")
        raise UnreadableFileError(f"{label}: missing {columns} {', '.join(missing)} (expected {', '.join(COLUMNS)})")
    for line, row in enumerate(reader, start=2):
        out.rows += 1
        sides: list[str | None] = []
        for number in ("1", "2"):
            city, country = (row.get(f"city{number}") or "").strip(), row.get(f"country{number}") or ""
            if not city:
                out.problems.append(TieProblem(line, f"city{number}", "empty"))
                sides.append(None)
                continue
            code = country_code(country)
            if code is None:
                out.problems.append(TieProblem(line, f"country{number}", f"'{country}' is not a country peermatch can name"))
                sides.append(None)
                continue
            found = by_key.get((fold(city), code), [])
            if len(found) > 1:
                out.problems.append(
                    TieProblem(line, f"city{number}", f"'{city}' ({code}) matches {len(found)} members: {', '.join(found)}")
                )
            sides.append(found[0] if len(found) == 1 else None)
        a, b = sides
        if a and b and a != b:
            pair = (a, b) if a <= b else (b, a)
            if pair not in seen:
                seen.add(pair)
                out.pairs.append(pair)
        elif (a is None) != (b is None):
            out.one_side_member += 1
    return out
