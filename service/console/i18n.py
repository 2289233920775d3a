"""The console's three languages: gettext catalogues (Babel) and per-locale dates and numbers.

Messages are written in English in the code and templates; ``pybabel extract`` collects them
into ``locales/messages.pot`` and each language's ``locales/LANG/LC_MESSAGES/messages.po`` holds
its translations (see README, "Translating the console"). The ``.po`` files are compiled in
memory at start-up, so there is no build step and no compiled ``.mo`` file in the repository.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.core import negotiate_locale
from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations
from markupsafe import Markup, escape

from matcher.explanations import Explanation
from matcher.scoring.calibration import shown

LOCALES_DIR = Path(__file__).parent / "locales"
# The languages of the networks' secretariats (UNESCO, UCLG and GCE all work in these three).
LANGUAGES: dict[str, str] = {"en": "English", "fr": "Français", "es": "Español"}
DEFAULT_LANGUAGE = "en"
# The CSV delimiter each language's Excel reads: French and Spanish Excel use ';' (',' is their
# decimal sign), so a comma-separated export opens in one column there.
CSV_DELIMITERS: dict[str, str] = {"en": ",", "fr": ";", "es": ";"}

# French writes a space before a two-part mark (: ;), and a non-breaking one so that the mark
# never starts a line; English and Spanish write none. The catalogue's sentences carry their own
# marks; these are for the marks a template writes between two values.
SPACE_BEFORE_MARKS: dict[str, str] = {"fr": "\u00a0"}


@cache
def translations(language: str) -> NullTranslations:
    """The compiled catalogue of ``language`` (English, the source language, needs none)."""
    po_path = LOCALES_DIR / language / "LC_MESSAGES" / "messages.po"
    if language == DEFAULT_LANGUAGE or not po_path.exists():
        return NullTranslations()
    with open(po_path, "rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer)


def negotiate(accept_language: str | None) -> str:
    """The best of our languages for an ``Accept-Language`` header (English when none fits)."""
    if not accept_language:
        return DEFAULT_LANGUAGE
    preferred = []
    for part in accept_language.split(","):
        tag, _, quality = part.strip().partition(";q=")
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            weight = 0.0
        if tag:
            preferred.append((weight, tag.strip().replace("-", "_")))
    ordered = [tag for _, tag in sorted(preferred, key=lambda pair: -pair[0])]
    return negotiate_locale(ordered, list(LANGUAGES), sep="_") or DEFAULT_LANGUAGE


class Translator:
    """Messages, dates and numbers in one language; templates get it as ``t`` and ``_``."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else DEFAULT_LANGUAGE
        self.locale = Locale.parse(self.language)
        self._catalogue = translations(self.language)

    def gettext(self, message: str, **values: Any) -> Markup:
        """The translation of ``message``, with ``%(name)s`` placeholders filled (values escaped)."""
        text = escape(self._catalogue.gettext(message))
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, n: int, **values: Any) -> Markup:
        text = escape(self._catalogue.ngettext(singular, plural, n))
        return text % {"num": self.number(n), **values}

    def plain(self, message: str, **values: Any) -> str:
        """The translation as plain text (for flash messages, CSV headers, redirects)."""
        text = self._catalogue.gettext(message)
        return text % values if values else text

    def explain(self, explanation: Explanation | None, fallback: str = "", names: Mapping[str, Any] | None = None) -> str:
        """An explanation from the library (``matcher.explanations``) in this language; with
        ``names`` (member id -> name or Member), the members it names are called by their names."""
        if explanation is None:
            return fallback

        def member_name(member_id: str) -> str:
            found = names.get(member_id) if names else None
            return found if isinstance(found, str) else str(getattr(found, "name", member_id))

        return explanation.text(
            self._catalogue.gettext,
            self.language_name,
            self.decimal,
            self._catalogue.ngettext,
            member_name if names else None,
            self.date,
        )

    def number(self, value: float, digits: int = 0) -> str:
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def pick(self, labels: dict[str, str], fallback: str) -> str:
        """The label in this language when there is one (a taxonomy topic's), else ``fallback``."""
        return labels.get(self.language) or fallback

    def decimal(self, value: float, digits: int) -> str:
        """``value`` with exactly ``digits`` decimals and the locale's decimal sign."""
        return format_decimal(value, format="0." + "0" * digits if digits else "0", locale=self.locale)

    @property
    def csv_delimiter(self) -> str:
        return CSV_DELIMITERS[self.language]

    @property
    def colon(self) -> str:
        """The colon a template writes between a label and its value ("Dakar : acceptée" in French)."""
        return SPACE_BEFORE_MARKS.get(self.language, "") + ":"

    @property
    def semicolon(self) -> str:
        """The semicolon a template writes between two items of a list."""
        return SPACE_BEFORE_MARKS.get(self.language, "") + ";"

    def score(self, value: float) -> str:
        """A calibrated score (0 to 1), two decimals, with the locale's decimal sign, never rounded
        across a label boundary (0.6957, partial, shows as 0,69, not 0,70)."""
        return format_decimal(shown(value, 2), format="0.00", locale=self.locale)

    def percent(self, value: float) -> str:
        return format_percent(value, locale=self.locale)

    def date(self, value: dt.date | dt.datetime | str | None, style: str = "medium") -> str:
        if value is None or value == "":
            return ""
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value) if "T" in value or " " in value else dt.date.fromisoformat(value)
        if isinstance(value, dt.datetime):
            # Stored times are UTC: say so rather than pretend they are the reader's.
            suffix = " UTC" if value.tzinfo is not None and value.utcoffset() == dt.timedelta(0) else ""
            # The day in ``style`` and the time to the minute: an event at "09:00:00" reads as a timestamp.
            day, time = format_date(value, format=style, locale=self.locale), format_time(value, format="short", locale=self.locale)
            return str(self.locale.datetime_formats.get(style, "{1} {0}")).format(time, day) + suffix
        return format_date(value, format=style, locale=self.locale)

    def language_name(self, code: str) -> str:
        """A language code as its name in this locale (fr -> "French", "français", "francés")."""
        return (self.locale.languages.get(code) or code).capitalize()

    def territory_name(self, code: str) -> str:
        return self.locale.territories.get(code.upper()) or code
