"""All Vietnamese provinces, before and after the 2025 mergers, to recognise a place name
in a question even when the collection holds no document of it.

The names come from the ``vietnamadminunits`` package (the 63 provinces of the legacy
list, the 34 of the merged one, and which old provinces each merged one absorbed). Its
JSON data is read directly: importing the package would load geocoding libraries the
gazetteer does not need.
"""

from __future__ import annotations

import importlib.util
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..text import fold, has_diacritics, unify_tone_marks

#: Common other spellings of a province name -> its short name in the gazetteer.
ALIASES = {
    "Thừa Thiên Huế": "Huế",
    "Thừa Thiên - Huế": "Huế",
    "Sài Gòn": "Hồ Chí Minh",
    "TP.HCM": "Hồ Chí Minh",
    "TPHCM": "Hồ Chí Minh",
    "TP HCM": "Hồ Chí Minh",
    "Bà Rịa Vũng Tàu": "Bà Rịa - Vũng Tàu",
    "Đắc Lắc": "Đắk Lắk",
    "Đăk Lăk": "Đắk Lắk",
    "Đắk Lắc": "Đắk Lắk",
    "Bắc Cạn": "Bắc Kạn",
}


@dataclass(frozen=True)
class Province:
    name: str  # short name: "Quảng Trị", "Hồ Chí Minh"
    kind: str  # "tỉnh" or "thành phố"
    merged: bool  # still a province after the 2025 mergers
    successor: str  # the merged province it belongs to since 2025 (itself when it stayed)

    @property
    def full(self) -> str:
        return f"{self.kind} {self.name}"


def key(text: str) -> str:
    """Comparison key: tone-unified, folded, lower-case; punctuation but "/" as single spaces."""
    text = re.sub(r"[^\w/]|_", " ", fold(unify_tone_marks(text)).lower())
    return " ".join(text.split())


def _data_dir() -> Path | None:
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "data"


@lru_cache(maxsize=1)
def provinces() -> tuple[Province, ...]:
    data = _data_dir()
    if data is None:  # the dependency is declared; without it only the collection's own names are known
        return ()
    legacy = json.loads((data / "parser_legacy.json").read_text(encoding="utf-8"))["DICT_PROVINCE"]
    merged = json.loads((data / "parser_from_2025.json").read_text(encoding="utf-8"))["DICT_PROVINCE"]
    absorbed = json.loads((data / "converter_2025.json").read_text(encoding="utf-8"))["DICT_PROVINCE"]
    successor_of = {old: new for new, olds in absorbed.items() for old in olds}
    out: dict[str, Province] = {}
    for table, is_merged in ((merged, True), (legacy, False)):
        for k, v in table.items():
            name = v["provinceShort"]
            if name in out:
                continue
            kind = "thành phố" if v["province"].lower().startswith("thành phố") else "tỉnh"
            succ = merged.get(successor_of.get(k, k), {}).get("provinceShort", name)
            out[name] = Province(name, kind, is_merged, succ)
    return tuple(out.values())


@lru_cache(maxsize=1)
def _by_key() -> dict[str, Province]:
    table = {key(p.name): p for p in provinces()}
    for alias, name in ALIASES.items():
        p = next((q for q in provinces() if q.name == name), None)
        if p is not None:
            table.setdefault(key(alias), p)
    return table


def lookup(name: str) -> Province | None:
    return _by_key().get(key(name))


def find(text: str) -> list[tuple[int, int, Province]]:
    """Province names in ``text`` (accents optional): (start, end, province), in text order.

    Matching is on whole words of the folded text; a longer name wins over a shorter one
    it contains ("Bà Rịa - Vũng Tàu" over nothing shorter; "Thừa Thiên Huế" over "Huế")."""
    table = _by_key()
    if not table:
        return []
    folded = fold(unify_tone_marks(text)).lower()  # same length as text for NFC input
    if len(folded) != len(text):
        return []
    words = [(m.start(), m.end(), m.group(0)) for m in re.finditer(r"[a-z]+", folded)]
    out: list[tuple[int, int, Province]] = []
    i = 0
    while i < len(words):
        hit = None
        for n in (4, 3, 2, 1):
            if i + n > len(words):
                continue
            span = words[i : i + n]
            gap_ok = all(re.fullmatch(r"[\s\-–.]*", folded[a[1] : b[0]]) for a, b in zip(span, span[1:]))
            if not gap_ok:
                continue
            p = table.get(" ".join(w for _, _, w in span))
            if p is not None and (n > 1 or len(span[0][2]) > 2):
                start, end = span[0][0], span[-1][1]
                if n == 1 and not text[start].isupper() and p.name != "Huế":
                    continue
                if n > 1 and not text[start].isupper():
                    before = folded[max(0, start - 10) : start]
                    if has_diacritics(text) and not re.search(r"(?:tinh|pho|tp\.?)\s*$", before):
                        continue  # "bình định" the verb, not the province, unless typed accent-less
                hit = (start, end, p, n)
                break
        if hit:
            out.append(hit[:3])
            i += hit[3]
        else:
            i += 1
    return out
