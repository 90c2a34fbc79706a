#!/usr/bin/env bash
# Builds the project, waits for an idle CPU, runs the kernel benchmarks with JMH and writes the
# "Kernels (JMH)" section of BENCHMARKS.md at the repository root (or the section named by SECTION).
#
# usage: benchmarks/run-kernels.sh [JMH arguments]
#   no arguments: the full kernel suite ('GemmBenchmark|ConvBenchmark', the annotations' forks and iterations)
#   a quick look: benchmarks/run-kernels.sh 'GemmBenchmark.squareLarge' -p size=1024 -f 1 -wi 3 -i 3
# GemmBenchmark's impl=openblas rows call the system's OpenBLAS (cblas_sgemm through the FFM API); the
# table shows each simdnet row beside them with the ratio, from the same run (benchmarks.jar's entry point
# alternates the implementations shape by shape). Without the library those rows are skipped in one line.
# environment:
#   WIDTH       vector width of the JMH forks: native (default), 256 (-XX:UseAVX=2) or 128 (-XX:MaxVectorSize=16);
#               it changes the JVM's code only: OpenBLAS picks its kernels itself (see BLAS_CORETYPE)
#   BLAS_CORETYPE  OPENBLAS_CORETYPE for the run (e.g. Haswell for OpenBLAS's AVX2 kernels); by default
#               OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are unset for the run, so OpenBLAS detects the CPU
#   NO_OPENBLAS_INSTALL  set to skip installing libopenblas0-pthread with apt-get when it is missing
#   SECTION, TITLE  write the results to BENCHMARKS.md's section SECTION (titled TITLE) instead of "Kernels (JMH)"
#   PEAK_ARGS   JMH arguments for the peak measurement that every run starts with (default: the annotations)
#   IDLE_WAIT   seconds to wait for an idle CPU before running anyway (default 300), in each of two tests:
#               benchmarks/wait-idle.sh (1-minute load average under IDLE_LOAD, default 1.0), then /proc/stat
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

# OpenBLAS is the reference of GemmBenchmark's impl=openblas rows; only this script installs it, never the build.
if ! ldconfig -p 2>/dev/null | grep -q 'libopenblas\.so\.0'; then
    if [[ -z ${NO_OPENBLAS_INSTALL:-} ]] && command -v apt-get >/dev/null; then
        sudo=""
        if (( $(id -u) != 0 )); then sudo="sudo -n"; fi
        echo "installing libopenblas0-pthread..." >&2
        { $sudo apt-get update -q && $sudo apt-get install -y -q libopenblas0-pthread; } >&2 \
            || echo "could not install libopenblas0-pthread: the OpenBLAS rows will be skipped" >&2
    fi
fi

# A machine may set these for other programs; unset here they let OpenBLAS choose its kernels for this CPU.
blas_env=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE)
for var in OPENBLAS_CORETYPE OPENBLAS_L2_SIZE; do
    if [[ -n ${!var:-} ]]; then echo "$var=${!var} is set in the environment: unset for this run" >&2; fi
done
if [[ -n ${BLAS_CORETYPE:-} ]]; then blas_env+=("OPENBLAS_CORETYPE=$BLAS_CORETYPE"); fi
openblas=$("${blas_env[@]}" "$java" --enable-native-access=ALL-UNNAMED -cp "$jar" dev.simdnet.bench.OpenBlas)
echo "$openblas" >&2
openblas=${openblas#openblas: }

# The width flags go before the annotations' own JVM arguments (-jvmArgsAppend on the command line would
# replace those). -XX:+IgnoreUnrecognizedVMOptions: UseAVX is x86's only.
case ${WIDTH:-native} in
    native) width_flags="" ;;
    256) width_flags="-XX:UseAVX=2" ;;
    128) width_flags="-XX:MaxVectorSize=16" ;;
    *) echo "WIDTH must be native, 256 or 128" >&2; exit 2 ;;
esac
width_args=()
if [[ -n $width_flags ]]; then width_args=(-jvmArgsPrepend "-XX:+IgnoreUnrecognizedVMOptions $width_flags"); fi
# shellcheck disable=SC2086
vector_bits=$("$java" -XX:+IgnoreUnrecognizedVMOptions $width_flags -XX:+PrintFlagsFinal -version 2>/dev/null \
    | awk '$2 == "MaxVectorSize" { print 8 * $4 }')
width_note="${WIDTH:-native}: JVM flags '${width_flags:-none}', HotSpot MaxVectorSize ${vector_bits:-unknown} bits"
echo "width: $width_note" >&2

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

idle_wait=${IDLE_WAIT:-300}
# The 1-minute load average sees sustained competing work that a 3-second /proc/stat sample can miss.
wait_idle=$("$root/benchmarks/wait-idle.sh" "${IDLE_LOAD:-1.0}" "$idle_wait")
echo "wait-idle.sh: $wait_idle" >&2

# Idle means: less than 15% busy (a load of about 0.3 on 2 cores) for 3 seconds in a row.
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
load_note="wait-idle.sh ${IDLE_LOAD:-1.0} $idle_wait: $wait_idle; then $load_note"
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
    "${blas_env[@]}" "$java" --add-modules jdk.incubator.vector -jar "$jar" "$@" "${width_args[@]}"
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

command="benchmarks/run-kernels.sh"
for var in WIDTH BLAS_CORETYPE PEAK_ARGS SECTION TITLE; do
    if [[ -n ${!var:-} ]]; then command="$var=$(printf '%q' "${!var}") $command"; fi
done
if (( $# > 0 )); then command="$command$(printf ' %q' "$@")"; fi
section_args=()
if [[ -n ${SECTION:-} ]]; then section_args=(--section "$SECTION" --title "${TITLE:-$SECTION}"); fi
python3 "$root/benchmarks/jmh_table.py" --peak "$out/peak.json" --results "$out/kernels.json" \
    --out "$root/BENCHMARKS.md" --machine "$machine" --jdk "$jdk" --date "$(date -u '+%Y-%m-%d %H:%M UTC')" \
    --load "$load_note" --width "$width_note" --openblas "$openblas" --command "$command" "${section_args[@]}"
echo "wrote $root/BENCHMARKS.md" >&2
