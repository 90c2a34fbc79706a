#!/usr/bin/env bash
# Waits until the 1-minute load average is below a threshold (default 0.5), at most MAX seconds (default 300).
# Prints the load it started at, so a benchmark can note any competing work in its report.
threshold="${1:-0.5}"; max="${2:-300}"
start=$(cut -d' ' -f1 /proc/loadavg)
for ((i = 0; i < max; i += 5)); do
  load=$(cut -d' ' -f1 /proc/loadavg)
  awk -v l="$load" -v t="$threshold" 'BEGIN { exit !(l < t) }' && { echo "idle (load $load, was $start)"; exit 0; }
  sleep 5
done
echo "busy: load still $(cut -d' ' -f1 /proc/loadavg) after ${max}s (competing processes: $(ps -eo pcpu,comm --sort=-pcpu | sed -n 2,4p | tr -s ' ' | tr '\n' ';'))"
