#!/usr/bin/env python3
"""The PyTorch twin of simdnet's training presets, for the head-to-head rows of BENCHMARKS.md.

    python3 benchmarks/pytorch_twin.py --preset fast --data-dir ../shared/data/mnist --threads 2 --seed 1

Trains the same network as `simdnet train --preset fast|lenet` (trainer/.../model/Models.java, TrainConfig.preset):
the same layers and sizes, the same init family (He-normal for conv/linear before a ReLU, Glorot-uniform where
simdnet uses it, zero biases, batch norm gamma=1 beta=0 momentum 0.1 eps 1e-5), the same optimizer (SGD Nesterov
momentum 0.9 with L2 weight decay on conv/linear weights only; AdamW for lenet), the one-cycle schedule with
simdnet's own formula (linear warm-up from lr/25, cosine anneal to lr/25/1e4, i/(n-1) fractions), the same batch,
the same number of steps (epochs x floor(train/batch), the last partial batch dropped), a stratified validation
hold-out of the same size, label smoothing and the MNIST normalization. It prints one JSON line like simdnet's:
train_seconds counts the steps and the per-epoch validation passes (not the data loading), as simdnet's does.
Only torch and numpy are needed; the IDX files are read directly (gzip or raw).
"""
import argparse
import gzip
import json
import math
import os
import platform
import struct
import sys
import time

import numpy as np

PRESETS = {
    # name: (model, epochs, batch, lr, optimizer, weight_decay, warmup, label_smoothing)
    "fast": ("fast", 0.9, 128, 0.2, "sgd", 5e-3, 0.25, 0.05),
    "lenet": ("lenet", 1.0, 64, 3e-3, "adam", 0.0, 0.2, 0.0),
}
MEAN, STD = 0.1307, 0.3081


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def find(data_dir, stem):
    for name in (stem + ".gz", stem):
        p = os.path.join(data_dir, name)
        if os.path.exists(p):
            return p
    sys.exit(f"pytorch_twin: {stem}(.gz) not found in {data_dir}: pass --data-dir with the four MNIST IDX files")


def stratified_holdout(labels, size, rng):
    """Holds out `size` indices, each class's share proportional to its count (the same rule as simdnet's Splits)."""
    by_class = [rng.permutation(np.flatnonzero(labels == c)) for c in range(10)]
    shares = [len(b) * size / len(labels) for b in by_class]
    take = [int(math.floor(s)) for s in shares]
    for c in sorted(range(10), key=lambda c: -(shares[c] - take[c]))[: size - sum(take)]:
        take[c] += 1
    val = np.concatenate([b[:t] for b, t in zip(by_class, take)])
    train = np.concatenate([b[t:] for b, t in zip(by_class, take)])
    return train, val


def one_cycle(max_lr, warmup_fraction, step, total, initial_div=25.0, final_div=1e4):
    start = max_lr / initial_div
    end = start / final_div
    warmup = round(warmup_fraction * total)
    frac = lambda i, n: 1.0 if n <= 1 else min(1.0, i / (n - 1))
    if step < warmup:
        return start + (max_lr - start) * frac(step, warmup)
    t = frac(step - warmup, total - warmup)
    return end + (max_lr - end) * 0.5 * (1 + math.cos(math.pi * t))


def build(torch, model):
    nn = torch.nn

    def he(m):
        nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
        nn.init.zeros_(m.bias)
        return m

    def glorot(m):
        nn.init.xavier_uniform_(m.weight)
        nn.init.zeros_(m.bias)
        return m

    if model == "fast":
        layers = []
        for cin, cout in ((1, 16), (16, 32), (32, 64)):
            layers += [he(nn.Conv2d(cin, cout, 3, 1, 1)), nn.BatchNorm2d(cout, eps=1e-5, momentum=0.1), nn.ReLU(),
                       nn.MaxPool2d(2, 2)]
        layers += [nn.Flatten(), he(nn.Linear(64 * 3 * 3, 10))]
        return nn.Sequential(*layers)
    if model == "lenet":
        return nn.Sequential(glorot(nn.Conv2d(1, 20, 5)), nn.MaxPool2d(2, 2), glorot(nn.Conv2d(20, 50, 5)),
                             nn.MaxPool2d(2, 2), nn.Flatten(), glorot(nn.Linear(50 * 4 * 4, 500)), nn.ReLU(),
                             glorot(nn.Linear(500, 10)))
    raise ValueError(model)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", choices=sorted(PRESETS), default="fast")
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--validation", type=int, default=5000)
    args = ap.parse_args()
    try:
        import torch
    except ImportError:
        sys.exit("pytorch_twin: torch is not installed (pip install torch); the PyTorch rows are skipped")
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    model, epochs, batch, lr, opt_kind, wd, warmup, smoothing = PRESETS[args.preset]

    t_load = time.perf_counter()
    x = read_idx(find(args.data_dir, "train-images-idx3-ubyte")).astype(np.float32) / 255.0
    y = read_idx(find(args.data_dir, "train-labels-idx1-ubyte")).astype(np.int64)
    xt = read_idx(find(args.data_dir, "t10k-images-idx3-ubyte")).astype(np.float32) / 255.0
    yt = read_idx(find(args.data_dir, "t10k-labels-idx1-ubyte")).astype(np.int64)
    norm = lambda a: torch.from_numpy(((a - MEAN) / STD)[:, None, :, :].copy())
    train_idx, val_idx = stratified_holdout(y, args.validation, rng)
    X, Y, XT, YT = norm(x), torch.from_numpy(y), norm(xt), torch.from_numpy(yt)
    load_seconds = time.perf_counter() - t_load

    net = build(torch, model)
    decay = [p for n, p in net.named_parameters() if n.endswith("weight") and p.dim() > 1]
    no_decay = [p for n, p in net.named_parameters() if not (n.endswith("weight") and p.dim() > 1)]
    groups = [{"params": decay, "weight_decay": wd}, {"params": no_decay, "weight_decay": 0.0}]
    opt = (torch.optim.SGD(groups, lr=lr, momentum=0.9, nesterov=True) if opt_kind == "sgd"
           else torch.optim.AdamW(groups, lr=lr, betas=(0.9, 0.999), eps=1e-8))
    loss_fn = torch.nn.CrossEntropyLoss(label_smoothing=smoothing)
    steps_per_epoch = len(train_idx) // batch
    total = max(1, round(epochs * steps_per_epoch))

    def accuracy(xs, ys):
        net.eval()
        with torch.no_grad():
            hits = sum(int((net(xs[i:i + 1000]).argmax(1) == ys[i:i + 1000]).sum()) for i in range(0, len(xs), 1000))
        net.train()
        return hits / len(xs)

    val_x, val_y = X[val_idx], Y[val_idx]
    start = time.perf_counter()
    step, val_acc = 0, None
    while step < total:
        order = torch.from_numpy(train_idx[rng.permutation(len(train_idx))])
        for b in range(steps_per_epoch):
            if step >= total:
                break
            for g in opt.param_groups:
                g["lr"] = one_cycle(lr, warmup, step, total)
            idx = order[b * batch:(b + 1) * batch]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(X[idx]), Y[idx])
            loss.backward()
            opt.step()
            step += 1
        val_acc = accuracy(val_x, val_y)
    train_seconds = time.perf_counter() - start
    test_acc = accuracy(XT, YT)
    print(json.dumps({"framework": "pytorch", "torch": torch.__version__, "preset": args.preset, "seed": args.seed,
                      "threads": args.threads, "steps": total, "train_seconds": round(train_seconds, 3),
                      "load_seconds": round(load_seconds, 3), "validation_accuracy": round(val_acc, 4),
                      "test_accuracy": round(test_acc, 4), "python": platform.python_version()}))


if __name__ == "__main__":
    main()
