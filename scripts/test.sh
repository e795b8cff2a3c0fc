#!/usr/bin/env bash
# Runs every test suite, the slow ones included (real kubectl, crash tests with child JVMs).
# Installs what the tests need on a fresh Debian machine first.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/install-test-deps.sh
mvn -B -Pall-tests verify "$@"
