#!/usr/bin/env sh
# Builds the examples (tests skipped) and runs one of them from the repository root:
#   examples/run.sh SpeakWithPriorities [out-dir]
#   examples/run.sh RemoteProgressBars [--server http://127.0.0.1:8000] [--reference WAV] [--out DIR]
#   examples/run.sh F5FromModelDir --model-dir DIR [--reference WAV] [--ref-text TEXT] [--provider cpu]
#   examples/run.sh TwoNodesOnRedis [redis://127.0.0.1:6379/0]
# Nothing is installed in ~/.m2: the modules the examples use are built in this checkout.
set -e
cd "$(dirname "$0")/.."
if [ $# -lt 1 ]; then
  echo "usage: examples/run.sh SpeakWithPriorities|RemoteProgressBars|F5FromModelDir|TwoNodesOnRedis [options]" >&2
  exit 2
fi
example=$1
shift
mvn -q -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true -Dassembly.skipAssembly=true \
  -pl examples -am package
exec java -cp "examples/target/classes:$(cat examples/target/classpath.txt)" "dev.ttsqueue.examples.$example" "$@"
