#!/usr/bin/env bash
# Calibration, "not sure" and test-time augmentation on pen digits (issue 12, parts 2 and 4).
#   - calibrate MODEL on the pen digits of writers 17-22 (validation: fitted and chosen there), report the expected
#     calibration error before and after, per writer and per class, on writers 23-30 (never fitted or chosen on);
#   - classify with and without --tta on writers 17-22 (the choice is made there), accuracy;
#   - classify's files per second with and without --tta, and against a reference jar if REF_JAR is given,
#     alternated ABAB over ROUNDS rounds (medians), on all 7494 pictures.
# Writes the "Calibration and test-time augmentation" section of BENCHMARKS.md.
#
# usage: benchmarks/run-calibration.sh [MODEL.safetensors]   (default: the model bundled in cli.jar)
#        REF_JAR=/path/to/cli.jar ROUNDS=3 benchmarks/run-calibration.sh
set -euo pipefail

export JAVA_HOME=${JAVA_HOME_25:-/usr/lib/jvm/temurin-25-jdk-amd64}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
data=${SIMDNET_DATA_ROOT:-$root/../shared/data}
out="$root/bench-out/calibration"
rm -rf "$out" && mkdir -p "$out"
[ -f cli/target/cli.jar ] || mvn -q -o package -DskipTests
JAVA=("$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector)
JAR=cli/target/cli.jar
unipen="$data/pendigits/pendigits-train.unipen"
model=${1:-}
if [ -z "$model" ]; then unzip -p "$JAR" dev/simdnet/model/digits.safetensors > "$out/model.safetensors"; model="$out/model.safetensors"; fi

echo "calibrating on writers 17-22..." >&2
"${JAVA[@]}" -jar "$JAR" calibrate --model "$model" --pendigits "$unipen" --writers 17-22 --report-writers 23-30 \
    --output "$out/calibrated.safetensors" > "$out/calibrate.json" 2> "$out/calibrate.err"

echo "rendering the pen digits..." >&2
"${JAVA[@]}" -jar "$JAR" render-pendigits --input "$unipen" --output "$out/pen" 2>/dev/null
python3 - "$out" <<'PY'
import os, sys
out = sys.argv[1]
for digit in sorted(os.listdir(f"{out}/pen")):
    for f in os.listdir(f"{out}/pen/{digit}"):
        w = int(f.split("_")[0])
        split = "val" if 17 <= w <= 22 else "report" if 23 <= w <= 30 else None
        if split:
            os.makedirs(f"{out}/{split}/{digit}", exist_ok=True)
            os.link(f"{out}/pen/{digit}/{f}", f"{out}/{split}/{digit}/{f}")
PY

# The calibrated model reads every writer; the report table is per writer and class of 23-30.
for split in val report; do
  "${JAVA[@]}" -jar "$JAR" classify --json --model "$out/calibrated.safetensors" "$out/$split" > "$out/$split.jsonl" 2>/dev/null
  "${JAVA[@]}" -jar "$JAR" classify --json --tta --model "$out/calibrated.safetensors" "$out/$split" > "$out/$split.tta.jsonl" 2>/dev/null
done
"${JAVA[@]}" -jar "$JAR" classify --json --model "$model" "$out/report" > "$out/report.raw.jsonl" 2>/dev/null

# Throughput: ABAB, plain then --tta (then the reference jar, if any), on all the pictures.
benchmarks/wait-idle.sh 0.5 120 > "$out/load.txt" || true
rounds=${ROUNDS:-3}
rm -f "$out/times.txt"
for ((i = 0; i < rounds; i++)); do
  for kind in plain tta ref; do
    case $kind in
      plain) cmd=("${JAVA[@]}" -jar "$JAR" classify --model "$out/calibrated.safetensors" "$out/pen") ;;
      tta) cmd=("${JAVA[@]}" -jar "$JAR" classify --tta --model "$out/calibrated.safetensors" "$out/pen") ;;
      ref) [ -n "${REF_JAR:-}" ] || continue; cmd=("${JAVA[@]}" -jar "$REF_JAR" classify --model "$model" "$out/pen") ;;
    esac
    s=$(date +%s.%N); "${cmd[@]}" > /dev/null 2>&1; e=$(date +%s.%N)
    echo "$kind $s $e" >> "$out/times.txt"
  done
done

python3 - "$out" "$root/BENCHMARKS.md" "$model" "${REF_JAR:-}" <<'PY'
import json, os, sys, re, statistics, subprocess, datetime, collections
out, md_path, model, ref = sys.argv[1:]
cal = json.load(open(f"{out}/calibrate.json"))
def rows(path):
    r = []
    for line in open(path):
        j = json.loads(line)
        if j["digit"] is None: continue
        f = j["file"]; truth = int(os.path.basename(os.path.dirname(f))); w = int(os.path.basename(f).split("_")[0])
        r.append((w, truth, j["digit"], j["probability"], j["sure"]))
    return r
def ece(rs, bins=15):
    b = collections.defaultdict(lambda: [0, 0.0, 0])
    for w, t, d, p, s in rs:
        k = min(bins - 1, int(p * bins)); b[k][0] += 1; b[k][1] += p; b[k][2] += t == d
    return sum(abs(c - conf) for n, conf, c in b.values()) / max(1, len(rs))
acc = lambda rs: sum(t == d for w, t, d, p, s in rs) / max(1, len(rs))
val, valt, rep, rept, raw = (rows(f"{out}/{n}.jsonl") for n in ["val", "val.tta", "report", "report.tta", "report.raw"])
total = len(list(open(f"{out}/times.txt")))
times = collections.defaultdict(list)
for line in open(f"{out}/times.txt"):
    k, s, e = line.split(); times[k].append(float(e) - float(s))
files = sum(len(fs) for _, _, fs in os.walk(f"{out}/pen"))
fps = {k: files / statistics.median(v) for k, v in times.items()}
cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
jdk = subprocess.run([os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64") + "/bin/java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
load = open(f"{out}/load.txt").read().strip()
pct = lambda x: f"{100 * x:.2f}%"
f, r = cal["fit"], cal["report"]
lines = [f"## Calibration and test-time augmentation ({datetime.datetime.now(datetime.UTC).strftime('%Y-%m-%d %H:%M UTC')})", "",
 f"`benchmarks/run-calibration.sh`, {cpu}, {os.cpu_count()} cores, {jdk}; model `{os.path.basename(model)}`. Temperature scaling",
 f"fitted on the pen digits of writers 17-22 (validation, {f['after']['samples']} digits, drawn as the page draws them): temperature",
 f"**{cal['temperature']:.3f}**, \"not sure\" under a calibrated top probability of **{cal['threshold']:.3f}** (the lowest at which the sure",
 "answers of writers 17-22 are right 99.5% of the time). Writers 23-30 were never fitted or chosen on. Expected calibration error: 15",
 "equal-width bins of the top probability.", "",
 "| | digits | accuracy | ECE before | ECE after | NLL before | NLL after | answered sure | sure answers right |",
 "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
for name, x in [("writers 17-22 (fitted on)", f), ("writers 23-30 (report)", r)]:
    b, a = x["before"], x["after"]
    lines.append(f"| {name} | {a['samples']} | {pct(a['accuracy'])} | {pct(b['ece'])} | **{pct(a['ece'])}** | {b['nll']:.4f} | {a['nll']:.4f} | {pct(a['sure_fraction'])} | {pct(a['sure_accuracy'])} |")
lines += ["", "Writers 23-30 through `classify --json` (PNG files), per writer and per class: ECE before (the softmax as it was) and after.", "",
          "| writer | digits | accuracy | ECE before | ECE after | not sure |", "| --- | --- | --- | --- | --- | --- |"]
for w in sorted({x[0] for x in rep}):
    a = [x for x in rep if x[0] == w]; b = [x for x in raw if x[0] == w]
    lines.append(f"| {w} | {len(a)} | {pct(acc(a))} | {pct(ece(b))} | {pct(ece(a))} | {pct(sum(not x[4] for x in a) / len(a))} |")
lines += ["", "| class | digits | accuracy | ECE before | ECE after | not sure |", "| --- | --- | --- | --- | --- | --- |"]
for c in range(10):
    a = [x for x in rep if x[1] == c]; b = [x for x in raw if x[1] == c]
    lines.append(f"| {c} | {len(a)} | {pct(acc(a))} | {pct(ece(b))} | {pct(ece(a))} | {pct(sum(not x[4] for x in a) / len(a))} |")
lines += ["", "Test-time augmentation (`classify --tta`: the digit and 6 copies shifted by a pixel or scaled by 10%, probabilities",
          "averaged), chosen on writers 17-22:", "",
          "| | writers 17-22 (choice) | writers 23-30 (report) | ECE 23-30 | files/s, all 7494 pictures |", "| --- | --- | --- | --- | --- |",
          f"| `classify` | {pct(acc(val))} | {pct(acc(rep))} | {pct(ece(rep))} | {fps['plain']:.0f} |",
          f"| `classify --tta` | {pct(acc(valt))} | {pct(acc(rept))} | {pct(ece(rept))} | {fps['tta']:.0f} |"]
if "ref" in fps: lines.append(f"| `classify` of the reference jar (`{ref}`) | | | | {fps['ref']:.0f} |")
lines += ["", f"Files per second: the whole command (JVM start included) on the {files} pictures, medians of {len(times['plain'])} runs alternated"
          f" plain, --tta{', reference' if 'ref' in fps else ''}; CPU before: {load}."]
section = "\n".join(lines) + "\n"
md = open(md_path).read()
pat = r"## Calibration and test-time augmentation.*?(?=\n## |\Z)"
md = re.sub(pat, lambda m: section, md, flags=re.S) if re.search(pat, md, flags=re.S) else md.rstrip() + "\n\n" + section
open(md_path, "w").write(md)
print(section)
PY
