# bench/common.sh: what the benchmark scripts that start servers and writers share. Source it
# after setting $root, then call bench_setup; it gives:
#   $work           a scratch directory (under BENCH_DIR, default ${TMPDIR:-/tmp}), removed at exit
#                   unless BENCH_KEEP is set
#   started_pids    processes to kill at exit: add every background process started
#   $cp             the class path of the server and the fixtures' test classes (the writers)
#   die, stop, free_port, wait_for_line (below)
#
#   bench_setup NAME TOOL...   NAME names the script in messages; each TOOL must be on PATH

# die MESSAGE: says what went wrong, as NAME: MESSAGE, and exits 1
die() { echo "$bench_name: $*" >&2; exit 1; }

# stop PID: SIGTERM to a process this script started, then reap it
stop() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# free_port: a TCP port nothing listens on or connects from just now
free_port() {
  local port
  for _ in $(seq 200); do
    port=$((20000 + RANDOM % 12000))
    if [[ -z "$(ss -Htan "sport = :$port")" ]]; then
      echo "$port"
      return
    fi
  done
  die "no free port found"
}

# wait_for_line FILE TEXT: until FILE has a line containing TEXT (60 s at most)
wait_for_line() {
  local deadline=$((SECONDS + 60))
  until grep -q -- "$2" "$1" 2>/dev/null; do
    ((SECONDS < deadline)) || die "no '$2' in $1 after 60 s:$(printf '\n'; cat "$1")"
    sleep 0.05
  done
}

bench_cleanup() {
  local pid
  for pid in "${started_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${started_pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [[ -n ${BENCH_KEEP:-} ]]; then echo "logs kept in $work" >&2; else rm -rf "$work"; fi
}

bench_setup() {
  bench_name=$1
  shift
  local tool
  for tool in java mvn ss "$@"; do
    command -v "$tool" >/dev/null || die "$tool is needed"
  done
  work="$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/flexnbd-${bench_name%.sh}-XXXXXX")"
  started_pids=()
  trap bench_cleanup EXIT

  # The server and the fixtures' test classes (the writers), and their class path.
  echo "building (mvn test-compile)..." >&2
  (cd "$root" && mvn -B -q -pl fixtures -am test-compile dependency:build-classpath \
      -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test) >&2 \
    || die "build failed; run 'mvn -pl fixtures -am test-compile' in $root to see why"
  cp="$root/fixtures/target/test-classes:$root/fixtures/target/classes:$root/reference-server/target/classes"
  cp="$cp:$(cat "$root/fixtures/target/bench.classpath")"
}
