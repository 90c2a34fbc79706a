#!/usr/bin/env bash
# Cost of run tracking (issue "Every experiment recorded, compared and searched"):
#  1. the same training run with and without tracking (--no-track), PAIRS pairs in ABBA order (so a load
#     that drifts during the script hits both alike);
#  2. `runs list` and `runs report` over 1,000 synthetic run folders (made from a real run's files).
# Writes the "Tracking" section of BENCHMARKS.md.
#   benchmarks/run-tracking.sh [DATA_DIR]      (default ../shared/data)
# Raw output is kept in bench-out/tracking/.
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
DATA="${1:-$(cd .. && pwd)/shared/data}"
OUT=bench-out/tracking
rm -rf "$OUT" && mkdir -p "$OUT"
mvn -B -q -o package -DskipTests
JAR=$(pwd)/cli/target/cli.jar
JAVA=("$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector)
PAIRS="${PAIRS:-3}"
TRAIN=(train --preset fast --epochs "${EPOCHS:-1}" --threads 2 --data-dir "$DATA/mnist" --offline --output "$OUT/model.safetensors")

now() { date +%s.%N; }

# 1. the same run, tracked and untracked: T N, N T, T N, ...
for i in $(seq 1 "$PAIRS"); do
  order="track notrack"; [ $((i % 2)) = 0 ] && order="notrack track"
  for mode in $order; do
    benchmarks/wait-idle.sh 1.0 10 > "$OUT/$mode-$i.load"
    extra=(--runs-dir "$OUT/runs"); [ "$mode" = notrack ] && extra=(--no-track)
    t0=$(now)
    "${JAVA[@]}" -jar "$JAR" "${TRAIN[@]}" "${extra[@]}" > "$OUT/$mode-$i.json" 2> "$OUT/$mode-$i.log"
    t1=$(now)
    echo "$t0 $t1" | awk '{ printf "%.3f\n", $2 - $1 }' > "$OUT/$mode-$i.wall"
    echo "$mode $i: $(cat "$OUT/$mode-$i.wall") s wall, $(grep -o '"train_seconds":[0-9.]*' "$OUT/$mode-$i.json")"
  done
done

# 2. 1,000 synthetic runs made from one real run's files
python3 - "$OUT/runs" "$OUT/runs1000" <<'PY'
import json, os, random, shutil, sys
src_root, dst = sys.argv[1], sys.argv[2]
src = os.path.join(src_root, sorted(d for d in os.listdir(src_root) if d[0].isdigit())[0])
read = lambda f: json.load(open(os.path.join(src, f)))
config, env, summary, status = read("config.json"), read("env.json"), read("summary.json"), read("status.json")
confusion = open(os.path.join(src, "confusion.csv")).read()
rnd = random.Random(1)
os.makedirs(dst)
for i in range(1000):
    rid = "20260101-%06d-%06x" % (i, rnd.randrange(1 << 24))
    d = os.path.join(dst, rid); os.makedirs(d)
    c = dict(config, model=rnd.choice(["mlp", "lenet5", "lenet", "fast", "best"]), lr=round(10 ** rnd.uniform(-2, -0.5), 5),
             batch=rnd.choice([64, 128, 256]), dropout=rnd.choice([0, 0.1, 0.25]), epochs=rnd.choice([1, 3, 9]))
    acc = 0.95 + 0.045 * rnd.random()
    s = dict(summary, run_id=rid, model=c["model"], test_accuracy=round(acc, 4), best_val_accuracy=round(acc - 0.002, 4), epochs=c["epochs"])
    s.pop("checkpoint", None)
    for name, obj in (("config.json", c), ("env.json", env), ("summary.json", s), ("status.json", status),
                      ("tags.json", {"sweep": "synthetic", "group": str(i % 10)})):
        json.dump(obj, open(os.path.join(d, name), "w"), indent=1)
    with open(os.path.join(d, "metrics.csv"), "w") as f:
        f.write("epoch,train_loss,train_accuracy,val_loss,val_accuracy,lr,images_per_second,seconds\n")
        for e in range(1, 11):
            a = acc - 0.2 / e
            f.write(f"{e},{1 - a:.6f},{a - 0.01:.6f},{1 - a:.6f},{a:.6f},{c['lr']},{3000 + e},{5.0}\n")
    open(os.path.join(d, "confusion.csv"), "w").write(confusion)
PY

time_cmd() { # name, repeats, command...: "wall cpu" of the run with the median wall time (cpu = user + sys, all threads)
  local name=$1 n=$2; shift 2
  for i in $(seq 1 "$n"); do
    /usr/bin/time -f '%e %U %S' -o "$OUT/$name.time" "$@" > "$OUT/$name.out" 2> "$OUT/$name.err"
    awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }' "$OUT/$name.time"
  done | sort -n | awk '{ a[NR] = $0 } END { print a[int((NR + 1) / 2)] }' > "$OUT/$name.wall"
  echo "$name: $(cat "$OUT/$name.wall") s wall, cpu (median of $n)"
}
benchmarks/wait-idle.sh 1.0 10 > "$OUT/list.load"
time_cmd jvm 5 "${JAVA[@]}" -jar "$JAR" --version
time_cmd list 5 "${JAVA[@]}" -jar "$JAR" runs list --runs-dir "$OUT/runs1000"
time_cmd list-sorted 5 "${JAVA[@]}" -jar "$JAR" runs list --runs-dir "$OUT/runs1000" --sort -test_accuracy --tag group=3
time_cmd report 3 "${JAVA[@]}" -jar "$JAR" runs report --runs-dir "$OUT/runs1000" --output "$OUT/report1000.html"
time_cmd export 3 "${JAVA[@]}" -jar "$JAR" runs export --csv --runs-dir "$OUT/runs1000"
echo "list rows: $(($(wc -l < "$OUT/list.out") - 1)); report size: $(du -k "$OUT/report1000.html" | cut -f1) KiB"

python3 - "$OUT" BENCHMARKS.md <<'PY'
import glob, json, os, statistics, sys
sys.path.insert(0, "benchmarks")
from bench_md import jdk, machine, replace_section, today
out, md = sys.argv[1], sys.argv[2]
def j(p): return json.loads(open(p).read().strip().splitlines()[-1])
def w(p): return float(open(p).read().split()[0])
def cpu(p): return float(open(p).read().split()[-1])
pairs = sorted({os.path.basename(p)[6:-5] for p in glob.glob(f"{out}/track-*.wall")})
rows, tw, nw, tr_s, ts = [], [], [], [], []
for i in pairs:
    t, n = j(f"{out}/track-{i}.json"), j(f"{out}/notrack-{i}.json")
    tw.append(w(f"{out}/track-{i}.wall")); nw.append(w(f"{out}/notrack-{i}.wall"))
    tr_s.append(t["train_seconds"]); ts.append(t["tracking_seconds"])
    rows.append(f"| {i} | {tw[-1]:.2f} | {nw[-1]:.2f} | {t['train_seconds']:.2f} | {n['train_seconds']:.2f} | {t['tracking_seconds']:.3f} |")
med = statistics.median
loads = "; ".join(open(p).read().strip() for p in [f"{out}/track-1.load", f"{out}/list.load"])
list_rows = sum(1 for _ in open(f"{out}/list.out")) - 1
size_kb = os.path.getsize(f"{out}/report1000.html") // 1024
lines = [f"## Tracking ({today()})", "",
  f"Machine: {machine()}. JDK: {jdk()}. Script: `benchmarks/run-tracking.sh`.", "",
  f"**Cost of tracking.** The same run (`train --preset fast --epochs {os.environ.get('EPOCHS', '1')} --threads 2`) with a run record and with `--no-track`, "
  "in ABBA order. `tracking_seconds` is what the recorder itself measured: capturing the environment (two `git` calls), creating the folder, "
  "the per-epoch metrics and status writes, the confusion matrix, the summary and the hard link of the model; "
  "the environment is captured on another thread while the data loads, and counts only where the run had to wait for it. "
  "Part of it is the one-time loading of the JSON classes, which an untracked run pays anyway when it prints its result line.", "",
  "| pair | wall s, tracked | wall s, untracked | training s, tracked | training s, untracked | tracking_seconds |",
  "| --- | --- | --- | --- | --- | --- |", *rows, "",
  f"Median: tracking_seconds {med(ts):.3f} s = {100 * med(ts) / med(tr_s):.2f}% of the training seconds ({med(tr_s):.1f} s) "
  f"and {100 * med(ts) / med(tw):.2f}% of the tracked run's wall time; wall-time difference of the medians "
  f"{med(tw) - med(nw):+.2f} s ({100 * (med(tw) - med(nw)) / med(nw):+.1f}%), with wall times from {min(tw + nw):.1f} to {max(tw + nw):.1f} s "
  "over all runs on this shared machine, so the wall-time difference measures the load more than the tracking.", "",
  f"**Looking at 1,000 runs** (synthetic folders made from the real run's files, 10 epochs each). Wall time of the whole command, "
  f"JVM start included, and its CPU time (user + system, all threads); the run with the median wall time of 5 (report and export: of 3):", "",
  "| command | wall s | CPU s |", "| --- | --- | --- |",
  *[f"| {label} | {w(out + '/' + n + '.wall'):.2f} | {cpu(out + '/' + n + '.wall'):.2f} |" for label, n in [
      ("`java -jar cli.jar --version` (JVM start, for reference)", "jvm"),
      (f"`runs list` ({list_rows} rows)", "list"),
      ("`runs list --sort -test_accuracy --tag group=3`", "list-sorted"),
      (f"`runs report` ({size_kb} KiB HTML)", "report"),
      ("`runs export --csv`", "export")]], "",
  f"Machine load (1-minute average) before the first run and before the listings: {loads}."]
replace_section(md, "tracking", "\n".join(lines))
print("\n".join(lines))
PY
