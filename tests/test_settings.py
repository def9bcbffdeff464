"""Settings refuse nonsense instead of falling back silently."""

import subprocess
import sys

import pytest
from pydantic import ValidationError

from assistant.settings import Settings


@pytest.mark.parametrize(
    "kwargs",
    [
        {"fusion": "zcore"},
        {"top_kk": 3},
        {"dense_weight": -5},
        {"candidates": 0},
        {"top_k": 0},
        {"abstain_threshold": 1.5},
        {"passage_min_words": 500, "passage_max_words": 100},
        {"dense_weight": 0, "lexical_weight": 0},
        {"port": 70000},
    ],
)
def test_nonsense_is_refused(kwargs):
    with pytest.raises(ValidationError):
        Settings(**kwargs)


def test_valid_choices_accepted():
    for fusion in ("zscore", "convex", "rrf"):
        assert Settings(fusion=fusion).fusion == fusion


def test_assignment_is_validated():
    s = Settings()
    with pytest.raises(ValidationError):
        s.top_k = -1


def test_environment_values_are_validated(monkeypatch):
    monkeypatch.setenv("ASSISTANT_FUSION", "rff")
    with pytest.raises(ValidationError):
        Settings()
    monkeypatch.setenv("ASSISTANT_FUSION", "rrf")
    assert Settings().fusion == "rrf"


def test_cli_reports_a_bad_setting_in_one_line(tmp_path):
    env = {"ASSISTANT_CANDIDATES": "0", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "assistant", "docs", "--index", str(tmp_path / "index")],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "candidates" in lines[0] and "Traceback" not in proc.stderr
