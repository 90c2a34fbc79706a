#!/usr/bin/env python3
"""Turns JMH `-rf json` results into the kernel section of BENCHMARKS.md.

Every benchmark reports GFLOP/s as the secondary metric `gflops` (see Flops.java). Rows are shown as
score ± error and median, with their share of the measured peak: one-thread rows against
PeakBenchmark.perThread, rows with more threads against PeakBenchmark.allCores.

Where a benchmark also has `impl=openblas` rows (GemmBenchmark), each simdnet row is shown beside the
OpenBLAS row of the same parameters from the same JMH run, with the ratio of their medians.

usage: jmh_table.py --peak peak.json --results kernels.json --out BENCHMARKS.md
                    --machine TEXT --jdk TEXT --date TEXT --load TEXT
                    [--section NAME --title TEXT --width TEXT --openblas TEXT --command TEXT]
  --section: write the BENCHMARKS.md section NAME (bench_md's markers) instead of the "Kernels (JMH)" one
"""
import argparse
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_md  # noqa: E402

BEGIN = "<!-- kernels:begin (written by benchmarks/run-kernels.sh) -->"
END = "<!-- kernels:end -->"


def gflops(result):
    """(score, error, median) of the gflops metric, or None when the benchmark has none."""
    metric = result.get("secondaryMetrics", {}).get("gflops")
    if metric is None:
        return None
    error = float(metric.get("scoreError", "NaN"))  # JMH writes "NaN" when there are too few iterations
    return float(metric["score"]), error, float(metric["scorePercentiles"]["50.0"])


def kernel_threads(result):
    """The kernel thread count: the `threads` param when there is one, else JMH's thread count."""
    return int(result.get("params", {}).get("threads", result["threads"]))


def peaks(peak_results):
    """{1: one-thread peak, 2: all-core peak} in GFLOP/s from PeakBenchmark results."""
    found = {}
    for r in peak_results:
        name = r["benchmark"].rsplit(".", 1)[-1]
        if r["benchmark"].split(".")[-2] != "PeakBenchmark" or gflops(r) is None:
            continue
        found["perThread" if name == "perThread" else "allCores"] = gflops(r)[0]
    return found


def milliseconds(result):
    """Time of one call from JMH's primary score (throughput in ops/s, or an average time)."""
    m = result["primaryMetric"]
    unit, score = m.get("scoreUnit", ""), float(m["score"])
    if unit == "ops/s" and score > 0:
        return f"{1000 / score:.3g}"
    if unit in ("ms/op", "us/op", "s/op"):
        return f"{score * {'ms/op': 1, 'us/op': 1e-3, 's/op': 1e3}[unit]:.3g}"
    return "n/a"


def table(rows, peak):
    """Markdown table of one benchmark method's rows."""
    params = sorted({key for r in rows for key in r.get("params", {})} - {"threads", "impl"})
    head = params + ["impl", "threads", "ms per call", "GFLOP/s (score ± error)", "median", "share of peak"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]

    def order(r):
        p = r.get("params", {})
        return ([natural(p.get(k, "")) for k in params], p.get("impl", ""), kernel_threads(r))

    for r in sorted(rows, key=order):
        score, error, median = gflops(r)
        threads = kernel_threads(r)
        reference = peak.get("perThread") if threads == 1 else peak.get("allCores")
        share = f"{100 * score / reference:.0f}%" if reference else "n/a"
        p = r.get("params", {})
        cells = [p.get(k, "") for k in params] + [p.get("impl", ""), str(threads), milliseconds(r),
                                                   f"{score:.1f} ± {error:.1f}" if error == error else f"{score:.1f}", f"{median:.1f}", share]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def but_impl(result):
    """The parameters of a row other than impl, as a hashable key."""
    return tuple(sorted((k, v) for k, v in result.get("params", {}).items() if k != "impl"))


def comparison(rows, peak):
    """Markdown table pairing each simdnet row with the OpenBLAS row of the same other parameters."""
    params = sorted({key for r in rows for key in r.get("params", {})} - {"threads", "impl"})

    def key(r):
        p = r.get("params", {})
        return tuple(p.get(k, "") for k in params), kernel_threads(r)

    blas = {key(r): r for r in rows if r.get("params", {}).get("impl") == "openblas"}
    head = params + ["threads", "impl", "simdnet GFLOP/s", "OpenBLAS GFLOP/s", "simdnet / OpenBLAS",
                     "simdnet share of peak"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]

    def cell(r):
        score, error, median = gflops(r)
        return f"{median:.1f} ({score:.1f} ± {error:.1f})" if error == error else f"{median:.1f}"

    def order(r):
        p = r.get("params", {})
        return [natural(p.get(k, "")) for k in params], kernel_threads(r), p.get("impl", "")

    for r in sorted(rows, key=order):
        impl = r.get("params", {}).get("impl", "")
        if impl == "openblas" or key(r) not in blas:
            continue
        other = blas[key(r)]
        threads = kernel_threads(r)
        reference = peak.get("perThread") if threads == 1 else peak.get("allCores")
        share = f"{100 * gflops(r)[0] / reference:.0f}%" if reference else "n/a"
        ratio = gflops(r)[2] / gflops(other)[2]
        cells = list(key(r)[0]) + [str(threads), impl, cell(r), cell(other), f"{ratio:.2f}", share]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def natural(text):
    """Sort key that orders 256 before 1024 and NT:6272x... before NT:73728x..."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text)]


def section(peak_results, results, machine, jdk, date, load, title="Kernels (JMH)", extra=()):
    peak = peak_results and peaks(peak_results) or {}
    out = [f"## {title}", "",
           f"- Machine: {machine}",
           f"- JDK: {jdk}",
           f"- Date: {date}",
           f"- Load: {load}"]
    out += [f"- {line}" for line in extra]
    out += ["- GFLOP/s are JMH's `gflops` secondary metric; the share of peak compares one-thread rows with "
            "`PeakBenchmark.perThread` and rows with more threads with `PeakBenchmark.allCores`.",
            ""]
    if peak:
        out += [f"Measured fp32 FMA peak: {peak.get('perThread', float('nan')):.1f} GFLOP/s on one thread, "
                f"{peak.get('allCores', float('nan')):.1f} GFLOP/s on all cores.", ""]
    by_benchmark = {}
    for r in results:
        if gflops(r) is not None:
            by_benchmark.setdefault(r["benchmark"].replace("dev.simdnet.bench.", ""), []).append(r)
    for name in sorted(by_benchmark):
        rows = by_benchmark[name]
        if any(r.get("params", {}).get("impl") == "openblas" for r in rows):
            out += [f"### {name}: simdnet against OpenBLAS",
                    "",
                    "GFLOP/s as median (score ± error) of the same JMH run, the implementations alternating "
                    "shape by shape; the ratio is of the medians, below 1 where simdnet is slower.",
                    "",
                    comparison(rows, peak), ""]
            paired = {but_impl(r) for r in rows if r["params"].get("impl") == "openblas"}
            rows = [r for r in rows if but_impl(r) not in paired]
            if not rows:
                continue
            name += " (rows without an OpenBLAS counterpart)"
        out += [f"### {name}", "", table(rows, peak), ""]
    return "\n".join(out) + "\n"


def replace_section(path, text):
    """Writes text in place of the marked section of path, or appends it (creating the file) if absent."""
    old = open(path).read() if os.path.exists(path) else "# Benchmarks\n\n"
    if BEGIN in old and END in old:
        new = old[:old.index(BEGIN)] + text + old[old.index(END) + len(END) + 1:]
    else:
        new = old.rstrip("\n") + "\n\n" + text
    with open(path, "w") as f:
        f.write(new)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--peak", required=True)
    parser.add_argument("--results", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--machine", default="unknown")
    parser.add_argument("--jdk", default="unknown")
    parser.add_argument("--date", default="unknown")
    parser.add_argument("--load", default="unknown")
    parser.add_argument("--section", help="bench_md section name; default: the Kernels (JMH) section")
    parser.add_argument("--title", default="Kernels (JMH)")
    parser.add_argument("--width", help="the vector width the JVMs ran at, as the script asked for it")
    parser.add_argument("--openblas", help="OpenBLAS's library, version and core, as it reported them")
    parser.add_argument("--command", help="the command that produced the results")
    args = parser.parse_args()
    peak_results = []
    if os.path.exists(args.peak):
        with open(args.peak) as f:
            peak_results = json.load(f)
    with open(args.results) as f:
        results = json.load(f)
    extra = []
    if args.width:
        extra.append(f"Vector width: {args.width}")
    if args.openblas:
        extra.append(f"OpenBLAS: {args.openblas}")
    if args.command:
        extra.append(f"Command: `{args.command}`")
    text = section(peak_results, results, args.machine, args.jdk, args.date, args.load, args.title, extra)
    print(text)
    if args.section:
        bench_md.replace_section(args.out, args.section, text)
    else:
        replace_section(args.out, f"{BEGIN}\n{text}{END}\n")


if __name__ == "__main__":
    main()
