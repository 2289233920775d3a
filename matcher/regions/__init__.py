"""Where a member stands between North and South, and its country's income group and LDC status.

One classification by country, shipped as data (``data/countries.csv``, its source and date in
``data/SOURCE.md``): the capacity map, the equity metrics and pairing all read it from here.
"""

from matcher.regions.classification import (
    INCOME_GROUPS,
    NORTH,
    SIDES,
    SOUTH,
    CountryGroups,
    IncomeGroup,
    Side,
    country_groups,
)

__all__ = ["INCOME_GROUPS", "NORTH", "SIDES", "SOUTH", "CountryGroups", "IncomeGroup", "Side", "country_groups"]
