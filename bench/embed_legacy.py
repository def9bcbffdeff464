"""The int8 embedder as it was before issue 16's second round, rebuilt for same-run comparisons:
the encoder written with standard ONNX ops only (graph version 2: attention as MatMul/Softmax/
Transpose, GELU from Erf), ONNX Runtime's default fusions (SkipLayerNormalization included), and
one batch at a time on every core. ``bench/embed_speed.py --backends legacy,onnx:int8`` measures
today's embedder against it in one process.
"""

from __future__ import annotations

import numpy as np

from assistant.embeddings import onnx_e5
from assistant.embeddings.e5_weights import E5Checkpoint, default_model_path, load_checkpoint

OPSET = 17


def build_graph(ckpt: E5Checkpoint):
    """The encoder as an ``onnx.ModelProto`` (float32)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    cfg = ckpt.config
    t = ckpt.tensors
    H, nh = cfg.hidden, cfg.heads
    hd = H // nh
    inits: list = []
    nodes: list = []
    counter = [0]

    def const(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def node(op: str, inputs: list[str], **attrs) -> str:
        counter[0] += 1
        out = f"{op.lower()}_{counter[0]}"
        nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        return out

    def linear(x: str, w: np.ndarray, b: np.ndarray, name: str) -> str:
        # w is [out, in] as in the checkpoint; MatMul wants [in, out]
        y = node("MatMul", [x, const(name + ".w", w.T.astype(np.float32))])
        return node("Add", [y, const(name + ".b", b.astype(np.float32))])

    def layer_norm(x: str, name: str) -> str:
        return node("LayerNormalization", [x, const(name + ".w", t[name + ".w"]), const(name + ".b", t[name + ".b"])],
                    axis=-1, epsilon=cfg.eps)

    shape_heads = const("shape_heads", np.array([0, 0, nh, hd], dtype=np.int64))
    shape_hidden = const("shape_hidden", np.array([0, 0, H], dtype=np.int64))
    axes_12 = const("axes_12", np.array([1, 2], dtype=np.int64))
    axes_1 = const("axes_1", np.array([1], dtype=np.int64))
    axes_2 = const("axes_2", np.array([2], dtype=np.int64))
    one = const("one", np.array(1.0, dtype=np.float32))
    big = const("big", np.array(1e4, dtype=np.float32))
    scale = const("scale", np.array(1.0 / np.sqrt(hd), dtype=np.float32))
    half = const("half", np.array(0.5, dtype=np.float32))
    rsqrt2 = const("rsqrt2", np.array(1.0 / np.sqrt(2.0), dtype=np.float32))

    # additive attention bias [B, 1, 1, L]: 0 for tokens, -1e4 for padding
    bias = node("Unsqueeze", [node("Mul", [node("Sub", ["mask", one]), big]), axes_12])
    x = layer_norm("embeds", "emb.ln")
    for i in range(cfg.layers):
        p = f"l{i}."
        heads = []
        for part in ("q", "k", "v"):
            y = linear(x, t[p + part + ".w"], t[p + part + ".b"], p + part)
            heads.append(node("Transpose", [node("Reshape", [y, shape_heads])], perm=[0, 2, 1, 3]))
        q, k, v = heads
        scores = node("Mul", [node("MatMul", [q, node("Transpose", [k], perm=[0, 1, 3, 2])]), scale])
        probs = node("Softmax", [node("Add", [scores, bias])], axis=-1)
        ctx = node("Reshape", [node("Transpose", [node("MatMul", [probs, v])], perm=[0, 2, 1, 3]), shape_hidden])
        x = layer_norm(node("Add", [x, linear(ctx, t[p + "ao.w"], t[p + "ao.b"], p + "ao")]), p + "aln")
        mid = linear(x, t[p + "fi.w"], t[p + "fi.b"], p + "fi")
        gelu = node("Mul", [node("Mul", [mid, half]), node("Add", [node("Erf", [node("Mul", [mid, rsqrt2])]), one])])
        x = layer_norm(node("Add", [x, linear(gelu, t[p + "fo.w"], t[p + "fo.b"], p + "fo")]), p + "oln")
    m3 = node("Unsqueeze", ["mask", axes_2])
    total = node("ReduceSum", [node("Mul", [x, m3]), axes_1], keepdims=0)
    count = node("ReduceSum", [m3, axes_1], keepdims=0)
    nodes.append(helper.make_node("Div", [total, count], ["pooled"], name="pooled"))

    graph = helper.make_graph(
        nodes,
        "e5_small_encoder",
        [
            helper.make_tensor_value_info("embeds", TensorProto.FLOAT, ["batch", "length", H]),
            helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["batch", "length"]),
        ],
        [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, ["batch", H])],
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="vn-policy-assistant")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def legacy_embedder(batch_size: int = 32):
    """An ``OnnxE5Embedder`` running the version-2 int8 graph on 2 threads, one batch at a time."""
    import onnxruntime as ort

    emb = onnx_e5.OnnxE5Embedder("int8", batch_size=batch_size, workers=1)
    blob = onnx_e5.quantize_int8(build_graph(load_checkpoint(default_model_path())))
    opts = ort.SessionOptions()  # as onnx_e5._session_options was: every fusion, no spinning
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.intra_op_num_threads, opts.inter_op_num_threads = 2, 1
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    opts.log_severity_level = 3
    emb._runner.session = ort.InferenceSession(blob, opts, providers=["CPUExecutionProvider"])
    emb.name = "onnx:multilingual-e5-small-q4-int8 (graph 2)"
    return emb
