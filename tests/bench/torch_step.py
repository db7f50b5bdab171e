"""PyTorch reference benchmark: wall time of one full-batch Adam training step.

Model (reference of 'Easing Optimization Paths: a Circuit Perspective'):
tied token embedding + positional embedding, RMS norm, a single-query
attention readout, one pre-norm GELU MLP block with residual, tied unembedding.
Task: predict the sum of the first k tokens mod p.

Each timed step = forward + cross-entropy + backward + Adam step, plus a
no_grad forward on a 128-sequence test set and loss.item() (the per-step
logging the real trainer does). Prints one JSON line with the median and mean
per-step wall time in milliseconds, the process's CPU time per step, and its
peak resident memory.

Run with Debian's Python (has torch):
    /usr/bin/python3 tests/bench/torch_step.py --steps 200 --warmup 20
"""
import argparse
import json
import math
import resource
import statistics
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

P_MOD, K_SUM, N_TEST = 4, 5, 128


def rms(z):
    return z / (z.pow(2).mean(-1, keepdim=True).sqrt() + 1e-5)


class Model(nn.Module):
    def __init__(self, vocab, T, d, h):
        super().__init__()
        self.d = d
        self.E = nn.Parameter(torch.randn(vocab, d))
        self.P = nn.Parameter(torch.randn(T, d))
        self.query = nn.Linear(d, 1, bias=False)
        self.value = nn.Linear(d, d, bias=False)
        self.fc1 = nn.Linear(d, h)
        self.fc2 = nn.Linear(h, d)

    def forward(self, x):
        zn = rms(self.E[x] + self.P)                                  # [n, T, d]
        scores = (zn @ self.query.weight.t()).squeeze(-1) / math.sqrt(self.d)
        a = scores.softmax(-1)                                        # [n, T]
        out = (a.unsqueeze(-1) * self.value(zn)).sum(1)               # [n, d]
        out = out + self.fc2(F.gelu(self.fc1(rms(out))))              # exact GELU
        return out @ self.E.t()                                       # [n, V]


def make_data(rng, n, T):
    x = rng.integers(0, P_MOD, size=(n, T), dtype=np.int64)
    y = x[:, :K_SUM].sum(1) % P_MOD
    return torch.from_numpy(x), torch.from_numpy(y)


def blas_library():
    """The BLAS this process loaded (Debian's torch uses whichever libblas alternative is installed)."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.lower()}
        return ", ".join(sorted(libs)) or "unknown"
    except OSError:
        return "unknown"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=2048)
    ap.add_argument("--T", type=int, default=12)
    ap.add_argument("--d", type=int, default=32)
    ap.add_argument("--h", type=int, default=128)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    x, y = make_data(rng, args.batch, args.T)
    x_test, y_test = make_data(rng, N_TEST, args.T)

    model = Model(P_MOD, args.T, args.d, args.h)
    n_params = sum(p.numel() for p in model.parameters())
    if (args.T, args.d, args.h) == (12, 32, 128):
        assert n_params == 9920, n_params
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        with torch.no_grad():
            F.cross_entropy(model(x_test), y_test).item()
        return loss.item()

    for _ in range(args.warmup):
        step()
    times = []
    cpu0 = time.process_time()
    for _ in range(args.steps):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1e3)
    cpu_ms = (time.process_time() - cpu0) * 1e3 / args.steps

    print(json.dumps({
        "blas": blas_library(),
        "ms_per_step": round(statistics.median(times), 4),
        "mean_ms": round(statistics.fmean(times), 4),
        "cpu_ms_per_step": round(cpu_ms, 4),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "steps": args.steps,
        "threads": args.threads,
        "torch": torch.__version__,
        "params": n_params,
    }))


if __name__ == "__main__":
    main()
