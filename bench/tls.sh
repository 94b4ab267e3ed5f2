#!/usr/bin/env bash
# bench/tls.sh: serving speed with and without TLS, against nbdkit's TLS, in one run (issue 11).
#
# Makes a CA and a server certificate with openssl, then for each of
#   flexnbd (clear), flexnbd --tls require (BoringSSL through netty-tcnative, the default),
#   flexnbd --tls require on the JDK's provider (-Dflexnbd.tls.provider=jdk),
#   nbdkit (clear), nbdkit --tls=require
# serves a SIZE_MIB (default 512) MiB file and times RUNS (default 3) nbdcopy writes of random
# data into it and RUNS nbdcopy reads of it (to /dev/null), over loopback. Prints the median
# MiB/s of each, the TLS/clear ratios, each server's peak resident memory (VmHWM), and the
# server's CPU time per GiB written and read (user+system, over all its runs).
#
# Needs java, mvn (the first run builds), nbdkit, nbdcopy, openssl. Scratch space: BENCH_DIR
# (default: a new directory under ${TMPDIR:-/tmp}), removed at exit. On a loaded machine the
# figures are only indicative; the ratios, taken in the same run, hold up better.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
SIZE_MIB=${SIZE_MIB:-512}
RUNS=${RUNS:-3}

[[ -f "$root/reference-server/target/flexnbd.jar" ]] || (cd "$root" && mvn -B -q -pl reference-server -am package -DskipTests)
work="$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/flexnbd-tls-bench.XXXXXX")"
pid=""
stop() {
  if [[ -n "$pid" ]]; then
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=""
  fi
}
trap 'stop; rm -rf "$work"' EXIT

pki="$work/pki"
mkdir -p "$pki"
(
  cd "$pki"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca-key.pem -out ca-cert.pem \
      -days 2 -subj "/CN=bench CA" -addext basicConstraints=critical,CA:TRUE \
      -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server-key.pem -out server.csr \
      -subj "/CN=127.0.0.1" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > server.ext
  openssl x509 -req -in server.csr -CA ca-cert.pem -CAkey ca-key.pem -CAcreateserial -out server-cert.pem \
      -days 2 -extfile server.ext 2>/dev/null
)
head -c $((SIZE_MIB << 20)) /dev/urandom > "$work/data.bin"

free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
}

# start NAME: serves a fresh file; sets pid and uri. A server that exits before answering (its
# port was taken after free_port looked) is started again on another port.
start() {
  local name="$1" port file="$work/disk-$1.img" attempt
  truncate -s "${SIZE_MIB}M" "$file"
  for attempt in 1 2 3 4 5; do
    port="$(free_port)"
    launch "$name" "$port" "$file"
    pid=$!
    for _ in $(seq 300); do
      nbdinfo --size "$uri" >/dev/null 2>&1 && return
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    stop
  done
  echo "tls.sh: $name did not come up" >&2
  exit 1
}

# launch NAME PORT FILE: starts one server in the background; sets uri.
launch() {
  local name="$1" port="$2" file="$3"
  case "$name" in
    flexnbd) java ${FLEXNBD_JAVA_OPTS:-} -jar "$root/reference-server/target/flexnbd.jar" serve -l 127.0.0.1 -p "$port" -f "$file" >"$work/$name.log" 2>&1 &
             uri="nbd://127.0.0.1:$port/" ;;
    flexnbd-tls|flexnbd-tls-jdk)
             provider=""
             [[ "$name" == flexnbd-tls-jdk ]] && provider="-Dflexnbd.tls.provider=jdk"
             java ${FLEXNBD_JAVA_OPTS:-} $provider -jar "$root/reference-server/target/flexnbd.jar" serve -l 127.0.0.1 -p "$port" -f "$file" \
                     --tls require --tls-certificates "$pki" >"$work/$name.log" 2>&1 &
             uri="nbds://127.0.0.1:$port/?tls-certificates=$pki" ;;
    nbdkit)  nbdkit -f -i 127.0.0.1 -p "$port" file "$file" &
             uri="nbd://127.0.0.1:$port/" ;;
    nbdkit-tls) nbdkit -f -i 127.0.0.1 -p "$port" --tls=require --tls-certificates="$pki" file "$file" &
             uri="nbds://127.0.0.1:$port/?tls-certificates=$pki" ;;
  esac
}

# median of numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# mibps COMMAND...: MiB/s of one timed run
mibps() {
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" -v m="$SIZE_MIB" 'BEGIN { printf "%.1f\n", m / (e - s) }'
}

# cpu_ms PID: the process's user+system CPU so far, in ms
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%d", ($14 + $15) * 1000 / hz }' "/proc/$1/stat"; }

declare -A write_of read_of peak_of wcpu_of rcpu_of
servers=(flexnbd flexnbd-tls flexnbd-tls-jdk nbdkit nbdkit-tls)
for name in "${servers[@]}"; do
  start "$name"
  before=$(cpu_ms "$pid")
  write_of[$name]=$(for _ in $(seq "$RUNS"); do mibps nbdcopy "$work/data.bin" "$uri"; done | median)
  middle=$(cpu_ms "$pid")
  read_of[$name]=$(for _ in $(seq "$RUNS"); do mibps nbdcopy "$uri" null:; done | median)
  after=$(cpu_ms "$pid")
  # server CPU per GiB moved, over all the runs: steadier than MiB/s on a loaded machine
  wcpu_of[$name]=$(( (middle - before) * 1024 / (RUNS * SIZE_MIB) ))
  rcpu_of[$name]=$(( (after - middle) * 1024 / (RUNS * SIZE_MIB) ))
  peak_of[$name]=$(awk '/VmHWM/ { printf "%d", $2 / 1024 }' "/proc/$pid/status")
  nbdcopy "$uri" "$work/check.bin" && cmp -s "$work/check.bin" "$work/data.bin" \
      || { echo "tls.sh: $name returned different data" >&2; exit 1; }
  rm -f "$work/check.bin"
  stop
done

printf 'tls.sh: %d MiB, median of %d nbdcopy runs each; load %s\n' "$SIZE_MIB" "$RUNS" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-16s %11s %11s %9s %15s %15s\n' server "write MiB/s" "read MiB/s" "peak MiB" "write CPU ms/GiB" "read CPU ms/GiB"
for name in "${servers[@]}"; do
  printf '%-16s %11s %11s %9s %15s %15s\n' "$name" "${write_of[$name]}" "${read_of[$name]}" "${peak_of[$name]}" \
      "${wcpu_of[$name]}" "${rcpu_of[$name]}"
done
for name in flexnbd-tls flexnbd-tls-jdk; do
  printf '%s: %s\n' "$name" "$(grep -o 'TLS on the .*' "$work/$name.log" | head -1)"
done
awk -v fw="${write_of[flexnbd-tls]}" -v fr="${read_of[flexnbd-tls]}" -v kw="${write_of[nbdkit-tls]}" -v kr="${read_of[nbdkit-tls]}" \
    -v cw="${write_of[flexnbd]}" -v cr="${read_of[flexnbd]}" \
    -v jw="${write_of[flexnbd-tls-jdk]}" -v jr="${read_of[flexnbd-tls-jdk]}" 'BEGIN {
  printf "flexnbd TLS / flexnbd clear:     write %.2f, read %.2f\n", fw / cw, fr / cr
  printf "flexnbd TLS / nbdkit TLS:        write %.2f, read %.2f\n", fw / kw, fr / kr
  printf "flexnbd TLS on the JDK / nbdkit TLS: write %.2f, read %.2f\n", jw / kw, jr / kr
  printf "flexnbd TLS, OpenSSL / JDK:      write %.2f, read %.2f\n", fw / jw, fr / jr }'
