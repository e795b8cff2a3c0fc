#!/usr/bin/env bash
# Median wall time of `kubectl get pods` (server-side Table) over a namespace of N pods, against the apiserver in
# KUBECONFIG. Creates namespace hostplane-getpods with N pods (kept for re-runs; delete it when done).
#   KUBECONFIG=admin.kubeconfig scripts/bench-kubectl-get-pods.sh [N=1000] [RUNS=11] [KUBECTL=kubectl]
set -euo pipefail
n="${1:-1000}"; runs="${2:-11}"; kubectl="${3:-kubectl}"
ns=hostplane-getpods
"$kubectl" get ns "$ns" >/dev/null 2>&1 || "$kubectl" create ns "$ns" >/dev/null
have=$("$kubectl" -n "$ns" get pods -o name | wc -l)
if [ "$have" -lt "$n" ]; then
  tmp=$(mktemp)
  { echo "apiVersion: v1"; echo "kind: List"; echo "items:"
    for i in $(seq "$have" $((n - 1))); do
      printf -- "- apiVersion: v1\n  kind: Pod\n  metadata: {name: pod-%05d, labels: {app: bench}}\n  spec:\n    containers: [{name: c, image: busybox}]\n" "$i"
    done; } > "$tmp"
  "$kubectl" -n "$ns" create -f "$tmp" >/dev/null
  rm -f "$tmp"
fi
times=()
for _ in $(seq "$runs"); do
  start=$(date +%s%N)
  "$kubectl" -n "$ns" get pods > /dev/null
  times+=($(( ($(date +%s%N) - start) / 1000000 )))
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
echo "kubectl get pods, $n pods, $runs runs: median ${sorted[$((runs / 2))]} ms (min ${sorted[0]}, max ${sorted[$((runs - 1))]})"
