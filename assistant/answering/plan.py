"""Question understanding: one plan per question, made after follow-up resolution.

A plan says *what the question is limited to* (scope: the documents, provinces, bodies,
signers and numbers it names, matched against the collection's metadata and a gazetteer
of all provinces), *what it wants* (intent: a metadata field, a fact of an expected type,
a list, a comparison, a summary, a yes/no check, which document) and, for quantities,
*which figure* (polarity: a target, an achieved value or a baseline). Every pattern is
written with diacritics and also matched on the folded text, so "nghi quyet bac kan do
ai ky" plans like "Nghị quyết Bắc Kạn do ai ký".
"""

from __future__ import annotations

from collections.abc import Callable

import re
from dataclasses import dataclass, field, replace

from ..text import fold, function_words, has_diacritics, word_tokenize
from . import gazetteer
from .catalog import NUMBER_RE, TYPES, Catalog, is_document_number, type_of_abbreviation
from .gazetteer import key
from .question_types import QType, classify
from .tokens import keys

# --- intents -------------------------------------------------------------------------------
METADATA, FACT, LIST, SUMMARY, YESNO, WHICH_DOC = "metadata", "fact", "list", "summary", "yesno", "which_document"

#: Metadata fields a question can ask for, with their Vietnamese names (for "Văn bản không ghi …").
FIELD_NAMES = {
    "signer": "người ký",
    "signer_role": "chức vụ người ký",
    "date": "ngày ban hành",
    "place": "địa danh ban hành",
    "number": "số hiệu",
    "issuer": "cơ quan ban hành",
    "doc_type": "loại văn bản",
    "meeting": "hội nghị",
    "term": "khóa",
    "title": "trích yếu",
    "reviews": "văn bản được tổng kết, thực hiện, sửa đổi hoặc bãi bỏ",
    "recipients": "nơi nhận",
}

_DOCWORD = r"(?:văn bản|nghị quyết|kết luận|chỉ thị|quyết định|kế hoạch|thông tư|nghị định|công văn|thông báo|luật|tài liệu)"
_FIELD_PATTERNS: list[tuple[str, str]] = [
    ("signer", r"\b(?:do ai ký|ai (?:là người )?(?:đã )?ký|người (?:đã )?ký|ký bởi|người đứng tên|do ai kí|ai (?:đã )?kí|người kí|ai là người kí)\b"),
    ("signer_role", r"\b(?:chức vụ|cương vị|chức danh)\b"),
    ("date", r"\b(?:(?:được )?(?:ban hành|(?<!đăng )ký|(?<!đăng )kí|ra đời|thông qua) (?:vào |từ |trong )?(?:ngày|hôm|thời gian|thời điểm|năm|tháng|lúc|khi) (?:nào|bao giờ|nao)|(?:ban hành|(?<!đăng )ký|(?<!đăng )kí|thông qua) (?:khi nào|bao giờ|lúc nào|hồi nào)|ngày (?:ban hành|ký|kí|thông qua)|ngày tháng năm (?:ban hành|ký))\b"),  # noqa: E501 - one pattern per line
    ("place", r"\b(?:(?:ban hành|ký|kí) (?:tại|ở) (?:đâu|nơi nào|địa danh nào)|địa danh)\b"),
    ("number", r"\b(?:số hiệu|ký hiệu|kí hiệu|số văn bản|(?:có |mang )số (?:bao nhiêu|mấy|gì|nào)|là số (?:bao nhiêu|mấy|nào))\b"),
    ("issuer", r"\b(?:cơ quan (?:nào )?ban hành|(?:là )?(?:văn bản )?của cơ quan nào|do cơ quan nào|(?:ai|đơn vị nào|cấp nào|tổ chức nào) ban hành|do ai ban hành|nơi ban hành|cơ quan ban hành)\b"),  # noqa: E501 - one pattern per line
    ("doc_type", r"\b(?:loại văn bản|thuộc loại|là văn bản gì|là loại gì|hình thức văn bản|thể loại)\b"),
    ("term", r"\b(?:khóa (?:mấy|nào|bao nhiêu|thứ mấy)|nhiệm kỳ)\b"),
    ("meeting", r"\b(?:hội nghị (?:lần thứ )?(?:mấy|nào|bao nhiêu)|kỳ họp (?:thứ )?(?:mấy|nào))\b"),
    ("title", r"\b(?:trích yếu|tiêu đề|tên (?:gọi|đầy đủ)|tên văn bản|về (?:vấn đề|việc|nội dung|lĩnh vực) gì|về việc gì)\b"),
    ("recipients", r"\b(?:nơi nhận|gửi (?:đến|tới|cho) (?:những |các )?(?:nơi|cơ quan|đơn vị|ai)|gửi (?:những |các )?(?:nơi|cơ quan|đơn vị) nào)\b"),
    ("reviews", rf"\b(?:tổng kết|sơ kết|thực hiện|triển khai|hướng dẫn|sửa đổi|thay thế|bãi bỏ|căn cứ) (?:(?:việc )?thực hiện )?{_DOCWORD}? ?(?:nào|gì)\b"),  # noqa: E501 - one pattern per line
]
_SUMMARY = r"\b(?:tóm tắt|tóm lược|nội dung chính|nội dung cơ bản|những nội dung chủ yếu|ý chính|khái quát nội dung|nói những gì)\b"
_WHICH_DOC = rf"\b{_DOCWORD} nào (?:nói|đề cập|quy định|có|nêu|bàn|viết|ghi|đặt ra|yêu cầu|liên quan)\b|\b(?:có )?{_DOCWORD} nào (?:về|liên quan)"
_LIST = (
    r"^(?:hãy )?nêu (?:rõ )?(?:các|những)\b|"
    r"\b(?:liệt kê|kể tên|gồm (?:có )?(?:những )?(?:gì|nào|ai|nội dung gì|mục nào)|bao gồm (?:những )?(?:gì|nào)|"
    r"là những (?:gì|ai|\w+ nào)|(?:những|các) (?:[^\W\d_]+ ){1,7}?(?:nào|gì)|những gì|những ai)\b"
)
_LIST_FRAME = r"^(?:những|các) .+ (?:là gì|là những gì|gồm những gì|gồm gì|nào)\s*\??$"
_YESNO = r"^(?:có phải|phải chăng|liệu)\b|\b(?:có|đã|được|phải) .+ (?:không|chưa|hay không)\s*\??$"
_COMPARE = r"\b(?:so sánh|đối chiếu|khác nhau|giống nhau|khác biệt|điểm chung|điểm khác)\b"
_TARGET = r"\b(?:mục tiêu|phấn đấu|chỉ tiêu|đề ra|đặt ra|kế hoạch|dự kiến|định hướng đến|phải đạt)\b"
_ACHIEVED = r"\b(?:đạt được|đã đạt|thực hiện được|thực tế|kết quả đạt|mới đạt|đạt)\b"
_BASELINE = r"\b(?:năm gốc|so với năm|từ mức|ban đầu)\b"


def _both(pattern: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    return re.compile(pattern, re.IGNORECASE), re.compile(fold(pattern), re.IGNORECASE)


_FIELDS_RE = [(name, _both(p)) for name, p in _FIELD_PATTERNS]
_SUMMARY_RE, _WHICH_DOC_RE, _LIST_RE, _LIST_FRAME_RE = _both(_SUMMARY), _both(_WHICH_DOC), _both(_LIST), _both(_LIST_FRAME)
#: A list question is short: "Những sinh viên chính quy đã hết thời hạn ... được gọi là gì?" is not one.
LIST_FRAME_MAX_WORDS = 22
_YESNO_RE, _COMPARE_RE = _both(_YESNO), _both(_COMPARE)
_TARGET_RE, _ACHIEVED_RE, _BASELINE_RE = _both(_TARGET), _both(_ACHIEVED), _both(_BASELINE)
_DOCWORD_RE = _both(r"\b(?:văn bản|tài liệu)\b")


def states_target(text: str) -> bool:
    """Does ``text`` speak of a target ("mục tiêu", "phấn đấu", "chỉ tiêu", ...)? The
    planner's own cue words, for handlers that check a sentence."""
    return bool(_TARGET_RE[0].search(text) or (_TARGET_RE[1].search(fold(text))))


#: Words in front of a list's head noun: "*những* giải pháp", "*các* nhiệm vụ", "*mấy* nội dung".
_DETERMINERS = ("những", "các", "mấy")
#: "… *gồm* những gì?": the question's first word names the items.
_CONSISTS = "gồm"


def list_head(text: str, folded: bool = False) -> tuple[str, ...]:
    """The keys of the word naming what a list question's items are: "giải pháp" of
    "Những giải pháp … là gì?" or "… gồm những giải pháp nào?", "mục tiêu" of "Mục tiêu
    cụ thể … gồm những gì?"; () when none. A section headed by that word is the list."""
    stop = function_words(folded)
    words = [w for w in (tuple(keys(x, folded)) for x in word_tokenize(text)) if w]
    dets = {k for d in _DETERMINERS for k in keys(d, folded)}
    for prev, word in zip(words, words[1:]):
        if prev[-1] in dets and word[0] not in stop:
            return word
    if words and words[0][0] not in stop and any(keys(_CONSISTS, folded)[0] in w for w in words):
        return words[0]
    return ()


def _search(regexes: tuple[re.Pattern[str], re.Pattern[str]], text: str, folded: bool) -> re.Match[str] | None:
    return regexes[1].search(fold(text)) if folded else regexes[0].search(text)


# --- scope ---------------------------------------------------------------------------------
@dataclass
class Entity:
    """Something the question names that limits the documents: a number, a province..."""

    kind: str  # "number", "province", "type", "issuer", "signer", "referenced", "previous"
    label: str  # as the answer names it: "Kết luận số 11-KL/TU", "Bắc Kạn"
    text: str  # as the question wrote it
    start: int = -1
    end: int = -1
    docs: set[str] = field(default_factory=set)
    missing: str = ""  # the sentence to answer when the collection lacks it

    @property
    def strong(self) -> bool:
        return self.kind in ("number", "province", "signer", "referenced", "previous", "place")


@dataclass
class Plan:
    question: str  # the standalone question (after follow-up resolution)
    intent: str  # METADATA, FACT, LIST, SUMMARY, YESNO, WHICH_DOC
    qtype: QType = QType.OTHER  # expected type of a fact
    fields: tuple[str, ...] = ()  # metadata fields asked for
    polarity: str = ""  # "target", "achieved", "baseline" or ""
    compare: bool = False  # one answer part per scope entity
    entities: list[Entity] = field(default_factory=list)
    scope: list[str] = field(default_factory=list)  # document ids the answer is limited to ([] = all)
    missing: str = ""  # a named scope the collection lacks: answer exactly this
    folded: bool = False
    periods: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return "comparison" if self.compare else self.intent

    def groups(self) -> list[Entity]:
        """The entities a comparison answers one by one (the most specific kind named twice or more)."""
        for kinds in (("number", "referenced"), ("province", "place"), ("signer",), ("issuer",), ("type",)):
            found = [e for e in self.entities if e.kind in kinds]
            if len(found) >= 2:
                return found
        return []

    def with_scope(self, docs: list[str]) -> Plan:
        return replace(self, scope=list(docs))


_TYPE_NAMES = "|".join(sorted((re.escape(t) for t in TYPES), key=len, reverse=True))
_ABBREVIATIONS = "|".join(sorted({a for v in TYPES.values() for a in v}, key=len, reverse=True))
#: "Kết luận 11", "nghị quyết số 13" (any case) or "NQ 13", "QĐ 84" (abbreviations upper case only:
#: "tối đa 30 tín chỉ" is not "ĐA 30")
_SHORT_NUMBER = re.compile(rf"(?i:\b({_TYPE_NAMES}))\s+(?:số\s+|so\s+)?(\d{{1,5}})\b(?![-/]\w)|\b({_ABBREVIATIONS})\s+(?:số\s+)?(\d{{1,5}})\b(?![-/]\w)")  # noqa: E501 - one pattern per line
_SHORT_NUMBER_FOLDED = re.compile(rf"(?i:\b({fold(_TYPE_NAMES)}))\s+(?:so\s+)?(\d{{1,5}})\b(?![-/]\w)|\b({fold(_ABBREVIATIONS)})\s+(?:so\s+)?(\d{{1,5}})\b(?![-/]\w)")  # noqa: E501 - one pattern per line
#: "văn bản số 80": a number without its type, any document whose số hiệu starts with it.
_GENERIC_NUMBER = re.compile(r"\b(?:văn bản|van ban)\s+(?:số|so)\s+(\d{1,5})\b(?![-/]\w)", re.IGNORECASE)
_TYPE_WORDS = sorted(TYPES, key=len, reverse=True)
_YEARS = re.compile(r"(?<!\d)(?:19|20)\d{2}(?:\s*[-–]\s*(?:19|20)\d{2})?(?!\d)")


def _overlaps(a: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(a[0] < e and s < a[1] for s, e in spans)


def _find_words(haystack_key: str, needle_key: str) -> int:
    """Position of ``needle_key`` as whole words in ``haystack_key`` (both keys), or -1."""
    if not needle_key:
        return -1
    m = re.search(rf"(?<![a-z0-9]){re.escape(needle_key)}(?![a-z0-9])", haystack_key)
    return m.start() if m else -1


_OF_DOC = re.compile(rf"{_DOCWORD}\s+(?:[^\W\d_]+\s+){{0,4}}?(?:của|do)\s*(?:tỉnh|thành phố|tp\.?)?\s*$", re.IGNORECASE)
_LEADING = re.compile(r"^\s*(?:(?:ủy ban nhân dân|hội đồng nhân dân|ubnd|hđnd|tỉnh ủy|thành ủy)\s+)?(?:tỉnh|thành phố|tp\.?)?\s*$",
                      re.IGNORECASE)
_HAS_DOCS = re.compile(rf"^\s*(?:đã\s+)?(?:có|ban hành|ra)\s+(?:(?:những|các|mấy|bao nhiêu)\s+)?{_DOCWORD}", re.IGNORECASE)


def _asks_documents_of(question: str, start: int, end: int) -> bool:
    """"Tỉnh Điện Biên có quyết định nào …", "Nghị quyết của tỉnh Điện Biên …": the question
    is about the province's own documents, not about a place other documents mention."""
    before, after = question[:start], question[end:]
    return bool(_OF_DOC.search(before) or (_LEADING.match(before) and _HAS_DOCS.match(after)))


#: Entity kinds that pick documents: a follow-up naming one of them names another document.
_DOCUMENT_KINDS = frozenset({"number", "type", "province", "issuer", "signer", "previous", "referenced", "place"})


class Planner:
    """Makes plans against one collection (its catalog)."""

    def __init__(self, catalog: Catalog, place_docs=None):
        self.catalog = catalog
        #: callable(name) -> doc ids whose text mentions a place (for provinces without documents)
        self.place_docs: Callable[[str], set[str]] = place_docs or (lambda name: set())

    # -- entities ---------------------------------------------------------------------------
    def entities(self, question: str) -> list[Entity]:
        """Everything the question names, each matched against the collection (or marked
        missing): numbers, short numbers, provinces, signers and bodies, types."""
        out: list[Entity] = []
        taken: list[tuple[int, int]] = []
        for step in (self._full_numbers, self._short_numbers, self._provinces, self._named_bodies, self._named_types):
            step(question, out, taken)
        return sorted(out, key=lambda x: x.start)

    def _full_numbers(self, question: str, out: list[Entity], taken: list[tuple[int, int]]) -> None:
        """Full numbers ("11-KL/TU", "84/2025/QĐ-UBND"), found, mentioned or missing."""
        cat = self.catalog
        for m in NUMBER_RE.finditer(question):
            text = m.group(0)
            if not is_document_number(text):
                continue
            docs = set()
            for k in _number_keys(text):
                docs |= cat.by_number.get(k, set())
            if not docs:
                docs = cat.own_number(text)
            label_type = self._type_before(question, m.start())
            if docs:
                meta = cat.metas[sorted(docs)[0]]
                out.append(Entity("number", f"{meta.doc_type or 'Văn bản'} số {meta.number}", text, m.start(), m.end(), docs))
            else:
                mentioned = cat.mentions(text)
                if mentioned:
                    out.append(Entity("referenced", f"{label_type or 'Văn bản'} số {text}", text, m.start(), m.end(), mentioned))
                else:
                    out.append(Entity("number", text, text, m.start(), m.end(), set(),
                                      missing=f"Kho văn bản không có văn bản số {text}."))
            taken.append(m.span())
            t0 = self._type_span_before(question, m.start())
            if t0 is not None:
                taken.append(t0)

    def _short_numbers(self, question: str, out: list[Entity], taken: list[tuple[int, int]]) -> None:
        """Short numbers ("Kết luận 11", "NQ 13") not already part of a full one."""
        cat = self.catalog
        folded_q = fold(question)
        short_re = _SHORT_NUMBER if has_diacritics(question) else _SHORT_NUMBER_FOLDED
        probe = question if has_diacritics(question) else folded_q
        for m in short_re.finditer(probe):
            if _overlaps(m.span(), taken):
                continue
            word, digits = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
            doc_type = type_of_abbreviation(word) or _canonical(word)
            if doc_type is None:
                continue
            docs = cat.with_short_number(digits, doc_type)
            if docs:
                meta = cat.metas[sorted(docs)[0]]
                out.append(Entity("number", f"{meta.doc_type or doc_type} số {meta.number}", question[m.start():m.end()],
                                  m.start(), m.end(), docs))
            else:
                mentioned = self._mentioned_short(digits, doc_type)
                if mentioned:
                    out.append(Entity("referenced", f"{doc_type} số {digits}", question[m.start():m.end()], m.start(), m.end(), mentioned))
                else:
                    out.append(Entity("number", f"{doc_type} số {digits}", question[m.start():m.end()], m.start(), m.end(), set(),
                                      missing=f"Kho văn bản không có {doc_type.lower()} số {digits}."))
            taken.append(m.span())
        for m in _GENERIC_NUMBER.finditer(question if has_diacritics(question) else folded_q):
            if _overlaps(m.span(), taken):
                continue
            digits = m.group(1)
            docs = {d for d, meta in cat.metas.items() if re.match(rf"^{digits}(?:[/-]|$)", meta.number)}
            text = question[m.start():m.end()]
            if docs:
                out.append(Entity("number", f"văn bản số {digits}", text, m.start(), m.end(), docs))
            else:
                out.append(Entity("number", f"văn bản số {digits}", text, m.start(), m.end(), set(),
                                  missing=f"Kho văn bản không có văn bản số {digits}."))
            taken.append(m.span())

    def _provinces(self, question: str, out: list[Entity], taken: list[tuple[int, int]]) -> None:
        """Provinces (gazetteer) and the collection's own province names."""
        cat = self.catalog
        qkey_spans = _key_with_offsets(question)
        found_prov: dict[str, tuple[int, int, str, str]] = {}
        for s, e, p in gazetteer.find(question):
            if not _overlaps((s, e), taken):
                found_prov.setdefault(key(p.name), (s, e, p.name, p.full))
        for pkey in cat.by_province:
            pos = _find_words(qkey_spans[0], pkey)
            if pos >= 0 and pkey not in found_prov:
                s, e = _span_of(qkey_spans, pos, len(pkey))
                name = next(cat.metas[d].province for d in cat.by_province[pkey])
                found_prov[pkey] = (s, e, name, f"tỉnh {name}")
        for pkey, (s, e, name, full) in sorted(found_prov.items(), key=lambda x: x[1][0]):
            docs = set(cat.by_province.get(pkey, set()))
            docs |= {d for d, m in cat.metas.items() if _find_words(key(m.issuer), pkey) >= 0}
            if docs:
                out.append(Entity("province", name, question[s:e], s, e, docs))
            else:
                mentioned = self.place_docs(name)
                if mentioned and not _asks_documents_of(question, s, e):
                    out.append(Entity("place", name, question[s:e], s, e, set(mentioned)))
                else:
                    out.append(Entity("province", name, question[s:e], s, e, set(),
                                      missing=f"Kho văn bản không có văn bản nào của {full}."))
            taken.append((s, e))

    def _named_bodies(self, question: str, out: list[Entity], taken: list[tuple[int, int]]) -> None:
        """Signers and issuing bodies named in full."""
        cat = self.catalog
        qkey_spans = _key_with_offsets(question)
        for table, kind in ((cat.by_signer, "signer"), (cat.by_issuer, "issuer")):
            for k, docs in table.items():
                pos = _find_words(qkey_spans[0], k)
                if pos < 0:
                    continue
                s, e = _span_of(qkey_spans, pos, len(k))
                if kind == "issuer" and _overlaps((s, e), taken) and not any(
                    t[0] >= s and t[1] <= e for t in taken
                ):
                    continue
                label = cat.metas[sorted(docs)[0]].signer if kind == "signer" else cat.metas[sorted(docs)[0]].issuer
                out.append(Entity(kind, label, question[s:e], s, e, set(docs)))

    def _named_types(self, question: str, out: list[Entity], taken: list[tuple[int, int]]) -> None:
        """Document types as the question's subject ("Nghị quyết về công nghiệp của Bắc Kạn")."""
        cat = self.catalog
        qkey_spans = _key_with_offsets(question)
        for t in _TYPE_WORDS:
            pos = _find_words(qkey_spans[0], key(t))
            if pos < 0:
                continue
            s, e = _span_of(qkey_spans, pos, len(key(t)))
            if _overlaps((s, e), taken) or any(x.kind == "type" and x.start <= s < x.end for x in out):
                continue
            if not self._names_a_document(question, s, e):
                continue  # "thông báo cho sinh viên" is a verb, "thực hiện nghị quyết" any resolution
            docs = set(cat.by_type.get(key(t), set()))
            if docs:
                out.append(Entity("type", t, question[s:e], s, e, docs))

    @staticmethod
    def _names_a_document(question: str, s: int, e: int) -> bool:
        """Is the type word at [s, e) the name of a document ("Nghị quyết về ...", "kết luận
        của Quảng Trị", "văn bản này") rather than a common noun or verb?"""
        if question[s].isupper():
            return True
        after = fold(question[e : e + 12]).lower()
        before = fold(question[max(0, s - 8) : s]).lower()
        return bool(re.match(r"\s*(?:cua|ve|so|nay|do|tren|tinh|thanh pho|\d)\b", after)) or bool(
            re.search(r"\b(?:theo|cac|nhung)\s*$", before)
        )

    def _type_span_before(self, question: str, pos: int) -> tuple[int, int] | None:
        """The span of "Nghị quyết (số)" right in front of a number: part of the number's mention."""
        head = question[:pos]
        folded_head = fold(head).lower()
        for t in _TYPE_WORDS + [a for v in TYPES.values() for a in v]:
            m = re.search(rf"(?<!\w){re.escape(fold(t).lower())}\s*(?:so\s*)?[:.]?\s*$", folded_head)
            if m:
                return m.start(), pos
        return None

    def _type_before(self, question: str, pos: int) -> str:
        head = key(question[:pos])
        for t in _TYPE_WORDS:
            if head.endswith(key(t)) or head.endswith(key(t) + " so"):
                return t
        return ""

    def _mentioned_short(self, digits: str, doc_type: str) -> set[str]:
        abbrs = {a.lower().replace("đ", "d") for a in TYPES.get(doc_type, ())}
        def test(k: str) -> bool:
            parts = re.split(r"[-/]", k)
            return bool(parts) and parts[0] == digits and bool(set(parts[1:]) & abbrs)

        query = " ".join([digits, *sorted(abbrs)])
        return self.catalog.mentioned_where(query, test, f"short:{digits}:{doc_type}")

    # -- the plan -----------------------------------------------------------------------------
    def plan(self, question: str, previous: Plan | None = None, followup: bool = False) -> Plan:
        info = classify(question)
        folded = info.folded
        text = info.text
        entities = self.entities(question)
        intent, fields = self._intent(text, folded, entities, info.qtype)
        if intent == METADATA and any(e.kind == "referenced" for e in entities) and not any(
            e.kind == "number" for e in entities
        ):
            intent, fields = FACT, ()  # a document the collection only mentions: read the sentences that do
        compare = bool(_search(_COMPARE_RE, text, folded))
        plan = Plan(question=question, intent=intent, qtype=info.qtype, fields=fields, folded=folded,
                    entities=entities, periods=[m.group(0) for m in _YEARS.finditer(question)])
        plan.polarity = self._polarity(text, folded)
        if previous is not None and followup:
            plan = self._carry(plan, previous)
        if len(plan.groups()) >= 2 and intent not in (SUMMARY,):
            compare = True
        plan.compare = compare
        self._scope(plan)
        return plan

    def _intent(self, text: str, folded: bool, entities: list[Entity], qtype: QType) -> tuple[str, tuple[str, ...]]:
        names_document = any(e.kind in ("number", "type", "signer", "issuer") for e in entities) or bool(
            _search(_DOCWORD_RE, text, folded)
        )
        if _search(_SUMMARY_RE, text, folded):
            return SUMMARY, ()
        if _search(_WHICH_DOC_RE, text, folded):
            return WHICH_DOC, ()
        fields = tuple(name for name, rx in _FIELDS_RE if _search(rx, text, folded))
        if fields == ("signer_role",) and not names_document:
            fields = ()
        if fields and (names_document or any(f in fields for f in ("signer", "doc_type", "issuer", "date"))):
            if "signer_role" in fields and "signer" not in fields and not re.search(r"\b(?:ký|ky|kí|ki)\b", fold(text) if folded else text):
                pass
            if "reviews" in fields and len(fields) > 1:
                fields = tuple(f for f in fields if f != "reviews")
            # "Kết luận 11 ... ban hành ngày nào" is about the document; "Cơ quan nào chỉ đạo ..." is not
            if "issuer" in fields and not names_document and "ban hanh" not in fold(text):
                fields = tuple(f for f in fields if f != "issuer")
            if fields:
                return METADATA, fields
        if _search(_YESNO_RE, text, folded) and (qtype in (QType.OTHER, QType.WHICH) or re.match(
            r"(?:có phải|co phai|phải chăng|phai chang)\b", text
        )):
            return YESNO, ()
        short = len(text.split()) <= LIST_FRAME_MAX_WORDS
        if qtype is QType.LIST or (short and _search(_LIST_FRAME_RE, text, folded)) or (
            qtype in (QType.OTHER, QType.WHICH, QType.WHERE, QType.WHO) and _search(_LIST_RE, text, folded)
        ):
            return LIST, ()
        return FACT, ()

    def _polarity(self, text: str, folded: bool) -> str:
        target = bool(_search(_TARGET_RE, text, folded))
        achieved = bool(_search(_ACHIEVED_RE, text, folded))
        if target and not achieved:
            return "target"
        if achieved and not target:
            return "achieved"
        if _search(_BASELINE_RE, text, folded):
            return "baseline"
        return ""

    def _carry(self, plan: Plan, previous: Plan) -> Plan:
        """A follow-up keeps the previous scope and intent unless it names its own."""
        kinds = {e.kind for e in plan.entities}
        names_document = bool(kinds & _DOCUMENT_KINDS - {"place"})
        carried = [e for e in previous.entities if e.kind not in kinds and not e.missing and not (
            {"province", "place"} & kinds and e.kind in ("province", "place")
        ) and not (names_document and e.kind in _DOCUMENT_KINDS)]  # another document replaces the previous one
        if not plan.entities and previous.scope:
            carried.append(Entity("previous", "", "", docs=set(previous.scope)))
        plan.entities = carried + plan.entities
        if plan.intent == FACT and previous.intent != FACT and not plan.fields and plan.qtype is QType.OTHER:
            # "Còn Bắc Kạn thì sao?" asks the previous question again; "… có hiệu lực từ khi nào?"
            # asks its own (a question word of a type of its own)
            plan.intent, plan.fields = previous.intent, previous.fields
        return plan

    def _scope(self, plan: Plan) -> None:
        missing = [e for e in plan.entities if e.missing]
        if missing and not plan.compare:
            plan.missing = missing[0].missing
            plan.scope = []
            return
        if plan.compare and missing and len([e for e in plan.entities if e.strong and not e.missing]) == 0:
            plan.missing = missing[0].missing
            return
        groups = plan.groups() if plan.compare else []
        docs: set[str] | None = None
        for kind_set in (("number", "referenced"), ("signer",), ("province", "place"), ("previous",), ("issuer",), ("type",)):
            ents = [e for e in plan.entities if e.kind in kind_set and not e.missing]
            if not ents:
                continue
            union = set().union(*(e.docs for e in ents))
            if docs is None:
                docs = union
                continue
            narrowed = docs & union
            if narrowed:
                docs = narrowed
            elif kind_set[0] in ("province", "signer") and not groups:
                docs = narrowed  # a document of Quảng Trị was named together with Bắc Kạn: nothing fits
                break
        plan.scope = sorted(docs) if docs is not None else []
        if docs is not None and not docs and not plan.missing:
            plan.missing = "Kho văn bản không có văn bản nào khớp với các điều kiện trong câu hỏi."


def _canonical(word: str) -> str | None:
    k = key(word)
    for t in TYPES:
        if key(t) == k:
            return t
    return None


def _number_keys(text: str) -> set[str]:
    k = re.sub(r"\s+", "", text).lower().replace("đ", "d")
    return {k} if k else set()


def _key_with_offsets(text: str) -> tuple[str, list[int]]:
    """``key(text)`` and, for each of its characters, the offset in ``text`` it came from."""
    out: list[str] = []
    offsets: list[int] = []
    folded = fold(text).lower()
    if len(folded) != len(text):
        folded = text.lower()
    prev_space = True
    for i, ch in enumerate(folded):
        c = " " if (ch in "-–." or ch.isspace() or not (ch.isalnum() or ch in "/")) else ch
        if c == " ":
            if prev_space:
                continue
            prev_space = True
        else:
            prev_space = False
        out.append(c)
        offsets.append(i)
    s = "".join(out)
    return s, offsets


def _span_of(ks: tuple[str, list[int]], pos: int, length: int) -> tuple[int, int]:
    s, offs = ks
    start = offs[pos]
    end = offs[min(pos + length, len(offs)) - 1] + 1
    return start, end
