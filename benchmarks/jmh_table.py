#!/usr/bin/env python3
"""Turns JMH `-rf json` results into the kernel section of BENCHMARKS.md.

Every benchmark reports GFLOP/s as the secondary metric `gflops` (see Flops.java). Rows are shown as
score ± error and median, with their share of the measured peak: one-thread rows against
PeakBenchmark.perThread, rows with more threads against PeakBenchmark.allCores.

usage: jmh_table.py --peak peak.json --results kernels.json --out BENCHMARKS.md
                    --machine TEXT --jdk TEXT --date TEXT --load TEXT
"""
import argparse
import json
import os
import re

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


def natural(text):
    """Sort key that orders 256 before 1024 and NT:6272x... before NT:73728x..."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text)]


def section(peak_results, results, machine, jdk, date, load):
    peak = peaks(peak_results)
    out = [BEGIN, "## Kernels (JMH)", "",
           f"- Machine: {machine}",
           f"- JDK: {jdk}",
           f"- Date: {date}",
           f"- Load: {load}",
           "- GFLOP/s are JMH's `gflops` secondary metric; the share of peak compares one-thread rows with "
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
        out += [f"### {name}", "", table(by_benchmark[name], peak), ""]
    out.append(END)
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
    args = parser.parse_args()
    with open(args.peak) as f:
        peak_results = json.load(f)
    with open(args.results) as f:
        results = json.load(f)
    replace_section(args.out, section(peak_results, results, args.machine, args.jdk, args.date, args.load))


if __name__ == "__main__":
    main()
