#!/usr/bin/env bash
# Soak: the packaged server under mixed load at a fixed rate for a long time, its memory and file
# descriptors sampled every 10 s. After the warm-up none of them may keep growing.
#
#   benchmarks/soak.sh [--minutes N] [--rate OPS_PER_S] [--warmup-minutes N] [--out FILE.csv]
#
# Defaults: 30 minutes at 20 operations/s, the first 5 minutes counted as warm-up. The rate must
# stay below what the one synthetic worker finishes (30 % of operations submit a job of 3 or 5
# words at 20 ms per word, about 0.09 s each: 0.027 s of work per operation, so about 37
# operations/s at most); above it the queue grows, and with it the heap and the event streams
# that follow queued jobs, which is a full queue, not a leak. Starts the
# packaged launcher (server-adapter/target/ttsqueue-server/bin/ttsqueue-server; build it and the
# benchmarks jar first, see benchmarks/README.md) with its defaults (SQLite store, launcher heap
# settings) except --backend synthetic and a fresh data folder, then runs SoakDriver against it
# (submits by form and JSON, status, event streams, uploads, downloads, cancels, health, listings).
# Every 10 s it writes one CSV line: seconds, RSS in KiB, heap used after a full GC in KiB
# (jcmd GC.run, then GC.heap_info), open file descriptors. At the end it prints, for each of the
# three, the mean of the first minute after the warm-up and of the last minute, and the driver's
# count of answers; it exits non-zero when the driver saw a 5xx or a dropped connection.
# Needs: a JDK's jcmd, Linux /proc.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
minutes=30
rate=20
warmup=5
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    --warmup-minutes) warmup="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
launcher="$root/server-adapter/target/ttsqueue-server/bin/ttsqueue-server"
jar="$root/benchmarks/target/benchmarks.jar"
[ -x "$launcher" ] && [ -f "$jar" ] || { echo "build first: mvn -q -DskipTests -pl benchmarks -am package" >&2; exit 2; }
work="$(mktemp -d)"
out="${out:-$work/soak.csv}"
log="$work/server.log"
"$launcher" --port 0 --data-dir "$work/data" --backend synthetic >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 600); do
  port="$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$log" | head -1)"
  [ -n "$port" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.1
done
[ -n "${port:-}" ] || { echo "the server did not come up" >&2; cat "$log" >&2; exit 1; }

seconds=$((minutes * 60))
java -cp "$jar" dev.ttsqueue.benchmarks.server.SoakDriver "http://127.0.0.1:$port" "$rate" "$seconds" >"$work/driver.txt" 2>&1 &
driver=$!

echo "seconds,rss_kib,heap_after_gc_kib,open_fds" >"$out"
start=$(date +%s)
while kill -0 "$driver" 2>/dev/null; do
  now=$(( $(date +%s) - start ))
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
  jcmd "$pid" GC.run >/dev/null
  heap=$(jcmd "$pid" GC.heap_info | sed -n 's/.*total [0-9]*K, used \([0-9]*\)K.*/\1/p' | head -1)
  fds=$(ls "/proc/$pid/fd" | wc -l)
  echo "$now,$rss,$heap,$fds" | tee -a "$out"
  sleep 10
done
status=0
wait "$driver" || status=$?
cat "$work/driver.txt"
awk -F, -v w=$((warmup * 60)) -v end="$seconds" 'NR > 1 {
    if ($1 >= w && $1 < w + 60) { n1++; r1 += $2; h1 += $3; f1 += $4 }
    if ($1 >= end - 60) { n2++; r2 += $2; h2 += $3; f2 += $4 }
  } END {
    if (n1 == 0 || n2 == 0) { print "too short to compare warm-up and end"; exit }
    printf "after warm-up (mean of a minute): RSS %d KiB, heap after GC %d KiB, fds %.0f\n", r1/n1, h1/n1, f1/n1
    printf "last minute (mean):                RSS %d KiB, heap after GC %d KiB, fds %.0f\n", r2/n2, h2/n2, f2/n2
  }' "$out"
echo "samples: $out; server log: $log"
exit "$status"
