# Sourced by the bench scripts: where the repository is (from this file's own path, so the scripts run from any
# directory), building the jars only when a source file changed since they were built, and the work folder.
# shellcheck shell=bash

bench_repo=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)
bench_server_jar=$bench_repo/server/target/ferry-server.jar
bench_sim_jar=$bench_repo/tools/sim/target/ferry-sim.jar
bench_cli_jar=$bench_repo/tools/cli/target/ferry-cli.jar

# bench_stale_source JAR: prints why JAR needs building: "JAR (not built)", or the first file it is built from
# (a pom.xml of the root or of a module the root pom lists, or anything under a module's src/main) that is newer
# than JAR. Prints nothing when JAR is current.
bench_stale_source() {
  local jar=$1 module modules=()
  if [[ ! -f $jar ]]; then
    echo "$jar (not built)"
    return
  fi
  while read -r module; do
    [[ -d $bench_repo/$module ]] && modules+=("$bench_repo/$module")
  done < <(sed -n 's:.*<module>\(.*\)</module>.*:\1:p' "$bench_repo/pom.xml")
  find "$bench_repo/pom.xml" "${modules[@]}" -type d -name target -prune -o -type f \
    \( -name pom.xml -o -path '*/src/main/*' \) -newer "$jar" -print -quit
}

# bench_build: builds the server, the simulator and the CLI unless each jar is newer than every file it is built
# from. FERRY_BENCH_NO_BUILD=1 uses the jars as they are.
bench_build() {
  local jar stale=
  if [[ -n ${FERRY_BENCH_NO_BUILD:-} ]]; then
    echo "bench: FERRY_BENCH_NO_BUILD is set: using the jars as they are" >&2
    return
  fi
  for jar in "$bench_server_jar" "$bench_sim_jar" "$bench_cli_jar"; do
    stale=$(bench_stale_source "$jar")
    [[ -z $stale ]] || break
  done
  if [[ -z $stale ]]; then
    echo "bench: the jars are newer than every source file: not building" >&2
    return
  fi
  echo "bench: building, ${stale#"$bench_repo"/} is newer than the jars" >&2
  MAVEN_OPTS="-Djansi.noreset=true ${MAVEN_OPTS:-}" mvn -B -ntp -q -Dstyle.color=never -f "$bench_repo/pom.xml" \
    -pl server,tools/sim,tools/cli -am package -DskipTests
}

# bench_work_dir NAME [DIR]: sets bench_work to DIR (made if missing, kept afterwards) or, without DIR, to a new
# folder NAME.XXXXXX under $TMPDIR when set, else under the current directory, which bench_cleanup_work removes
# unless FERRY_BENCH_KEEP=1. Says which on stderr.
bench_work_dir() {
  local name=$1 dir=${2:-}
  if [[ -n $dir ]]; then
    mkdir -p "$dir"
    bench_work=$(cd "$dir" && pwd)
    bench_work_owned=
    echo "bench: work folder $bench_work (kept)" >&2
  else
    bench_work=$(mktemp -d "${TMPDIR:-$PWD}/$name.XXXXXX")
    bench_work_owned=1
    echo "bench: work folder $bench_work (removed at the end; FERRY_BENCH_KEEP=1 keeps it)" >&2
  fi
}

bench_cleanup_work() {
  if [[ -n ${bench_work_owned:-} && -z ${FERRY_BENCH_KEEP:-} ]]; then
    rm -rf "$bench_work"
  elif [[ -n ${bench_work:-} ]]; then
    echo "bench: kept $bench_work" >&2
  fi
}

# bench_ferry ARGS...: the ferry command line (image signing) from the CLI jar.
bench_ferry() {
  java -jar "$bench_cli_jar" "$@"
}
