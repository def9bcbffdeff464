"""Embedding speed experiments of issue 16, A/B in one process, rounds interleaved:

1. a graph written with ONNX Runtime's fused contrib ops (``Attention`` -> ``QAttention`` after
   dynamic quantisation, ``BiasGelu``, ``SkipLayerNormalization``) against today's int8 graph,
   with the cosine of both to the float32 graph;
2. ingest chunks embedded in length order (what ``embed_in_chunks`` now does) against file order;
3. ONNX Runtime's intra-op threads (1 or 2) and ``session.intra_op.allow_spinning`` (0 or 1) on the
   default int8 graph, each setting its own session, rounds interleaved in rotating order.

    .venv/bin/python bench/embed_experiments.py [--rounds 4] [--only fused,length,threads]

Prints the per-round ratios (robust to load that changes between rounds); not written to
RESULTS.md automatically (see the "embed_experiments" section there).
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

DATA = ROOT.parent / "shared" / "data"



def build_graph_fused(ckpt):
    """multilingual-e5-small with ORT's fused contrib ops (same weights as onnx_e5.build_graph)."""
    from onnx import TensorProto, helper, numpy_helper
    cfg = ckpt.config; t = ckpt.tensors
    H, nh = cfg.hidden, cfg.heads
    inits, nodes = [], []
    counter = [0]
    def const(name, value):
        inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name)); return name
    def node(op, inputs, domain="", **attrs):
        counter[0] += 1
        out = f"{op.lower()}_{counter[0]}"
        nodes.append(helper.make_node(op, inputs, [out], name=out, domain=domain, **attrs)); return out
    f32 = lambda a: a.astype(np.float32)
    mask_i = node("Cast", ["mask"], to=TensorProto.INT32)
    x = node("LayerNormalization", ["embeds", const("emb.ln.w", t["emb.ln.w"]), const("emb.ln.b", t["emb.ln.b"])], axis=-1, epsilon=cfg.eps)
    for i in range(cfg.layers):
        p = f"l{i}."
        wqkv = np.concatenate([t[p+"q.w"].T, t[p+"k.w"].T, t[p+"v.w"].T], axis=1)
        bqkv = np.concatenate([t[p+"q.b"], t[p+"k.b"], t[p+"v.b"]])
        att = node("Attention", [x, const(p+"qkv.w", f32(wqkv)), const(p+"qkv.b", f32(bqkv)), mask_i], domain="com.microsoft", num_heads=nh)
        ao = node("MatMul", [att, const(p+"ao.w", f32(t[p+"ao.w"].T))])
        x = node("SkipLayerNormalization", [ao, x, const(p+"aln.w", t[p+"aln.w"]), const(p+"aln.b", t[p+"aln.b"]), const(p+"ao.b", f32(t[p+"ao.b"]))], domain="com.microsoft", epsilon=cfg.eps)
        mid = node("MatMul", [x, const(p+"fi.w", f32(t[p+"fi.w"].T))])
        g = node("BiasGelu", [mid, const(p+"fi.b", f32(t[p+"fi.b"]))], domain="com.microsoft")
        fo = node("MatMul", [g, const(p+"fo.w", f32(t[p+"fo.w"].T))])
        x = node("SkipLayerNormalization", [fo, x, const(p+"oln.w", t[p+"oln.w"]), const(p+"oln.b", t[p+"oln.b"]), const(p+"fo.b", f32(t[p+"fo.b"]))], domain="com.microsoft", epsilon=cfg.eps)
    axes_1 = const("axes_1", np.array([1], dtype=np.int64)); axes_2 = const("axes_2", np.array([2], dtype=np.int64))
    m3 = node("Unsqueeze", ["mask", axes_2])
    total = node("ReduceSum", [node("Mul", [x, m3]), axes_1], keepdims=0)
    count = node("ReduceSum", [m3, axes_1], keepdims=0)
    nodes.append(helper.make_node("Div", [total, count], ["pooled"], name="pooled"))
    graph = helper.make_graph(nodes, "e5_small_encoder_fused",
        [helper.make_tensor_value_info("embeds", TensorProto.FLOAT, ["batch", "length", H]),
         helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["batch", "length"])],
        [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, ["batch", H])], initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)], producer_name="vn-policy-assistant")
    model.ir_version = 8
    return model


def _cos(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    x = x / np.linalg.norm(x, axis=1, keepdims=True)
    y = y / np.linalg.norm(y, axis=1, keepdims=True)
    return (x * y).sum(1)


def fused_vs_current(rounds: int) -> None:
    import onnx
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from assistant.embeddings import onnx_e5
    from assistant.embeddings.e5_weights import default_model_path, load_checkpoint

    ck = load_checkpoint(default_model_path(), layers=True)
    tmp = Path(tempfile.mkdtemp())
    onnx.save(build_graph_fused(ck), tmp / "f.onnx")
    logging.getLogger().setLevel(logging.ERROR)
    quantize_dynamic(tmp / "f.onnx", tmp / "f8.onnx", weight_type=QuantType.QInt8, per_channel=True,
                     op_types_to_quantize=["MatMul", "Attention"],
                     extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})  # fmt: skip
    cache = Path.home() / ".cache" / "vn-policy-assistant"
    base = onnx_e5.OnnxE5Runner("int8", cache_dir=cache)
    fused = onnx_e5.OnnxE5Runner("int8", cache_dir=cache)
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.intra_op_num_threads, opts.inter_op_num_threads = 2, 1
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    opts.log_severity_level = 3
    fused.session = ort.InferenceSession(str(tmp / "f8.onnx"), opts, providers=["CPUExecutionProvider"])
    fp = onnx_e5.OnnxE5Runner("fp32", cache_dir=cache)
    texts = [json.loads(line)["text"] for line in open(DATA / "uit_regulation_qa" / "passages.jsonl", encoding="utf-8")][:64]
    a, b, c = base.embed(texts, False), fused.embed(texts, False), fp.embed(texts, False)
    print(f"cosine to fp32: current int8 {_cos(a, c).min():.4f} / {_cos(a, c).mean():.4f}, fused int8 "
          f"{_cos(b, c).min():.4f} / {_cos(b, c).mean():.4f} (min / mean)")  # fmt: skip
    ta, tb = [], []
    for r in range(rounds):
        chunk = texts[(r * 16) % 48 : (r * 16) % 48 + 32]
        for run, ts in ((base, ta), (fused, tb))[:: (1 if r % 2 else -1)]:
            time.sleep(0.3)
            t = time.perf_counter()
            run.embed(chunk, False)
            ts.append(time.perf_counter() - t)
    print(f"fused graph speed-up vs current (median per-round ratio): {statistics.median([x / y for x, y in zip(ta, tb)]):.2f}")


def length_order(rounds: int) -> None:
    from assistant.chunking import chunk_document
    from assistant.embeddings import make_embedder
    from assistant.ingest import _read_documents, embedding_text
    from assistant.settings import Settings

    e = make_embedder(Settings())
    texts: list[str] = []
    for f in sorted((DATA / "vlc_laws").glob("*.txt"))[:3]:
        for d in _read_documents(f, Settings()):
            texts += [embedding_text(d, p, True) for p in chunk_document(d)]
    random.Random(0).shuffle(texts)
    texts = texts[:256]
    e.embed_passages(texts[:8])
    ta, tb = [], []
    for r in range(rounds):
        chunk = texts[(r % 2) * 128 : (r % 2) * 128 + 128]
        for name in ["plain", "sorted"] if r % 2 else ["sorted", "plain"]:
            batch = chunk if name == "plain" else sorted(chunk, key=len)
            time.sleep(0.3)
            t = time.perf_counter()
            e.embed_passages(batch)
            (ta if name == "plain" else tb).append(time.perf_counter() - t)
    print(f"length-ordered chunk speed-up vs file order (median per-round ratio): {statistics.median([a / b for a, b in zip(ta, tb)]):.2f}")


def threads_and_spinning(rounds: int) -> None:
    """Passages/s of the default int8 graph per (intra-op threads, allow_spinning), same texts."""
    import onnxruntime as ort

    from assistant.embeddings import onnx_e5
    from assistant.embeddings.e5_weights import default_model_path
    from assistant.settings import Settings

    cache = Settings().model_cache_path
    runner = onnx_e5.OnnxE5Runner("int8", cache_dir=cache)  # builds and caches the graph if needed
    graph = onnx_e5.find_cached(cache, onnx_e5.cache_key(default_model_path(), "int8"), "int8")
    settings = [(1, "0"), (2, "0"), (1, "1"), (2, "1")]
    sessions = {}
    for threads, spin in settings:
        opts = onnx_e5._session_options(threads)
        opts.add_session_config_entry("session.intra_op.allow_spinning", spin)
        sessions[(threads, spin)] = ort.InferenceSession(str(graph), opts, providers=["CPUExecutionProvider"])
    texts = [json.loads(line)["text"] for line in open(DATA / "uit_regulation_qa" / "passages.jsonl", encoding="utf-8")]
    runner.session = sessions[(2, "0")]
    reference = runner.embed(texts[:32], False)
    times: dict[tuple[int, str], list[float]] = {k: [] for k in settings}
    for r in range(rounds):
        chunk = texts[(r * 32) % 96 : (r * 32) % 96 + 32]
        order = settings[r % 4 :] + settings[: r % 4]
        for key in order:
            runner.session = sessions[key]
            time.sleep(0.3)
            t = time.perf_counter()
            runner.embed(chunk, False)
            times[key].append(time.perf_counter() - t)
    runner.session = sessions[(1, "1")]
    assert np.allclose(runner.embed(texts[:32], False), reference, atol=1e-5)  # settings change speed only
    base = times[(2, "0")]
    for key in settings:
        ratio = statistics.median([b / x for b, x in zip(base, times[key])])
        rate = statistics.median([32 / x for x in times[key]])
        print(f"intra-op threads {key[0]}, allow_spinning {key[1]}: {rate:.1f} passages/s (median), "
              f"speed vs 2 threads / no spinning (median per-round ratio) {ratio:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--only", default="fused,length,threads")
    args = ap.parse_args()
    only = set(args.only.split(","))
    if "fused" in only:
        fused_vs_current(args.rounds)
    if "length" in only:
        length_order(args.rounds)
    if "threads" in only:
        threads_and_spinning(args.rounds)


if __name__ == "__main__":
    main()
