#!/usr/bin/env bash
# bench/dead-peer.sh: how long a client that vanished without a word (power cut, pulled
# cable: no FIN, no RST) holds its connection on a flexnbd server (issue 11).
#
# In a network namespace of its own (unshare -n: needs root or user namespaces), it serves
# a small file, connects a client that goes through the handshake and then stays idle,
# takes the namespace's loopback down (from then on nothing the server sends is answered,
# as with a dead peer) and times until the server's status shows no client. Expected: the
# keep-alive idle time plus interval times count (30 + 10 * 3 = 60 s by default).
#
#   bench/dead-peer.sh                 # the defaults (takes about a minute)
#   KEEPALIVE="2 1 2" bench/dead-peer.sh   # idle, interval, count in seconds
#
# Prints one line: "dead peer dropped after S s (keep-alive idle I s, interval N s, count C;
# expected E s)". Needs java, python3, ip; the first run builds the jar.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
read -r idle interval count <<< "${KEEPALIVE:-30 10 3}"

if [[ "${1:-}" != "--inside" ]]; then
  exec unshare -n "$0" --inside
fi

dir="$(mktemp -d "${TMPDIR:-/tmp}/dead-peer.XXXXXX")"
server=""
cleanup() {
  [[ -n "$server" ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
ip link set lo up
truncate -s 16M "$dir/disk.img"
"$root/bin/flexnbd" serve --addr 127.0.0.1 --port 0 --file "$dir/disk.img" --sock "$dir/ctl" \
    --keepalive-idle "$idle" --keepalive-interval "$interval" --keepalive-count "$count" >"$dir/log" 2>&1 &
server=$!
for _ in $(seq 600); do
  port="$(sed -n 's/.*serving .* on .*:\([0-9][0-9]*\)$/\1/p' "$dir/log" | head -1)"
  [[ -n "$port" && -S "$dir/ctl" ]] && break
  sleep 0.1
done
[[ -n "$port" ]] || { echo "dead-peer: server did not start:" >&2; cat "$dir/log" >&2; exit 1; }

# The control socket's status, straight from python (a JVM per poll would blur the timing).
clients() {
  python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"status\n\n")
answer = b""
while not answer.endswith(b"\n"):
    chunk = s.recv(4096)
    if not chunk: break
    answer += chunk
print(dict(kv.split("=", 1) for kv in answer.decode().split(": ", 1)[1].split())["num_clients"])' "$dir/ctl"
}

# The client: handshake, then silence; it keeps its socket open until killed.
python3 - "$port" "$dir/ready" <<'PY' &
import socket, struct, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
def read(n):
    data = b""
    while len(data) < n:
        data += s.recv(n - len(data))
read(18)
s.sendall(struct.pack(">IQII", 3, 0x49484156454F5054, 1, 0))
read(10)
open(sys.argv[2], "w").close()
time.sleep(3600)
PY
client=$!
until [[ -e "$dir/ready" && "$(clients)" == 1 ]]; do sleep 0.1; done
# Unacknowledged data would put the retransmission timer, not keep-alive, in charge.
while ss -tni state established "( sport = :$port )" | grep -q unacked; do sleep 0.05; done
ip link set lo down
start=$(date +%s.%N)
while [[ "$(clients)" != 0 ]]; do sleep 0.2; done
end=$(date +%s.%N)
kill "$client" 2>/dev/null || true
awk -v s="$start" -v e="$end" -v i="$idle" -v n="$interval" -v c="$count" 'BEGIN {
  printf "dead peer dropped after %.1f s (keep-alive idle %d s, interval %d s, count %d; expected %d s)\n",
      e - s, i, n, c, i + n * c }'
