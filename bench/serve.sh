#!/usr/bin/env bash
# Serving speed of the reference server against nbdkit (file plugin) and qemu-nbd, in one run,
# on loopback, all three serving the same 1 GiB file, measured in turns:
#   write  sequential write of 1 GiB with nbdcopy, from a random-data file in the page cache
#   read   sequential read of 1 GiB with nbdcopy, to null:
#   randrd 4 KiB random reads with fio's nbd engine, iodepth 16
# Each figure is the best of BENCH_RUNS runs (the median beside it), after BENCH_WARMUP unmeasured
# warm-up rounds of all three tests for every server alike (default 3: our JIT compiler is still
# busy after one, and its work would count as serving CPU). Beside it, the CPU time the server itself used
# (user + system, from /proc) in its least costly run: on a busy machine, where wall-clock
# figures swing, the cost per byte or per request is the steadier comparison. Then the resident
# memory of our server while it serves a 64 GiB sparse file, after a read of its first 256 MiB.
# Below the table, our server's CPU over all measured write and read runs, split by thread kind
# (network threads, storage threads, JIT compiler, GC, the rest), per GiB.
# Then sparse disks, all three servers on the same file again:
#   nbdcopy  an 8 GiB file holding 64 MiB of data, copied to null: (holes skipped by block status)
#   convert  the same file with qemu-img convert -O qcow2 to a local file
#   map      nbdinfo --map of a 1 TiB sparse file with a few data runs (target: under 0.5 s)
# Each is the best (lowest) wall time of BENCH_RUNS runs (the median beside it, and the server's
# mean CPU time per run), after BENCH_SPARSE_WARMUP unmeasured
# rounds (default 40) for every server alike: a run is only a few hundred requests, too few
# for the JVM to compile the hot paths (after 10 rounds its compiler still took about 40% of
# our server's CPU), and a server that has been up for a while is warm. BENCH_SPARSE_WARMUP=0
# gives the cold figures of a server just started.
#
# With BENCH_COLD=1 the page cache is dropped (sync; echo 3 > /proc/sys/vm/drop_caches, as root)
# before every read and randread run, so that those figures include the disk; writes do not read,
# so they run as usual. The drop is machine-wide: other work on the machine loses its cache too.
#
# Environment: BENCH_RUNS (default 3), BENCH_WARMUP (default 3), BENCH_FIO_SECONDS (default 20), BENCH_SIZE_MIB (default
# 1024), BENCH_PARTS ("dense sparse" by default; one of them to run only that part), BENCH_DIR (where the scratch directory goes; default: TMPDIR or /tmp),
# FLEXNBD_JAVA_OPTS (JVM options of our server, e.g. for JFR). Quick run:
#   BENCH_RUNS=1 BENCH_FIO_SECONDS=3 BENCH_SIZE_MIB=256 bench/serve.sh
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
runs="${BENCH_RUNS:-3}"
fio_seconds="${BENCH_FIO_SECONDS:-20}"
size_mib="${BENCH_SIZE_MIB:-1024}"
parts="${BENCH_PARTS:-dense sparse}"
sparse_warmup="${BENCH_SPARSE_WARMUP:-40}"
dense_warmup="${BENCH_WARMUP:-3}"
load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
wants() { [[ " $parts " == *" $1 "* ]]; }

for tool in nbdcopy nbdinfo fio nbdkit qemu-nbd qemu-img java; do
  command -v "$tool" >/dev/null || { echo "serve.sh: $tool is not installed" >&2; exit 1; }
done

work="$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/flexnbd-bench.XXXXXX")"
servers=(flexnbd nbdkit qemu-nbd)
declare -A pid_of uri_of

stop_servers() {
  local name pid
  for name in "${!pid_of[@]}"; do
    pid="${pid_of[$name]}"
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    unset "pid_of[$name]"
  done
}

cleanup() {
  stop_servers
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A TCP port on 127.0.0.1 that nothing listens on now, below the ephemeral range: a probe of a
# port in that range can connect to itself (TCP simultaneous open) and then hold the port.
free_port() {
  local port low
  low="$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)"
  while :; do
    port=$((10000 + RANDOM % (low - 10000)))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
}

# start_server NAME FILE: starts it in the background on a free port; sets pid_of and uri_of.
start_server() {
  local name="$1" file="$2" port log
  port="$(free_port)"
  log="$work/$name.log"
  case "$name" in
    flexnbd)
      # shellcheck disable=SC2086 # word splitting of FLEXNBD_JAVA_OPTS is wanted
      java ${FLEXNBD_JAVA_OPTS:-} -jar "$root/reference-server/target/flexnbd.jar" \
        serve -l 127.0.0.1 -p "$port" -f "$file" >"$log" 2>&1 &
      ;;
    nbdkit)
      nbdkit -f -i 127.0.0.1 -p "$port" file "$file" >"$log" 2>&1 &
      ;;
    qemu-nbd)
      # -e: let nbdcopy's several connections and fio in (qemu-nbd allows one client by default)
      qemu-nbd -f raw -b 127.0.0.1 -p "$port" -t -e 16 "$file" >"$log" 2>&1 &
      ;;
  esac
  pid_of[$name]=$!
  uri_of[$name]="nbd://127.0.0.1:$port"
  for _ in $(seq 600); do
    # timeout: a port in the ephemeral range can connect to itself before the server listens
    if timeout 5 nbdinfo --size "${uri_of[$name]}" >/dev/null 2>&1; then
      return 0
    fi
    if ! kill -0 "${pid_of[$name]}" 2>/dev/null; then
      echo "serve.sh: $name exited; its log:" >&2
      cat "$log" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "serve.sh: $name does not answer on ${uri_of[$name]} after 60 s; its log:" >&2
  cat "$log" >&2
  exit 1
}

now() { date +%s.%N; }

cold="${BENCH_COLD:-0}"
if [[ "$cold" == 1 ]] && ! (sync && echo 3 >/proc/sys/vm/drop_caches) 2>/dev/null; then
  echo "serve.sh: BENCH_COLD=1 needs to write /proc/sys/vm/drop_caches (root)" >&2
  exit 1
fi

# With BENCH_COLD=1: empties the page cache before a read run.
drop_cache() {
  if [[ "$cold" == 1 ]]; then
    sync
    echo 3 >/proc/sys/vm/drop_caches
  fi
}

# CPU time (user + system, in clock ticks) that process $1 has used so far.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

ticks_per_second="$(getconf CLK_TCK)"

# thread_ticks PID: CPU clock ticks its threads have used so far, by kind, as "network storage
# compiler gc other" (the JVM names its threads: nbd-io-*, nbd-storage-*, C1/C2 CompilerThread*,
# G1/GC ...), so that the report can say where our server's CPU per GiB goes.
thread_ticks() {
  local task
  for task in /proc/"$1"/task/*; do
    printf '%s\t%s\n' "$(cat "$task/comm" 2>/dev/null)" "$(awk '{ print $14 + $15 }' "$task/stat" 2>/dev/null)"
  done | awk -F'\t' '
    $1 ~ /^nbd-io/ { n += $2; next }
    $1 ~ /^nbd-storage/ { s += $2; next }
    $1 ~ /CompilerThre/ { c += $2; next }
    $1 ~ /^(G1|GC)/ { g += $2; next }
    { o += $2 }
    END { print n + 0, s + 0, c + 0, g + 0, o + 0 }'
}

# split_line FROM TO GIB: the per-kind difference of two thread_ticks lines, in ms per GiB.
split_line() {
  awk -v a="$1" -v b="$2" -v gib="$3" -v hz="$ticks_per_second" 'BEGIN {
    split(a, x, " "); split(b, y, " ")
    printf "network %d, storage %d, JIT compiler %d, GC %d, other %d", (y[1] - x[1]) * 1000 / hz / gib,
      (y[2] - x[2]) * 1000 / hz / gib, (y[3] - x[3]) * 1000 / hz / gib, (y[4] - x[4]) * 1000 / hz / gib,
      (y[5] - x[5]) * 1000 / hz / gib }'
}

# nbdcopy_run NAME FROM TO: "MiB/s CPU-ms" of one nbdcopy run against server NAME.
nbdcopy_run() {
  local name="$1" from="$2" to="$3" start end c0 c1
  sync
  c0="$(cpu_ticks "${pid_of[$name]}")"
  start="$(now)"
  nbdcopy "$from" "$to"
  end="$(now)"
  c1="$(cpu_ticks "${pid_of[$name]}")"
  awk -v mib="$size_mib" -v s="$start" -v e="$end" -v c="$((c1 - c0))" -v hz="$ticks_per_second" \
    'BEGIN { printf "%.0f %.0f", mib / (e - s), c * 1000 / hz }'
}

# fio_run NAME: "IOPS CPU-ms" of one fio run of 4 KiB random reads against server NAME.
fio_run() {
  local name="$1" c0 c1 iops
  c0="$(cpu_ticks "${pid_of[$name]}")"
  iops="$(fio --name=randread --ioengine=nbd --uri="${uri_of[$name]}" --rw=randread --bs=4k --iodepth=16 \
    --size="${size_mib}M" --time_based --runtime="$fio_seconds" \
    --output-format=terse --terse-version=3 | awk -F';' '$1 == "3" { printf "%.0f", $8; exit }')"
  c1="$(cpu_ticks "${pid_of[$name]}")"
  awk -v iops="$iops" -v c="$((c1 - c0))" -v hz="$ticks_per_second" 'BEGIN { printf "%.0f %.0f", iops, c * 1000 / hz }'
}

# median: the median of the first numbers of the lines on stdin.
median() { awk 'NF { print $1 }' | sort -g | awk '{ v[n++] = $1 } END { print n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2 }'; }

# From "figure cpu" pairs on stdin: the best figure, the least CPU and the median figure, as
# "figure cpu median".
best() {
  local runs
  runs="$(cat)"
  echo "$(awk 'NF == 2 { if ($1 > f) f = $1; if (c == "" || $2 < c) c = $2 } END { print f, c }' <<<"$runs")" \
    "$(median <<<"$runs")"
}

if [[ ! -f "$root/reference-server/target/flexnbd.jar" ]]; then
  echo "building flexnbd.jar ..." >&2
  (cd "$root" && mvn -B -q -pl reference-server -am package -DskipTests) >&2
fi

if wants dense; then
echo "preparing ${size_mib} MiB of random data in $work ..." >&2
head -c "$((size_mib * 1024 * 1024))" /dev/urandom >"$work/random.bin"
cp "$work/random.bin" "$work/disk.img"   # fully allocated: every write run overwrites in place
cat "$work/random.bin" >/dev/null        # in the page cache
sync

# All three serve the same file at once (none of them locks it; every write run writes the
# same bytes), and the runs take turns, so that a change in the machine's load hits all alike.
for name in "${servers[@]}"; do
  start_server "$name" "$work/disk.img"
done
# Unmeasured rounds first: our JIT compiler, and every server's caches, warm up.
echo "warming up ($dense_warmup rounds) ..." >&2
for _ in $(seq "$dense_warmup"); do
  for name in "${servers[@]}"; do
    nbdcopy_run "$name" "$work/random.bin" "${uri_of[$name]}" >/dev/null
    nbdcopy_run "$name" "${uri_of[$name]}" null: >/dev/null
    fio --name=warmup --ioengine=nbd --uri="${uri_of[$name]}" --rw=randread --bs=4k --iodepth=16 \
      --size="${size_mib}M" --time_based --runtime=5 --output-format=terse >/dev/null
  done
done
echo "measuring ..." >&2
declare -A write_runs read_runs fio_runs
split_w0="$(thread_ticks "${pid_of[flexnbd]}")"
for _ in $(seq "$runs"); do
  for name in "${servers[@]}"; do
    write_runs[$name]+="$(nbdcopy_run "$name" "$work/random.bin" "${uri_of[$name]}")"$'\n'
  done
done
split_w1="$(thread_ticks "${pid_of[flexnbd]}")"
for _ in $(seq "$runs"); do
  for name in "${servers[@]}"; do
    drop_cache
    read_runs[$name]+="$(nbdcopy_run "$name" "${uri_of[$name]}" null:)"$'\n'
  done
done
split_r1="$(thread_ticks "${pid_of[flexnbd]}")"
for _ in $(seq "$runs"); do
  for name in "${servers[@]}"; do
    drop_cache
    fio_runs[$name]+="$(fio_run "$name")"$'\n'
  done
done
stop_servers
declare -A write_best read_best fio_best
for name in "${servers[@]}"; do
  write_best[$name]="$(best <<<"${write_runs[$name]}")"
  read_best[$name]="$(best <<<"${read_runs[$name]}")"
  fio_best[$name]="$(best <<<"${fio_runs[$name]}")"
  echo "$name runs (figure server-CPU-ms): write [$(grep . <<<"${write_runs[$name]}" | paste -sd,)]" \
    "read [$(grep . <<<"${read_runs[$name]}" | paste -sd,)] randread [$(grep . <<<"${fio_runs[$name]}" | paste -sd,)]" >&2
done

# Resident memory of our server on a 64 GiB sparse file after reading its first 256 MiB.
truncate -s 64G "$work/sparse64.img"
start_server flexnbd "$work/sparse64.img"
fio --name=first256 --ioengine=nbd --uri="${uri_of[flexnbd]}" --rw=read --bs=1M --iodepth=16 \
  --size=256M --output-format=terse >/dev/null
status="/proc/${pid_of[flexnbd]}/status"
rss_kib="$(awk '/^VmRSS:/ { print $2 }' "$status")"
hwm_kib="$(awk '/^VmHWM:/ { print $2 }' "$status")"
threads="$(awk '/^Threads:/ { print $2 }' "$status")"
stop_servers

fi

# timed NAME CMD...: "seconds CPU-ms" of one run of CMD against server NAME: its wall time, and
# the CPU time the server used meanwhile.
timed() {
  local name="$1" start end c0 c1
  shift
  c0="$(cpu_ticks "${pid_of[$name]}")"
  start="$(now)"
  "$@" >/dev/null
  end="$(now)"
  c1="$(cpu_ticks "${pid_of[$name]}")"
  awk -v s="$start" -v e="$end" -v c="$((c1 - c0))" -v hz="$ticks_per_second" \
    'BEGIN { printf "%.3f %.0f", e - s, c * 1000 / hz }'
}

# fastest: the lowest of the numbers on stdin.
fastest() { awk 'NF { if (m == "" || $1 < m) m = $1 } END { print m }'; }

if wants sparse; then
  # 8 GiB holding 64 MiB of random data: 64 runs of 1 MiB, one every 128 MiB.
  truncate -s 8G "$work/sparse8.img"
  for i in $(seq 0 63); do
    head -c 1M /dev/urandom | dd of="$work/sparse8.img" bs=1M seek=$((i * 128)) conv=notrunc status=none
  done
  # 1 TiB with a few MiB of data at the start, the middle and the end.
  truncate -s 1T "$work/sparse1t.img"
  for mib in 0 524288 1048575; do
    head -c 1M /dev/urandom | dd of="$work/sparse1t.img" bs=1M seek="$mib" conv=notrunc status=none
  done
  sync
  declare -A copy_runs convert_runs map_runs
  for file in sparse8 sparse1t; do
    for name in "${servers[@]}"; do
      start_server "$name" "$work/$file.img"
    done
    echo "measuring $file ..." >&2
    for round in $(seq $((1 - sparse_warmup)) "$runs"); do   # rounds up to 0 warm up, unmeasured
      for name in "${servers[@]}"; do
        uri="${uri_of[$name]}"
        if [[ "$file" == sparse8 ]]; then
          t_copy="$(timed "$name" nbdcopy "$uri" null:)"
          rm -f "$work/out.qcow2"
          t_convert="$(timed "$name" qemu-img convert -f raw -O qcow2 "$uri" "$work/out.qcow2")"
          if ((round > 0)); then
            copy_runs[$name]+="$t_copy"$'\n'
            convert_runs[$name]+="$t_convert"$'\n'
          fi
        else
          t_map="$(timed "$name" nbdinfo --map "$uri")"
          ((round > 0)) && map_runs[$name]+="$t_map"$'\n'
        fi
      done
    done
    stop_servers
  done
  rm -f "$work/out.qcow2"
  for name in "${servers[@]}"; do
    echo "$name runs (s server-CPU-ms): nbdcopy [$(grep . <<<"${copy_runs[$name]}" | paste -sd,)]" \
      "convert [$(grep . <<<"${convert_runs[$name]}" | paste -sd,)] map [$(grep . <<<"${map_runs[$name]}" | paste -sd,)]" >&2
  done
fi

# time_row LABEL "runs" x 3 (flexnbd, nbdkit, qemu-nbd), each run "seconds CPU-ms": best seconds
# of each, the best peer's time over ours (at least 1.00x: we are as fast as the fastest peer),
# the same for the medians, and each server's mean CPU ms per run (a run costs a few clock
# ticks of 10 ms, so one run's figure is too coarse to compare; the mean over the runs is not).
time_row() {
  local label="$1" ours kit qemu
  ours="$(fastest <<<"$2") $(median <<<"$2") $(mean_cpu <<<"$2")"
  kit="$(fastest <<<"$3") $(median <<<"$3") $(mean_cpu <<<"$3")"
  qemu="$(fastest <<<"$4") $(median <<<"$4") $(mean_cpu <<<"$4")"
  awk -v l="$label" -v o="$ours" -v k="$kit" -v q="$qemu" 'BEGIN {
    split(o, a, " "); split(k, b, " "); split(q, c, " ")
    peer = b[1] < c[1] ? b[1] : c[1]
    mpeer = b[2] < c[2] ? b[2] : c[2]
    printf "| %-40s | %8.3f | %8.3f | %8.3f | %5.2fx | %5.2fx | %6.1f | %6.1f | %6.1f |\n",
      l, a[1], b[1], c[1], peer / a[1], mpeer / a[2], a[3], b[3], c[3]
  }'
}

# mean_cpu: the mean of the second numbers of the lines on stdin.
mean_cpu() { awk 'NF == 2 { s += $2; n++ } END { print n ? s / n : 0 }'; }

# row LABEL "figure cpu median" x 3 (flexnbd, nbdkit, qemu-nbd): the best figures, our ratio to
# the best peer, the same for the medians, and the server CPU used per unit of work (CPU ms
# divided by WORK units).
row() {
  local label="$1" work_units="$2" ours="$3" kit="$4" qemu="$5"
  awk -v l="$label" -v w="$work_units" -v o="$ours" -v k="$kit" -v q="$qemu" 'BEGIN {
    split(o, a, " "); split(k, b, " "); split(q, c, " ")
    peer = b[1] > c[1] ? b[1] : c[1]
    mpeer = b[3] > c[3] ? b[3] : c[3]
    printf "| %-30s | %8d | %8d | %8d | %5.2fx | %5.2fx | %6.1f | %6.1f | %6.1f |\n",
      l, a[1], b[1], c[1], a[1] / peer, a[3] / mpeer, a[2] / w, b[2] / w, c[2] / w
  }'
}

load="$(cut -d' ' -f1-3 /proc/loadavg)"
if wants dense; then
gib="$(awk -v m="$size_mib" 'BEGIN { print m / 1024 }')"
echo
cache="page cache warm"
[[ "$cold" == 1 ]] && cache="page cache dropped before every read run"
echo "flexnbd vs nbdkit (file) vs qemu-nbd on loopback; ${size_mib} MiB file; best of $runs runs after $dense_warmup warm-up rounds; fio ${fio_seconds} s; $cache;"
echo "$(nproc) CPUs, load average at the start $load_start, at the end $load. ratio: ours over the best peer's, best runs;"
echo "ratio med: the same for the medians. CPU columns: server CPU time per GiB (ms) or per 1000 I/Os (ms), least costly run."
echo "| test                           |  flexnbd |   nbdkit | qemu-nbd | ratio  | r. med | cpu fx | cpu nk | cpu qm |"
echo "|--------------------------------|----------|----------|----------|--------|--------|--------|--------|--------|"
row "nbdcopy seq write (MiB/s)" "$gib" "${write_best[flexnbd]}" "${write_best[nbdkit]}" "${write_best[qemu-nbd]}"
row "nbdcopy seq read (MiB/s)" "$gib" "${read_best[flexnbd]}" "${read_best[nbdkit]}" "${read_best[qemu-nbd]}"
# per 1000 I/Os: CPU ms over (IOPS * seconds / 1000), each server's own IOPS
awk -v o="${fio_best[flexnbd]}" -v k="${fio_best[nbdkit]}" -v q="${fio_best[qemu-nbd]}" -v t="$fio_seconds" 'BEGIN {
  split(o, a, " "); split(k, b, " "); split(q, c, " ")
  peer = b[1] > c[1] ? b[1] : c[1]
  mpeer = b[3] > c[3] ? b[3] : c[3]
  printf "| %-30s | %8d | %8d | %8d | %5.2fx | %5.2fx | %6.2f | %6.2f | %6.2f |\n", "fio 4K randread QD16 (IOPS)",
    a[1], b[1], c[1], a[1] / peer, a[3] / mpeer, a[2] / (a[1] * t / 1000), b[2] / (b[1] * t / 1000), c[2] / (c[1] * t / 1000)
}'
runs_gib="$(awk -v m="$size_mib" -v r="$runs" 'BEGIN { print m * r / 1024 }')"
echo "flexnbd CPU by thread, ms per GiB over all measured runs (the rows above show the least costly one):"
echo "  write: $(split_line "$split_w0" "$split_w1" "$runs_gib")"
echo "  read:  $(split_line "$split_w1" "$split_r1" "$runs_gib")"
echo
echo "flexnbd serving a 64 GiB sparse file after reading its first 256 MiB:" \
  "VmRSS $((rss_kib / 1024)) MiB, VmHWM $((hwm_kib / 1024)) MiB, $threads threads"
fi
if wants sparse; then
  echo
  echo "Sparse disks, seconds (best of $runs runs); ratio: the faster peer's time over ours (>= 1.00x: as fast or faster);"
  echo "r. med: the same for the medians; cpu: the server's CPU ms per run, the mean over the $runs runs."
  echo "$(nproc) CPUs, load average at the start $load_start, at the end $load."
  echo "| test                                     |  flexnbd |   nbdkit | qemu-nbd | ratio  | r. med | cpu fx | cpu nk | cpu qm |"
  echo "|------------------------------------------|----------|----------|----------|--------|--------|--------|--------|--------|"
  time_row "nbdcopy 8 GiB (64 MiB data) to null:" "${copy_runs[flexnbd]}" "${copy_runs[nbdkit]}" "${copy_runs[qemu-nbd]}"
  time_row "qemu-img convert 8 GiB (64 MiB) -O qcow2" "${convert_runs[flexnbd]}" "${convert_runs[nbdkit]}" "${convert_runs[qemu-nbd]}"
  time_row "nbdinfo --map 1 TiB sparse (limit 0.5 s)" "${map_runs[flexnbd]}" "${map_runs[nbdkit]}" "${map_runs[qemu-nbd]}"
fi
