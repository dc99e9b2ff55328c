#!/usr/bin/env sh
# Builds the server (skipping tests) and starts it on http://127.0.0.1:8000 with the defaults:
# FreeTTS voice (or F5-TTS with --model-dir DIR), jobs and audio under ./data.
# Any option is passed on, e.g.: ./run-server.sh --port 9000 --store memory   (see --help)
set -e
cd "$(dirname "$0")"
mvn -q -DskipTests -pl server-adapter -am package
exec server-adapter/target/ttsqueue-server/bin/ttsqueue-server "$@"
