#!/usr/bin/env bash
# bench/handover.sh: what clients behind `flexnbd proxy` see of a migration, and what the
# proxy costs, all in one run (issue 8).
#
#   1. WRITERS (default 4) clients write 4 KiB blocks through the proxy while a PAUSE_SIZE
#      (default 256 MiB) disk migrates and the destination takes over the source's address;
#      printed: the longest any client write took (the stall a guest sees; target < 100 ms)
#      and the errors the clients saw (must be 0).
#   2. nbdcopy writes and reads COPY_SIZE (default 1 GiB) directly to a server, through the
#      proxy, and through the proxy with --queue-depth 1 (flexnbd-proxy's one request at a
#      time); printed: MiB/s of each and the proxy's share of direct (target >= 0.8), for
#      a first, cold run (the proxy's JIT still compiling) and as the median of COPY_ROUNDS
#      (default 3) warm rounds, with the server's and proxy's CPU seconds per GiB.
#
# Figures on a loaded machine are only indicative. Needs java, mvn (the first run builds),
# nbdcopy, ss. Scratch space: BENCH_DIR (default: a new directory under ${TMPDIR:-/tmp}).
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
PAUSE_SIZE=${PAUSE_SIZE:-268435456}
COPY_SIZE=${COPY_SIZE:-1073741824}
WRITERS=${WRITERS:-4}
COPY_ROUNDS=${COPY_ROUNDS:-3}

# shellcheck source=bench/common.sh
source "$root/bench/common.sh"
bench_setup handover.sh nbdcopy

# start NAME ARGS...: flexnbd ARGS in the background, output in NAME.log; sets $pid
start() {
  local name=$1
  shift
  (exec java -cp "$cp" net.flexnbd.cli.Main "$@") >"$work/$name.log" 2>&1 &
  pid=$!
  started_pids+=("$pid")
}

# proxy NAME UPSTREAM_PORT [OPTIONS...]: a proxy on a free port; sets $proxy_port and $pid
proxy() {
  local name=$1 upstream=$2
  shift 2
  proxy_port=$(free_port)
  start "$name" proxy --addr 127.0.0.1 --port "$proxy_port" --conn-addr 127.0.0.1 --conn-port "$upstream" "$@"
  wait_for_line "$work/$name.log" "for clients on"
}

seconds_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }'; }
mib_per_s() { awk -v bytes="$1" -v s="$2" 'BEGIN { printf "%.0f", bytes / 1048576 / s }'; }

# --- 1. the stall behind the proxy -------------------------------------------------------
head -c "$PAUSE_SIZE" /dev/urandom >"$work/pause-src.img"
truncate -s "$PAUSE_SIZE" "$work/pause-dst.img"
sport=$(free_port)
start pause-src serve --addr 127.0.0.1 --port "$sport" --file "$work/pause-src.img" --sock "$work/src.sock"
spid=$pid
wait_for_line "$work/pause-src.log" "serving"
start pause-dst listen --addr 127.0.0.1 --port "$(free_port)" --file "$work/pause-dst.img" \
  --rebind-addr 127.0.0.1 --rebind-port "$sport" --sock "$work/dst.sock"
dpid=$pid
wait_for_line "$work/pause-dst.log" "listening for a migration"
dport=$(grep -o 'on /127.0.0.1:[0-9]*' "$work/pause-dst.log" | head -1 | cut -d: -f2)
proxy pause-proxy "$sport" --sock "$work/proxy.sock"
ppid=$pid
rm -f "$work/stop"
(exec java -cp "$cp" net.flexnbd.migration.ProxyWriters "$proxy_port" "$PAUSE_SIZE" "$WRITERS" "$work/stop") \
  >"$work/writers.out" 2>&1 &
wpid=$!
started_pids+=("$wpid")
wait_for_line "$work/writers.out" "ready"
sleep 1 # let the writers settle before the migration starts (a warm-up, not synchronisation)
java -cp "$cp" net.flexnbd.cli.Main mirror --addr 127.0.0.1 --port "$dport" --sock "$work/src.sock" >/dev/null
wait "$spid" 2>/dev/null || true
wait_for_line "$work/pause-dst.log" "in control: serving"
sleep 1 # keep writing a second on the new server
touch "$work/stop"
wait "$wpid" || true
result="$(grep longest_write_ms "$work/writers.out" || die "the writers printed nothing: $(cat "$work/writers.out")")"
status="$(java -cp "$cp" net.flexnbd.cli.Main status --sock "$work/proxy.sock")"
stop "$ppid"
stop "$dpid"
longest=$(sed 's/.*longest_write_ms=\([0-9.]*\).*/\1/' <<<"$result")
errors=$(sed 's/.*errors=\([0-9]*\).*/\1/' <<<"$result")
writes=$(sed 's/.*writes=\([0-9]*\).*/\1/' <<<"$result")
reconnects=$(grep -o 'reconnects=[0-9]*' <<<"$status" | cut -d= -f2)
rm -f "$work/pause-src.img" "$work/pause-dst.img"

# --- 2. throughput: direct, through the proxy, through the proxy one request at a time ----
head -c "$COPY_SIZE" /dev/urandom >"$work/data.img"
truncate -s "$COPY_SIZE" "$work/served.img"
port=$(free_port)
start copy-server serve --addr 127.0.0.1 --port "$port" --file "$work/served.img"
cpid=$pid
wait_for_line "$work/copy-server.log" "serving"
proxy copy-proxy "$port"
deep=$proxy_port deep_pid=$pid
proxy copy-proxy-qd1 "$port" --queue-depth 1
shallow=$proxy_port shallow_pid=$pid

# One cold run per target (each proxy JVM still compiling), then COPY_ROUNDS warm rounds, the
# targets interleaved so that load changes hit all three alike; the proxies' and server's CPU
# (utime+stime from /proc) is summed over the warm rounds.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
copy_once() { # copy_once w|r PORT: prints the seconds taken
  local t0
  t0=$(date +%s.%N)
  if [[ $1 == w ]]; then nbdcopy "$work/data.img" "nbd://127.0.0.1:$2"; else nbdcopy "nbd://127.0.0.1:$2" null:; fi
  seconds_since "$t0"
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
declare -A write_rate read_rate warm_write warm_read ticks_w ticks_r warm_w warm_r
targets="direct:$port proxy:$deep qd1:$shallow"
for target in $targets; do
  name=${target%%:*}
  write_rate[$name]=$(mib_per_s "$COPY_SIZE" "$(copy_once w "${target#*:}")")
  read_rate[$name]=$(mib_per_s "$COPY_SIZE" "$(copy_once r "${target#*:}")")
done
declare -A pid_of=([direct]=$cpid [proxy]=$deep_pid [qd1]=$shallow_pid)
for ((round = 0; round < COPY_ROUNDS; round++)); do
  for target in $targets; do
    name=${target%%:*}
    for dir in w r; do
      before_s=$(cpu_ticks "$cpid") before_p=$(cpu_ticks "${pid_of[$name]}")
      rate=$(mib_per_s "$COPY_SIZE" "$(copy_once $dir "${target#*:}")")
      spent=$(( $(cpu_ticks "$cpid") - before_s ))
      [[ $name == direct ]] || spent="$spent $(( $(cpu_ticks "${pid_of[$name]}") - before_p ))"
      if [[ $dir == w ]]; then warm_write[$name]+="$rate "; ticks_w[$name]+="$spent,"; else warm_read[$name]+="$rate "; ticks_r[$name]+="$spent,"; fi
    done
  done
done
warm() { tr ' ' '\n' <<<"$1" | grep . | median; }
# cpu_per_gib TICKS_LIST FIELD: CPU seconds per GiB copied, FIELD 1 the server's, 2 the proxy's
cpu_per_gib() {
  tr ',' '\n' <<<"$1" | grep . | awk -v f="$2" -v size="$COPY_SIZE" -v hz="$(getconf CLK_TCK)" \
    '{ t += $f; n++ } END { printf "%.2f", t / hz / n / (size / 1073741824) }'
}
cmp -s "$work/data.img" "$work/served.img" || die "the served file differs from what nbdcopy wrote"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo
echo "== bench/handover.sh ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)) =="
printf '%-58s %s\n' "longest client write across the handover (target < 100 ms)" "$longest ms"
printf '%-58s %s\n' "client writes / client-visible errors (must be 0)" "$writes / $errors"
printf '%-58s %s\n' "proxy reconnects (one per writer)" "$reconnects"
printf '%-58s %s\n' "nbdcopy write, MiB/s: direct / proxy / proxy --queue-depth 1" \
  "${write_rate[direct]} / ${write_rate[proxy]} / ${write_rate[qd1]}"
printf '%-58s %s\n' "nbdcopy read, MiB/s: direct / proxy / proxy --queue-depth 1" \
  "${read_rate[direct]} / ${read_rate[proxy]} / ${read_rate[qd1]}"
printf '%-58s %s\n' "proxy / direct, write and read (target >= 0.8)" \
  "$(ratio "${write_rate[proxy]}" "${write_rate[direct]}") and $(ratio "${read_rate[proxy]}" "${read_rate[direct]}")"
printf '%-58s %s\n' "queue depth 1 / direct, write and read" \
  "$(ratio "${write_rate[qd1]}" "${write_rate[direct]}") and $(ratio "${read_rate[qd1]}" "${read_rate[direct]}")"
echo "-- warm: median of $COPY_ROUNDS rounds after the cold run above, targets interleaved --"
for name in direct proxy qd1; do warm_w[$name]=$(warm "${warm_write[$name]}"); warm_r[$name]=$(warm "${warm_read[$name]}"); done
printf '%-58s %s\n' "warm nbdcopy write, MiB/s: direct / proxy / qd1" "${warm_w[direct]} / ${warm_w[proxy]} / ${warm_w[qd1]}"
printf '%-58s %s\n' "warm nbdcopy read, MiB/s: direct / proxy / qd1" "${warm_r[direct]} / ${warm_r[proxy]} / ${warm_r[qd1]}"
printf '%-58s %s\n' "warm proxy / direct, write and read (target >= 0.8)" \
  "$(ratio "${warm_w[proxy]}" "${warm_w[direct]}") and $(ratio "${warm_r[proxy]}" "${warm_r[direct]}")"
printf '%-58s %s\n' "CPU s per GiB, write: server direct / server+proxy via proxy" \
  "$(cpu_per_gib "${ticks_w[direct]}" 1) / $(cpu_per_gib "${ticks_w[proxy]}" 1)+$(cpu_per_gib "${ticks_w[proxy]}" 2)"
printf '%-58s %s\n' "CPU s per GiB, read: server direct / server+proxy via proxy" \
  "$(cpu_per_gib "${ticks_r[direct]}" 1) / $(cpu_per_gib "${ticks_r[proxy]}" 1)+$(cpu_per_gib "${ticks_r[proxy]}" 2)"
