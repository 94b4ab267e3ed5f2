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
#      time); printed: MiB/s of each and the proxy's share of direct (target >= 0.8).
#
# Figures on a loaded machine are only indicative. Needs java, mvn (the first run builds),
# nbdcopy, ss. Scratch space: BENCH_DIR (default: a new directory under ${TMPDIR:-/tmp}).
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
PAUSE_SIZE=${PAUSE_SIZE:-268435456}
COPY_SIZE=${COPY_SIZE:-1073741824}
WRITERS=${WRITERS:-4}

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
deep=$proxy_port
proxy copy-proxy-qd1 "$port" --queue-depth 1
shallow=$proxy_port

declare -A write_rate read_rate
for target in direct:$port proxy:$deep qd1:$shallow; do
  name=${target%%:*}
  p=${target#*:}
  t0=$(date +%s.%N)
  nbdcopy "$work/data.img" "nbd://127.0.0.1:$p"
  write_rate[$name]=$(mib_per_s "$COPY_SIZE" "$(seconds_since "$t0")")
  t0=$(date +%s.%N)
  nbdcopy "nbd://127.0.0.1:$p" null:
  read_rate[$name]=$(mib_per_s "$COPY_SIZE" "$(seconds_since "$t0")")
done
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
