"""The README's settings say what the settings classes do: every variable it names exists, and every
default it states is the class's (a default changed in the code fails here until the README follows)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from service.settings import ServiceSettings

README = Path(__file__).resolve().parents[1] / "README.md"
FIELDS = ServiceSettings.model_fields  # the service's settings include the library's


def settings_table(text: str) -> list[tuple[str, str]]:
    """(variable, stated default) of each row of the README's "## Settings" table; a row naming
    two variables (``PEERMATCH_PASSAGE_WORDS`` / ``_OVERLAP`` | 120 / 30) gives two pairs."""
    section = text.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    pairs: list[tuple[str, str]] = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) < 3 or not cells[0].startswith("`PEERMATCH_"):
            continue
        names = re.findall(r"`([A-Z_]+)`", cells[0])
        first = names[0]
        names = [first] + [first.rsplit("_", 1)[0] + name if name.startswith("_") else name for name in names[1:]]
        defaults = [d.strip() for d in cells[1].split(" / ")] if "/" in cells[1] else [cells[1]] * len(names)
        pairs += zip(names, defaults, strict=True)
    return pairs


def prose_defaults(text: str) -> list[tuple[str, str]]:
    """Settings named in the README's prose with their default in brackets: `HEAVY_QUEUE` (32)."""
    return re.findall(r"`(?:PEERMATCH_)?([A-Z][A-Z_]+)` \((\d[\d,.]*)(?: s)?\)", text)


def stated(value: str) -> object:
    """A stated default as a value: `true` -> True, 2,000 -> 2000, 0.25 -> 0.25; None: prose."""
    value = value.strip("`")
    if value in ("true", "false"):
        return value == "true"
    try:
        return float(value.replace(",", ""))
    except ValueError:
        return value if re.fullmatch(r"[a-z0-9+-]+", value) else None


def field(variable: str) -> str:
    name = variable.removeprefix("PEERMATCH_").lower()
    assert name in FIELDS, f"the README names {variable}, which no settings class has"
    return name


def test_the_parsers_read_the_readmes_shapes() -> None:
    table = "\n## Settings\n\n| `PEERMATCH_A_WORDS` / `_OVERLAP` | 120 / 30 | x |\n| `PEERMATCH_B` | `true` | y |\n\n## Next\n"
    assert settings_table(table) == [("PEERMATCH_A_WORDS", "120"), ("PEERMATCH_A_OVERLAP", "30"), ("PEERMATCH_B", "`true`")]
    assert prose_defaults("At most `HEAVY_QUEUE` (32) wait up to `QUEUE_SECONDS` (10); `WATCH_SECONDS` (0.25 s)") == [
        ("HEAVY_QUEUE", "32"),
        ("QUEUE_SECONDS", "10"),
        ("WATCH_SECONDS", "0.25"),
    ]


TEXT = README.read_text(encoding="utf-8")


@pytest.mark.parametrize("variable, default", settings_table(TEXT) + prose_defaults(TEXT))
def test_each_default_the_readme_states_is_the_settings_class(variable: str, default: str) -> None:
    name = field(variable)
    value = stated(default)
    if value is None:  # described, not a value ("per-user data dir", "the model's own")
        return
    actual = FIELDS[name].default
    assert actual == value, f"README: {variable} defaults to {default}; the settings class: {actual!r}"
