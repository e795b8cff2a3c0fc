#!/usr/bin/env bash
# Installs what the test suites need and checks what the machine image must provide.
set -euo pipefail
need_apt=()
command -v java >/dev/null || need_apt+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || need_apt+=(maven)
# The etcd storage suites start real etcd servers (Debian bookworm: etcd-server 3.4) on free loopback ports; the
# package's own service on 2379 is never used by the tests.
command -v etcd >/dev/null || [ -x /usr/bin/etcd ] || need_apt+=(etcd-server)
# The sandbox node runs pods as processes: setsid and script (util-linux), kill and pgrep (procps); its suites start
# small HTTP servers in pods with python3.
{ command -v setsid >/dev/null && command -v script >/dev/null; } || need_apt+=(util-linux)
{ [ -x /bin/kill ] || [ -x /usr/bin/kill ]; } && command -v pgrep >/dev/null || need_apt+=(procps)
command -v python3 >/dev/null || need_apt+=(python3)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
  fi
fi
# The end-to-end suites drive real kubectl binaries kubectl.1.27 ... kubectl.1.33, which the machine image ships
# beside the kubectl on the PATH. Say so plainly when they are missing rather than failing later.
if kubectl_path="$(command -v kubectl)"; then
  dir="$(dirname "$(readlink -f "$kubectl_path")")"
  for v in 27 30 33; do
    [ -x "$dir/kubectl.1.$v" ] || echo "warning: $dir/kubectl.1.$v not found; the kubectl end-to-end suite will fail" >&2
  done
else
  echo "warning: kubectl not on PATH; the kubectl end-to-end suite will fail" >&2
fi
