#!/usr/bin/env bash
# The whole etcd benchmark in one command: starts etcd (one member, free loopback ports, data in a temporary
# directory), starts a Hostplane apiserver on it, runs `hostplane bench` against both with 1,000 watchers at 200
# updates/s, then stops what it started and removes the directory.
#   scripts/bench-etcd.sh [extra bench flags, e.g. --duration=5s --skip=memory]
# Environment:
#   ETCD_BINARY      etcd to run (default: /usr/bin/etcd, else etcd on the PATH); 3.4 or later
#   HOSTPLANE_JAR    a built jar to run instead of the launcher's (which builds ops/target/hostplane.jar if stale)
#   BENCH_TMPDIR     where the temporary directory goes (default: /dev/shm when writable, else $TMPDIR or /tmp;
#                    tmpfs as for the tests: etcd fsyncs every write, and a disk would be what is measured)
#   BENCH_KEEP_DIR=1 keep the directory (etcd and apiserver logs) at the end
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
hostplane="$root/hostplane"

die() { echo "bench-etcd: $*" >&2; exit 1; }

etcd_bin="${ETCD_BINARY:-}"
if [ -z "$etcd_bin" ]; then
  if [ -x /usr/bin/etcd ]; then etcd_bin=/usr/bin/etcd; else etcd_bin="$(command -v etcd || true)"; fi
fi
[ -n "$etcd_bin" ] && [ -x "$etcd_bin" ] || die "etcd is missing: run scripts/install-test-deps.sh (etcd-server)"
command -v curl >/dev/null || die "curl is missing (it probes etcd and the apiserver)"
command -v java >/dev/null || die "java is missing (Java 17 or later)"

base="${BENCH_TMPDIR:-}"
if [ -z "$base" ]; then
  if [ -d /dev/shm ] && [ -w /dev/shm ]; then base=/dev/shm; else base="${TMPDIR:-/tmp}"; fi
fi
dir="$(mktemp -d "$base/hostplane-bench-etcd.XXXXXX")"
etcd_pid=""
apiserver_pid=""

# Stops one process this script started: SIGTERM, up to $2 seconds, then SIGKILL.
stop() {
  local pid="$1" grace="$2" name="$3"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq $((grace * 10))); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "bench-etcd: $name (pid $pid) did not stop within ${grace} s; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local code=$?
  stop "$apiserver_pid" 30 apiserver
  stop "$etcd_pid" 15 etcd
  if [ "${BENCH_KEEP_DIR:-}" = 1 ]; then
    echo "bench-etcd: logs kept in $dir" >&2
  else
    rm -rf "$dir"
  fi
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A loopback port nothing listens on (the caller still checks that its server came up: another process may take
# the port in between).
free_port() {
  local p
  for _ in $(seq 100); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  die "no free loopback port found"
}

tail_log() {
  echo "---- last lines of $1:" >&2
  tail -n 30 "$1" >&2 || true
}

# The jar first, so that no server start waits on a build.
"$hostplane" version >/dev/null || die "cannot build or run $hostplane"

# etcd: up to three tries, each on fresh ports.
etcd_url=""
for attempt in 1 2 3; do
  client_port="$(free_port)"
  peer_port="$(free_port)"
  [ "$peer_port" != "$client_port" ] || continue
  etcd_url="http://127.0.0.1:$client_port"
  rm -rf "$dir/etcd"
  "$etcd_bin" --name=hostplane-bench --data-dir="$dir/etcd" \
      --listen-client-urls="$etcd_url" --advertise-client-urls="$etcd_url" \
      --listen-peer-urls="http://127.0.0.1:$peer_port" --initial-advertise-peer-urls="http://127.0.0.1:$peer_port" \
      --initial-cluster="hostplane-bench=http://127.0.0.1:$peer_port" --initial-cluster-state=new \
      --logger=zap --log-outputs=stderr --experimental-watch-progress-notify-interval=5s \
      >"$dir/etcd.log" 2>&1 &
  etcd_pid=$!
  for _ in $(seq 200); do # 20 s
    kill -0 "$etcd_pid" 2>/dev/null || break
    if curl -fsS --max-time 1 "$etcd_url/health" 2>/dev/null | grep -q '"health":"true"'; then
      break 2
    fi
    sleep 0.1
  done
  tail_log "$dir/etcd.log"
  stop "$etcd_pid" 5 etcd
  etcd_pid=""
  echo "bench-etcd: etcd did not come up on $etcd_url (try $attempt of 3)" >&2
done
[ -n "$etcd_pid" ] || die "etcd did not start"
echo "bench-etcd: etcd $("$etcd_bin" --version | head -n 1 | awk '{print $3}') at $etcd_url, data in $dir/etcd" >&2

kubeconfig="$dir/admin.kubeconfig"
"$hostplane" apiserver --bind-address=127.0.0.1 --secure-port=0 --etcd-servers="$etcd_url" \
    --data-dir="$dir/data" --cert-dir="$dir/pki" --write-kubeconfig="$kubeconfig" >"$dir/apiserver.log" 2>&1 &
apiserver_pid=$!

# Ready: the kubeconfig is written and /readyz answers 200 (anonymous requests may read it). Bounded: 180 s.
server=""
for _ in $(seq 1800); do
  if ! kill -0 "$apiserver_pid" 2>/dev/null; then
    tail_log "$dir/apiserver.log"
    die "the apiserver exited during start-up"
  fi
  if [ -z "$server" ] && [ -s "$kubeconfig" ]; then
    server="$(awk '$1 == "server:" {print $2; exit}' "$kubeconfig")"
  fi
  if [ -n "$server" ] && [ "$(curl -sk --max-time 2 -o /dev/null -w '%{http_code}' "$server/readyz")" = 200 ]; then
    break
  fi
  sleep 0.1
done
if [ -z "$server" ] || [ "$(curl -sk --max-time 2 -o /dev/null -w '%{http_code}' "$server/readyz")" != 200 ]; then
  tail_log "$dir/apiserver.log"
  die "the apiserver was not ready within 180 s"
fi
echo "bench-etcd: apiserver ready at $server (pid $apiserver_pid)" >&2

echo "bench-etcd: load before the run:$(uptime | sed 's/.*load average/ load average/')" >&2
code=0
"$hostplane" bench --kubeconfig="$kubeconfig" --etcd-servers="$etcd_url" \
    --watchers=1000 --watch-rate=200 --watch-events=2000 "$@" || code=$?
echo "bench-etcd: load after the run:$(uptime | sed 's/.*load average/ load average/')" >&2
if [ "$code" != 0 ]; then
  tail_log "$dir/apiserver.log"
fi
exit "$code"
