"""Start the real app in-process on a free 127.0.0.1 port, over a private index.

Used by the gradio_client tests and the browser tests. The corpus is a copy of
``corpus/`` plus a document whose text carries HTML/JS, to check it renders as text.
"""

from __future__ import annotations

import shutil
import socket
from dataclasses import dataclass
from pathlib import Path

import assistant  # noqa: F401  (offline environment before gradio)

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "corpus"
ARTIFACTS = ROOT / "tests" / "artifacts"

XSS_DOC = """TỈNH ỦY THỬ NGHIỆM
*
Số 99-CT/TU

ĐẢNG CỘNG SẢN VIỆT NAM
Hà Nội, ngày 02 tháng 3 năm 2021

CHỈ THỊ
của Ban Thường vụ Tỉnh ủy
về an toàn thông tin <script>window.__xss = 1</script>

I. TÌNH HÌNH

1. Kiểm thử hiển thị: đoạn này chứa <script>window.__xss = 1</script> và <img src=x onerror="window.__xss = 2"> cùng <a href="http://evil.example/">liên kết lạ</a>; phải hiện ra đúng như chữ.

2. Đoạn thứ hai về bảo mật hệ thống thông tin, kiểm tra mã độc và tường lửa.

T/M BAN THƯỜNG VỤ
BÍ THƯ

Nguyễn Văn Thử
"""

UPLOAD_DOC = """TỈNH ỦY HÀ GIANG
*
Số 77-KH/TU

ĐẢNG CỘNG SẢN VIỆT NAM
Hà Giang, ngày 15 tháng 6 năm 2022

KẾ HOẠCH
về phát triển du lịch cộng đồng vùng cao nguyên đá

I. MỤC TIÊU

1. Đến năm 2025, đón 3 triệu lượt khách du lịch cộng đồng tại cao nguyên đá Đồng Văn, doanh thu đạt 5.000 tỷ đồng.

2. Xây dựng 20 làng văn hóa du lịch cộng đồng gắn với bảo tồn nhà trình tường.

T/M BAN THƯỜNG VỤ
BÍ THƯ

Đặng Quốc Khánh
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_corpus(dest: Path) -> Path:
    shutil.copytree(CORPUS, dest)
    (dest / "chi-thi-99-CT-TU-thu-nghiem-an-toan.txt").write_text(XSS_DOC, encoding="utf-8")
    return dest


@dataclass
class RunningApp:
    url: str
    backend: object
    demo: object
    settings: object

    def close(self) -> None:
        self.demo.close()
        self.backend.close()


def start_app(tmp: Path, embedder: str = "hash", auth: list[tuple[str, str]] | None = None) -> RunningApp:
    from assistant.ingest import ingest
    from assistant.settings import Settings
    from ui.app import launch
    from ui.service import Backend

    corpus = make_corpus(tmp / "corpus")
    settings = Settings(index_dir=tmp / "index", corpus_dir=corpus, embedder=embedder)
    report = ingest([corpus], settings, progress=False, say=lambda m: None)
    assert not report.errors, report.errors
    backend = Backend.open(settings)
    backend.warm_up()
    port = free_port()
    demo = launch(backend, host="127.0.0.1", port=port, auth=auth, block=False, quiet=True)
    return RunningApp(f"http://127.0.0.1:{port}/", backend, demo, settings)
