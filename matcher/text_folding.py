"""Text folded for comparison: lower case, accents gone. Shared by the lexical index and by the
readers of spreadsheets (a label typed 'Sénégal' or 'senegal' is the same label)."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower case without accents: 'Éducation' and 'education' become the same word."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
