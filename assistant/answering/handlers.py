"""One handler per intent. Each takes the question's ``Session`` (plan, scoped retrieval,
evidence) and returns an ``Outcome`` (answer lines with their supports) or None when the
documents do not answer. ``HANDLERS`` is the table the answerer dispatches on.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ..citations import document_reference
from ..documents import Hit
from ..text import fold, function_words, word_tokenize
from ..targets.model import KIND_LABELS
from . import metadata, quantities, structure_items
from .compose import Part
from .extractive import Support
from .evidence import ngrams
from .plan import FACT, LIST, METADATA, SUMMARY, WHICH_DOC, YESNO, Entity, Plan, list_head, states_target
from .question_types import QType
from .session import Outcome, Session, strip_entities
from .tokens import content_keys, keys, tokenize, with_abbreviations

#: Items shown by a list answer before "… còn N mục".
MAX_ITEMS = 8
#: Documents named by a "which document" answer.
MAX_DOCS = 3
_YEAR = re.compile(r"^(?:19|20)\d{2}$")
_WH = re.compile(r"\b(?:gi|nao|sao|ai|dau|bao nhieu|may|the nao|ra sao|khong|chua)\b")
#: Figures a question names that the evidence must repeat: with a glued unit (64MW, 500kV),
#: a percentage or a decimal part (10,5%) -- plain small numbers are too often paraphrased.
_MEASURE = re.compile(r"(?<![\w.,])(\d+(?:[.,]\d+)?)(?=\s?%|[^\W\d_]{1,4}\b)|(?<![\w.,])(\d+[.,]\d+)(?![\w])")


# --- facts ---------------------------------------------------------------------------------
def required_keys(plan: Plan) -> list[str]:
    """Words the evidence must contain: the question's figures (not years, not the numbers
    of documents that scope it) and the places it names that no document is about."""
    masked = plan.question
    for e in plan.entities:
        if e.start >= 0 and e.kind != "place":
            masked = masked[: e.start] + " " * (e.end - e.start) + masked[e.end :]
    out = [x for m in _MEASURE.finditer(masked) if not _YEAR.match(x := (m.group(1) or m.group(2)))]
    for e in plan.entities:
        if e.kind == "place":
            out += keys(e.text, True)
    return out


def _has_required(plan: Plan, hit: Hit, sentence: str) -> bool:
    need = required_keys(plan)
    if not need:
        return True
    folded = any(not k.isascii() for k in need) is False
    text = " ".join([sentence, hit.passage.text, *hit.passage.headings, hit.meta.title])
    present = {t.key for t in tokenize(text, folded)} | {t.key for t in tokenize(text, False)}
    return all(k in present for k in need)


def quantity(s: Session, plan: Plan, hits: list[Hit]) -> Outcome | None:
    """A figure read from the targets table, matched on measure, kind and period; None
    when the table cannot judge (the sentence-based answer is tried instead). ``hits``:
    the question's scoped retrieval, shared with that fallback."""
    docs = s.accepted(plan.scope) if plan.scope else list(dict.fromkeys(h.passage.doc_id for h in hits))[:3]
    found = quantities.lookup(strip_entities(plan.question, plan.entities), s.targets, docs, polarity=plan.polarity,
                              periods=plan.periods, metas=s.store.metas, strict=plan.polarity != "target")
    if found is None:
        return None
    if found.not_stated:
        if not plan.scope:
            return Outcome([], hits, 0.0)
        ref = document_reference(s.meta(docs[0])) if len(docs) == 1 else "Các văn bản được hỏi"
        return Outcome([], hits, 0.0, docs, missing=quantities.not_stated_text(ref))
    parts = [Part(KIND_LABELS[r.kind] if len(found.rows) > 1 else "",
                  quantities.figure_text(r, with_period=not plan.periods),
                  [Support(None, r.start, r.end, doc_id=r.doc_id, meta=s.meta(r.doc_id))]) for r in found.rows]
    # the passages that state the figures: what a generative answer may rephrase, nothing else
    stating = [h for h in hits if any(h.passage.doc_id == r.doc_id and h.passage.start <= r.start < h.passage.end
                                      for r in found.rows)]
    return Outcome(parts, stating, 1.0, [found.doc_id], kind="figure")


def fact(s: Session, plan: Plan, qtype: QType | None = None) -> Outcome | None:
    hits = s.scoped()
    measured = quantity(s, plan, hits) if (qtype or plan.qtype) is QType.QUANTITY and s.targets else None
    if measured is not None and not measured.missing:
        return measured
    if not hits:
        return measured
    # the words that name a document (its number, type word) are enforced by the scope filter:
    # as evidence they would favour any sentence that cites the document over the one that answers
    named = [e for e in reference_spans(plan) if e.kind in ("number", "type")]
    question = strip_entities(plan.question, named) if named and plan.scope else plan.question
    draft = s.draft(question, hits, qtype)
    if draft is None:
        return measured
    if not _has_required(plan, draft.sentence.hit, draft.sentence.text):
        return measured or Outcome([], hits, 0.0)
    if measured is not None and not _target_sentence(draft):
        return measured  # the table has no such target, and no sentence states one outright
    return Outcome([Part("", draft.short, draft.supports)], hits, draft.confidence, [draft.sentence.hit.passage.doc_id])


#: Share of a target question's words a sentence must hold to overrule the table's "không nêu"
#: (the table may miss a figure; a sentence that says all of it, as a target, is not missed).
TARGET_SENTENCE_COVERAGE = 0.9


def _target_sentence(draft) -> bool:
    return draft.sentence.phrase_coverage >= TARGET_SENTENCE_COVERAGE and states_target(draft.sentence.text)


#: Words that frame a yes/no claim, not its content: "có đề cập đến làng nghề không?" claims "làng nghề".
_CLAIM_FRAME_WORDS = "có không phải chăng liệu hay chưa đã đề cập nói nêu nhắc tới đến về quy định văn bản".split()


_REF_TYPE = re.compile(r"\b(?:nghị quyết|kết luận|quyết định|chỉ thị|kế hoạch|thông báo|công văn|thông tư|nghị định|"
                       r"văn bản)(?:\s+số)?\s*$", re.IGNORECASE)


def reference_spans(plan: Plan) -> list[Entity]:
    """The plan's entities plus the type word in front of each document number ("Kết luận"
    of "Kết luận 11-KL/TU"): all of it names the document, none of it asks anything."""
    spans = list(plan.entities)
    for e in plan.entities:
        m = _REF_TYPE.search(plan.question[: e.start]) if e.kind == "number" and e.start > 0 else None
        if m:
            spans.append(Entity("type", "", m.group(0), m.start(), e.start))
    return spans


def _claim(plan: Plan) -> str:
    """The content of a yes/no claim: the question without its scope names (with the type
    word of a document number: "Kết luận 11-KL/TU") and frame words."""
    text = strip_entities(plan.question, reference_spans(plan))
    return " ".join(w for w in text.split() if not set(keys(w, plan.folded)) <= _FRAME_KEYS[plan.folded]) or text


_FRAME_KEYS = {f: frozenset(keys(" ".join(_CLAIM_FRAME_WORDS), f)) for f in (False, True)}


def _claim_words(claim_text: str, folded: bool) -> list[tuple[str, ...]]:
    """The claim's content words as key tuples: segmented words when it has diacritics
    ("làng nghề" must stand together), single syllables when it has none."""
    stop = function_words(folded)
    words = word_tokenize(claim_text) if not folded else claim_text.split()
    out = [tuple(keys(w, folded)) for w in words]
    return [w for w in out if w and not all(k in stop for k in w)]


def _states(text: str, words: list[tuple[str, ...]], folded: bool) -> bool:
    seq = [t.key for t in tokenize(text, folded)]
    extra, grams = with_abbreviations(seq, folded)
    present = set(seq) | extra
    grams |= {tuple(seq[i : i + n]) for n in range(2, 5) for i in range(len(seq) - n + 1)}
    return all((w[0] in present) if len(w) == 1 else (w in grams) for w in words)


def _issuer_claim(s: Session, plan: Plan) -> Outcome | None:
    """"Kết luận 11-KL/TU có phải do Tỉnh ủy Quảng Trị ban hành không?": the claim is judged
    against the parsed issuer of the one document in scope, whose header line is cited."""
    named = [e for e in plan.entities if e.kind == "issuer"]
    scope = s.accepted(plan.scope) if plan.scope else []
    if len(named) != 1 or len(scope) != 1 or not any(e.strong for e in plan.entities):
        return None
    doc = s.document(scope[0])
    if doc is None:
        return None
    parts = metadata.answer_fields(doc, s.meta(scope[0]), ("issuer",))
    if not parts or not parts[0].supports:
        return None
    verdict = "Có" if scope[0] in named[0].docs else "Không, văn bản do"
    first = parts[0]
    return Outcome([Part(first.label, f"{verdict} {first.short}" if verdict != "Có" else f"Có. {first.short}",
                         first.supports)], [], 1.0, scope)


def yesno(s: Session, plan: Plan) -> Outcome | None:
    """The sentence that bears on the claim, led by "Có." when it states every content
    word of the claim. When the documents the question names hold none of the sentences
    that could (some content word of the claim is nowhere in them), they "do not mention
    it"; otherwise the reader judges from the sentence shown. Figures are not required verbatim: "IELTS 5.5 có được miễn
    ...?" is answered by the threshold."""
    judged = _issuer_claim(s, plan)
    if judged is not None:
        return judged
    claim_text = _claim(plan)
    claim = _claim_words(claim_text, plan.folded)
    hits = s.scoped()
    draft = s.draft(claim_text, hits, QType.OTHER)
    if draft is None:
        return None
    short = draft.short
    if claim and _states(draft.sentence.text, claim, plan.folded):
        short = f"Có. {short}"
    elif claim and plan.scope:
        docs = s.accepted(plan.scope)
        texts = [d.text for d in map(s.document, docs) if d is not None]
        if texts and not any(_states(t, claim, plan.folded) for t in texts):
            ref = document_reference(s.meta(docs[0])) if len(docs) == 1 else "Các văn bản được hỏi"
            return Outcome([], hits, 0.0, docs, missing=f"{ref} không đề cập đến nội dung này.")
    return Outcome([Part("", short, draft.supports)], hits, draft.confidence, [draft.sentence.hit.passage.doc_id])


# --- metadata ------------------------------------------------------------------------------
def _documents_for(s: Session, plan: Plan) -> list[str]:
    """The documents a metadata question is about: the scope, or the best-matching one."""
    scope = s.accepted(plan.scope) if plan.scope else []
    strong = [e for e in plan.entities if e.strong]
    if scope and (strong or len(scope) == 1):
        if len(scope) <= 3 and not _topic(plan):
            return scope
        if len(scope) == 1:
            return scope
    hits = s.retrieve(_topic(plan) or plan.question, scope or None, k=3)
    return [hits[0].passage.doc_id] if hits else scope[:1]


_FRAME_WORDS = re.compile(
    r"\b(?:do ai ký|ai ký|người ký|được ban hành|ban hành|ngày nào|khi nào|bao giờ|số hiệu|ký hiệu|loại văn bản|văn bản|"
    r"thuộc loại|là của|của cơ quan nào|cơ quan nào|khóa mấy|khóa nào|với chức vụ gì|chức vụ|gì|nào|là|được|có|của|về|do|ai|ký)\b",
    re.IGNORECASE,
)


def _topic(plan: Plan) -> str:
    """What is left of a metadata question once its scope and frame words are removed."""
    rest = strip_entities(plan.question, reference_spans(plan))
    rest = _FRAME_WORDS.sub(" ", rest)
    rest = re.sub(r"[?,.]", " ", rest)
    return " ".join(rest.split())


def meta(s: Session, plan: Plan) -> Outcome | None:
    docs = _documents_for(s, plan)
    parts: list[Part] = []
    for doc_id in docs:
        doc = s.document(doc_id)
        if doc is None:
            continue
        m = s.meta(doc_id)
        label = document_reference(m, with_date="date" not in plan.fields) if len(docs) > 1 else ""
        if "recipients" in plan.fields:
            parts += _recipients(doc, m, label)
        others = tuple(f for f in plan.fields if f != "recipients")
        if others or not plan.fields:
            parts += metadata.answer_fields(doc, m, others or ("title",), label)
    return Outcome(parts, [], 1.0, docs) if parts else None


_RECIPIENT_LINE = re.compile(r"^[ \t]*[-–•+][ \t]*(.+?)[ \t]*[;.,]?[ \t]*$", re.MULTILINE)


def _recipients(doc, meta_, label: str = "") -> list[Part]:
    """The "Nơi nhận" list, one line per recipient, each cited to its own line."""
    items = []
    for start, end in doc.blocks.get("recipients", []):
        for m in _RECIPIENT_LINE.finditer(doc.text, start, end):
            items.append(structure_items.Item(m.start(1), m.end(1), m.group(1)))
    if not items:
        return []
    return _item_parts(doc, meta_, items, label or "Nơi nhận")


# --- lists ---------------------------------------------------------------------------------
def _item_parts(doc, meta_, items: list[structure_items.Item], label: str = "") -> list[Part]:
    parts = [Part("-", it.short, [Support(None, it.start, it.end, doc_id=doc.id, meta=meta_)]) for it in items[:MAX_ITEMS]]
    if len(items) > MAX_ITEMS:
        parts.append(Part("", f"… còn {len(items) - MAX_ITEMS} mục khác.", plain=True))
    if label:
        parts.insert(0, Part("", f"{label}:", plain=True))
    return parts


def _best_section(s: Session, q, doc_ids: list[str]):
    """The section whose heading path matches the question best: (coverage, doc, section)."""
    best = None
    for doc_id in doc_ids:
        doc = s.document(doc_id)
        if doc is None:
            continue
        for sec in doc.sections:
            hs, he = structure_items.heading_span(doc, sec)
            titles = [doc.text[a:b] for a, b in (structure_items.heading_span(doc, x) for x in structure_items.path(doc, sec))]
            present = {t.key for t in tokenize(" ".join(titles), q.info.folded)}
            cov = q.covered(present)
            own = q.covered({t.key for t in tokenize(doc.text[hs:he], q.info.folded)})
            head_keys = content_keys(doc.text[hs:he], q.info.folded)
            precise = bool(len(head_keys) >= 2 and all(k in q.weights for k in head_keys))
            score = cov + 0.2 * own + (0.3 if precise else 0.0)
            if best is None or score > best[0]:
                best = (score, max(cov, 0.5) if precise and cov >= 0.3 else cov, doc, sec, precise)
    return best


#: Share of a list question's weight that the section naming its items must hold in its
#: heading path and its document's title (the head word counted as held).
NAMED_SECTION_COVERAGE = 0.5


def _holds(seq: list[str], phrase: tuple[str, ...]) -> bool:
    return bool(phrase) and (phrase[0] in seq if len(phrase) == 1 else phrase in ngrams(seq, len(phrase)))


def _title_keys(doc, sec, folded: bool) -> list[str]:
    """The keys of the heading of ``sec`` when it is a title, not the first sentence of an item."""
    hs, he = structure_items.heading_span(doc, sec)
    return keys(doc.text[hs:he], folded) if structure_items.is_title(doc.text[hs:he]) else []


def _names_items(seq: list[str], head: tuple[str, ...], kin: list[tuple[str, ...]]) -> int:
    """2 when the heading ``seq`` says the list's head word, 1 when a word of its kind, else 0."""
    return 2 if _holds(seq, head) else int(any(_holds(seq, w) for w in kin))


def _named_section(s: Session, q, head: tuple[str, ...], doc_ids: list[str]):
    """The section whose heading names the items a list question asks for: (coverage, doc,
    section), or None. A question for what is to be done ("giải pháp") also takes a part
    headed by a word of that kind ("Nhiệm vụ", "Định hướng …"), never one that reviews
    what was done ("Tình hình thực hiện")."""
    folded = q.info.folded
    plan_words = [tuple(keys(w, folded)) for w in structure_items.PLAN_WORDS]
    kin = plan_words if head in plan_words else []
    review = [tuple(keys(w, folded)) for w in structure_items.REVIEW_WORDS] if kin else []
    heads: dict[tuple[str, int], list[str]] = {}  # each heading tokenized once, not once per descendant

    def head_keys(doc, x) -> list[str]:
        key = (doc.id, id(x))  # the document is alive while its sections are looked up
        if key not in heads:
            heads[key] = _title_keys(doc, x, folded)
        return heads[key]

    best = None
    for doc_id in doc_ids:
        doc = s.document(doc_id)
        if doc is None:
            continue
        title = keys(s.meta(doc_id).title, folded)
        for sec in doc.sections:
            lineage = [head_keys(doc, x) for x in structure_items.path(doc, sec)]
            if any(_holds(h, r) for h in lineage for r in review):
                continue
            kids = [head_keys(doc, k) for k in structure_items.children(doc, sec)]
            rank = _naming_rank(q, head, kin, lineage, kids, title)
            if rank is not None and (best is None or rank > best[0]):
                best = (rank, rank[2], doc, sec)
    return best[1:] if best else None


def _naming_rank(q, head: tuple[str, ...], kin: list[tuple[str, ...]], lineage: list[list[str]],
                 kids: list[list[str]], title: list[str]) -> tuple[int, float, float, int] | None:
    """How well a section's headings (``lineage``: its own last) name a list: children all
    headed by the head word (the section *is* that list), its own heading, the same two by
    a word of its kind; then the share of its own heading the question says ("3. Nhiệm vụ"
    over "I. Quan điểm, mục tiêu, nhiệm vụ"), coverage, the shallower. None: not named."""
    by_kids = min((_names_items(k, head, kin) for k in kids), default=0) if len(kids) >= 2 else 0
    level = max(2 * by_kids, 2 * _names_items(lineage[-1], head, kin) - 1)
    cov = q.covered({k for h in lineage for k in h} | set(title) | set(head))
    if level <= 0 or cov < NAMED_SECTION_COVERAGE:
        return None
    own = set(content_keys(" ".join(lineage[-1]), q.info.folded))
    return level, len(own & set(q.weights)) / max(1, len(own)), cov, -len(lineage)


def _section_outcome(s: Session, hits: list[Hit], cov: float, doc, section) -> Outcome | None:
    """The items of ``section`` led by its heading, each cited to its own span; None under two items."""
    items = structure_items.section_items(doc, section)
    if len(items) < 2:
        return None
    m = s.meta(doc.id)
    hs, he = structure_items.heading_span(doc, section)
    head = f"Mục {section.label}. {structure_items.shorten(doc.text[hs:he], 20)}" if he > hs else f"Mục {section.label}"
    parts = [Part("", head + ":", [Support(None, hs, he, doc_id=doc.id, meta=m)])] if he > hs else []
    parts += _item_parts(doc, m, items)
    return Outcome(parts, hits, min(1.0, 0.3 + cov), [doc.id])


def list_items(s: Session, plan: Plan) -> Outcome | None:
    hits = s.scoped(k=s.settings.answer_passages * 2)
    if not hits:
        return None
    text = strip_entities(plan.question, reference_spans(plan))
    q = s.question(text, QType.LIST)
    doc_ids = list(dict.fromkeys(h.passage.doc_id for h in hits))[:3]
    head = list_head(text, q.info.folded)
    named = _named_section(s, q, head, doc_ids) if head else None
    listed = _section_outcome(s, hits, *named) if named is not None else None
    if listed is not None:
        return listed
    sents = s.sentences(q, hits)
    sec = _best_section(s, q, doc_ids)
    intro = None
    for sent in sents[:6]:
        if sent.text.rstrip().endswith(":"):
            intro = sent
            break
    if intro is not None and (sec is None or intro.context >= sec[1] - 0.05) and intro.context >= 0.4:
        doc = s.document(intro.hit.passage.doc_id)
        items = structure_items.items_after(doc, intro.end) if doc else []
        if doc is not None and len(items) >= 2:
            m = s.meta(doc.id)
            parts = [Part("", intro.text.strip().rstrip(":") + ":", [Support(intro.hit, intro.start, intro.end)])]
            parts += _item_parts(doc, m, items)
            return Outcome(parts, hits, min(1.0, 0.3 + intro.context), [doc.id])
    draft = s.draft(text, hits, QType.LIST)
    inline_cov = draft.sentence.coverage if draft else 0.0
    if sec is not None and sec[1] >= 0.5 and (sec[1] >= inline_cov or sec[4]):
        _, cov, doc, section, _ = sec
        listed = _section_outcome(s, hits, cov, doc, section)
        if listed is not None:
            return listed
    natural = s.draft(plan.question, hits) if plan.qtype is not QType.LIST else None
    threshold = s.settings.abstain_threshold
    if natural is not None and (draft is None or (draft.confidence < threshold <= natural.confidence)):
        draft = natural
    if draft is None:
        return None
    if not _has_required(plan, draft.sentence.hit, draft.sentence.text):
        return Outcome([], hits, 0.0)
    return Outcome([Part("", draft.short, draft.supports)], hits, draft.confidence, [draft.sentence.hit.passage.doc_id])


# --- summaries -----------------------------------------------------------------------------
def summary(s: Session, plan: Plan) -> Outcome | None:
    docs = s.accepted(plan.scope) if plan.scope else []
    if not docs:
        hits = s.scoped(k=3)
        docs = [hits[0].passage.doc_id] if hits else []
    parts: list[Part] = []
    for doc_id in docs[:2]:
        doc = s.document(doc_id)
        if doc is None:
            continue
        m = s.meta(doc_id)
        if len(docs) > 1:
            parts.append(Part("", f"{document_reference(m)}:", plain=True))
        where = metadata.locate(doc, m, "title")
        if where:
            parts.append(Part("", f"{m.doc_type or 'Văn bản'} {structure_items.shorten(m.title, 40)}".strip(),
                              [Support(None, where[0], where[1], doc_id=doc.id, meta=m, where=where[2])]))
        outline = structure_items.outline(doc)
        for sec, (hs, he), key in outline[:MAX_ITEMS]:
            heading = structure_items.shorten(doc.text[hs:he], 24) if he > hs else ""
            supports = [Support(None, hs, he, doc_id=doc.id, meta=m)] if he > hs else []
            short = heading
            if key is not None:
                supports.append(Support(None, key.start, key.end, doc_id=doc.id, meta=m))
                short = f"{heading} — {key.short}" if heading else key.short
            label = f"{sec.label}."
            if fold(short).lower().startswith(fold(sec.label).lower()):
                label = "-"  # the heading already carries its label ("Điều 1. Sửa đổi ...")
            parts.append(Part(label, short, supports))
        if not outline:  # no numbered sections: the opening sentences stand for the outline
            for item in structure_items.units(doc, 0, len(doc.text))[:3]:
                parts.append(Part("-", item.short, [Support(None, item.start, item.end, doc_id=doc.id, meta=m)]))
    return Outcome(parts, [], 1.0, docs) if parts else None


# --- which document ------------------------------------------------------------------------
_WHICH_FRAME = re.compile(
    r"^.*?\b(?:văn bản|tài liệu|nghị quyết|kết luận|chỉ thị|quyết định|kế hoạch|thông tư|nghị định|công văn|thông báo|luật)\s+nào\s+"
    r"(?:(?:có )?(?:nói|đề cập|quy định|nêu|bàn|viết|ghi|đặt ra|yêu cầu|liên quan)(?: đến| tới| về)?\s*)?(?:về\s+)?",
    re.IGNORECASE,
)


def which_document(s: Session, plan: Plan) -> Outcome | None:
    topic = _WHICH_FRAME.sub("", plan.question).strip(" ?.") or plan.question
    hits = s.scoped(k=s.settings.answer_passages * 3, query=topic)
    if not hits:
        return None
    q = s.question(topic, QType.OTHER)
    sents = s.sentences(q, hits)
    best: dict[str, Any] = {}
    for sent in sents:
        d = sent.hit.passage.doc_id
        if d not in best and sent.coverage >= 0.6:
            best[d] = sent
    parts: list[Part] = []
    strength = 0.0
    for d, sent in list(best.items())[:MAX_DOCS]:
        parts.append(Part("", document_reference(s.meta(d)), [Support(sent.hit, sent.start, sent.end)]))
        strength = max(strength, 0.5 + 0.5 * sent.coverage)
    return Outcome(parts, hits, strength, list(best)[:MAX_DOCS]) if parts else Outcome([], hits, 0.0)


# --- comparison ----------------------------------------------------------------------------
def comparison(s: Session, plan: Plan) -> Outcome | None:
    """One part per scope entity, each answered by the base intent from its own documents."""
    groups = plan.groups()
    if len(groups) < 2:
        groups = _hit_groups(s, plan)
    base = HANDLERS.get(plan.intent, fact)
    if plan.intent == FACT and plan.qtype is QType.OTHER and not _WH.search(fold(plan.question).lower()):
        base = list_items  # "So sánh tổ chức thực hiện của A và B": each one's section on it
    parts: list[Part] = []
    hits: list[Hit] = []
    strength = 0.0
    docs: list[str] = []
    others = [e for e in plan.entities if e not in groups]
    for g in groups:
        if g.missing:
            parts.append(Part(g.label, g.missing, plain=True))
            continue
        scope = set(g.docs)
        for e in others:  # keep what else the question limits: "Nghị quyết của Bắc Kạn"
            if e.kind in ("type", "issuer") and scope & e.docs:
                scope &= e.docs
        sub = Plan(
            question=_group_question(plan.question, [*groups, *(e for e in others if e.kind == "type")]),
            intent=plan.intent, qtype=plan.qtype, fields=plan.fields, polarity=plan.polarity,
            entities=[_unplaced(e) for e in (*others, g)], scope=s.accepted(sorted(scope)),
            folded=plan.folded, periods=plan.periods,
        )
        if not sub.scope:
            if not s.accepted(g.docs):
                continue  # the caller's own filters leave this entity out: not ours to report
            parts.append(Part(g.label, "không nêu", plain=True))
            continue
        out = base(Session_for(s, sub), sub)
        if out is None or not out.parts or out.strength < s.settings.abstain_threshold:
            parts.append(Part(g.label, "không nêu", plain=True))
            continue
        hits += out.hits[:2]
        docs += [d for d in out.docs if d not in docs]
        strength = max(strength, out.strength)
        if len(out.parts) == 1 and not out.parts[0].label:
            p = out.parts[0]
            parts.append(Part(g.label, p.short, p.supports, p.plain))
        else:
            parts.append(Part("", f"{g.label}:", plain=True))
            parts += out.parts
    return Outcome(parts, hits, strength, docs)


def Session_for(s: Session, plan: Plan) -> Session:
    return Session(plan, s.retriever, s.store, s.settings, s.weights, s.folded_weights, s.vector, s.document,
                   s.filters, s.targets)


def _unplaced(e: Entity) -> Entity:
    return Entity(e.kind, e.label, e.text, -1, -1, set(e.docs), e.missing)


def _group_question(question: str, names: list[Entity]) -> str:
    """The question asked of each entity: without the comparison cue and the entities' names
    (with the "và" that joined them); the entity's own scope is enforced by filters."""
    q = question
    for g in sorted((g for g in names if g.start >= 0), key=lambda x: -x.start):
        head = re.sub(r"(?:\s*(?:,|\bvà|\bvới|\bhay|\bhoặc)\s*)$", " ", q[: g.start], flags=re.IGNORECASE)
        q = head + " " + q[g.end :]
    q = re.sub(r"\b(?:so sánh|đối chiếu)\s+(?:giữa\s+)?", "", q, flags=re.IGNORECASE)
    q = re.sub(r"\s+(?:và|với)\s*(?=[?.,]|$)", " ", q)
    q = " ".join(q.split())
    q = re.sub(r"^(?:(?:của|và|với|theo|,)\s*)+", "", q, flags=re.IGNORECASE)
    q = re.sub(r"(?:\s(?:của|và|với))+(?=\s(?:của|và|với)\s)", "", q)
    return q.strip(" ,")


def _hit_groups(s: Session, plan: Plan) -> list[Entity]:
    """A comparison that names fewer than two entities: the distinct documents among the best hits."""
    hits = s.scoped(k=s.settings.answer_passages * 2)
    out: list[Entity] = []
    for h in hits:
        d = h.passage.doc_id
        if any(d in e.docs for e in out):
            continue
        m = h.meta
        label = m.province or (f"{m.doc_type or 'Văn bản'} số {m.number}" if m.number else document_reference(m))
        out.append(Entity("document", label, "", docs={d}))
        if len(out) == 3:
            break
    return out


Handler = Callable[[Session, Plan], "Outcome | None"]

#: The handler of each intent (a comparison runs the base intent once per entity).
HANDLERS: dict[str, Handler] = {
    METADATA: meta,
    FACT: fact,
    LIST: list_items,
    SUMMARY: summary,
    YESNO: yesno,
    WHICH_DOC: which_document,
}
