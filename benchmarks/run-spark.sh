#!/usr/bin/env bash
# The Spark figures of BENCHMARKS.md (issue 14), on one machine, against the local commands in the same run,
# alternated (local, spark, local, spark: RUNS pairs, default 2), medians of whole-command wall times:
#   1. a 4-trial sweep (fast, 0.5 epoch a trial, 2 learning rates x 2 batch sizes): cli.jar sweep --parallel K
#      against simdnet-spark sweep --master MASTER --parallel K; both rankings must agree;
#   2. classification of the 7,494 rendered pen digits plus 3 damaged files: cli.jar classify against
#      simdnet-spark classify --output OUT.csv; the predictions are compared file by file;
#   3. fast training (seed 1): one process against simdnet-spark train --partitions P (same images in all);
#      the test accuracies and their gap.
# PARTS="sweep classify train" (the default) picks which run. Classify pairs alternate their order (local first in odd
# pairs, Spark first in even ones); the ratio is the median of the pairs' ratios.
# K and P default to the master's cores (local[N]: N; local[*]: nproc). Results: bench-out/spark/MASTER/results.md.
#   benchmarks/run-spark.sh [MASTER]          e.g. benchmarks/run-spark.sh 'local[2]', then 'local[16]' on 16 cores
# Needs JDK 25.0.3+ (JAVA_HOME), a build (mvn -B -q package -DskipTests), python3, ../shared/data.
set -euo pipefail
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
master=${1:-local[2]}
runs=${RUNS:-2}
parts=" ${PARTS:-sweep classify train} "
data=${SIMDNET_DATA_ROOT:-$root/../shared/data}
case "$master" in
  local\[\*\]) cores=$(nproc) ;;
  local\[*\]) cores=${master#local[}; cores=${cores%]} ;;
  *) cores=${CORES:?set CORES to the cluster task slots for $master} ;;
esac
out="$root/bench-out/spark/$(echo "$master" | tr -c 'A-Za-z0-9\n' '_')"
rm -rf "$out" && mkdir -p "$out"
[ -f cli/target/cli.jar ] && [ -f spark/target/simdnet-spark.jar ] || mvn -B -q -o package -DskipTests
CLI=("$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -jar cli/target/cli.jar)
SPARK=(spark/bin/simdnet-spark)
res="$out/results.md"
now() { date +%s.%N; }
{
  echo "# simdnet on Spark, $master, $(date -u +%Y-%m-%d)"
  echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; $("$JAVA_HOME/bin/java" -version 2>&1 | head -1)"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$res"

# ---- 1. sweep
if [[ "$parts" == *" sweep "* ]]; then
cat > "$out/space.json" <<'JSON'
{"name": "bench", "method": "grid", "base": {"preset": "fast", "epochs": 0.5},
 "parameters": {"lr": [0.1, 0.2], "batch": [64, 128]}}
JSON
for i in $(seq 1 "$runs"); do
  t0=$(now); "${CLI[@]}" sweep "$out/space.json" --parallel "$cores" --runs-dir "$out/local-runs-$i" --data-dir "$data/mnist" --offline \
    > "$out/sweep-local-$i.txt" 2> "$out/sweep-local-$i.err"; t1=$(now)
  "${SPARK[@]}" sweep "$out/space.json" --master "$master" --parallel "$cores" --runs-dir "$out/spark-runs-$i" --data-dir "$data/mnist" --offline \
    > "$out/sweep-spark-$i.txt" 2> "$out/sweep-spark-$i.err"; t2=$(now)
  echo "sweep $i: local $(echo "$t1 - $t0" | bc) s, spark $(echo "$t2 - $t1" | bc) s" | tee -a "$out/sweep-times.txt"
done
fi

# ---- 2. classification
if [[ "$parts" == *" classify "* ]]; then
"${CLI[@]}" render-pendigits --input "$data/pendigits/pendigits-train.unipen" --output "$out/pen" 2>/dev/null
head -c 3000 "$(ls "$out"/pen/3/*.png | head -1)" > "$out/pen/3/truncated.png"
echo "no picture" > "$out/pen/5/text.png"
: > "$out/pen/7/empty.png"
# The same files four times over (hard links), for the throughput: the files added over the seconds added, which
# leaves out what each command spends once whatever the input (JVM, model, JIT warm-up; Spark's context and first job).
mkdir -p "$out/pen4"
for c in a b c d; do cp -al "$out/pen" "$out/pen4/$c"; done
local_classify() { "${CLI[@]}" classify --json "$2" > "$out/classify-local-$1.jsonl" 2> "$out/classify-local-$1.err" || true; }
spark_classify() { "${SPARK[@]}" classify --master "$master" --input "$2" --output "$out/classify-spark-$1.csv" \
    > "$out/classify-spark-$1.json" 2> "$out/classify-spark-$1.err"; }
pair() { # pair NAME DIR TIMES-FILE I: local and Spark on DIR, local first in odd pairs
  if [ $(($4 % 2)) -eq 1 ]; then
    t0=$(now); local_classify "$1" "$2"; t1=$(now); spark_classify "$1" "$2"; t2=$(now); dl=$(echo "$t1 - $t0" | bc); ds=$(echo "$t2 - $t1" | bc)
  else
    t0=$(now); spark_classify "$1" "$2"; t1=$(now); local_classify "$1" "$2"; t2=$(now); ds=$(echo "$t1 - $t0" | bc); dl=$(echo "$t2 - $t1" | bc)
  fi
  echo "classify $4: local $dl s, spark $ds s" | tee -a "$out/$3"
}
benchmarks/wait-idle.sh 0.5 120 > "$out/classify.load" || true
for i in $(seq 1 "$runs"); do
  pair "$i" "$out/pen" classify-times.txt "$i"
  pair "x4-$i" "$out/pen4" classify-x4-times.txt "$i"
done
fi

# ---- 3. data-parallel training
if [[ "$parts" == *" train "* ]]; then
t0=$(now); "${CLI[@]}" train --preset fast --seed 1 --data-dir "$data/mnist" --offline --threads "$cores" --no-track \
  --output "$out/local.safetensors" > "$out/train-local.json" 2> "$out/train-local.err"; t1=$(now)
"${SPARK[@]}" train --master "$master" --preset fast --seed 1 --partitions "$cores" --data-dir "$data/mnist" --offline --no-track \
  --output "$out/spark.safetensors" > "$out/train-spark.json" 2> "$out/train-spark.err"; t2=$(now)
echo "train: local $(echo "$t1 - $t0" | bc) s, spark $(echo "$t2 - $t1" | bc) s" | tee -a "$out/train-times.txt"
fi

python3 - "$out" "$runs" "$master" "$cores" "$parts" >> "$res" <<'PY'
import csv, json, os, re, statistics, sys
out, runs, master, cores, parts = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5].split()
def times(name):
    a, b = [], []
    for line in open(os.path.join(out, name)):
        m = re.search(r"local ([0-9.]+) s, spark ([0-9.]+) s", line)
        a.append(float(m.group(1))); b.append(float(m.group(2)))
    return a, b
def ranking(path):
    rows = [l.split() for l in open(path) if re.match(r"^\d+\s", l)]
    return [(r[1], r[4], r[5]) for r in rows]                     # trial, best_val_accuracy, test_accuracy
if "sweep" in parts:
    a, b = times("sweep-times.txt")
    same = all(ranking(os.path.join(out, f"sweep-local-{i}.txt")) == ranking(os.path.join(out, f"sweep-spark-{i}.txt")) for i in range(1, runs + 1))
    best = ranking(os.path.join(out, "sweep-spark-1.txt"))[0]
    print(f"\n## sweep (4 trials of fast, 0.5 epoch, --parallel {cores})\n")
    print(f"in-process {statistics.median(a):.1f} s, Spark {statistics.median(b):.1f} s (median of {runs}; runs {a} / {b}): "
          f"ratio {statistics.median(b) / statistics.median(a):.2f}; same trial ranking and accuracies in every pair: {same}; best trial {best[0]} (val {best[1]}, test {best[2]})")
if "classify" in parts:
    a, b = times("classify-times.txt")
    def agreement(name):                                           # Spark's rows, its classified files, and those as classify read them
        local = {}
        for line in open(os.path.join(out, f"classify-local-{name}.jsonl")):
            j = json.loads(line); local[os.path.abspath(j["file"])] = (j.get("class"), j.get("probability"))
        rows = list(csv.DictReader(open(os.path.join(out, f"classify-spark-{name}.csv"))))
        spark = {re.sub("^file:", "", r["path"]): (r["class"] or None, float(r["probability"]) if r["probability"] else None) for r in rows}
        classified = [p for p, v in spark.items() if v[0] is not None]
        return rows, classified, sum(1 for p in classified if p in local and local[p][0] == spark[p][0] and abs(local[p][1] - spark[p][1]) < 1e-6)
    rows, classified, agree = agreement("1")
    rows4, classified4, agree4 = agreement("x4-1")
    files = sum(len(f) for _, _, f in os.walk(os.path.join(out, "pen")))
    summary = json.load(open(os.path.join(out, "classify-spark-1.json")))
    a4, b4 = times("classify-x4-times.txt")
    ta = [3 * files / (w4 - w) for w, w4 in zip(a, a4)]                      # files added over seconds added, per pair
    tb = [3 * files / (w4 - w) for w, w4 in zip(b, b4)]
    print(f"\n## classify ({files} files: 7,494 pen digits and 3 damaged; and the same 4 times over)\n")
    print(f"classify {statistics.median(a):.2f} s, Spark {statistics.median(b):.2f} s whole command (median of {runs}; {a} / {b}): "
          f"whole-command ratio {statistics.median(a) / statistics.median(b):.2f} (median of the pairs' ratios {statistics.median(x / y for x, y in zip(a, b)):.2f}). "
          f"Four times the files: classify {statistics.median(a4):.2f} s, Spark {statistics.median(b4):.2f} s ({a4} / {b4}). "
          f"Throughput, the {3 * files} files added over the seconds added: classify {statistics.median(ta):.0f} files/s, Spark {statistics.median(tb):.0f} files/s "
          f"({[round(x) for x in ta]} / {[round(x) for x in tb]}): **throughput ratio {statistics.median(y / x for x, y in zip(ta, tb)):.2f}** (median of the pairs' ratios). "
          f"Spark's job alone {summary['seconds']} s ({summary['pictures_per_second']} pictures/s); "
          f"rows {len(rows)}, read {summary['read']}, classified {summary['classified']}, failed {summary['failed']}; "
          f"identical to classify (class, probability to 1e-6): {agree} of {len(classified)}; four times over: {len(rows4)} rows, {agree4} of {len(classified4)} identical")
if "train" in parts:
    l, s = json.load(open(os.path.join(out, "train-local.json"))), json.load(open(os.path.join(out, "train-spark.json")))
    a, b = times("train-times.txt")
    print(f"\n## fast training, seed 1\n")
    print(f"one process ({l['threads']} threads): test accuracy {l['test_accuracy']:.4f}, {a[0]:.1f} s; Spark, {s['partitions']} partitions, "
          f"sync every {s['sync_every']} steps ({s['rounds']} rounds): test accuracy {s['test_accuracy']:.4f}, {b[0]:.1f} s; "
          f"gap {100 * (s['test_accuracy'] - l['test_accuracy']):+.2f} points")
PY
cat "$res"
