#!/usr/bin/env bash
# README command 2: install what is missing, build, run the whole test suite.
# Environment: HL_BUILD_DIR (default build), HL_WERROR=ON, HL_ASAN=ON,
# HL_SKIP_FUZZ=1 to skip the clang/libFuzzer build.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
scripts/deps.sh test
build="${HL_BUILD_DIR:-build}"
werror="${HL_WERROR:-OFF}"
asan="${HL_ASAN:-OFF}"
# The benchmarks are built (so they cannot rot) but not in the sanitizer build,
# where they would only cost CI time.
bench=ON
if [[ "$asan" == "ON" ]]; then bench=OFF; fi
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHL_TESTS=ON \
  -DHL_WERROR="$werror" -DHL_ASAN="$asan" -DHL_BENCH="$bench"
cmake --build "$build" -j2
run_ctest() {
  # Viewer tests need a display; Xvfb provides one when there is none.
  if [[ -z "${DISPLAY:-}" ]] && command -v xvfb-run >/dev/null; then
    # -noreset: by default Xvfb resets when its last client leaves, and a test
    # connecting during that reset fails with "Failed to open display".
    xvfb-run -a -s "-screen 0 1920x1080x24 -noreset" ctest --test-dir "$1" --output-on-failure -j2 "${@:2}"
  else
    ctest --test-dir "$1" --output-on-failure -j2 "${@:2}"
  fi
}
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$root/tests/lsan.supp:print_suppressions=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
if [[ "$asan" == "ON" ]]; then
  # Mesa's llvmpipe leaks from JIT code that LeakSanitizer cannot name, so the
  # viewer tests run here without leak checks (ASan and UBSan still apply).
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 run_ctest "$build" -L gui
  # GradientChecker allocates inside the prebuilt libceres.a and frees in our
  # ASan-instrumented code with a different Eigen allocator: a false
  # heap-buffer-overflow. Those two tests run in the normal build.
  run_ctest "$build" -LE gui -E 'calibration/reprojection_error_test|reconstruction/marker_cost_functions_test'
else
  run_ctest "$build"
fi
if [[ "${HL_SKIP_FUZZ:-0}" != "1" ]]; then
  # The parsers' libFuzzer targets, each run for a bounded time over its seeds.
  fuzz="${build}-fuzz"
  CC=clang CXX=clang++ cmake -S . -B "$fuzz" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHL_FUZZ=ON
  cmake --build "$fuzz" -j2
  ctest --test-dir "$fuzz" --output-on-failure
fi
