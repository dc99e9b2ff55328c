#!/usr/bin/env bash
# What the HTTP framework costs per request, on this machine, in one run:
#
#   benchmarks/http-floor.sh [--rounds N] [--warm-up SECONDS] [--out FILE]
#
# Builds this checkout's packaged server and benchmarks.jar, then, for each of --rounds (3) rounds,
# drives GET /health with wrk (Debian's package, -t2 -c32, benchmarks/wrk/load.lua) against
#   floor   HttpFloor: the same Jetty, thread pool and connector settings as the server, and a
#           blocking handler that sends the same 172 bytes of JSON, with nothing else;
#   server  the packaged launcher with --store memory --backend synthetic (its /health asks the
#           queue for its counters: no store I/O).
# Each target gets --warm-up seconds (45) of the same load first (C2 keeps compiling for that long
# on two cores shared with wrk), then 100k measured requests. One JSON line per
# measurement, with the process's CPU time (user + system) per answer, which says more than a rate
# on two cores that wrk shares, and the commit built. Needs: wrk, curl, python3, mvn.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
rounds=3
warm=45
out=/dev/null
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --warm-up) warm="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
for tool in wrk curl python3 mvn; do
  command -v "$tool" >/dev/null || { echo "http-floor.sh needs $tool" >&2; exit 2; }
done
. "$here/build-checkout.sh"
build_checkout "$root" benchmarks

work="$(mktemp -d)"
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
ticks_per_second="$(getconf CLK_TCK)"
port=18331

measure() {
  local name="$1" round="$2" base="http://127.0.0.1:$port"
  for _ in $(seq 1 300); do
    curl -sf "$base/health" >/dev/null 2>&1 && break
    sleep 0.2
  done
  wrk -t2 -c32 -d"${warm}s" --timeout 10s "$base/health" >/dev/null
  local cpu0 cpu1 line
  cpu0="$(awk '{print $14 + $15}' "/proc/$pid/stat")"
  line="$(wrk -t2 -c32 -d600s --timeout 10s -s "$here/wrk/load.lua" "$base" -- get 50000 "$work/done.$name.$round" /health \
      | grep '^{"answers"')"
  cpu1="$(awk '{print $14 + $15}' "/proc/$pid/stat")"
  python3 - "$name" "$round" "$line" "$cpu0" "$cpu1" "$ticks_per_second" "$commit" <<'PY' | tee -a "$out"
import json, sys
name, rnd, line, c0, c1, hz, commit = sys.argv[1:]
d = json.loads(line)
print(json.dumps({"measure": name, "round": int(rnd), "ok": d["ok"], "ok_per_second": d["ok_per_second"],
                  "p50_ms": d["p50_ms"], "p99_ms": d["p99_ms"], "errors": sum(d["errors"].values()),
                  "cpu_us_per_answer": round((int(c1) - int(c0)) * 1e6 / int(hz) / max(1, d["answers"]), 1),
                  "commit": commit}))
PY
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
}

for round in $(seq 1 "$rounds"); do
  java -cp "$root/benchmarks/target/benchmarks.jar" dev.ttsqueue.benchmarks.server.HttpFloor "$port" > "$work/floor.log" 2>&1 &
  pid=$!
  measure floor "$round"
  "$launcher" --store memory --backend synthetic \
      --data-dir "$work/data" --port "$port" > "$work/server.log" 2>&1 &
  pid=$!
  measure server "$round"
done
