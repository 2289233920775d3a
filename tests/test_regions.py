"""North and South by country (World Bank income group, shipped as data), an organisation by its
country or declared side, never by its kind; the classification file's errors name file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.graph.capacity import side
from matcher.records import Member
from matcher.regions import country_groups
from matcher.regions.classification import CountryGroupsError, load


def member(country: str, kind: str = "city", region: str = "Asia-Pacific", **extra: object) -> Member:
    return Member(id="m", name="M", kind=kind, country=country, region=region, languages=["en"], **extra)  # type: ignore[arg-type]


def test_the_shipped_classification() -> None:
    groups = country_groups()
    assert [groups.income_group(c) for c in ("AU", "KR", "ML", "TN", "BR", "VE")] == [
        "high",
        "high",
        "low",
        "lower_middle",
        "upper_middle",
        "unclassified",
    ]
    assert groups.is_ldc("ML") and groups.is_ldc("SN") and not groups.is_ldc("TN")
    assert len(groups.ldc) == 46
    assert groups.income_group("XX") == "unclassified"


def test_sides_follow_the_country_not_the_region_or_the_kind() -> None:
    assert side(member("AU")) == "North"  # Asia-Pacific, high income
    assert side(member("KR")) == "North"
    assert side(member("SN", kind="organization", region="Africa")) == "South"  # an organisation in Dakar
    assert side(member("BE", kind="organization", region="Europe and North America")) == "North"
    assert side(member("BE", kind="organization", region="Europe and North America", operates_in="South")) == "South"
    assert side(member("ML", region="Africa")) == "South"


def test_a_damaged_classification_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "countries.csv"
    path.write_text("iso2,income_group,ldc\nFR,high,0\nML,poor,1\n", encoding="utf-8")
    with pytest.raises(CountryGroupsError, match=r"countries.csv:3: income_group 'poor' is not one of"):
        load(path)
    path.write_text("iso2,income\nFR,high\n", encoding="utf-8")
    with pytest.raises(CountryGroupsError, match="missing column"):
        load(path)
