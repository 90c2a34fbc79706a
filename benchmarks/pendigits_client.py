"""Reads real pen-written digits (../shared/data/pendigits, UNIPEN) through a running server's /api/predict.

Each digit's strokes are flipped (the tablet's y points up), scaled so the longer side of the digit spans
70% of a 280 x 280 canvas, centred, and sent as {"strokes": ..., "canvas": [280, 280]}: the same drawing the
browser tests replay as pointer events. Prints one JSON line: total, correct, accuracy, per-class accuracy.
"""
import argparse
import json
import sys
import time
import urllib.request

CANVAS = 280
SPAN = 0.7


def read_unipen(path, with_writer=False):
    """[(label, [[(x, y), ...], ...]), ...] in file order; (label, strokes, writer) with_writer."""
    digits, label, strokes, stroke, writer = [], None, [], None, None
    def done():
        digits.append((label, strokes, writer) if with_writer else (label, strokes))
    with open(path) as f:
        for line in f:
            t = line.split()
            if not t:
                continue
            if t[0] == ".SEGMENT":
                if label is not None:
                    done()
                label, strokes = int(t[-1].strip('"')), []
            elif t[0] == ".COMMENT" and len(t) >= 4:
                writer = int(t[2])
            elif t[0] == ".PEN_DOWN":
                stroke = []
            elif t[0] == ".PEN_UP":
                if stroke:
                    strokes.append(stroke)
                stroke = None
            elif stroke is not None and not t[0].startswith("."):
                stroke.append((float(t[0]), float(t[1])))
    if label is not None:
        done()
    return digits


def to_canvas(strokes):
    xs = [p[0] for s in strokes for p in s]
    ys = [p[1] for s in strokes for p in s]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    scale = SPAN * CANVAS / max(x1 - x0, y1 - y0, 1.0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return [[[round(CANVAS / 2 + (x - cx) * scale, 1), round(CANVAS / 2 - (y - cy) * scale, 1)] for x, y in s] for s in strokes]


def pick(digits, per_class):
    """The first per_class digits of each class (all of them if per_class is 0)."""
    if per_class <= 0:
        return digits
    seen, out = {}, []
    for d in digits:
        if seen.get(d[0], 0) < per_class:
            seen[d[0]] = seen.get(d[0], 0) + 1
            out.append(d)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="http://127.0.0.1:8080")
    ap.add_argument("--data", default="../shared/data/pendigits/pendigits-train.unipen")
    ap.add_argument("--per-class", type=int, default=0, help="digits per class (0: all 7,494)")
    ap.add_argument("--model", default=None)
    ap.add_argument("--writers", default=None, help="only these writers, FROM-TO (e.g. 23-30)")
    ap.add_argument("--details", default=None, help="write one JSON line per digit here: writer, label, digit")
    a = ap.parse_args()
    all_digits = read_unipen(a.data, with_writer=True)
    if a.writers:
        lo, _, hi = a.writers.partition("-")
        lo, hi = int(lo), int(hi or lo)
        all_digits = [d for d in all_digits if lo <= d[2] <= hi]
    digits = pick(all_digits, a.per_class)
    details = open(a.details, "w") if a.details else None
    correct, per = 0, {c: [0, 0] for c in range(10)}
    start = time.time()
    for label, strokes, writer in digits:
        body = {"strokes": to_canvas(strokes), "canvas": [CANVAS, CANVAS]}
        if a.model:
            body["model"] = a.model
        req = urllib.request.Request(a.url + "/api/predict", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req) as r:
            ans = json.load(r)
        ok = ans.get("digit") == label
        if details:
            details.write(json.dumps({"writer": writer, "label": label, "digit": ans.get("digit")}) + "\n")
        correct += ok
        per[label][0] += ok
        per[label][1] += 1
    secs = time.time() - start
    print(json.dumps({"total": len(digits), "correct": correct, "accuracy": correct / max(1, len(digits)), "seconds": round(secs, 1),
                      "per_class": {str(c): round(v[0] / v[1], 4) if v[1] else None for c, v in per.items()}}))


if __name__ == "__main__":
    sys.exit(main())
