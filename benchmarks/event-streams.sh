#!/usr/bin/env bash
# What open event streams cost the shipped server while its queue is deep.
#
#   benchmarks/event-streams.sh [--store sqlite|memory] [--queue N] [--streams N] [--launcher PATH]
#                               [--out FILE]
#
# Builds the packaged launcher and the benchmarks jar from this checkout (with --launcher, that
# launcher is run as it is and its commit is "unknown"; the driver is this checkout's), starts the
# server in its own process with its defaults except --backend synthetic (20 ms per word, so the
# queue stays deep) and --max-queue-size 0, and runs server/EventStreamsAtDepth against it from
# another process: it queues --queue jobs (20,000), opens --streams event streams (5,000), one per
# queued job, cancels those jobs and reads, before, with the streams open, after the cancels and
# after the streams closed, the server's threads, file descriptors and RSS (/proc), and the
# latency of GET /health and of a queued job's status. One JSON line per step, ending with the
# commit. Needs: curl, python3, mvn (unless --launcher); file descriptors for twice --streams
# (ulimit -n).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
store=sqlite
launcher=
queue=20000
streams=5000
out=/dev/null
port=18331
while [ $# -gt 0 ]; do
  case "$1" in
    --store) store="$2"; shift 2 ;;
    --queue) queue="$2"; shift 2 ;;
    --streams) streams="$2"; shift 2 ;;
    --launcher) launcher="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
for tool in curl python3; do
  command -v "$tool" >/dev/null || { echo "event-streams.sh needs $tool" >&2; exit 2; }
done
. "$here/build-checkout.sh"
. "$here/server-fixture.sh"
if [ -z "$launcher" ]; then
  build_checkout "$root" benchmarks
else
  saved="$launcher"
  build_checkout "$root" benchmarks
  launcher="$saved"
  commit=unknown
fi
jar="$root/benchmarks/target/benchmarks.jar"
work="$(mktemp -d)"
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The permanent voice the submits name: 2 s of a tone, 24 kHz mono, in the old server's folder layout.
write_voice "$work/data/reference_voices/myvoice.wav" "$work/data/reference_voices/myvoice_ref.txt"

"$launcher" --backend synthetic --max-queue-size 0 --store "$store" --data-dir "$work/data" --port "$port" \
    > "$work/server.log" 2>&1 &
server_pid=$!
base="http://127.0.0.1:$port"
await_health "$base" "$server_pid" "$work/server.log"
# The launcher execs java: the pid is the server's.
java -cp "$jar" dev.ttsqueue.benchmarks.server.EventStreamsAtDepth --url "$base" --pid "$server_pid" \
    --queue "$queue" --streams "$streams" --label "$store" \
  | sed -e "s/}\$/,\"commit\":\"$commit\"}/" | tee -a "$out"
