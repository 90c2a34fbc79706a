#!/usr/bin/env bash
# The serving figures of issue 5 (pen-digit accuracy through /api/predict, wrk throughput and p99 of single-image
# KServe inference, batched images/s, start to first answer, resident memory); writes the "Serving" section of
# BENCHMARKS.md.
#   benchmarks/run-serving.sh [DATA_DIR] [-- extra serving_bench.py options, e.g. --model FILE]
# Needs wrk (apt-get install wrk). Raw outputs are kept in bench-out/serving/.
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
DATA="$(cd .. && pwd)/shared/data"
if [ $# -gt 0 ] && [ "$1" != "--" ]; then DATA="$1"; shift; fi
[ "${1:-}" = "--" ] && shift
command -v wrk >/dev/null || { echo "wrk not found: apt-get install wrk" >&2; exit 1; }
mvn -B -q -o -pl cli -am package -DskipTests
LOAD=$(benchmarks/wait-idle.sh "${IDLE_LOAD:-0.5}" "${IDLE_WAIT:-300}")
echo "$LOAD"
python3 benchmarks/serving_bench.py --data "$DATA" --load "$LOAD" "$@"
