#!/usr/bin/env bash
# Builds the project, waits for an idle CPU, runs the kernel benchmarks with JMH and writes the
# "Kernels (JMH)" section of BENCHMARKS.md at the repository root.
#
# usage: benchmarks/run-kernels.sh [JMH arguments]
#   no arguments: the full kernel suite ('GemmBenchmark|ConvBenchmark', the annotations' forks and iterations)
#   a quick look: benchmarks/run-kernels.sh 'GemmBenchmark.squareLarge' -p size=1024 -f 1 -wi 3 -i 3
# environment:
#   PEAK_ARGS   JMH arguments for the peak measurement that every run starts with (default: the annotations)
#   IDLE_WAIT   seconds to wait for an idle CPU before running anyway (default 300)
set -euo pipefail

export JAVA_HOME=${JAVA_HOME_25:-/usr/lib/jvm/temurin-25-jdk-amd64}
java="$JAVA_HOME/bin/java"
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out="$root/bench-out"
mkdir -p "$out"

echo "building..." >&2
mvn -q -o package -DskipTests
jar="$root/benchmarks/target/benchmarks.jar"

# Busy share of all CPUs over one second, in percent, from /proc/stat.
busy_percent() {
    local a b
    read -r -a a < <(grep '^cpu ' /proc/stat)
    sleep 1
    read -r -a b < <(grep '^cpu ' /proc/stat)
    local idle=$(( (b[4] + b[5]) - (a[4] + a[5]) )) total=0 i
    for i in 1 2 3 4 5 6 7 8; do total=$(( total + b[i] - a[i] )); done
    echo $(( total > 0 ? 100 * (total - idle) / total : 0 ))
}

# Idle means: less than 15% busy (a load of about 0.3 on 2 cores) for 3 seconds in a row.
idle_wait=${IDLE_WAIT:-300}
quiet=0
waited=0
while (( quiet < 3 && waited < idle_wait )); do
    if (( $(busy_percent) < 15 )); then quiet=$(( quiet + 1 )); else quiet=0; fi
    waited=$(( waited + 1 ))
done
loadavg=$(cut -d' ' -f1-3 /proc/loadavg)
if (( quiet >= 3 )); then
    load_note="idle at start (under 15% busy for 3 s; load average $loadavg)"
else
    load_note="NOT idle: gave up waiting after ${idle_wait} s (load average $loadavg at start); treat the numbers as low bounds"
fi
echo "load: $load_note" >&2

# JMH holds /tmp/jmh.lock (an fcntl lock) while it runs; another JMH on this machine would spoil both runs.
jmh_lock_free() {
    python3 -c 'import fcntl, sys; fcntl.lockf(open("/tmp/jmh.lock", "a"), fcntl.LOCK_EX | fcntl.LOCK_NB)' 2>/dev/null
}

run_jmh() {
    local waited=0
    while ! jmh_lock_free; do
        if (( waited == 0 )); then echo "another JMH run holds /tmp/jmh.lock: waiting..." >&2; fi
        if (( waited >= idle_wait )); then echo "gave up waiting for /tmp/jmh.lock" >&2; return 1; fi
        sleep 5
        waited=$(( waited + 5 ))
    done
    "$java" --add-modules jdk.incubator.vector -jar "$jar" "$@"
}

# shellcheck disable=SC2086
run_jmh 'PeakBenchmark' ${PEAK_ARGS:-} -rf json -rff "$out/peak.json"
if (( $# == 0 )); then set -- 'GemmBenchmark|ConvBenchmark'; fi
run_jmh "$@" -rf json -rff "$out/kernels.json"
load_note="$load_note; load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
flags=$(grep -m1 '^flags' /proc/cpuinfo)
simd="AVX2"
if [[ $flags == *avx512f* ]]; then simd="AVX-512"; fi
machine="$cpu, $(nproc) cores, $simd"
jdk=$("$java" -version 2>&1 | head -n 2 | tail -n 1)

python3 "$root/benchmarks/jmh_table.py" --peak "$out/peak.json" --results "$out/kernels.json" \
    --out "$root/BENCHMARKS.md" --machine "$machine" --jdk "$jdk" --date "$(date -u '+%Y-%m-%d %H:%M UTC')" \
    --load "$load_note"
echo "wrote $root/BENCHMARKS.md" >&2
