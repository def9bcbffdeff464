"""The int8 embedder as it was before issue 16's second round, rebuilt for same-run comparisons:
the encoder written with standard ONNX ops only (graph version 2: attention as MatMul/Softmax/
Transpose, GELU from Erf), ONNX Runtime's default fusions (SkipLayerNormalization included), and
one batch of 32 at a time on every core, sub-batches of up to 4096 tokens. ``bench/embed_speed.py --backends legacy,onnx:int8`` measures
today's embedder against it in one process.

The graph builder is read from git (``LEGACY_REV``), not copied here: the baseline is exactly the
code that shipped, and one copy of it exists.
"""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

from assistant.embeddings import onnx_e5
from assistant.embeddings.e5_weights import default_model_path, load_checkpoint

ROOT = Path(__file__).resolve().parents[1]
#: The last commit with graph version 2 and the embedder `onnx:multilingual-e5-small-q4-int8`.
LEGACY_REV = "131c045"


def legacy_build_graph():
    """``build_graph`` of ``LEGACY_REV``'s ``assistant/embeddings/onnx_e5.py``, written alone (with the
    imports it needs) to a temporary module and imported: the old module itself would register a
    second "onnx" backend."""
    import importlib.util
    import tempfile

    source = subprocess.run(["git", "-C", str(ROOT), "show", f"{LEGACY_REV}:assistant/embeddings/onnx_e5.py"],
                            check=True, capture_output=True, text=True).stdout  # fmt: skip
    fn = next(n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name == "build_graph")
    header = ("from __future__ import annotations\nimport numpy as np\n"
              "from assistant.embeddings.e5_weights import E5Checkpoint\nOPSET = 17\n\n")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="embed-legacy-") as tmp:
        path = Path(tmp) / f"onnx_e5_{LEGACY_REV}.py"
        path.write_text(header + ast.get_source_segment(source, fn) + "\n", encoding="utf-8")
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return module.build_graph


def legacy_embedder(batch_size: int = 32, batch_tokens: int = 4096):
    """An ``OnnxE5Embedder`` running the version-2 int8 graph on 2 threads, one batch at a time."""
    import onnxruntime as ort

    emb = onnx_e5.OnnxE5Embedder("int8", batch_size=batch_size, workers=1, batch_tokens=batch_tokens)
    blob = onnx_e5.quantize_int8(legacy_build_graph()(load_checkpoint(default_model_path())))
    opts = ort.SessionOptions()  # as onnx_e5._session_options was: every fusion, no spinning
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.intra_op_num_threads, opts.inter_op_num_threads = 2, 1
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    opts.log_severity_level = 3
    emb._runner.session = ort.InferenceSession(blob, opts, providers=["CPUExecutionProvider"])
    emb.name = "onnx:multilingual-e5-small-q4-int8 (graph 2)"
    return emb
