"""Robustness figures: runs tests/robustness/ and writes its counters to RESULTS.md.

    .venv/bin/python bench/robustness.py [-m "not browser"] [extra pytest args]

The tests count what they do (``record`` in tests/robustness/conftest.py): generated
inputs per loader (accepted / refused with one line), faults injected and survived,
requests under load and their errors. This script only runs them and formats the table.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import machine, write_section  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    stats_file = Path(tempfile.mkdtemp()) / "stats.json"
    env = {**os.environ, "ROBUSTNESS_STATS": str(stats_file)}
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/robustness", "-q", "-p", "no:cacheprovider", *argv],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    seconds = time.perf_counter() - t0
    tail = [line for line in proc.stdout.splitlines() if line.strip()][-1:] or ["(no summary)"]
    print(proc.stdout[-3000:])
    if not stats_file.exists():
        print("no statistics written", file=sys.stderr)
        return 1
    s = json.loads(stats_file.read_text())
    g = lambda kind: s.get(kind, {})  # noqa: E731

    lines = [
        "## Robustness (`bench/robustness.py`, tests in `tests/robustness/`)",
        "",
        f"Machine: {machine()}. One run of the suite: {seconds:.0f} s, pytest: `{tail[0].strip()}`"
        + (f" (extra args: `{' '.join(argv)}`)" if argv else "") + ".",
        "",
        "Generated inputs per loader (hypothesis: random bytes, random Unicode in 5 encodings, document-shaped",
        "text, format-shaped bytes); each is either loaded, parsed and chunked with every passage an exact slice",
        "of the text, or refused with one line naming the file. Nothing else is allowed.",
        "",
        "| loader | inputs | loaded | refused (one line) | other outcome |",
        "|---|---|---|---|---|",
    ]
    for suffix in sorted(g("fuzz_inputs")):
        n, ok, bad = g("fuzz_inputs")[suffix], g("fuzz_accepted").get(suffix, 0), g("fuzz_refused").get(suffix, 0)
        lines.append(f"| `{suffix}` | {n} | {ok} | {bad} | {n - ok - bad} |")
    refused = g("bad_files_refused")
    q, qa = g("queries"), g("questions")
    lines += [
        "",
        f"Hand-written hostile files refused in one line: {sum(refused.values())} "
        f"({', '.join(f'{k} {v}' for k, v in sorted(refused.items()))}). "
        f"Hostile and random queries: search {q.get('answered', 0)} answered normally, {q.get('refused', 0)} refused in one line; "
        f"ask {qa.get('answered', 0)} answered or abstained, {qa.get('refused', 0)} refused in one line; the index unchanged.",
        "",
        "| fault | injected | survived (refused with a rebuild message, or old/new complete index, nothing lost) |",
        "|---|---|---|",
    ]
    for kind in sorted(g("faults_injected")):
        lines.append(f"| {kind} | {g('faults_injected')[kind]} | {g('faults_survived').get(kind, 0)} |")
    tot_i, tot_s = sum(g("faults_injected").values()), sum(g("faults_survived").values())
    lines += [f"| **total** | **{tot_i}** | **{tot_s}** |", "", "| load | requests | errors or lost/mismatched answers |", "|---|---|---|"]
    for kind in sorted(g("load")):
        lines.append(f"| {kind} | {g('load')[kind]} | {g('load_errors').get(kind, 0)} |")
    sec = g("security")
    if sec:
        lines += ["", "Security checks: " + "; ".join(f"{k}: {v}" for k, v in sorted(sec.items())) + "."]
    write_section("robustness", "\n".join(lines))
    print("\n".join(lines))
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
