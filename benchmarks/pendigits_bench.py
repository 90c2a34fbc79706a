"""Pen digits of writers a model never saw, per writer and per class (issue 12), through both ways people reach it.

- classify: every digit of the asked writers drawn with a thick brush (render-pendigits: 15-25 px on a 280 px canvas)
  as PNG files in three styles: dark ink on light, light ink on dark, and black ink on a transparent background;
  read by `classify --json --model MODEL`;
- /api/predict: the same digits' strokes sent to a running `serve --model` (pendigits_client.py: the longer side 70%
  of a 280 x 280 canvas, the page's brush).

Writers 1-16 train the bundled model, 17-22 choose it (recipe, epochs, seed), 23-30 are the report: never trained on,
never used to choose. Prints a JSON summary; with --write, writes the "Pen digits by writer" section of BENCHMARKS.md
(the report writers must be among those asked for).
"""
import argparse
import collections
import datetime
import json
import os
import platform
import re
import socket
import struct
import subprocess
import sys
import time
import urllib.request

STYLES = ["dark-on-light", "light-on-dark", "transparent"]
PATHS = STYLES + ["api"]
NAMES = {"dark-on-light": "classify, dark on light", "light-on-dark": "classify, light on dark",
         "transparent": "classify, transparent", "api": "/api/predict, strokes"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def metadata(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        return json.loads(f.read(n)).get("__metadata__", {})


def classify(java, jar, model, folder):
    """[(writer, label, digit)] and the command's seconds."""
    t0 = time.perf_counter()
    r = subprocess.run(java + ["-jar", jar, "classify", "--json", "--model", model, folder], capture_output=True, text=True)
    secs = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit("classify failed: " + r.stderr[-2000:])
    out = []
    for line in r.stdout.splitlines():
        m = json.loads(line)
        label = int(os.path.basename(os.path.dirname(m["file"])))
        writer = int(os.path.basename(m["file"]).split("_")[0])
        out.append((writer, label, m.get("digit")))
    return out, secs


def api(java, jar, model, data, writers, outdir):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(java + ["-jar", jar, "serve", "--port", str(port), "--model", f"bench={model}"],
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(outdir, "server.log"), "w"))
    try:
        t0 = time.time()
        while True:
            try:
                urllib.request.urlopen(base + "/api/models", timeout=2).read()
                break
            except OSError:
                if time.time() - t0 > 60 or proc.poll() is not None:
                    raise SystemExit("the server did not start; see " + outdir + "/server.log")
                time.sleep(0.1)
        details = os.path.join(outdir, "api.jsonl")
        subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "pendigits_client.py"), "--url", base, "--data", data,
                        "--model", "bench", "--writers", writers, "--details", details], check=True, capture_output=True, text=True)
        return [(d["writer"], d["label"], d["digit"]) for d in map(json.loads, open(details))]
    finally:
        proc.terminate()
        proc.wait(10)


def tables(results):
    """per path: totals, per writer, per class as (right, total)."""
    t = {}
    for path, rows in results.items():
        w, c = collections.defaultdict(lambda: [0, 0]), collections.defaultdict(lambda: [0, 0])
        for writer, label, digit in rows:
            ok = digit == label
            w[writer][0] += ok
            w[writer][1] += 1
            c[label][0] += ok
            c[label][1] += 1
        t[path] = {"right": sum(v[0] for v in w.values()), "total": sum(v[1] for v in w.values()),
                   "writer": {k: tuple(v) for k, v in sorted(w.items())}, "class": {k: tuple(v) for k, v in sorted(c.items())}}
    return t


def pct(v):
    return f"{100 * v[0] / v[1]:.2f}%" if v[1] else "n/a"


def group_of(writer, groups):
    for g in groups:
        lo, _, hi = g.partition("-")
        if int(lo) <= writer <= int(hi or lo):
            return g
    return None


def section(model_path, meta, groups, t, seconds, args):
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
    avx = "AVX-512" if "avx512f" in open("/proc/cpuinfo").read() else "AVX2"
    jdk = subprocess.run([args.java_bin, "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    metrics = json.loads(meta.get("metrics", "{}"))
    config = json.loads(meta.get("config", "{}"))
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"## Pen digits by writer: the bundled model on writers it never saw (issue 12)", "",
             f"`benchmarks/run-pendigits.sh`, {when}, {cpu} ({avx}), {os.cpu_count()} cores, {jdk}. Model: `{model_path}` "
             f"(`{config.get('model')}`, dataset `{config.get('dataset')}`, augment `{config.get('augment')}`, {config.get('epochs')} epochs, "
             f"seed {config.get('seed')}). Its MNIST test accuracy, measured once at the end of training and not used to choose: "
             f"**{100 * float(meta.get('test_accuracy', 'nan')):.2f}%**; MNIST validation (5,000 held-out training images): "
             + (f"{100 * metrics['mnist_val_accuracy']:.2f}%." if 'mnist_val_accuracy' in metrics else "not recorded.")
             + (f" Calibration (temperature scaling, fitted on writers 17-22): `{meta['calibration']}`." if 'calibration' in meta else ""), "",
             "Writers 1-16 trained it, writers 17-22 chose it (the recipe and the epoch; the seed is the preset's) and fitted its calibration, writers 23-30 are the report: "
             "never trained on, never used to choose. Each digit is drawn with a thick brush (15-25 px on a 280 px canvas) and "
             "read by `classify` as a PNG in three styles, and its strokes are sent to `/api/predict` (the page's brush, the digit "
             "70% of a 280 px canvas).", ""]
    for g in groups:
        lines += [f"### Writers {g}" + (" (report: never trained on or chosen on)" if g == args.report else " (validation: every choice was made here)" if g == "17-22" else ""), ""]
        lines += ["| path | accuracy | lowest class |", "| --- | --- | --- |"]
        for p in PATHS:
            rows = [r for r in t[p]["rows"] if group_of(r[0], [g])]
            tt = tables({p: rows})[p]
            worst = min(tt["class"].items(), key=lambda kv: kv[1][0] / kv[1][1])
            lines.append(f"| {NAMES[p]} | {pct((tt['right'], tt['total']))} ({tt['right']} of {tt['total']}) | {worst[0]}: {pct(worst[1])} |")
        lines += ["", "| writer | digits | " + " | ".join(NAMES[p] for p in PATHS) + " |", "| --- | --- |" + " --- |" * len(PATHS)]
        tg = {p: tables({p: [r for r in t[p]["rows"] if group_of(r[0], [g])]})[p] for p in PATHS}
        for w in tg[PATHS[0]]["writer"]:
            lines.append(f"| {w} | {tg[PATHS[0]]['writer'][w][1]} | " + " | ".join(pct(tg[p]["writer"][w]) for p in PATHS) + " |")
        lines += ["", "| class | digits | " + " | ".join(NAMES[p] for p in PATHS) + " |", "| --- | --- |" + " --- |" * len(PATHS)]
        for c in range(10):
            lines.append(f"| {c} | {tg[PATHS[0]]['class'][c][1]} | " + " | ".join(pct(tg[p]["class"][c]) for p in PATHS) + " |")
        lines.append("")
    files = sum(len(t[s]["rows"]) for s in STYLES)
    lines.append(f"`classify` read the {files:,} PNG files in {sum(seconds.values()):.1f} s, {len(seconds)} whole commands with their JVM starts, "
                 f"on a shared machine (load average {os.getloadavg()[0]:.1f} at the end): not a throughput figure.")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jar", default="cli/target/cli.jar")
    ap.add_argument("--model", required=True)
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--writers", default="23-30", help="writer groups, comma-separated (e.g. 17-22,23-30)")
    ap.add_argument("--report", default="23-30", help="the group the targets apply to")
    ap.add_argument("--out", default="bench-out/pendigits")
    ap.add_argument("--write", action="store_true", help="write the section into BENCHMARKS.md")
    ap.add_argument("--java-bin", default=os.path.join(os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin", "java"))
    a = ap.parse_args()
    java = [a.java_bin, "--add-modules", "jdk.incubator.vector"]
    groups = a.writers.split(",")
    unipen = os.path.join(a.data, "pendigits", "pendigits-train.unipen")
    os.makedirs(a.out, exist_ok=True)
    results, seconds = {p: [] for p in PATHS}, {}
    for g in groups:
        for s in STYLES:
            folder = os.path.join(a.out, g, s)
            subprocess.run(java + ["-jar", a.jar, "render-pendigits", "--input", unipen, "--output", folder, "--writers", g, "--style", s],
                           check=True, capture_output=True)
            rows, secs = classify(java, a.jar, a.model, folder)
            results[s] += rows
            seconds[(g, s)] = secs
        results["api"] += api(java, a.jar, a.model, unipen, g, os.path.join(a.out, g))
    t = {p: {"rows": rows} for p, rows in results.items()}
    summary = {}
    for g in groups:
        summary[g] = {}
        for p in PATHS:
            tt = tables({p: [r for r in results[p] if group_of(r[0], [g])]})[p]
            summary[g][p] = {"accuracy": round(tt["right"] / tt["total"], 4), "right": tt["right"], "total": tt["total"],
                             "per_class": {c: round(v[0] / v[1], 4) for c, v in tt["class"].items()}}
    print(json.dumps(summary))
    if a.write:
        if a.report not in groups:
            raise SystemExit("--write needs the report writers " + a.report + " among --writers")
        md_path = "BENCHMARKS.md"
        md = open(md_path).read()
        text = "<!-- BEGIN pendigits -->\n" + section(a.model, metadata(a.model), groups, t, seconds, a) + "<!-- END pendigits -->"
        if "<!-- BEGIN pendigits -->" in md:
            md = re.sub(r"<!-- BEGIN pendigits -->.*?<!-- END pendigits -->", lambda m: text, md, flags=re.S)
        else:
            md = md.rstrip() + "\n\n" + text + "\n"
        open(md_path, "w").write(md)
        print(text, file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
