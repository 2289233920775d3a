"""Explanations with a number say "1 mentee does", "2 mentees do" (never "mentee(s)"), in English for a hub
that renders ``template % values`` and in the console's French and Spanish, each language switching
where it does (French says "0 filleul", English "0 mentees")."""

from __future__ import annotations

import json
import re

import pytest

from matcher import explanations as E
from matcher.explanations import Explanation, explain
from matcher.requests import diagnose as request_reasons
from service.console.i18n import Translator

PLACEHOLDER = re.compile(r"%\((\w+)\)(?:\.\d+f|s)")

REQUIRED = {
    "en": (
        "1 mentee does not speak Spanish, which every pair must speak: dakar",
        "2 mentees do not speak Spanish, which every pair must speak: dakar",
    ),
    "fr": (
        "1 filleul ne parle pas la langue « Espagnol », exigée de chaque paire : dakar",
        "2 filleuls ne parlent pas la langue « Espagnol », exigée de chaque paire : dakar",
    ),
    "es": (
        "1 apadrinado no habla «Español», idioma exigido a cada pareja: dakar",
        "2 apadrinados no hablan «Español», idioma exigido a cada pareja: dakar",
    ),
}
PROVIDERS = {  # the console names the languages; the wire keeps their codes (below)
    "en": ("1 provider, not sharing a working language (Spanish)", "2 providers, none sharing a working language (Spanish)"),
    "fr": (
        "1 fournisseur, sans langue de travail commune (Espagnol)",
        "2 fournisseurs, aucun ne partageant une langue de travail (Espagnol)",
    ),
    "es": ("1 proveedor, sin idioma de trabajo común (Español)", "2 proveedores, ninguno comparte un idioma de trabajo (Español)"),
}
OFFERS = {
    "en": ("1 offer that answers it does not serve SN", "2 offers that answer it do not serve SN"),
    "fr": ("1 offre qui y répond ne couvre pas SN", "2 offres qui y répondent ne couvrent pas SN"),
    "es": ("1 oferta que responde no llega a SN", "2 ofertas que responden no llegan a SN"),
}


@pytest.mark.parametrize("language", ["en", "fr", "es"])
@pytest.mark.parametrize(
    ("template", "values", "count", "expected"),
    [
        (E.PAIRING_REQUIRED_LANGUAGE, {"language_code": "es", "mentees": "dakar"}, "count", REQUIRED),
        (E.UNMET_NO_LANGUAGE, {"languages": "es"}, "providers", PROVIDERS),
        (request_reasons.REQUEST_REGION, {"country": "SN"}, "count", OFFERS),
    ],
)
def test_one_and_two_read_in_each_language(
    template: str, values: dict[str, str], count: str, expected: dict[str, tuple[str, str]], language: str
) -> None:
    t = Translator(language)
    one, two = (explain(template, **values, **{count: n}) for n in (1, 2))
    assert (t.explain(one), t.explain(two)) == expected[language]
    if language == "en":  # what a hub renders from the wire, with no catalogue
        for explanation, sentence in zip((one, two), expected["en"], strict=True):
            wire = json.loads(explanation.model_dump_json())
            # the wire keeps language codes ('(es)') where the console names them ('(Spanish)')
            assert wire["template"] % wire["values"] == sentence.replace("(Spanish)", "(es)") == explanation.text()
            assert explanation.message_id == template  # the singular form is the catalogues' id


def test_a_nested_detail_takes_its_own_number() -> None:
    short = explain(E.PAIRING_MENTEE_SHORT, mentee="dakar", eligible=1, needed=2, details="3 already partners")
    reason = explain(E.PAIRING_TOO_FEW_MENTORS, short, count=2)
    assert (
        Translator("fr").explain(reason)
        == "2 filleuls ont trop peu de parrains possibles : dakar a 1 parrain possible, il en faut 2 (3 already partners)"
    )
    assert (
        Translator("en").explain(reason)
        == "2 mentees have too few eligible mentors: dakar has 1 eligible mentor, needs 2 (3 already partners)"
    )


def test_zero_is_singular_in_french_and_plural_in_english_and_spanish() -> None:
    zero = explain(E.PAIRING_REQUIRED_LANGUAGE, count=0, language_code="fr", mentees="")
    assert Translator("en").explain(zero).startswith("0 mentees do not speak")
    assert Translator("fr").explain(zero).startswith("0 filleul ne parle pas")
    assert Translator("es").explain(zero).startswith("0 apadrinados no hablan")


def test_an_explanation_read_back_from_storage_keeps_its_form() -> None:
    stored = explain(E.IMPORT_EXTRA_CELLS, count=3).model_dump()
    again = Explanation.model_validate(stored)
    assert again.text() == "3 more cells than the header has"
    assert Translator("fr").explain(again) == "3 cellules de plus que l’en-tête"


PLURAL_TEMPLATES = sorted({forms[0] for forms in E._PLURALS.values()})


def test_every_template_with_a_number_has_two_forms() -> None:
    assert len(PLURAL_TEMPLATES) >= 20
    for module in (E, request_reasons):
        for name, value in vars(module).items():
            if name.isupper() and isinstance(value, str):
                assert "(s)" not in value, f"{name}: {value!r} writes '(s)': give it a singular and a plural (ngettext)"


@pytest.mark.parametrize("language", ["en", "fr", "es"])
@pytest.mark.parametrize("template", PLURAL_TEMPLATES)
def test_no_plural_template_reads_with_a_bracketed_s(template: str, language: str) -> None:
    count = E._PLURALS[template][2]
    for n in (1, 2):
        values: dict[str, str | int | float] = {name: "x" for name in PLACEHOLDER.findall(template)}
        values.update({"score": 0.5, count: n})
        values.pop("language", None)
        if "%(language)s" in template:
            values["language_code"] = "fr"
        sentence = Translator(language).explain(explain(template, **values))
        assert not re.search(r"\((s|es|e)\)", sentence), sentence
        assert sentence.startswith(str(n)) or f" {n} " in sentence, sentence


def test_a_reader_is_told_member_names_not_ids() -> None:
    reason = explain(E.PAIRING_REQUIRED_LANGUAGE, count=7, language_code="fr", mentees="city-dakar-sn, city-bamako-ml (+5)")
    names = {"city-dakar-sn": "Dakar", "city-bamako-ml": "Bamako"}
    said = Translator("fr").explain(reason, names=names)
    assert said == "7 filleuls ne parlent pas la langue « Français », exigée de chaque paire : Dakar, Bamako (+5)"
    assert reason.text().endswith(": city-dakar-sn, city-bamako-ml (+5)")  # the data (what a hub gets) keeps the ids
    nested = explain(
        E.PAIRING_TOO_FEW_MENTORS, explain(E.PAIRING_MENTEE_SHORT, mentee="city-dakar-sn", eligible=0, needed=1, details="x"), count=1
    )
    assert Translator("en").explain(nested, names=names).startswith("1 mentee has too few eligible mentors: Dakar has 0 eligible mentors")


@pytest.mark.parametrize("language", ["fr", "es"])
@pytest.mark.parametrize("strong", [0, 1, 2])
def test_the_strong_count_of_an_expert_group_agrees_whatever_the_number(language: str, strong: int) -> None:
    """The group's count drives the plural, not the strong count inside it: French read
    '5 membres ... (1 fortes)' and '(0 fortes)', Spanish '(1 fuertes)'. The strong count is given
    in a form that needs no agreement."""
    text = Translator(language).explain(explain(E.EXPERTS_FOUND, count=5, strong=strong))
    assert re.search(rf"\b{strong} (fortes|fuertes)\b", text) is None, text
    assert str(strong) in text
