#!/usr/bin/env bash
# README command 1: install what is missing, build, run `hingelab demo`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
scripts/deps.sh build
build="${HL_BUILD_DIR:-build-release}"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DHL_TESTS=OFF -DHL_BENCH=OFF
cmake --build "$build" -j2
# The default output folder only when the caller gives none (-o given twice is a usage error).
for arg in "$@"; do
  case "$arg" in -o|-o=*|--o|--o=*) exec "$build/bin/hingelab" demo "$@" ;; esac
done
exec "$build/bin/hingelab" demo -o "${HL_DEMO_OUT:-demo-out}" "$@"
