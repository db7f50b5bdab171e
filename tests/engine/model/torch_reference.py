"""
PyTorch reference for tests/engine/model/torch-parity.test.ts.

The model is the authors' (facebookresearch/pal, src/factorization/models/softmax_model.py),
restated here with the switches of our ModelConfig (untied unembedding, MLP without biases,
'normed' residual) and run in float64 so that it is a precise reference for our float32 engine.

Usage: /usr/bin/python3 torch_reference.py CASE_DIR [CASE_DIR ...]

Each CASE_DIR holds
    config.json   {"V", "T", "d", "h", "tiedUnembedding", "mlpBias", "residual", "params": [{name, shape, offset, size}]}
    params.npy    float32 [total], OUR flat layout (kernels [in, out])
    tokens.npy    int32 [n, T]
    targets.npy   int32 [n]
and receives (all float64)
    logits.npy [n, V], attention.npy [n, T], z_attn.npy [n, d], loss.npy [1],
    grads.npy [total]  the gradient of the loss w.r.t. every parameter, in OUR flat layout.
"""

import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DTYPE = torch.float64
RMS_EPS = 1e-5


class RMSNorm(nn.Module):
    def __init__(self, eps=RMS_EPS):
        super().__init__()
        self.eps = eps

    def forward(self, x):
        norm = (x**2).mean(dim=-1, keepdim=True).sqrt() + self.eps
        out = x / norm
        return out.type_as(x)


class SoftmaxLayer(nn.Module):
    def __init__(self, emb_dim):
        super().__init__()
        self.emb_dim = emb_dim
        self.query = nn.Linear(emb_dim, 1, bias=False)
        self.value = nn.Linear(emb_dim, emb_dim, bias=False)

    def forward(self, x):
        # x: [bsz, seq_len, emb_dim]
        query = self.query.weight
        key = x
        value = self.value(x)
        attn = query @ key.transpose(-1, -2) / math.sqrt(self.emb_dim)
        attn = F.softmax(attn, dim=-1)
        out = (attn @ value).squeeze(1)
        return out, attn.squeeze(1)


class FeedForward(nn.Module):
    def __init__(self, d, h, bias):
        super().__init__()
        self.fc1 = nn.Linear(d, h, bias=bias)
        self.fc2 = nn.Linear(h, d, bias=bias)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))  # exact (erf) GELU, F.gelu's default


class Model(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        V, T, d, h = cfg["V"], cfg["T"], cfg["d"], cfg["h"]
        self.residual = cfg["residual"]
        assert self.residual in ("raw", "normed"), self.residual
        self.token_emb = nn.Embedding(V, d)
        self.pos_emb = nn.Embedding(T, d)
        self.softmax = SoftmaxLayer(d)
        self.mlp = FeedForward(d, h, cfg["mlpBias"])
        self.output = nn.Linear(d, V, bias=False)
        if cfg["tiedUnembedding"]:
            self.output.weight = self.token_emb.weight
        self.norm1 = RMSNorm()
        self.norm2 = RMSNorm()

    def forward(self, x):
        out = self.token_emb(x) + self.pos_emb.weight
        z_attn, attn = self.softmax(self.norm1(out))
        normed = self.norm2(z_attn)
        base = z_attn if self.residual == "raw" else normed
        out = base + self.mlp(normed)
        logits = self.output(out)
        return logits, attn, z_attn


def torch_tensor_of(cfg, name):
    """The torch parameter holding our parameter `name`, and whether our layout is its transpose."""
    return {
        "token_embedding": ("token_emb.weight", False),
        "position_embedding": ("pos_emb.weight", False),
        "attention.query": ("softmax.query.weight", True),
        "attention.value": ("softmax.value.weight", True),
        "mlp.fc1.kernel": ("mlp.fc1.weight", True),
        "mlp.fc1.bias": ("mlp.fc1.bias", False),
        "mlp.fc2.kernel": ("mlp.fc2.weight", True),
        "mlp.fc2.bias": ("mlp.fc2.bias", False),
        "unembedding": ("output.weight", True),
    }[name]


def run_case(case_dir):
    with open(os.path.join(case_dir, "config.json")) as f:
        cfg = json.load(f)
    flat = np.load(os.path.join(case_dir, "params.npy")).astype(np.float64)
    tokens = np.load(os.path.join(case_dir, "tokens.npy")).astype(np.int64)
    targets = np.load(os.path.join(case_dir, "targets.npy")).astype(np.int64)

    model = Model(cfg).to(DTYPE)
    named = dict(model.named_parameters())  # a tied weight appears once, as token_emb.weight
    expected = {n: tuple(p.shape) for n, p in named.items()}
    loaded = set()
    with torch.no_grad():
        for spec in cfg["params"]:
            tname, transpose = torch_tensor_of(cfg, spec["name"])
            ours = flat[spec["offset"] : spec["offset"] + spec["size"]].reshape(spec["shape"])
            value = torch.from_numpy(np.ascontiguousarray(ours.T if transpose else ours))
            if tuple(value.shape) != expected[tname]:
                raise SystemExit(f"{spec['name']}: our shape {spec['shape']} does not map onto torch {tname} {expected[tname]}")
            named[tname].copy_(value)
            loaded.add(tname)
    missing = set(named) - loaded
    if missing:
        raise SystemExit(f"torch parameters not set from our layout: {sorted(missing)}")

    x = torch.from_numpy(tokens)
    y = torch.from_numpy(targets)
    logits, attn, z_attn = model(x)
    loss = F.cross_entropy(logits, y)
    model.zero_grad()
    loss.backward()

    grads = np.zeros(flat.shape[0], dtype=np.float64)
    for spec in cfg["params"]:
        tname, transpose = torch_tensor_of(cfg, spec["name"])
        g = named[tname].grad.detach().numpy()
        grads[spec["offset"] : spec["offset"] + spec["size"]] = (g.T if transpose else g).reshape(-1)

    def save(name, t):
        arr = t.detach().numpy() if isinstance(t, torch.Tensor) else t
        np.save(os.path.join(case_dir, name), np.ascontiguousarray(arr, dtype=np.float64))

    save("logits.npy", logits)
    save("attention.npy", attn)
    save("z_attn.npy", z_attn)
    save("loss.npy", loss.reshape(1))
    save("grads.npy", grads)


def main(argv):
    if len(argv) < 2:
        raise SystemExit(__doc__)
    torch.set_grad_enabled(True)
    for case_dir in argv[1:]:
        run_case(case_dir)
    print(f"torch {torch.__version__}: {len(argv) - 1} case(s) done")


if __name__ == "__main__":
    main(sys.argv)
