"""An ingest killed with SIGKILL: the next open sees the old or the new complete index,
never a mixture, and running the ingest again finishes the work.

The kills land at chosen points of a build (inside the docstore writes, while embedding,
before each rename, before the switch of ``CURRENT``, before the clean-up of old
versions) by a child process that SIGKILLs itself there, and at random moments of a
real ``assistant ingest`` process.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from assistant.api import Assistant
from assistant.ingest import ingest

from .conftest import ROOT, child_env, record

pytestmark = pytest.mark.slow

NEW_DOCS = {
    f"ke-hoach-{n}-du-lich.txt": f"""KẾ HOẠCH
về phát triển du lịch số {n}

I. MỤC TIÊU

1. Đến năm 2025 đón {n} triệu lượt khách du lịch cộng đồng, doanh thu đạt {n}.000 tỷ đồng.

2. Xây dựng {n}0 làng văn hóa du lịch cộng đồng gắn với bảo tồn di sản, nhà trình tường và chợ phiên.
"""
    for n in range(1, 6)
}

CHILD = textwrap.dedent(
    """
    import importlib, os, signal, sys
    from pathlib import Path
    sys.path.insert(0, {root!r})
    from assistant.ingest import ingest
    from assistant.settings import Settings

    target, n = {target!r}, {n}
    parts = target.split(".")
    for i in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
            break
        except ImportError:
            continue
    for p in parts[i:-1]:
        obj = getattr(obj, p)
    real = getattr(obj, parts[-1])
    calls = [0]

    def wrapper(*a, **kw):
        calls[0] += 1
        if calls[0] == n:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*a, **kw)

    setattr(obj, parts[-1], wrapper)
    settings = Settings(index_dir=Path({index!r}), embedder="hash", embed_batch_size=4)
    ingest([Path({corpus!r})], settings, progress=False, say=lambda m: None)
    print("FINISHED")
    """
)

POINTS = [
    ("while writing docstore rows", "assistant.index.docstore.Docstore.add_passages", 1),
    ("while embedding passages", "assistant.embeddings.fake.HashEmbedder._embed_batch", 1),
    ("before the FAISS file is written", "assistant.index.dense.write_bytes_atomic", 1),
    ("before the FAISS file is renamed", "assistant.index.layout.os.replace", 1),
    ("before the manifest is renamed", "assistant.index.layout.os.replace", 2),
    ("before the build is renamed", "assistant.index.layout.os.replace", 3),
    ("before CURRENT is switched", "assistant.index.layout.os.replace", 4),
    ("after the switch, before clean-up", "assistant.index.layout.collect_garbage", 1),
]


def documents(settings) -> set[str]:
    a = Assistant.open(settings.index_dir, settings)
    try:
        hits = a.search("du lịch cộng đồng", k=5)
        for h in hits:  # every hit resolves to its document's exact text
            doc = a.document(h.passage.doc_id)
            assert doc is not None and doc.text[h.passage.start : h.passage.end] == h.passage.text
        assert len(a.store.passages) == a.store.dense.ntotal
        return {d for d, *_ in a.documents()}
    finally:
        a.close()


@pytest.fixture
def old_and_new(index_copy):
    """(settings, documents before, documents after) with the new files already in the corpus."""
    old = documents(index_copy)
    for name, text in NEW_DOCS.items():
        (Path(index_copy.corpus_dir) / name).write_text(text, encoding="utf-8")
    new = old | {Path(n).stem for n in NEW_DOCS}
    return index_copy, old, new


def check_after_kill(settings, old: set[str], new: set[str], where: str) -> None:
    record("faults_injected", f"SIGKILL {where}")
    seen = documents(settings)
    assert seen in (old, new), f"after a kill {where}: a mixture {sorted(seen ^ old)}"
    report = ingest([Path(settings.corpus_dir)], settings, progress=False, say=lambda m: None)
    assert not report.errors
    assert documents(settings) == new
    root = Path(settings.index_dir)
    current = (root / "CURRENT").read_text().strip()
    stray = [p.name for p in root.iterdir() if p.name.startswith((".build-", ".CURRENT.")) or (p.name.startswith("v-") and p.name != current)]
    assert not stray, stray
    record("faults_survived", f"SIGKILL {where}")


@pytest.mark.parametrize("where, target, n", POINTS, ids=[p[0] for p in POINTS])
def test_kill_at_a_point_of_the_build(old_and_new, where: str, target: str, n: int) -> None:
    settings, old, new = old_and_new
    script = CHILD.format(root=str(ROOT), target=target, n=n, index=str(settings.index_dir), corpus=str(settings.corpus_dir))
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=180, cwd=os.getcwd())
    assert proc.returncode == -signal.SIGKILL, (proc.returncode, proc.stdout, proc.stderr[-2000:])
    check_after_kill(settings, old, new, where)


def test_kill_a_real_ingest_at_random_moments(old_and_new) -> None:
    """`assistant ingest` as users run it, SIGKILLed after random delays (seeded)."""
    settings, old, new = old_and_new
    rng = random.Random(20240601)
    env = child_env(ASSISTANT_EMBED_BATCH_SIZE="4")
    cmd = [sys.executable, "-m", "assistant", "ingest", str(settings.corpus_dir), "--index", str(settings.index_dir), "--quiet"]
    # how long a full run takes here, so the kills fall inside it
    t0 = time.perf_counter()
    baseline = subprocess.run(cmd, capture_output=True, text=True, timeout=180, env=env, cwd=os.getcwd())
    assert baseline.returncode == 0, baseline.stderr
    full = time.perf_counter() - t0
    for i in range(4):
        # back to the old corpus, so each kill interrupts a real change
        for name in NEW_DOCS:
            (Path(settings.corpus_dir) / name).unlink(missing_ok=True)
        assert ingest([Path(settings.corpus_dir)], settings, progress=False, say=lambda m: None).published
        for name, text in NEW_DOCS.items():
            (Path(settings.corpus_dir) / name).write_text(text, encoding="utf-8")
        delay = rng.uniform(0.3, max(0.6, full))
        child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=os.getcwd())
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        check_after_kill(settings, old, new, f"at a random moment ({delay:.2f}s of {full:.2f}s)" if i == 0 else "at a random moment")
