#!/usr/bin/env sh
# Builds the server (skipping tests, Javadoc and tarballs) and starts it on http://127.0.0.1:8000
# with the defaults: FreeTTS voice (or F5-TTS with --model-dir DIR), jobs and audio under ./data.
# Nothing is installed in ~/.m2: the modules the server needs are built in this checkout.
# Any option is passed on, e.g.: ./run-server.sh --port 9000 --store memory   (see --help; each option
# --some-name is also read from the environment variable TTSQ_SOME_NAME, a flag winning over it).
# The launcher runs dev.ttsqueue.server.Launcher and logs through the distribution's conf/logback.xml.
set -e
cd "$(dirname "$0")"
mvn -q -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true -Dassembly.skipAssembly=true \
  -pl server-adapter -am package
exec server-adapter/target/ttsqueue-server/bin/ttsqueue-server "$@"
