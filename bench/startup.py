"""Cold start of one-shot commands: `assistant search` (hybrid and lexical), `assistant docs`
and `assistant ingest` with nothing changed, over the two-document corpus, each a fresh
process, against a baseline checkout of the code measured in the same run.

    .venv/bin/python bench/startup.py [--baseline-commit REV] [--rounds N]

The baseline is ``git archive REV`` unpacked in a temporary directory (default REV: the
commit before issue 16's work); both versions get their own index, built untimed, and the
same model cache (the ONNX graph is built once and kept, so neither pays for that).
Rounds alternate baseline/new so that machine load hits both alike; the median is kept.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from common import machine, publish  # noqa: E402

QUERY = "cụm công nghiệp Lao Bảo"
COMMANDS = {
    "search (hybrid, default)": ["search", QUERY, "-k", "3"],
    "search --mode lexical": ["search", QUERY, "-k", "3", "--mode", "lexical"],
    "docs": ["docs"],
    "ingest, nothing changed": ["ingest", "--quiet"],
}


def run(code: Path, work: Path, args: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS MB) of one `python -m assistant ARGS` run with ``code`` first on the path."""
    env = {**os.environ, "PYTHONPATH": str(code), "OMP_WAIT_POLICY": "PASSIVE", "HF_HUB_OFFLINE": "1"}
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "assistant", *args], cwd=work, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode()
    if proc.returncode != 0:
        raise SystemExit(f"{code}: assistant {' '.join(args)} failed: {err.strip()[-500:]}")
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline-commit", default="416c69d")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="startup-"))
    base = tmp / "baseline"
    base.mkdir()
    archive = subprocess.run(["git", "archive", args.baseline_commit], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
    versions = {"baseline": base, "new": ROOT}
    works = {}
    for name, code in versions.items():
        work = tmp / f"work-{name}"
        work.mkdir()
        shutil.copytree(ROOT / "corpus", work / "corpus")
        run(code, work, ["ingest", "--quiet"])  # build the index (untimed)
        run(code, work, COMMANDS["search (hybrid, default)"])  # warm the OS file cache and the model cache
        works[name] = work
    times: dict[tuple[str, str], list[float]] = {}
    rss: dict[tuple[str, str], float] = {}
    for _ in range(args.rounds):
        for label, cmd in COMMANDS.items():
            for name, code in versions.items():
                s, m = run(code, works[name], cmd)
                times.setdefault((label, name), []).append(s)
                rss[(label, name)] = max(rss.get((label, name), 0.0), m)
    load = os.getloadavg()
    lines = [
        "## Cold start of one-shot commands (`bench/startup.py`)",
        "",
        f"Machine: {machine()}; load average during the run {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1/5/15 min).",
        f"Two-document corpus, default embedder, median of {args.rounds} fresh processes per command, baseline "
        f"`{args.baseline_commit}` measured in the same run, rounds interleaved.",
        "",
        "| command | baseline | new | new / baseline | peak RSS baseline → new |",
        "|---|---|---|---|---|",
    ]
    for label in COMMANDS:
        b, n = statistics.median(times[(label, "baseline")]), statistics.median(times[(label, "new")])
        lines.append(f"| `assistant {' '.join(COMMANDS[label])}` | {b:.2f} s | {n:.2f} s | {n / b:.2f} | "
                     f"{rss[(label, 'baseline')]:.0f} → {rss[(label, 'new')]:.0f} MB |")  # fmt: skip
    shutil.rmtree(tmp, ignore_errors=True)
    publish("startup", "\n".join(lines), write=not args.no_write)


if __name__ == "__main__":
    main()
