#!/usr/bin/env bash
# The static web app (export --web) against the served page on all 7,494 UCI pen digits, replayed as pointer events
# in headless Chromium: both pages' accuracy, how often they agree, and the web app's 28x28 inputs against Java's for
# the same strokes. It is WebAppBrowserTest's accuracy test on every digit instead of 310; the figures line is
# printed (and kept in bench-out/web/figures.txt) for the "Static web app" section of BENCHMARKS.md.
#   benchmarks/run-web.sh [DATA_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
DATA="${1:-$(cd .. && pwd)/shared/data}"
mkdir -p bench-out/web
mvn -B -o -ntp -q verify -pl engine,trainer,cli -am -Dtest='WebAppBrowserTest#readsPenDigits*' -Dsurefire.failIfNoSpecifiedTests=false \
    -Dwidth.tests.skip=true -Dsimdnet.web.penDigits=all -Dsimdnet.test.data="$DATA" 2>&1 | tee bench-out/web/log.txt | grep '^web app' | tee bench-out/web/figures.txt
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; $("$JAVA_HOME/bin/java" -version 2>&1 | head -1); $(/usr/bin/chromium --version 2>/dev/null); $(date -u '+%Y-%m-%d %H:%M UTC')" | tee -a bench-out/web/figures.txt
