# Sourced by the benchmark scripts, not run. build_checkout ROOT [MODULES] builds the packaged
# server of the checkout at ROOT (and MODULES too, comma-separated), skipping tests, Javadoc and
# tarballs, and sets $commit to the commit built, with "+changes" when tracked files differ from
# it, and $launcher to the packaged launcher: what a script measures is then what its lines name.
build_checkout() {
  local root="$1" modules="server-adapter${2:+,$2}"
  commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  if [ -n "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ]; then commit="$commit+changes"; fi
  (cd "$root" && mvn -q -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true -Dassembly.skipAssembly=true \
      -pl "$modules" -am package)
  launcher="$root/server-adapter/target/ttsqueue-server/bin/ttsqueue-server"
}
