#!/usr/bin/env bash
# Packaged server nodes on one Redis store, as users run several, under load from another process.
#
#   benchmarks/redis-nodes.sh [--nodes N] [--window N] [--depth N] [--launcher PATH] [--out FILE]
#
# Starts Debian's redis-server on a free loopback port in a temporary folder (appendonly yes,
# appendfsync everysec: what store-redis/README.md recommends), then --nodes packaged launchers
# (server-adapter/target/ttsqueue-server/bin/ttsqueue-server, built from this checkout first; with
# --launcher, that one as it is, its commit "unknown"), each with its own
# --data-dir and --store redis://..., --backend synthetic and --max-queue-size 0, so the shared
# queue grows as in production. The permanent voice the submits name is uploaded to the first node
# only: every node reads it from Redis. Load is wrk (Debian's package) with benchmarks/wrk/load.lua,
# -t2 -c32 in all: with several nodes, one wrk per node at the same time, the connections split
# between them. One JSON line per measurement; with several nodes the answers are added up over
# the longest of the runs, and p99 is the worst node's:
#
#   health    GET /health, the baseline of this run (no store access but a count)
#   submit@1k, submit@10k, submit@<depth>
#             POST /jobs/submit, --window answers in all, from a shared queue of about 1k, 10k, depth
#   status@<depth>
#             GET /jobs/{id}/status (with its queue_position: ZRANK) of a job in the middle of the queue
#
# On a machine with few cores, wrk, every node and redis-server share them: the line "cpus" says
# how many there were. Needs: redis-server, wrk, curl, python3.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
launcher=
nodes=1
window=10000
depth=100000
out=/dev/null
base_port=18421
threads=2
connections=32
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) nodes="$2"; shift 2 ;;
    --window) window="$2"; shift 2 ;;
    --depth) depth="$2"; shift 2 ;;
    --launcher) launcher="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --port) base_port="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
for tool in redis-server wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "redis-nodes.sh needs $tool" >&2; exit 2; }
done
if [ -z "$launcher" ]; then
  . "$here/build-checkout.sh"
  build_checkout "$root"
else
  commit=unknown
fi

work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

redis_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
mkdir -p "$work/redis"
redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work/redis" --save "" --appendonly yes --appendfsync everysec \
    --daemonize no --logfile "$work/redis.log" &
pids+=($!)
for _ in $(seq 1 100); do
  grep -q "Ready to accept connections" "$work/redis.log" 2>/dev/null && break
  sleep 0.1
done

bases=()
for i in $(seq 1 "$nodes"); do
  port=$((base_port + i - 1))
  "$launcher" --backend synthetic --max-queue-size 0 --store "redis://127.0.0.1:$redis_port/0" --node-id "bench-$i" \
      --data-dir "$work/node-$i" --port "$port" > "$work/node-$i.log" 2>&1 &
  pids+=($!)
  bases+=("http://127.0.0.1:$port")
done
for i in "${!bases[@]}"; do
  for _ in $(seq 1 300); do
    curl -sf "${bases[$i]}/health" >/dev/null 2>&1 && break
    sleep 0.2
  done
  curl -sf "${bases[$i]}/health" >/dev/null || { cat "$work/node-$((i + 1)).log" >&2; exit 1; }
done
base="${bases[0]}"

python3 - "$work/myvoice.wav" <<'PY'
import math, struct, sys, wave
with wave.open(sys.argv[1], "wb") as w:
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(24000)
    w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 220 * i / 24000))) for i in range(48000)))
PY
curl -sf -F voice_name=myvoice -F "audio_file=@$work/myvoice.wav;type=audio/wav" -F "ref_text=A reference transcript." \
    "$base/upload-permanent-voice" >/dev/null

echo "{\"cpus\":$(nproc),\"nodes\":$nodes,\"redis\":\"$(redis-server --version | sed 's/^Redis server //; s/ sha=.*//')\",\"commit\":\"$commit\"}" \
    | tee -a "$out"

runs=0
queued() {
  curl -sf "$base/jobs/queue-status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["queue_size"])'
}

# load <name> <kind> <answers in all> [argument]: one wrk per node at once; prints the sum, unless the name is "-".
load() {
  local name="$1" kind="$2" answers="$3" arg="${4:-}"
  local per_node=$(( (answers + nodes - 1) / nodes ))
  local t=$(( threads / nodes )); [ "$t" -ge 1 ] || t=1
  local c=$(( connections / nodes )); [ "$c" -ge "$t" ] || c="$t"
  local per_thread=$(( (per_node + t - 1) / t ))
  local before after
  before="$(queued)"
  local lines=() wrk_pids=() done_files=()
  for i in "${!bases[@]}"; do
    local done_file="$work/done.$((++runs))"
    local node_arg="$arg"
    if [ "$kind" = submit ] || [ "$kind" = cancel ]; then node_arg="${arg:+$arg-$i}"; fi
    wrk -t"$t" -c"$c" -d600s --timeout 10s -s "$here/wrk/load.lua" "${bases[$i]}" -- "$kind" "$per_thread" "$done_file" \
        $node_arg > "$work/wrk.$runs.out" &
    wrk_pids+=($!)
    done_files+=("$done_file")
    lines+=("$work/wrk.$runs.out")
  done
  wait_wrk "$t"
  after="$(queued)"
  if [ "$name" != "-" ]; then
    python3 - "$name" "$before" "$after" "$commit" "$nodes" "${lines[@]}" <<'PY' | tee -a "$out"
import json, sys
name, before, after, commit, nodes = sys.argv[1:6]
runs = []
for path in sys.argv[6:]:
    for line in open(path):
        if line.startswith('{"answers"'):
            runs.append(json.loads(line))
ok = sum(r["ok"] for r in runs)
seconds = max(r["seconds"] for r in runs)
print(json.dumps({"measure": name, "nodes": int(nodes), "queued_before": int(before), "queued_after": int(after),
                  "answers": sum(r["answers"] for r in runs), "ok": ok, "seconds": seconds,
                  "ok_per_second": round(ok / seconds, 1), "p50_ms_worst": max(r["p50_ms"] for r in runs),
                  "p99_ms_worst": max(r["p99_ms"] for r in runs), "p999_ms_worst": max(r["p999_ms"] for r in runs),
                  "per_node_ok_per_second": [r["ok_per_second"] for r in runs],
                  "errors": sum(sum(r["errors"].values()) for r in runs), "commit": commit}))
PY
  fi
}

# Waits for the wrk runs of load(). load.lua ends a run itself once every thread had its answers;
# on a machine loaded enough to lose that signal, a run whose threads are all through is ended here
# (within 50 ms, as load.lua would), so it does not idle until -d runs out and skew the figures.
wait_wrk() {
  local t="$1" k
  while true; do
    local running=0
    for k in "${!wrk_pids[@]}"; do
      kill -0 "${wrk_pids[$k]}" 2>/dev/null || continue
      running=1
      if [ -f "${done_files[$k]}" ] && [ "$(wc -l < "${done_files[$k]}")" -ge "$t" ]; then
        kill -INT "${wrk_pids[$k]}" 2>/dev/null || true
      fi
    done
    [ "$running" = 1 ] || break
    sleep 0.05
  done
  for k in "${!wrk_pids[@]}"; do wait "${wrk_pids[$k]}" 2>/dev/null || true; done
}

fill_to() {
  local target="$1" now
  now="$(queued)"
  if [ "$now" -lt "$target" ]; then load - submit $(( target - now )); fi
}

load - get 20000 /health
load - submit 20000 "$work/ids"
for i in "${!bases[@]}"; do
  # each node cancels the warm-up jobs it took, so the queue is empty again (its history is not)
  wrk -t1 -c8 -d600s --timeout 10s -s "$here/wrk/load.lua" "${bases[$i]}" -- cancel 1000000 "$work/done.c$i" "$work/ids-$i" \
      > /dev/null
done
load health get 20000 /health
fill_to 1000
load submit@1k submit "$window"
fill_to 10000
load submit@10k submit "$window"
fill_to $(( depth / 2 ))
middle="$(curl -sf -X POST -H 'Content-Type: application/json' \
    -d '{"job_type":"tts_permanent","parameters":{"voice_name":"myvoice","gen_text":"Load test."}}' "$base/jobs/submit" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["job_id"])')"
fill_to "$depth"
load "submit@$depth" submit "$window"
position="$(curl -sf "$base/jobs/$middle/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["queue_position"])')"
echo "{\"note\":\"status@$depth asks every node for a job at queue position $position\"}" | tee -a "$out"
load "status@$depth" get 20000 "/jobs/$middle/status"
