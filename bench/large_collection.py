"""The large development collection of issue 15: the 2,249 ALQAC 2023 articles plus, as
distractors, every law of vlc_laws/ that is not one of the 17 ALQAC laws.

A distractor is excluded when its name matches an ALQAC law by `law_key` (the kind word
"Bộ luật"/"Luật", year, number and "Việt Nam" removed, diacritics folded), read both from
its file name and from its parsed header (type + title), so an older version of an ALQAC
law (e.g. Luật Phòng, chống ma túy 2000) never competes with the gold article.

ALQAC articles are written to a JSONL whose documents carry their law as the title
(as an export of law articles would), the id unchanged so the gold ids still match.
"""

from __future__ import annotations

import json
from pathlib import Path

from assistant.law_names import law_key
from assistant.loaders import load_path
from assistant.structure import parse_structure

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
ALQAC = DATA / "alqac2023_dev"
VLC = DATA / "vlc_laws"


def alqac_laws() -> set[str]:
    return {json.loads(line)["law"] for line in (ALQAC / "passages.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()}


def distractors(names: set[str] | None = None) -> tuple[list[Path], list[tuple[str, str]]]:
    """(distractor files, [(excluded file, the ALQAC law it matches)])."""
    keys = {law_key(n): n for n in (names or alqac_laws())}
    keep, dropped = [], []
    for path in sorted(VLC.glob("*.txt")):
        meta = parse_structure(load_path(path)[0].text).meta
        candidates = {law_key(path.stem), law_key(f"{meta.doc_type} {meta.title}"), law_key(meta.title)}
        hit = next((keys[c] for c in candidates if c in keys), None)
        (dropped.append((path.name, hit)) if hit else keep.append(path))
    return keep, dropped


def titled_alqac(out: Path) -> Path:
    """ALQAC passages as JSONL documents titled by their law (written once, atomically)."""
    lines = []
    for line in (ALQAC / "passages.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            lines.append(json.dumps({"id": row["id"], "title": row["law"], "text": row["text"]}, ensure_ascii=False))
    body = "\n".join(lines) + "\n"
    if not out.exists() or out.read_text(encoding="utf-8") != body:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".tmp")
        tmp.write_text(body, encoding="utf-8")
        tmp.replace(out)
    return out


def sources(work: Path, sample: int = 0) -> tuple[list[Path], list[tuple[str, str]]]:
    """Files to ingest (ALQAC JSONL first) and the excluded laws. ``sample`` > 0 keeps every
    n-th distractor only (a smaller collection for passage-side comparisons)."""
    keep, dropped = distractors()
    if sample > 0:
        keep = keep[::sample]
    return [titled_alqac(work / "alqac_titled.jsonl")] + keep, dropped
