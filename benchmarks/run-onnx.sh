#!/usr/bin/env bash
# The ONNX figures of BENCHMARKS.md (issue 13): trains fast and lenet with the CLI, exports them, the bundled model
# and a seeded `best`, checks every export against onnxruntime (Java) on the first 1,000 MNIST test images, reads
# each back, and times the imported fast-shaped models against their native checkpoints (alternately).
#   benchmarks/run-onnx.sh [DATA_DIR]          (default ../shared/data); writes bench-out/onnx/report.md
# bench-out/onnx/*.onnx with *.onnx.probabilities.bin beside them are what make_torch_fixture.py --check reads.
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
DATA="${1:-$(cd .. && pwd)/shared/data}"
OUT="$(pwd)/bench-out/onnx"
mkdir -p "$OUT"
mvn -B -q -o package -DskipTests -pl engine,trainer,cli -am
JAVA=("$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector)
for preset in fast lenet; do
  [ -f "$OUT/$preset.safetensors" ] || "${JAVA[@]}" -jar cli/target/cli.jar train --preset "$preset" --data-dir "$DATA/mnist" \
      --output "$OUT/$preset.safetensors" --state-dir "$OUT/$preset.state" --no-track > "$OUT/$preset.json" 2> "$OUT/$preset.log"
  echo "$preset: $(cat "$OUT/$preset.json")"
done
benchmarks/wait-idle.sh 0.5 120 || true
mvn -B -q -o verify -pl engine,trainer -am -Dtest=OnnxReport -Dsurefire.failIfNoSpecifiedTests=false -Djacoco.skip=true \
    -Dwidth.tests.skip=true -Dsimdnet.onnx.rounds="${ROUNDS:-7}" -Dsimdnet.test.data="$DATA" -Dsimdnet.onnx.report="$OUT" \
    -Dsimdnet.onnx.models="$OUT/fast.safetensors,$OUT/lenet.safetensors,bundled,seeded:best" > "$OUT/report.log" 2>&1 \
    || { tail -50 "$OUT/report.log"; exit 1; }
cat "$OUT/report.md"
ls -l cli/target/cli.jar | awk '{print "cli.jar: " $5 " bytes"}'
