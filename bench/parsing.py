"""Header and signature parsing accuracy per layout family, the original parser vs the current one.

Truth:
* the 102 ``policy_docs`` with ``metadata_source: "site"`` (all web copies, ``tnt-``): number,
  type, date and signer from the publishing site's own metadata block; their issuer ("Nơi ban
  hành", e.g. "Tỉnh Bắc Ninh") checks the province when it names one. Split by position in
  file-name order: odd positions are the development half, even positions the held-out half.
* gazette PDF texts (``cb-``) and converted markdown (``dvhc-``): their file names are the
  publisher's URL slugs and spell the type and the number ("nghi-dinh-so-111-2022-nd-cp"),
  so type and number are checked against the slug (folded: no tone marks, "-" for any
  separator). Date and signer have no independent truth there.
* the two corpus seeds with their known values.

Matching: number exact modulo case and spaces; ISO date exact; type, signer and province
equal after folding tone marks, case and whitespace. The baseline is the parser of commit
416c69d (``assistant/structure.py`` before the package), loaded from git in the same run.

    .venv/bin/python bench/parsing.py [--no-write] [--show-misses]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from common import machine, publish

from assistant.errors import LoadError
from assistant.loaders import clean_text, load_path
from assistant.structure import parse_structure
from assistant.text import fold

DATA = next(
    (d for d in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if d.is_dir()), ROOT.parent / "shared"
) / "data" / "policy_docs"  # the shared data sit next to the checkout (or a worktree's parent)
BASELINE_COMMIT = "416c69d"
SEEDS = {
    "nghi-quyet-hnln5-khoa-x-bac-kan-cong-nghiep-2011-2015.txt": {
        "doc_type": "Nghị quyết", "number": "", "date": "", "signer": "Nguyễn Xuân Cường"},
    "ket-luan-11-KL-TU-quang-tri-2012-cong-nghiep.txt": {
        "doc_type": "Kết luận", "number": "11-KL/TU", "date": "2012-01-12", "signer": "Lê Hữu Phúc",
        "province": "Quảng Trị"},
}  # fmt: skip
FIELDS = ("number", "doc_type", "date", "signer", "province")
SLUG_TYPES = {
    "nghi-dinh": "Nghị định", "nghi-quyet": "Nghị quyết", "thong-tu": "Thông tư", "quyet-dinh": "Quyết định",
    "chi-thi": "Chỉ thị", "luat": "Luật", "van-ban-hop-nhat": "Văn bản hợp nhất", "thong-bao": "Thông báo",
    "cong-dien": "Công điện", "ke-hoach": "Kế hoạch", "phap-lenh": "Pháp lệnh", "lenh": "Lệnh",
    "thong-tu-lien-tich": "Thông tư liên tịch", "nghi-quyet-lien-tich": "Nghị quyết liên tịch",
}  # fmt: skip


def baseline_parser():
    """``parse_structure`` of the original single-module parser, from git history."""
    src = subprocess.run(
        ["git", "show", f"{BASELINE_COMMIT}:assistant/structure.py"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    tmp = Path(tempfile.mkdtemp()) / "structure_baseline.py"
    tmp.write_text(src, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("assistant._structure_baseline", tmp)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)  # a submodule of ``assistant``: its relative imports resolve
    return mod.parse_structure


def folded(s: str) -> str:
    return " ".join(fold(s or "").lower().split())


def slug(s: str) -> str:
    return re.sub(r"[^0-9a-z]+", "-", folded(s)).strip("-")


def same(name: str, got: str, want: str) -> bool:
    if name == "number":
        return re.sub(r"\s+", "", got).lower() == re.sub(r"\s+", "", want).lower()
    if name == "date":
        return got == want
    if name == "number_slug":
        return slug(got) == want
    return folded(got) == folded(want)


def cases() -> list[tuple[str, str, Path, dict[str, str]]]:
    """(family, split, path, truth) for every document with some truth."""
    out = []
    rows = [json.loads(x) for x in (DATA / "index.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    site = sorted((r for r in rows if r["metadata_source"] == "site"), key=lambda r: r["file"])
    for k, r in enumerate(site):
        truth = {f: r[f] or "" for f in ("number", "doc_type", "date", "signer")}
        m = re.match(r"^(?:Tỉnh|Thành phố)\s+(.+)$", r["issuer"] or "")
        if m:
            truth["province"] = m.group(1)
        out.append(("web copy (tnt-)", "dev" if k % 2 else "held-out", DATA / "docs" / r["file"], truth))
    for path in sorted((DATA / "docs").glob("*.txt")):
        stem = path.stem
        if stem.startswith("cb-"):
            m = re.match(r"cb-(.+?)-so-(.+)-\d+$", stem)
            if m and m.group(1) in SLUG_TYPES:
                out.append(("gazette PDF (cb-)", "slug", path, {"doc_type": SLUG_TYPES[m.group(1)], "number_slug": m.group(2)}))
        elif stem.startswith("dvhc-"):
            number = stem[5:].lower()
            out.append(("converted markdown (dvhc-)", "slug", path, {"doc_type": "Nghị quyết", "number_slug": number}))
    for name, truth in SEEDS.items():
        out.append(("seeds (corpus/)", "seed", ROOT / "corpus" / name, truth))
    return out


def read_text(path: Path) -> str:
    """The loader's text; a file it refuses (a few gazette texts hold stray NUL bytes, which
    the loader judges elsewhere) is read as the UTF-8 it is, NULs dropped."""
    try:
        return load_path(path)[0].text
    except LoadError:
        return clean_text(path.read_bytes().decode("utf-8", errors="replace").replace("\0", ""))


def score(parse, items, misses: list | None = None) -> dict:
    tally: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for family, split, path, truth in items:
        text = read_text(path)
        meta = parse(text).meta
        for name, want in truth.items():
            got = getattr(meta, "number" if name == "number_slug" else name)
            ok = same(name, got, want)
            key = (family, split, name.replace("_slug", ""))
            tally[key][0] += ok
            tally[key][1] += 1
            if not ok and misses is not None:
                misses.append((path.name, name, got, want))
    return tally


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-write", action="store_true", help="print only; do not record in RESULTS.md")
    ap.add_argument("--show-misses", choices=("dev", "all"), help="list the current parser's misses")
    ap.add_argument("--only-current", action="store_true", help="skip the baseline (development loop)")
    args = ap.parse_args()
    items = cases()
    t0 = time.perf_counter()
    before = {} if args.only_current else score(baseline_parser(), items)
    misses: list = []
    shown = [c for c in items if args.show_misses == "all" or c[1] in ("dev", "slug", "seed")]
    after = score(parse_structure, items, misses)
    if args.show_misses:
        wanted = {c[2].name for c in shown}
        for m in misses:
            if m[0] in wanted:
                print("MISS", *m, sep=" | ")
    secs = time.perf_counter() - t0
    rows = []
    for key in sorted(after, key=lambda k: (k[0], k[1], FIELDS.index(k[2]))):
        ok, n = after[key]
        b_ok = before.get(key, [0, n])[0]
        rows.append(
            f"| {key[0]} | {key[1]} | {key[2]} | {n} | {b_ok / n:.1%} ({b_ok}) | {ok / n:.1%} ({ok}) |"
        )
    body = (
        "## Header and signature parsing (`bench/parsing.py`)\n\n"
        f"Machine: {machine()}. Run {time.strftime('%Y-%m-%d %H:%M')} ({secs:.0f} s for both parsers).\n"
        "Truth: site metadata for the 102 web copies (split by file-name position: dev = odd, held-out = even; "
        "the rules were developed looking only at the dev half and the texts without truth); the URL slug (type, "
        f"number) for gazette and converted files; known values for the seeds. Before = commit {BASELINE_COMMIT} "
        "(single-module parser), after = this commit. Number exact modulo case/spaces (slug: folded, separators "
        "as '-'); date ISO exact; type, signer, province equal after folding tone marks/case/spaces.\n\n"
        "| family | split | field | docs | before | after |\n|---|---|---|---|---|---|\n" + "\n".join(rows)
    )
    publish("parsing", body, write=not args.no_write and not args.only_current)


if __name__ == "__main__":
    main()
