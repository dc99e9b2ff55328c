# Sourced by the benchmark scripts that start the packaged server, not run.
#
# write_voice WAV [TRANSCRIPT]: the permanent voice the submits name ("myvoice"): 2 s of a tone,
#   24 kHz mono 16-bit, as the old server's folder holds them; with TRANSCRIPT, its reference text
#   is written there too (the old server's myvoice_ref.txt beside the WAV).
# await_health BASE PID LOG: waits up to 60 s until BASE/health answers; if the process PID ends
#   first, prints its LOG and exits 1.
write_voice() {
  local wav="$1" transcript="${2:-}"
  mkdir -p "$(dirname "$wav")"
  python3 - "$wav" <<'PY'
import math, struct, sys, wave
with wave.open(sys.argv[1], "wb") as w:
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(24000)
    w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 220 * i / 24000))) for i in range(48000)))
PY
  if [ -n "$transcript" ]; then echo "A reference transcript." > "$transcript"; fi
}

await_health() {
  local base="$1" pid="$2" log="$3"
  for _ in $(seq 1 300); do
    curl -sf "$base/health" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.2
  done
  echo "the server at $base did not answer /health within 60 s" >&2
  cat "$log" >&2
  exit 1
}
