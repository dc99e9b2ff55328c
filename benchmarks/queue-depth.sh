#!/usr/bin/env bash
# The shipped server as users run it, under load from another process, while its queue grows.
#
#   benchmarks/queue-depth.sh [--store sqlite|memory|redis] [--launcher PATH] [--window N]
#                             [--repeat N] [--warm-up-rounds N] [--out FILE]
#
# Builds the packaged launcher from this checkout (server-adapter/target/ttsqueue-server/bin/
# ttsqueue-server; with --launcher, that one is run as it is and its commit is "unknown") and
# starts it in its own process with its defaults, except --backend synthetic (a job sleeps 20 ms
# per word, as a GPU would be busy, so the queue grows because submits outpace it) and
# --max-queue-size 0 (no limit, so the queue can reach 100k). --store redis starts Debian's
# redis-server on a free loopback port in a temporary folder (appendonly yes, appendfsync everysec,
# as store-redis/README.md recommends) and gives the server --store redis://127.0.0.1:PORT/0; the
# voice the submits name is then uploaded through the API (the other stores find it in the old
# server's folder layout). Then drives it with wrk (Debian's
# package) over loopback, -t2 -c32, and prints one JSON line per measurement:
#
#   warm-up   rounds of 20k GET /health, 20k submits, 20k GET status (of a job of the round, queued
#             behind about 10k others), then every job of the round
#             cancelled, until a round's submits/s is within 10 % of the round before (at least 3
#             rounds, at most --warm-up-rounds, 8): the JIT has compiled the paths measured and the
#             queue is empty again (its history is not). Each round prints a "warm-up" line.
#   health    GET /health: the baseline of this run, same server, same load
#   submit@1k, submit@10k, submit@100k
#             POST /jobs/submit ({"job_type":"tts_permanent",...}, as issue "Queue at depth"
#             measured), --window answers each (10k), starting at a queue of about 1k, 10k and
#             100k jobs; --repeat windows at each depth (3), the jobs of each window cancelled
#             before the next, so each starts at the same depth
#   status@100k
#             GET /jobs/{id}/status of a job submitted when 50k were queued, at 100k queued
#   health@100k
#
# Each line says what was measured, the queue depth before and after, successes and errors apart,
# the server's CPU time per answer (user + system, microseconds: less noisy than a rate on a
# machine wrk shares), and ends with the commit the server was built from ("+changes" when the
# working tree differed from it); with Redis, redis-server's CPU time per answer too. Needs: wrk,
# curl, python3, mvn (unless --launcher), redis-server (for --store redis).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
store=sqlite
launcher=
window=10000
repeat=3
max_rounds=8
out=/dev/null
port=18321
threads=2
connections=32
while [ $# -gt 0 ]; do
  case "$1" in
    --store) store="$2"; shift 2 ;;
    --launcher) launcher="$2"; shift 2 ;;
    --window) window="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    --warm-up-rounds) max_rounds="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "queue-depth.sh needs $tool" >&2; exit 2; }
done
. "$here/server-fixture.sh"
if [ -z "$launcher" ]; then
  . "$here/build-checkout.sh"
  build_checkout "$root"
else
  commit=unknown
fi
work="$(mktemp -d)"
server_pid=
redis_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "$redis_pid" ]; then kill "$redis_pid" 2>/dev/null || true; wait "$redis_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The permanent voice the submits name: 2 s of a tone, 24 kHz mono, as the old server's folder holds them.
write_voice "$work/data/reference_voices/myvoice.wav" "$work/data/reference_voices/myvoice_ref.txt"

store_arg="$store"
redis_pid=
if [ "$store" = redis ]; then
  command -v redis-server >/dev/null || { echo "queue-depth.sh --store redis needs redis-server" >&2; exit 2; }
  redis_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  mkdir -p "$work/redis"
  redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work/redis" --save "" --appendonly yes \
      --appendfsync everysec --daemonize no --logfile "$work/redis.log" &
  redis_pid=$!
  for _ in $(seq 1 100); do
    grep -q "Ready to accept connections" "$work/redis.log" 2>/dev/null && break
    sleep 0.1
  done
  store_arg="redis://127.0.0.1:$redis_port/0"
fi
"$launcher" --backend synthetic --max-queue-size 0 --store "$store_arg" --data-dir "$work/data" --port "$port" \
    > "$work/server.log" 2>&1 &
server_pid=$!
base="http://127.0.0.1:$port"
await_health "$base" "$server_pid" "$work/server.log"

if [ "$store" = redis ]; then
  curl -sf -F voice_name=myvoice -F "audio_file=@$work/data/reference_voices/myvoice.wav;type=audio/wav" \
      -F "ref_text=A reference transcript." "$base/upload-permanent-voice" >/dev/null
fi

runs=0
queued() {
  curl -sf "$base/jobs/queue-status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["queue_size"])'
}
# The server's CPU time so far, user + system, in clock ticks (the launcher execs java: same pid).
cpu_ticks() {
  awk '{print $14 + $15}' "/proc/$server_pid/stat"
}
redis_ticks() {
  if [ -n "$redis_pid" ]; then awk '{print $14 + $15}' "/proc/$redis_pid/stat"; else echo 0; fi
}
ticks_per_second="$(getconf CLK_TCK)"

# load <name> <kind> <answers> [argument] [extra JSON fields]: one wrk run; prints its JSON line,
# with context, unless the name is "-"; the line is also left in $last_line.
last_line=
load() {
  local name="$1" kind="$2" answers="$3" arg="${4:-}" extra="${5:-}"
  local per_thread=$(( (answers + threads - 1) / threads ))
  local before after line cpu0 cpu1
  before="$(queued)"
  local done_file="$work/done.$((++runs))"
  cpu0="$(cpu_ticks)"
  local redis0 redis1
  redis0="$(redis_ticks)"
  line="$(wrk -t"$threads" -c"$connections" -d600s --timeout 10s -s "$here/wrk/load.lua" "$base" -- "$kind" "$per_thread" \
      "$done_file" $arg | grep '^{"answers"')"
  cpu1="$(cpu_ticks)"
  redis1="$(redis_ticks)"
  after="$(queued)"
  local inner="${line#\{}"
  inner="${inner%\}}"
  local answered="${inner#\"answers\":}"
  answered="${answered%%,*}"
  local cpu_us
  cpu_us="$(python3 -c "print(round(($cpu1 - $cpu0) * 1e6 / $ticks_per_second / max(1, $answered), 1))")"
  if [ -n "$redis_pid" ]; then
    cpu_us="$cpu_us,\"redis_cpu_us_per_answer\":$(python3 -c "print(round(($redis1 - $redis0) * 1e6 / $ticks_per_second / max(1, $answered), 1))")"
  fi
  last_line="{\"measure\":\"$name\",\"store\":\"$store\",${extra}\"queued_before\":$before,\"queued_after\":$after,$inner,\"server_cpu_us_per_answer\":$cpu_us,\"commit\":\"$commit\"}"
  if [ "$name" != "-" ]; then
    echo "$last_line" | tee -a "$out"
  fi
}

rate() {
  python3 -c 'import json,sys; print(json.loads(sys.argv[1])["ok_per_second"])' "$1"
}

fill_to() {
  local target="$1" now
  now="$(queued)"
  if [ "$now" -lt "$target" ]; then load - submit $(( target - now )); fi
}

submit_one() {
  curl -sf -X POST -H 'Content-Type: application/json' \
      -d '{"job_type":"tts_permanent","parameters":{"voice_name":"myvoice","gen_text":"Load test."}}' "$base/jobs/submit" \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["job_id"])'
}

# Warm-up rounds until the submit rate settles: C2 keeps compiling for a minute or more on two
# cores shared with wrk, and a rate measured before that says more about the JIT than the server.
previous=0
for round in $(seq 1 "$max_rounds"); do
  rm -f "$work"/ids.*
  load - get 20000 /health
  load warm-up submit 20000 "$work/ids" "\"round\":$round,"
  submits="$last_line"
  # a job still queued, as status@100k asks about: its place is worked out, a finished job's is not
  load - get 20000 "/jobs/$(sed -n '5000p' "$work/ids.0")/status"
  load - cancel 1000000 "$work/ids"
  now="$(rate "$submits")"
  if [ "$round" -ge 3 ] && python3 -c "import sys; sys.exit(0 if abs($now - $previous) <= 0.1 * $previous else 1)"; then
    break
  fi
  previous="$now"
done

load health get 20000 /health
# window <name> <depth>: --repeat windows of submits starting at about <depth> queued jobs; the
# jobs of each are cancelled after it, so the next starts at the same depth.
window() {
  local name="$1" depth="$2" i
  for i in $(seq 1 "$repeat"); do
    fill_to "$depth"
    rm -f "$work"/win.*
    load "$name" submit "$window" "$work/win" "\"window\":$i,"
    load - cancel 1000000 "$work/win"
  done
}
window submit@1k 1000
window submit@10k 10000
fill_to 50000
middle="$(submit_one)"
window submit@100k 100000
fill_to 100000
position="$(curl -sf "$base/jobs/$middle/status" | python3 -c 'import json,sys; print(json.load(sys.stdin)["queue_position"])')"
echo "{\"note\":\"status@100k asks for a job at queue position $position\"}" | tee -a "$out"
for i in $(seq 1 "$repeat"); do
  load status@100k get 20000 "/jobs/$middle/status" "\"window\":$i,"
done
load health@100k get 20000 /health
