"""Names of laws and codes as comparison keys: "Bộ luật Dân sự", "Luật dân sự 2015",
"BỘ LUẬT DÂN SỰ số 91/2015/QH13" and "bo-luat-dan-su" all give the key "dan su".

One rule, used both to decide which documents a question names (query_scope) and by
the benchmarks to keep distractor laws apart from the gold ones.
"""

from __future__ import annotations

import re

from .text import key

#: Words that say what kind of act it is, not which one. "Hiến pháp" is itself the name.
_KIND_RE = re.compile(r"^(?:bo luat|luat)\s+")
#: Year, number and place tails: "2015", "năm 2015", "số 91/2015/qh13", "(sửa đổi)".
_TAIL_RE = re.compile(
    r"(?:\s+(?:nam\s+)?(?:19|20)\d\d\b|\s+so\s+\S+|\s+\d+/\d{4}/\S+|\s+sua doi(?:,? bo sung)?(?:\s+nam)?)+$"
)
_COUNTRY_RE = re.compile(r"\s+(?:nuoc cong hoa xa hoi chu nghia )?viet nam$")


def law_key(name: str) -> str:
    """Folded, punctuation-free name without the kind word, year, number or "Việt Nam"."""
    s = key(name, folded=True).replace("-", " ").replace("_", " ")
    s = " ".join(re.sub(r"[^\w/ ]", " ", s).split())
    s = _KIND_RE.sub("", s)
    for _ in range(2):
        s = _TAIL_RE.sub("", s)
        s = _COUNTRY_RE.sub("", s)
    return s.strip()
