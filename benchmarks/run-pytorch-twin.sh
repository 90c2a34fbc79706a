#!/usr/bin/env bash
# simdnet against its PyTorch twin (issue 10): `train --preset P` and `benchmarks/pytorch_twin.py --preset P` (the same
# network, init family, optimizer, schedule, batch, steps, validation size, label smoothing and weight decay),
# alternated ABAB (simdnet first in odd pairs, PyTorch first in even ones), PAIRS pairs (3), the same thread count,
# seed 1. Writes the "simdnet against PyTorch" section of BENCHMARKS.md: training seconds of each run, the median
# ratio simdnet / PyTorch (under 1: simdnet is faster), and both test accuracies.
#   benchmarks/run-pytorch-twin.sh [DATA_DIR]          PRESETS="fast lenet" PAIRS=3 THREADS=2
# Needs torch and numpy for python3 (pip install torch numpy).
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
DATA="${1:-$(cd .. && pwd)/shared/data}"
PRESETS="${PRESETS:-fast lenet}"
PAIRS="${PAIRS:-3}"
THREADS="${THREADS:-2}"
OUT="$(pwd)/bench-out/pytorch-twin"
mkdir -p "$OUT"
python3 -c "import torch, numpy" 2>/dev/null || { echo "error: python3 cannot import torch and numpy: pip install torch numpy" >&2; exit 1; }
[ -f cli/target/cli.jar ] || mvn -B -q -o package -DskipTests -pl engine,trainer,cli -am
JAVA=("$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -jar cli/target/cli.jar)

run_simdnet() { # preset, tag
  "${JAVA[@]}" train --preset "$1" --data-dir "$DATA/mnist" --offline --no-track --threads "$THREADS" --seed 1 \
      --output "$OUT/$1-$2.safetensors" > "$OUT/$1-$2.simdnet.json" 2> "$OUT/$1-$2.simdnet.log"
}
run_torch() {
  python3 benchmarks/pytorch_twin.py --preset "$1" --data-dir "$DATA/mnist" --threads "$THREADS" --seed 1 \
      > "$OUT/$1-$2.torch.json" 2> "$OUT/$1-$2.torch.log"
}

benchmarks/wait-idle.sh 0.5 120 || true
load_before=$(cut -d' ' -f1 /proc/loadavg)
for preset in $PRESETS; do
  for pair in $(seq 1 "$PAIRS"); do
    if [ $((pair % 2)) -eq 1 ]; then run_simdnet "$preset" "$pair"; run_torch "$preset" "$pair"
    else run_torch "$preset" "$pair"; run_simdnet "$preset" "$pair"; fi
    echo "$preset pair $pair: simdnet $(grep -o '"train_seconds":[0-9.]*' "$OUT/$preset-$pair.simdnet.json"), torch $(grep -o '"train_seconds": [0-9.]*' "$OUT/$preset-$pair.torch.json")"
  done
done
load_after=$(cut -d' ' -f1 /proc/loadavg)

python3 - "$OUT" "$PAIRS" "$THREADS" "$load_before" "$load_after" $PRESETS <<'EOF'
import json, os, re, statistics, subprocess, sys, datetime, platform
out, pairs, threads, lb, la, presets = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6:]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
flags = next((l for l in open("/proc/cpuinfo") if l.startswith("flags")), "")
isa = "AVX-512" if " avx512f" in flags else "AVX2" if " avx2" in flags else "no AVX2"
jdk = subprocess.run([os.environ["JAVA_HOME"] + "/bin/java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
rows, torch_version = [], "?"
for p in presets:
    s = [json.load(open(f"{out}/{p}-{i}.simdnet.json")) for i in range(1, pairs + 1)]
    t = [json.load(open(f"{out}/{p}-{i}.torch.json")) for i in range(1, pairs + 1)]
    torch_version = t[0]["torch"]
    ratios = [a["train_seconds"] / b["train_seconds"] for a, b in zip(s, t)]
    rows.append("| `%s` | %s | %s | %s | **%.2f** (%s) | %s | %s | %d / %d |" % (
        p, ", ".join("%.1f" % a["train_seconds"] for a in s), ", ".join("%.1f" % b["train_seconds"] for b in t),
        "%.1f / %.1f" % (statistics.median(a["train_seconds"] for a in s), statistics.median(b["train_seconds"] for b in t)),
        statistics.median(ratios), ", ".join("%.2f" % r for r in ratios),
        "%.2f%%" % (100 * s[0]["test_accuracy"]), "%.2f%%" % (100 * t[0]["test_accuracy"]), s[0]["steps"], t[0]["steps"]))
when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
md = ["<!-- BEGIN pytorch-twin -->", "## simdnet against PyTorch, same network and recipe (issue 10, %s)" % when, "",
      "Machine: %s (%s), %d cores, load average %s before and %s after. %s. PyTorch %s (CPU, pip), Python %s. "
      "`benchmarks/run-pytorch-twin.sh`: `train --preset P --threads %s --seed 1` and `benchmarks/pytorch_twin.py "
      "--preset P --threads %s --seed 1` alternated (simdnet first in odd pairs), %d pairs. Training seconds as each "
      "reports them (the steps and the per-epoch validation, not the data loading; simdnet's include its JIT warm-up). "
      "Ratio: simdnet / PyTorch per pair, then the median; under 1 simdnet is faster. Accuracies: the MNIST test set, "
      "reported only (the same seed gives the same figure in every pair)." % (
          cpu, isa, os.cpu_count(), lb, la, jdk, torch_version, platform.python_version(), threads, threads, pairs), "",
      "| preset | simdnet s | PyTorch s | medians | ratio, median (per pair) | simdnet test accuracy | PyTorch test accuracy | steps (simdnet / PyTorch) |",
      "| --- | --- | --- | --- | --- | --- | --- | --- |"] + rows + ["<!-- END pytorch-twin -->"]
section = "\n".join(md) + "\n"
open(f"{out}/results.md", "w").write(section)
print(section)
b = open("BENCHMARKS.md").read()
if "<!-- BEGIN pytorch-twin -->" in b:
    b = re.sub(r"<!-- BEGIN pytorch-twin -->.*?<!-- END pytorch-twin -->\n", lambda m: section, b, flags=re.S)
else:
    b = b.rstrip("\n") + "\n\n" + section
open("BENCHMARKS.md", "w").write(b)
EOF
