"""What the console shows instead of codes, read back: a spreadsheet typed by a person may hold
"Afrique", "ville", "Sénégal" or "français" where the import format has Africa, city, SN and fr.

Regions and kinds are read in each console language from its catalogues (the same words the
pages show, ``macros.html``); countries and languages by their CLDR names (Babel), as the pages
name them. Everything is matched without case or accents ("senegal", "Sénégal").
"""

from __future__ import annotations

from functools import cache

from babel import Locale

from matcher.index.lexical import fold
from matcher.ingest.readers import Labels
from matcher.records import MEMBER_KINDS, REGIONS, ResourceKind
from service.console.i18n import LANGUAGES, Translator

# The words the console shows for a member's kind (macros.html kind_label): "local government".
KIND_WORDS = {kind: kind.replace("_", " ") for kind in MEMBER_KINDS}
RESOURCE_KINDS: tuple[str, ...] = ResourceKind.__args__  # type: ignore[attr-defined]


@cache
def import_labels() -> Labels:
    """field -> {folded label: code}, over the console's three languages."""
    regions: dict[str, str] = {}
    kinds: dict[str, str] = {}
    countries: dict[str, str] = {}
    languages: dict[str, str] = {}
    for language in LANGUAGES:
        t = Translator(language)
        for region in REGIONS:
            regions[fold(t.plain(region))] = region
        for kind, words in KIND_WORDS.items():
            kinds[fold(t.plain(words))] = kind
        for kind in RESOURCE_KINDS:
            kinds.setdefault(fold(t.plain(kind.replace("_", " "))), kind)
        locale = Locale.parse(language)
        countries.update({fold(name): code for code, name in locale.territories.items() if len(code) == 2 and code.isalpha()})
        languages.update({fold(name): code for code, name in locale.languages.items() if len(code) == 2})
    return {"region": regions, "kind": kinds, "country": countries, "language": languages, "languages": languages}


@cache
def country_words(code: str) -> str:
    """A country's names in the console's languages, folded ("senegal senegal senegal"), for search."""
    return " ".join(fold(Locale.parse(language).territories.get(code.upper(), code)) for language in LANGUAGES)


def accepted_words(t: Translator, field: str, record_type: str) -> str | None:
    """For a coded field a spreadsheet may fill with the console's words (``import_labels``), what
    a refused value may be, in the reader's language and then as codes: "ville, collectivité
    locale, … (or the codes city, local_government, …)". None for any other field."""
    if field == "region":
        codes, words = list(REGIONS), [t.plain(region) for region in REGIONS]
    elif field == "kind" and record_type == "resources":
        codes, words = list(RESOURCE_KINDS), [t.plain(kind.replace("_", " ")) for kind in RESOURCE_KINDS]
    elif field == "kind":
        codes, words = list(KIND_WORDS), [t.plain(words) for words in KIND_WORDS.values()]
    else:
        return None
    return t.plain("must be one of: %(words)s (or the codes %(codes)s)", words=", ".join(words), codes=", ".join(codes))


# The boxes a follow-up step fills, by the labels the proposal and request pages show for them
# (untranslated message ids): a refused value names the box the reader typed it in.
FOLLOW_UP_LABELS = {"on": "Check-in date", "rating": "Rating (1 to 5)", "note": "Follow-up note"}
