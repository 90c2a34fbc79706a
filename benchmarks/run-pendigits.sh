#!/usr/bin/env bash
# Pen digits by writer and by class (issue 12): a model read through classify (thick-brush PNG files in three styles:
# dark on light, light on dark, transparent) and through /api/predict (strokes), writer by writer.
#   writers 1-16 train the bundled model, 17-22 choose it, 23-30 are the report (never trained on, never chosen on).
#
# usage: benchmarks/run-pendigits.sh [MODEL.safetensors] [pendigits_bench.py options]
#   no model: the jar's bundled model; WRITERS=17-22 to score a candidate on the validation writers only (choosing);
#   the default, 17-22,23-30, writes the "Pen digits by writer" section of BENCHMARKS.md.
set -euo pipefail

export JAVA_HOME=${JAVA_HOME_25:-/usr/lib/jvm/temurin-25-jdk-amd64}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
data=${SIMDNET_DATA_ROOT:-$root/../shared/data}
out="$root/bench-out/pendigits"
[ -f cli/target/cli.jar ] || mvn -q -o package -DskipTests
model=${1:-}
[ $# -gt 0 ] && shift
if [ -z "$model" ]; then
    mkdir -p "$out"
    unzip -p cli/target/cli.jar dev/simdnet/model/digits.safetensors > "$out/bundled.safetensors"
    model="$out/bundled.safetensors"
fi
writers=${WRITERS:-17-22,23-30}
write=()
[[ ",$writers," == *",23-30,"* ]] && write=(--write)
rm -rf "$out/17-22" "$out/23-30"
python3 benchmarks/pendigits_bench.py --jar cli/target/cli.jar --model "$model" --data "$data" --writers "$writers" \
    --out "$out" ${write[@]+"${write[@]}"} "$@"
