#!/usr/bin/env python3
"""The PyTorch fixture of simdnet's ONNX import, and an onnxruntime check of simdnet's ONNX export.

Make the fixture (needs torch 2.x, numpy; onnx and onnxruntime optional but used when present; no internet):

    python3 benchmarks/onnx/make_torch_fixture.py --mnist ../shared/data/mnist --out OUTDIR

trains a small CNN (Conv, BatchNorm, ReLU, MaxPool, Flatten, Linear; the input normalization inside the model) for
one epoch on MNIST, exports it with both of torch.onnx.export's exporters (the TorchScript one, dynamo=False, at
opset 13, and the dynamo one, dynamo=True, at opset 18, with and without its optimizer; the dynamo exporter needs
onnxscript; one failing is reported and the others still written), and writes PyTorch's own probabilities on the
first 1,000 MNIST test images. OUTDIR then holds

    torch_legacy.onnx          the TorchScript exporter's file (batch norm folded into the convolutions by it)
    torch_dynamo.onnx          the dynamo exporter's file, optimized (batch norm folded, Reshape for the flatten)
    torch_dynamo_unoptimized.onnx  the dynamo exporter's file with optimize=False (BatchNormalization nodes kept)
    torch_probabilities.bin    float32 little-endian, 1000 rows x 10 classes: softmax of PyTorch's logits
    manifest.json              versions, the architecture, training accuracy, the operators in each file, and
                               onnxruntime's agreement with PyTorch on each file (when onnxruntime is installed)

all together about 400 KB. Copy them into trainer/src/test/resources/dev/simdnet/onnx/torch/ of the simdnet
checkout; OnnxTorchFixtureTest reads them from there.

Check simdnet's exports with onnxruntime (Python), against the probabilities simdnet wrote beside each file:

    python3 benchmarks/onnx/make_torch_fixture.py --mnist ../shared/data/mnist --check A.onnx B.onnx ...

reads A.onnx.probabilities.bin (float32 little-endian, 1000 x classes, simdnet's probabilities on the first 1,000
MNIST test images, written by `OnnxReference` in simdnet's tests) and prints, for each file, the images with another
top class and the largest probability difference; exit code 1 when any file has a disagreement or a difference
above 1e-4.

The MNIST folder holds the four IDX files exactly as simdnet's data folder has them:
train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz.
Pixels are fed as float32 in [0, 1] (byte / 255), shaped [N, 1, 28, 28], as simdnet feeds them.
"""

import argparse
import gzip
import json
import os
import struct
import sys
import time
from collections import Counter

import numpy as np

N_REFERENCE = 1000
TOLERANCE = 1e-4
MEAN, STD = 0.1307, 0.3081


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_mnist(d):
    def p(name):
        path = os.path.join(d, name)
        if not os.path.exists(path):
            sys.exit("error: %s not found: --mnist must name the folder holding the four MNIST .gz files" % path)
        return path
    xtr = read_idx(p("train-images-idx3-ubyte.gz")).astype(np.float32) / 255.0
    ytr = read_idx(p("train-labels-idx1-ubyte.gz")).astype(np.int64)
    xte = read_idx(p("t10k-images-idx3-ubyte.gz")).astype(np.float32) / 255.0
    yte = read_idx(p("t10k-labels-idx1-ubyte.gz")).astype(np.int64)
    return xtr[:, None], ytr, xte[:, None], yte


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def operators(path):
    try:
        import onnx
    except ImportError:
        return None
    m = onnx.load(path)
    return {"opsets": {(o.domain or "ai.onnx"): o.version for o in m.opset_import},
            "ir_version": m.ir_version,
            "operators": dict(Counter(n.op_type for n in m.graph.node)),
            "inputs": [i.name for i in m.graph.input if i.name not in {t.name for t in m.graph.initializer}],
            "outputs": [o.name for o in m.graph.output]}


def inline_external_data(path):
    """Puts weights an exporter wrote into a side file back inside the .onnx file, so the fixture is one file."""
    try:
        import onnx
    except ImportError:
        return
    side = [f for f in os.listdir(os.path.dirname(path) or ".") if f.startswith(os.path.basename(path) + ".") and f.endswith("data")]
    m = onnx.load(path, load_external_data=True)
    if side or any(t.data_location == onnx.TensorProto.EXTERNAL for t in m.graph.initializer):
        for t in m.graph.initializer:
            if t.data_location == onnx.TensorProto.EXTERNAL:
                t.data_location = onnx.TensorProto.DEFAULT
                del t.external_data[:]
        onnx.save_model(m, path, save_as_external_data=False)
        for f in side:
            os.remove(os.path.join(os.path.dirname(path) or ".", f))


def ort_probabilities(path, x):
    import onnxruntime as ort
    opts = ort.SessionOptions()
    s = ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
    inp = s.get_inputs()[0]
    names = [o.name for o in s.get_outputs()]
    # A model exported with a static batch takes exactly that many images a run.
    step = inp.shape[0] if isinstance(inp.shape[0], int) and inp.shape[0] > 0 else len(x)
    rows = []
    for i in range(0, len(x), step):
        outs = s.run(None, {inp.name: x[i:i + step]})
        if "probabilities" in names:
            rows.append(outs[names.index("probabilities")])
        else:
            rows.append(softmax(outs[0].astype(np.float64)).astype(np.float32))
    return np.concatenate(rows)


def compare(probs, ref):
    top = int((probs.argmax(1) != ref.argmax(1)).sum())
    diff = float(np.abs(probs.astype(np.float64) - ref.astype(np.float64)).max())
    return top, diff


def make_fixture(args):
    try:
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
    except ImportError:
        sys.exit("error: making the fixture needs torch 2.x (and numpy; onnx and onnxruntime are used when present)")

    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    xtr, ytr, xte, yte = load_mnist(args.mnist)

    class SmallCnn(nn.Module):
        """Two conv-bn-relu-pool blocks, then two dense layers; the normalization is the model's first step."""

        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 8, 3, padding=1)
            self.bn1 = nn.BatchNorm2d(8)
            self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
            self.bn2 = nn.BatchNorm2d(16)
            self.pool = nn.MaxPool2d(2)
            self.fc1 = nn.Linear(16 * 7 * 7, 32)
            self.fc2 = nn.Linear(32, 10)

        def forward(self, x):
            x = (x - MEAN) / STD
            x = self.pool(F.relu(self.bn1(self.conv1(x))))
            x = self.pool(F.relu(self.bn2(self.conv2(x))))
            x = torch.flatten(x, 1)
            x = F.relu(self.fc1(x))
            return self.fc2(x)

    model = SmallCnn()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    xt, yt = torch.from_numpy(xtr), torch.from_numpy(ytr)
    t0 = time.time()
    model.train()
    for epoch in range(args.epochs):
        perm = torch.randperm(len(xt))
        for i in range(0, len(xt), args.batch):
            idx = perm[i:i + args.batch]
            opt.zero_grad()
            loss = F.cross_entropy(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
        print("epoch %d done, last loss %.4f, %.1f s" % (epoch + 1, loss.item(), time.time() - t0), file=sys.stderr)
    model.eval()
    with torch.no_grad():
        test_logits = torch.cat([model(torch.from_numpy(xte[i:i + 1000])) for i in range(0, len(xte), 1000)])
        acc = float((test_logits.argmax(1).numpy() == yte).mean())
        ref_x = np.ascontiguousarray(xte[:N_REFERENCE])
        ref = torch.softmax(model(torch.from_numpy(ref_x)), dim=1).numpy().astype("<f4")
    ref.tofile(os.path.join(args.out, "torch_probabilities.bin"))
    print("test accuracy %.4f; probabilities of the first %d test images written" % (acc, N_REFERENCE), file=sys.stderr)

    manifest = {"torch": torch.__version__, "numpy": np.__version__, "seed": args.seed, "epochs": args.epochs,
                "threads": args.threads, "train_seconds": round(time.time() - t0, 1), "test_accuracy": acc,
                "architecture": "(x - %s) / %s; conv3x3 1->8, bn, relu, maxpool2; conv3x3 8->16, bn, relu, maxpool2; "
                                "flatten; linear 784->32, relu; linear 32->10 (logits)" % (MEAN, STD),
                "reference": {"file": "torch_probabilities.bin", "dtype": "float32 little-endian", "shape": [N_REFERENCE, 10],
                              "images": "the first %d MNIST test images, byte / 255, [N, 1, 28, 28]" % N_REFERENCE,
                              "what": "softmax of PyTorch's logits, model in eval mode"},
                "exports": {}}
    try:
        import onnx
        manifest["onnx"] = onnx.__version__
    except ImportError:
        pass
    try:
        import onnxruntime
        manifest["onnxruntime"] = onnxruntime.__version__
    except ImportError:
        pass

    dummy = torch.from_numpy(ref_x[:2])
    for kind in ("legacy", "dynamo", "dynamo_unoptimized"):
        path = os.path.join(args.out, "torch_%s.onnx" % kind)
        entry = {"file": os.path.basename(path)}
        try:
            if kind == "legacy":
                entry["opset_requested"] = 13
                kwargs = dict(input_names=["input"], output_names=["logits"], opset_version=13,
                              dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}}, do_constant_folding=True)
                try:
                    torch.onnx.export(model, (dummy,), path, dynamo=False, **kwargs)
                except TypeError:  # torch before 2.5 has no dynamo argument: its export is the TorchScript one
                    torch.onnx.export(model, (dummy,), path, **kwargs)
            else:
                entry["opset_requested"] = 18

                def dynamo(**extra):
                    kwargs = dict(input_names=["input"], output_names=["logits"], opset_version=18, **extra)
                    if kind == "dynamo_unoptimized":  # without onnxscript's optimizer: BatchNormalization nodes stay
                        kwargs["optimize"] = False
                    try:
                        torch.onnx.export(model, (dummy,), path, dynamo=True, external_data=False, **kwargs)
                    except TypeError:  # a torch without the external_data argument
                        torch.onnx.export(model, (dummy,), path, dynamo=True, **kwargs)
                try:
                    dynamo(dynamic_shapes={"x": {0: torch.export.Dim("N", max=4096)}})
                    entry["dynamic_batch"] = True
                except Exception as e:  # some torch versions refuse the dynamic batch: a static one still tests the import
                    print("dynamo exporter with a dynamic batch failed (%s: %s); exporting with a static batch of %d"
                          % (type(e).__name__, str(e).splitlines()[0] if str(e) else "", len(dummy)), file=sys.stderr)
                    entry["dynamic_batch_error"] = "%s: %s" % (type(e).__name__, str(e).splitlines()[0] if str(e) else "")
                    dynamo()
                    entry["dynamic_batch"] = False
            inline_external_data(path)
            entry["bytes"] = os.path.getsize(path)
            ops = operators(path)
            if ops:
                entry.update(ops)
            try:
                top, diff = compare(ort_probabilities(path, ref_x), ref)
                entry["onnxruntime_vs_torch"] = {"top_class_disagreements": top, "max_abs_probability_diff": diff}
            except ImportError:
                pass
            print("%s exporter: %s, %d bytes, %s" % (kind, path, entry["bytes"], entry.get("operators")), file=sys.stderr)
        except Exception as e:  # tolerate one exporter failing: the other's file is still made
            entry["error"] = "%s: %s" % (type(e).__name__, str(e).splitlines()[0] if str(e) else "")
            print("%s exporter FAILED: %s" % (kind, entry["error"]), file=sys.stderr)
            if os.path.exists(path):
                os.remove(path)
        manifest["exports"][kind] = entry
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
    made = [k for k, e in manifest["exports"].items() if "error" not in e]
    print(json.dumps({"out": args.out, "made": made, "test_accuracy": acc}))
    return 0 if made else 1


def check(args):
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        sys.exit("error: --check needs onnxruntime (pip install onnxruntime)")
    _, _, xte, _ = load_mnist(args.mnist)
    x = np.ascontiguousarray(xte[:N_REFERENCE])
    failed = 0
    for path in args.check:
        ref_path = path + ".probabilities.bin"
        if not os.path.exists(ref_path):
            print("%s: no %s beside it (written by simdnet's OnnxReference)" % (path, ref_path))
            failed += 1
            continue
        ref = np.fromfile(ref_path, dtype="<f4")
        ref = ref.reshape(N_REFERENCE, -1)
        top, diff = compare(ort_probabilities(path, x), ref)
        ok = top == 0 and diff <= TOLERANCE
        failed += 0 if ok else 1
        print(json.dumps({"file": path, "images": N_REFERENCE, "top_class_disagreements": top,
                          "max_abs_probability_diff": diff, "ok": ok}))
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mnist", required=True, help="folder with the four MNIST IDX .gz files")
    ap.add_argument("--out", help="folder to write the fixture into")
    ap.add_argument("--check", nargs="+", metavar="FILE.onnx", help="check simdnet-exported files with onnxruntime instead")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if args.check:
        return check(args)
    if not args.out:
        ap.error("name --out OUTDIR (make the fixture) or --check FILE.onnx ... (check exports)")
    return make_fixture(args)


if __name__ == "__main__":
    sys.exit(main())
