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
#: The last commit with graph version 3 and the embedder `...-int8-r3` (one activation scale per tensor).
ROUND3_REV = "24f1c55"


def legacy_build_graph(rev: str = LEGACY_REV):
    """``build_graph`` of ``LEGACY_REV``'s ``assistant/embeddings/onnx_e5.py``, written alone (with the
    imports it needs) to a temporary module and imported: the old module itself would register a
    second "onnx" backend."""
    import importlib.util
    import tempfile

    source = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:assistant/embeddings/onnx_e5.py"],
                            check=True, capture_output=True, text=True).stdout  # fmt: skip
    fn = next(n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name == "build_graph")
    header = ("from __future__ import annotations\nimport numpy as np\n"
              "from assistant.embeddings.e5_weights import E5Checkpoint\nOPSET = 17\nMS = 'com.microsoft'\n\n")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="embed-legacy-") as tmp:
        path = Path(tmp) / f"onnx_e5_{rev}.py"
        path.write_text(header + ast.get_source_segment(source, fn) + "\n", encoding="utf-8")
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return module.build_graph


def quantize_int8(model) -> bytes:
    """ONNX Runtime dynamic quantisation of every weight MatMul (int8 per channel, one activation
    scale per tensor): how the product quantised its graph until graph version 4."""
    import logging
    import tempfile

    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root_logger = logging.getLogger()
    level = root_logger.level
    with tempfile.TemporaryDirectory(prefix="e5-onnx-") as tmp:
        src, dst = Path(tmp) / "fp32.onnx", Path(tmp) / "int8.onnx"
        onnx.save(model, src)
        root_logger.setLevel(logging.ERROR)  # the quantizer warns about "pre-processing" on the root logger
        try:
            quantize_dynamic(src, dst, weight_type=QuantType.QInt8, per_channel=True, op_types_to_quantize=["MatMul"],
                             extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})  # contrib ops: no shape inference
        finally:
            root_logger.setLevel(level)
        return dst.read_bytes()


def legacy_embedder(batch_size: int = 32, batch_tokens: int = 4096):
    """An ``OnnxE5Embedder`` running the version-2 int8 graph on 2 threads, one batch at a time."""
    import onnxruntime as ort

    emb = onnx_e5.OnnxE5Embedder("int8", batch_size=batch_size, workers=1, batch_tokens=batch_tokens)
    blob = quantize_int8(legacy_build_graph()(load_checkpoint(default_model_path())))
    opts = ort.SessionOptions()  # as onnx_e5._session_options was: every fusion, no spinning
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.intra_op_num_threads, opts.inter_op_num_threads = 2, 1
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    opts.log_severity_level = 3
    emb._runner.session = ort.InferenceSession(blob, opts, providers=["CPUExecutionProvider"])
    emb.name = "onnx:multilingual-e5-small-q4-int8 (graph 2)"
    return emb


def round3_embedder():
    """The embedder of ``ROUND3_REV`` (``...-int8-r3``): graph 3 quantised by ``quantize_dynamic``
    (one activation scale per tensor), batches of 128, sub-batches of 512 tokens, a worker per core."""
    import onnxruntime as ort

    emb = onnx_e5.OnnxE5Embedder("int8", batch_size=128, workers=0, batch_tokens=512)
    blob = quantize_int8(legacy_build_graph(ROUND3_REV)(load_checkpoint(default_model_path())))
    emb._runner.session = ort.InferenceSession(blob, onnx_e5._session_options(1), providers=["CPUExecutionProvider"])
    emb.name = "onnx:multilingual-e5-small-q4-int8-r3 (graph 3)"
    return emb
