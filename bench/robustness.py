"""Robustness figures: runs tests/robustness/ and writes its counters to RESULTS.md.

    .venv/bin/python bench/robustness.py [-m "not browser"] [extra pytest args]
    .venv/bin/python bench/robustness.py --attacks [--big]

``--attacks`` replays the attack inputs of issue 18 at their original sizes (the tests use
small ones), each as a child ``assistant ingest`` with the hash embedder, and records the
outcome, the wall time and the child's peak RSS next to what the attack run measured
before the fixes. ``--big`` adds the 20 MB single-line text (minutes: it is analysed).

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


# --- the attack inputs of issue 18 at their original sizes --------------------------------
def _docx_numbering(fmt_starts: list[tuple[str, int]]) -> bytes:
    import io

    import docx
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    d = docx.Document()
    numbering = d.part.numbering_part.element
    for i, (fmt, start) in enumerate(fmt_starts):
        numbering.insert(0, parse_xml(
            f'<w:abstractNum {w} w:abstractNumId="{70 + i}"><w:lvl w:ilvl="0"><w:start w:val="{start}"/>'
            f'<w:numFmt w:val="{fmt}"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum>'))  # fmt: skip
        numbering.append(parse_xml(f'<w:num {w} w:numId="{80 + i}"><w:abstractNumId w:val="{70 + i}"/></w:num>'))
        p = d.add_paragraph(f"Nội dung {fmt}")
        p._p.get_or_add_pPr().append(parse_xml(f'<w:numPr {w}><w:ilvl w:val="0"/><w:numId w:val="{80 + i}"/></w:numPr>'))
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _attacks(work: Path, big: bool) -> list[tuple[str, str, Path | str, list[str]]]:
    """(scenario, before the fixes, path to ingest, extra args)."""
    words = "phát triển kinh tế xã hội bền vững gắn với bảo vệ môi trường".split()
    out = []

    def put(name: str, data: bytes | str) -> Path:
        d = work / name.replace(".", "_")
        d.mkdir()
        path = d / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        return path

    out.append(("HTML `<ol type=i start=10^10>`", "still running after 120 s",
                put("ol.html", '<html><body><p>Kế hoạch</p><ol type="i" start="10000000000"><li>Mục</li></ol></body></html>'), []))
    out.append((".docx upperRoman start 10^15", "> 60 s", put("roman.docx", _docx_numbering([("upperRoman", 10**15)])), []))
    out.append((".docx lowerLetter start 10^12", "MemoryError traceback (38 GB string)",
                put("letter.docx", _docx_numbering([("lowerLetter", 10**12)])), []))
    sparse = work / "sparse"
    sparse.mkdir()
    with open(sparse / "huge.txt", "wb") as fh:
        fh.truncate(3 * 2**30)
    out.append(("3 GiB sparse .txt", "3.24 GB read, 24 s, then refused", sparse / "huge.txt", []))
    out.append(("`ingest /dev/zero`", "MemoryError traceback", "/dev/zero", []))
    fifo = work / "fifo.txt"
    os.mkfifo(fifo)
    out.append(("FIFO named on the command line", "hang", fifo, []))
    link = work / "links"
    link.mkdir()
    (link / "ok.txt").write_text("NGHỊ QUYẾT\nvề du lịch\n\n1. Đón khách.\n", encoding="utf-8")
    (link / "passwd.txt").symlink_to("/etc/passwd")
    out.append(("corpus/passwd.txt -> /etc/passwd", "ingested, searchable", link, []))
    bad = work / "badname"
    bad.mkdir()
    (bad / "ok.txt").write_text("NGHỊ QUYẾT\nvề du lịch\n\n1. Đón khách.\n", encoding="utf-8")
    with open(os.path.join(os.fsencode(bad), b"bad\xff\xfename.txt"), "wb") as fh:
        fh.write(b"NGHI QUYET\n\n1. Noi dung.\n")
    out.append(("name `bad\\xff\\xfename.txt` (with --skip-errors)", "UnicodeEncodeError traceback, nothing ingested", bad, ["--skip-errors"]))
    out.append(("4 MB combining-mark flood", "47 s, 1.87 GB",
                put("zalgo.txt", "NGHỊ QUYẾT\n\n" + ("a" + "\u0301" * 1000 + " ") * 2000), []))
    out.append(("1M-line JSONL", "not finished after 90 s",
                put("million.jsonl", "".join(f'{{"id": {i}, "text": "văn bản {i}"}}\n' for i in range(1_000_000))), []))
    out.append(("text inside 10,000 nested `<div>`", "'1 added' with only the title",
                put("deep.html", "<html><head><title>Tiêu đề</title></head><body>" + "<div>" * 10_000 + "Nội dung"
                    + "</div>" * 10_000 + "</body></html>"), []))  # fmt: skip
    side = put("prov.txt", "NGHỊ QUYẾT\nvề du lịch\n\n1. Đón khách.\n")
    (side.parent / "prov.meta.json").write_text(json.dumps({"province": "x" * 5_000_000}), encoding="utf-8")
    out.append(("5 MB `province` in a sidecar", "search -k 5 --json returned 25 MB", side, []))
    if big:
        out.append(("20 MB single-line .txt", "one 14.6M-character passage, 197.6 s, 2.9 GB",
                    put("line.txt", " ".join(words[i % len(words)] for i in range(3_300_000))), []))
    return out


def _run_child(cmd: list[str], cwd: Path, timeout: float) -> tuple[int | None, str, str, float, float]:
    """(exit code or None on timeout, stdout, stderr, seconds, peak RSS in MB) of one child,
    the RSS read from wait4's rusage of that child alone."""
    import threading

    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT), "ASSISTANT_EMBEDDER": "hash"})  # fmt: skip
    result: dict = {}

    def reap() -> None:
        _, status, usage = os.wait4(proc.pid, 0)
        result.update(status=status, rss=usage.ru_maxrss / 1024, seconds=time.perf_counter() - t0)

    out_parts: dict = {}
    readers = [threading.Thread(target=lambda k=k, f=f: out_parts.__setitem__(k, f.read())) for k, f in (("out", proc.stdout), ("err", proc.stderr))]  # noqa: E501
    for t in readers:
        t.start()
    waiter = threading.Thread(target=reap)
    waiter.start()
    waiter.join(timeout)
    code: int | None
    if waiter.is_alive():
        proc.kill()
        waiter.join()
        code = None
    else:
        code = os.waitstatus_to_exitcode(result["status"])
    for t in readers:
        t.join()
    proc.returncode = code if code is not None else -9  # reaped by wait4: keep Popen from waiting again
    return code, out_parts.get("out", ""), out_parts.get("err", ""), result["seconds"], result["rss"]


def attacks(big: bool) -> int:
    work = Path(tempfile.mkdtemp(prefix="attacks-"))
    rows = []
    for scenario, before, path, extra in _attacks(work, big):
        index = work / f"index-{len(rows)}"
        cmd = [sys.executable, "-m", "assistant", "ingest", str(path), "--quiet", "--index", str(index), *extra]
        code, out, err, seconds, rss = _run_child(cmd, work, timeout=900)
        msg = [line for line in err.strip().splitlines() if line.strip()]
        if code is None:
            outcome = "**still running after 900 s**"
        elif "Traceback" in err:
            outcome = "**traceback**"
        elif code == 0:
            outcome = "ingested: " + (out.strip().splitlines() or [""])[0].split(";")[0]
            if "passages" in out:
                outcome += "; " + out.split(";")[1].split("(")[0].strip()
        else:
            first = next((m for m in msg if m.startswith("error:")), msg[0] if msg else "")
            outcome = "refused in one line: " + first.replace(str(work) + "/", "").replace("|", "\\|")[:150]
        rows.append(f"| {scenario} | {before} | {outcome} | {seconds:.1f} s | {rss:,.0f} MB |")
        print(rows[-1], flush=True)
    body = "\n".join([
        "## Attack inputs of issue 18 at full size (`bench/robustness.py --attacks" + (" --big" if big else "") + "`)",
        "",
        f"Machine: {machine()}. Each row is one child `assistant ingest` (hash embedder); time and peak RSS are the child's.",
        "The 'before' column is what the attack run measured on the code before the fixes.",
        "",
        "| input | before | now | wall | peak RSS |",
        "|---|---|---|---|---|",
        *rows,
    ])  # fmt: skip
    write_section("robustness-attacks", body)
    print(body)
    return 0


if __name__ == "__main__":
    if "--attacks" in sys.argv[1:]:
        sys.exit(attacks("--big" in sys.argv[1:]))
    sys.exit(main(sys.argv[1:]))
