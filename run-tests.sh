#!/usr/bin/env bash
# Installs what the tests need and runs every test (mvn verify): unit tests, then the tests that
# start real components (the server over HTTP, server processes killed and restarted, a Python
# `requests` client, headless Chromium, the packaged distributions).
#
# On Debian or Ubuntu it installs what is missing with apt (through sudo unless run as root):
# a JDK (17 or newer), Maven, python3-requests, chromium and redis-server. Elsewhere it says what to install.
# Extra arguments go to Maven, e.g. ./run-tests.sh -o (offline) or ./run-tests.sh -pl client -am
set -euo pipefail
cd "$(dirname "$0")"

missing=()
command -v javac >/dev/null || missing+=(default-jdk-headless)
command -v mvn >/dev/null || missing+=(maven)
# The compatibility test drives the server with Python `requests`, as the old server's clients do.
/usr/bin/python3 -c 'import requests' 2>/dev/null || missing+=(python3-requests)
# The browser tests drive /docs and a browser fetch client from headless Chromium.
[ -x /usr/bin/chromium ] || missing+=(chromium)
# The Redis store's tests, and the multi-node server tests, start their own redis-server on a free port.
command -v redis-server >/dev/null || [ -x /usr/bin/redis-server ] || missing+=(redis-server)

if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    echo "The tests need these (Debian package names): ${missing[*]}." >&2
    echo "Install them (Chromium at /usr/bin/chromium, Python 3 at /usr/bin/python3) and run again." >&2
    exit 1
  fi
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "Installing ${missing[*]} needs root: run as root or install sudo." >&2; exit 1; }
    sudo=(sudo)
  fi
  echo "Installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -q
  "${sudo[@]}" apt-get install -y -q "${missing[@]}"
fi

# The interleaving tests (core, SQLite store) run under Fray in a JDK 25 for Linux x86-64:
# $FRAY_JDK25_HOME, or one found under /usr/lib/jvm. Without one, the report says they did not run.
fray=()
jdk25="${FRAY_JDK25_HOME:-}"
if [ -z "$jdk25" ] && [ "$(uname -sm)" = "Linux x86_64" ]; then
  for candidate in /usr/lib/jvm/*25*; do
    if [ -x "$candidate/bin/jlink" ]; then jdk25="$candidate"; break; fi
  done
fi
if [ -n "$jdk25" ] && [ -x "$jdk25/bin/jlink" ]; then
  fray=(-Pfray "-Dfray.jdk25.home=$jdk25")
fi

exec mvn -B -ntp verify "${fray[@]}" "$@"
