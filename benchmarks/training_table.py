"""Writes the Training section of BENCHMARKS.md from the JSON lines of benchmarks/run-training.sh."""
import glob
import json
import os
import statistics
import sys

from bench_md import jdk, machine, replace_section, today

out_dir, md = sys.argv[1], sys.argv[2]
rows = []
for path in sorted(glob.glob(os.path.join(out_dir, "*.json"))):
    name = os.path.basename(path)[:-5]
    try:
        r = json.loads(open(path).read().strip().splitlines()[-1])
    except (ValueError, IndexError):
        print(f"skipping {name}: no result (see {name}.log)")
        continue
    rss_file = os.path.join(out_dir, name + ".rss")
    r["rss_mb"] = round(int(open(rss_file).read().split()[-1]) / 1024) if os.path.exists(rss_file) else None
    load_file = os.path.join(out_dir, name + ".load")
    r["load_note"] = open(load_file).read().strip() if os.path.exists(load_file) else ""
    r["name"] = name
    rows.append(r)

lines = [f"## Training, end to end ({today()})", "",
         f"Machine: {machine()}. JDK: {jdk()}. Script: `benchmarks/run-training.sh`. "
         "Training seconds exclude data loading and include the JIT warm-up; peak RSS is the whole JVM's maximum resident "
         "set (`/usr/bin/time`), with the JVM's default heap settings and the trainer's heap guard, unless the run's name ends in `-xmx256m` (`java -Xmx256m`, guard off). The `best` rows were run by hand with `-Xmx1g` in the previous session; the script keeps them.", "",
         "| run | model | steps | test accuracy | best validation | training s | images/s | peak RSS MB | CPU before |",
         "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
for r in rows:
    lines.append(f"| {r['name']} | {r['model']} | {r['steps']} | {100 * r['test_accuracy']:.2f}% | "
                 f"{100 * (r.get('best_val_accuracy') or 0):.2f}% | {r['train_seconds']:.1f} | {r['images_per_second']} | "
                 f"{r['rss_mb']} | {r['load_note']} |")
fast = [r for r in rows if r["name"].startswith("fast-seed") and "xmx" not in r["name"]]
if fast:
    by_seed = {}
    for r in fast:
        by_seed.setdefault(r["seed"], []).append(r)
    acc = [runs[0]["test_accuracy"] for runs in by_seed.values()]
    secs = {seed: statistics.median(r["train_seconds"] for r in runs) for seed, runs in sorted(by_seed.items())}
    lines += ["", f"`fast` over {len(by_seed)} seeds: mean test accuracy {100 * statistics.mean(acc):.2f}% "
                  f"(min {100 * min(acc):.2f}%); training seconds, median of {len(fast) // len(by_seed)} runs per seed: "
                  + ", ".join(f"seed {seed} {t:.2f}" for seed, t in secs.items()) + "."]
lenet = [r for r in rows if r["name"].startswith("lenet-seed") and "xmx" not in r["name"]]
if lenet:
    acc = [r["test_accuracy"] for r in lenet]
    secs = [r["train_seconds"] / r["epochs"] for r in lenet]
    lines += ["", f"`lenet` preset over {len(lenet)} seeds, one epoch: mean test accuracy {100 * statistics.mean(acc):.2f}% "
                  f"(min {100 * min(acc):.2f}%), seconds per epoch median {statistics.median(secs):.1f} (max {max(secs):.1f})."]
heap = [r for r in rows if "xmx" not in r["name"] and r["model"] in ("fast", "lenet") and r["rss_mb"]]
if heap:
    lines += ["", f"Peak RSS of the `fast` and `lenet` runs with the JVM's default heap: max {max(r['rss_mb'] for r in heap)} MB "
                  f"over {len(heap)} runs."]
ensemble = os.path.join(out_dir, "ensemble.eval")
if os.path.exists(ensemble):
    e = json.load(open(ensemble))
    names = ", ".join(os.path.basename(c).replace(".safetensors", "") for c in e["checkpoints"])
    lines += ["", f"Ensemble of {len(e['checkpoints'])} ({names}; probabilities averaged, `eval CKPT...`): "
                  f"test accuracy **{100 * e['test_accuracy']:.2f}%** (95% CI {100 * e['ci95'][0]:.2f}% to {100 * e['ci95'][1]:.2f}%)."]
jar = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli", "target", "cli.jar")
if os.path.exists(jar):
    lines += ["", f"`cli.jar` (every dependency and the bundled model included): {os.path.getsize(jar) / 1e6:.2f} MB."]
pen = os.path.join(out_dir, "pendigits.jsonl")
if os.path.exists(pen):
    total = correct = 0
    per, writers = {}, {}
    for line in open(pen):
        r = json.loads(line)
        truth = int(os.path.basename(os.path.dirname(r["file"])))
        total += 1
        ok = r["digit"] == truth
        correct += ok
        per.setdefault(truth, [0, 0])
        per[truth][0] += ok
        per[truth][1] += 1
        # Files are <digit>/<writer>_<index>.png: writers 1-10 were looked at while choosing the bundled model's
        # recipe, writers 11-30 were not, so their figure is the unbiased one.
        group = "dev" if int(os.path.basename(r["file"]).split("_")[0]) <= 10 else "held"
        writers.setdefault(group, [0, 0])
        writers[group][0] += ok
        writers[group][1] += 1
    runs = [tuple(map(float, l.split())) for l in open(os.path.join(out_dir, "classify.times"))]
    startup = statistics.median(m - s for s, m, e in runs)
    whole = statistics.median(e - m for s, m, e in runs)
    lines += ["", "Real handwriting (UCI pen digits, 30 writers, drawn on a 280 x 280 canvas with a 15-25 px brush, "
                  f"read by `classify` with the bundled model): {correct} of {total} correct, **{100 * correct / total:.2f}%**. "
                  "Per digit: " + ", ".join(f"{d}: {100 * c / n:.1f}%" for d, (c, n) in sorted(per.items())) + ". "
                  "By writer: " + ", ".join(f"{'writers 1-10 (seen while choosing the recipe)' if g == 'dev' else 'writers 11-30 (never looked at)'}: "
                                            f"{100 * c / n:.2f}% of {n}" for g, (c, n) in sorted(writers.items())) + ".",
              "", f"`classify` throughput on those {total} PNG files (decode + preprocessing + inference, from disk): "
                  f"median {total / max(whole - startup, 1e-9):.0f} files/s after a JVM start of {startup:.2f} s "
                  f"(whole command {whole:.2f} s; medians of {len(runs)} runs; CPU before: "
                  f"{open(os.path.join(out_dir, 'classify.load')).read().strip()})."]
replace_section(md, "training", "\n".join(lines))
print("\n".join(lines))
