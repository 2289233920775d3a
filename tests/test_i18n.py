"""The console's catalogues: every message translated in French and Spanish, placeholders kept,
and the template (messages.pot) up to date with the code and templates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from service.console.i18n import LOCALES_DIR

PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifr]")


def catalogue(path: Path):  # type: ignore[no-untyped-def]
    with open(path, "rb") as handle:
        return read_po(handle)


@pytest.mark.parametrize("language", ["fr", "es"])
def test_every_message_is_translated_with_the_same_placeholders(language: str) -> None:
    template = catalogue(LOCALES_DIR / "messages.pot")
    translated = catalogue(LOCALES_DIR / language / "LC_MESSAGES" / "messages.po")
    missing, broken = [], []
    for message in template:
        if not message.id:
            continue
        entry = translated.get(message.id)
        strings = [entry.string] if entry is not None and isinstance(entry.string, str) else list(entry.string if entry else [])
        if entry is None or not all(strings) or "fuzzy" in entry.flags:
            missing.append(message.id)
            continue
        source = message.id if isinstance(message.id, str) else message.id[1]
        if any(set(PLACEHOLDER.findall(s)) != set(PLACEHOLDER.findall(source)) for s in strings):
            broken.append(message.id)
    assert not missing, f"{language}: untranslated: {missing[:10]}"
    assert not broken, f"{language}: placeholders differ: {broken[:10]}"


def test_the_message_template_is_up_to_date_with_the_code(tmp_path: Path) -> None:
    """A message added to a page but not extracted would show in English in every language."""
    root = Path(__file__).resolve().parents[1]
    fresh = tmp_path / "messages.pot"
    arguments = ["-F", str(root / "babel.cfg"), "-k", "plain", "-k", "ngettext:1,2", "--no-location", "-o", str(fresh), str(root)]
    CommandLineInterface().run(["pybabel", "extract", *arguments])
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue(fresh) if m.id}
    shipped = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue(LOCALES_DIR / "messages.pot") if m.id}
    new, gone = sorted(ids - shipped)[:5], sorted(shipped - ids)[:5]
    assert ids == shipped, f"run the extraction (README, 'Translating the console'): new {new}, gone {gone}"


# One word per role on the pairing pages: the columns say Filleul / Parrain (Apadrinado / Padrino),
# so a line about the same people must not call them "mentorés" or "mentoreados".
PAIRING_WORDS = {"fr": ("filleul", "parrain"), "es": ("apadrinad", "padrino")}


@pytest.mark.parametrize("language", ["fr", "es"])
def test_mentees_and_mentors_have_one_name_each(language: str) -> None:
    translated = catalogue(LOCALES_DIR / language / "LC_MESSAGES" / "messages.po")
    mixed = []
    for message in translated:
        source = " ".join(message.id) if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not re.search(r"\bmentee|\bmentor", PLACEHOLDER.sub("", source), re.IGNORECASE):
            continue
        for text in strings:
            words = PLACEHOLDER.sub("", text).lower()
            if "mentor" in words or not any(word in words for word in PAIRING_WORDS[language]):
                mixed.append(text)
    assert not mixed, f"{language}: {mixed}"


# French elides "de" and "que" before a vowel ("Réponse d’Andalusia"), and a name can start with
# one: a translation does not put them before a member's or an event's name.
NAMES = ("name", "member", "partner", "mentee", "mentor", "requester", "event")


def test_french_puts_no_de_or_que_before_a_name() -> None:
    translated = catalogue(LOCALES_DIR / "fr" / "LC_MESSAGES" / "messages.po")
    before_name = re.compile(rf"\b(de|que)\s+%\(({'|'.join(NAMES)})\)s")
    found = [
        text
        for message in translated
        if message.id
        for text in (message.string if isinstance(message.string, tuple) else (message.string,))
        if before_name.search(text)
    ]
    assert not found, found


def test_language_codes_in_an_explanation_are_named_in_the_readers_language() -> None:
    """'2 fournisseurs, aucun ne partageant une langue de travail (en, fr)' showed codes on the
    French capacity map and peers pages; a hub's English text keeps the codes it documents."""
    from matcher.explanations import PEERS_NO_COMMON_LANGUAGE, UNMET_NO_LANGUAGE, explain
    from service.console.i18n import Translator

    unmet = explain(UNMET_NO_LANGUAGE, providers=2, languages="en, fr")
    assert unmet.text() == "2 providers, none sharing a working language (en, fr)"
    french = Translator("fr").explain(unmet)
    assert "Anglais, Français" in french and "(en, fr)" not in french, french
    alone = Translator("es").explain(explain(PEERS_NO_COMMON_LANGUAGE, languages="ru"))
    assert "Ruso" in alone and " ru:" not in alone and " ru " not in alone, alone
