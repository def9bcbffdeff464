"""The manifest: what built an index, from which sources, and the hash of every file.

Index files are opened only after their SHA-256 matches the manifest, so a truncated or
tampered FAISS file is refused instead of being handed to ``faiss.read_index``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import IndexCorrupt

FORMAT_VERSION = 1
MANIFEST = "manifest.json"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass
class SourceEntry:
    sha256: str  # of the file and its sidecar together
    doc_ids: list[str]


@dataclass
class Manifest:
    embedder: str
    dimension: int
    settings_hash: str
    format_version: int = FORMAT_VERSION
    created: str = ""
    passages: int = 0
    dense_index: str = ""  # "flat" | "hnsw"
    sources: dict[str, SourceEntry] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)  # file name -> sha256

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1, sort_keys=True)

    @classmethod
    def read(cls, directory: Path) -> "Manifest":
        path = directory / MANIFEST
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            data["sources"] = {k: SourceEntry(**v) for k, v in data.get("sources", {}).items()}
            manifest = cls(**data)
        except (OSError, ValueError, TypeError, AttributeError, RecursionError) as exc:  # not an object, wrong types
            raise IndexCorrupt(f"{path}: unreadable manifest ({exc}); rebuild with `assistant ingest --rebuild`") from None
        if not isinstance(manifest.files, dict) or not all(isinstance(v, str) for v in manifest.files.values()):
            raise IndexCorrupt(f"{path}: unreadable manifest (bad file list); rebuild with `assistant ingest --rebuild`")
        if manifest.format_version != FORMAT_VERSION:
            raise IndexCorrupt(
                f"{path}: index format {manifest.format_version}, expected {FORMAT_VERSION}; "
                "rebuild with `assistant ingest --rebuild`"
            )
        return manifest

    def verify(self, directory: Path) -> None:
        """Refuse the index unless every listed file exists with its recorded hash."""
        for name, digest in self.files.items():
            path = directory / name
            if not path.is_file():
                raise IndexCorrupt(f"{path}: missing index file; rebuild with `assistant ingest --rebuild`")
            try:
                actual = sha256_file(path)
            except OSError as exc:  # removed or unreadable after the check above
                raise IndexCorrupt(
                    f"{path}: cannot read index file ({exc.strerror or exc}); rebuild with `assistant ingest --rebuild`"
                ) from None
            if actual != digest:
                raise IndexCorrupt(
                    f"{path}: checksum does not match the manifest; rebuild with `assistant ingest --rebuild`"
                )
