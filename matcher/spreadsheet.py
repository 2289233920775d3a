"""CSV files that people open in a spreadsheet (the console's downloads, the CLI's --out files):
one writer for all, so that a text cell never runs as a formula."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import IO

# A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(...), @SUM...).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$")


def spreadsheet_safe(cell: object) -> str:
    """A CSV cell that a spreadsheet shows as text: one starting a formula gets a quote first.
    A plain number (``-0.25``) stays a number."""
    text = str(cell)
    if text[:1] in FORMULA_STARTS and not PLAIN_NUMBER.match(text):
        return "'" + text
    return text


class SpreadsheetWriter:
    """``csv.writer`` whose every cell goes through ``spreadsheet_safe``."""

    def __init__(self, handle: IO[str]) -> None:
        self._writer = csv.writer(handle)

    def writerow(self, cells: Iterable[object]) -> None:
        self._writer.writerow([spreadsheet_safe(cell) for cell in cells])
