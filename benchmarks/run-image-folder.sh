#!/usr/bin/env bash
# Image-folder loading figures of BENCHMARKS.md: Fashion-MNIST's 60,000 training and 10,000 test images written as
# PNGs (once, by ImageIO), then loaded by ImageFolder in a fresh JVM each time: first with no cache (list, read
# the sizes, decode on all cores, write the cache), then from the cache. RUNS times each (default 3).
#   benchmarks/run-image-folder.sh [DATA_DIR] [FOLDER]   (defaults ../shared/data and $TMPDIR/simdnet-fashion-png)
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
DATA="${1:-$(cd .. && pwd)/shared/data}"
FOLDER="${2:-${TMPDIR:-/tmp}/simdnet-fashion-png}"
RUNS="${RUNS:-3}"
mvn -B -q -o install -DskipTests
JAVA=("$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp trainer/target/classes:engine/target/classes
      benchmarks/image-folder/ImageFolderBench.java)
[ -d "$FOLDER/train" ] || "${JAVA[@]}" write "$DATA" "$FOLDER" 2>/dev/null
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; JDK $("$JAVA_HOME/bin/java" -version 2>&1 | head -1)"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
for ((r = 1; r <= RUNS; r++)); do
  for kind in decode cached; do
    [ "$kind" = decode ] && rm -rf "$FOLDER/.simdnet-cache"
    load=$(benchmarks/wait-idle.sh 0.5 "${WAIT:-60}")
    start=$(date +%s%N)
    line=$("${JAVA[@]}" load "$FOLDER" 2> "$FOLDER.log")
    end=$(date +%s%N)
    echo "$kind run $r: $line, whole process $(( (end - start) / 1000000 )) ms (source launcher compiling included), $load"
    grep -h '^decoded' "$FOLDER.log" || true
  done
done
