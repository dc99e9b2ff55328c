#!/usr/bin/env bash
# The shipped server as users run it, under load from another process, while its queue grows.
#
#   benchmarks/queue-depth.sh [--store sqlite|memory] [--launcher PATH] [--window N] [--out FILE]
#
# Starts the packaged launcher (server-adapter/target/ttsqueue-server/bin/ttsqueue-server; built
# if missing) in its own process with its defaults, except --backend synthetic (a job sleeps 20 ms
# per word, as a GPU would be busy, so the queue grows because submits outpace it) and
# --max-queue-size 0 (no limit, so the queue can reach 100k). Then drives it with wrk (Debian's
# package) over loopback, -t2 -c32, and prints one JSON line per measurement:
#
#   warm-up   20k GET /health, 20k submits, 20k GET status, then every warm-up job cancelled, so the
#             JIT has compiled the paths measured and the queue is empty again (its history is not)
#   health    GET /health: the baseline of this run, same server, same load
#   submit@1k, submit@10k, submit@100k
#             POST /jobs/submit ({"job_type":"tts_permanent",...}, as issue "Queue at depth"
#             measured), --window answers each, starting at a queue of about 1k, 10k and 100k jobs
#   status@100k
#             GET /jobs/{id}/status of a job submitted when 50k were queued, at 100k queued
#   health@100k
#
# Each line says what was measured, the queue depth before and after, successes and errors apart,
# and ends with the commit the server was built from. Needs: wrk, curl, python3.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
store=sqlite
launcher="$root/server-adapter/target/ttsqueue-server/bin/ttsqueue-server"
window=10000
out=/dev/null
port=18321
threads=2
connections=32
while [ $# -gt 0 ]; do
  case "$1" in
    --store) store="$2"; shift 2 ;;
    --launcher) launcher="$2"; shift 2 ;;
    --window) window="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "queue-depth.sh needs $tool" >&2; exit 2; }
done
if [ ! -x "$launcher" ]; then
  (cd "$root" && mvn -q -DskipTests -pl server-adapter -am package)
fi
dist="$(cd "$(dirname "$launcher")/../.." && pwd)"
commit="$(git -C "$dist" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [ -n "$(git -C "$dist" status --porcelain --untracked-files=no 2>/dev/null)" ]; then commit="$commit+changes"; fi

work="$(mktemp -d)"
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The permanent voice the submits name: 2 s of a tone, 24 kHz mono, as the old server's folder holds them.
mkdir -p "$work/data/reference_voices"
python3 - "$work/data/reference_voices/myvoice.wav" <<'PY'
import math, struct, sys, wave
with wave.open(sys.argv[1], "wb") as w:
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(24000)
    w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 220 * i / 24000))) for i in range(48000)))
PY
echo "A reference transcript." > "$work/data/reference_voices/myvoice_ref.txt"

"$launcher" --backend synthetic --max-queue-size 0 --store "$store" --data-dir "$work/data" --port "$port" \
    > "$work/server.log" 2>&1 &
server_pid=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 300); do
  curl -sf "$base/health" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
  sleep 0.2
done

queued() {
  curl -sf "$base/jobs/queue-status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["queue_size"])'
}

# load <name> <kind> <answers> [argument]: one wrk run; prints its JSON line, with context, unless the name is "-".
load() {
  local name="$1" kind="$2" answers="$3" arg="${4:-}"
  local per_thread=$(( (answers + threads - 1) / threads ))
  local before after line
  before="$(queued)"
  line="$(wrk -t"$threads" -c"$connections" -d600s --timeout 10s -s "$here/wrk/load.lua" "$base" -- "$kind" "$per_thread" $arg \
      | grep '^{"answers"')"
  after="$(queued)"
  if [ "$name" != "-" ]; then
    local inner="${line#\{}"
    inner="${inner%\}}"
    echo "{\"measure\":\"$name\",\"store\":\"$store\",\"queued_before\":$before,\"queued_after\":$after,$inner,\"commit\":\"$commit\"}" \
        | tee -a "$out"
  fi
}

fill_to() {
  local target="$1" now
  now="$(queued)"
  if [ "$now" -lt "$target" ]; then load - submit $(( target - now )); fi
}

any_id="$(curl -sf -X POST -H 'Content-Type: application/json' \
    -d '{"job_type":"tts_permanent","parameters":{"voice_name":"myvoice","gen_text":"Load test."}}' "$base/jobs/submit" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["job_id"])')"
load - get 20000 /health
load - submit 20000 "$work/ids"
load - get 20000 "/jobs/$any_id/status"
load - cancel 1000000 "$work/ids"
load health get 20000 /health
fill_to 1000
load submit@1k submit "$window"
fill_to 10000
load submit@10k submit "$window"
fill_to 50000
middle="$(curl -sf -X POST -H 'Content-Type: application/json' \
    -d '{"job_type":"tts_permanent","parameters":{"voice_name":"myvoice","gen_text":"Load test."}}' "$base/jobs/submit" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["job_id"])')"
fill_to 100000
load submit@100k submit "$window"
position="$(curl -sf "$base/jobs/$middle/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["queue_position"])')"
echo "{\"note\":\"status@100k asks for a job at queue position $position\"}" | tee -a "$out"
load status@100k get 20000 "/jobs/$middle/status"
load health@100k get 20000 /health
