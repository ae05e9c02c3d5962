#!/usr/bin/env bash
# The whole test suite: set-up (install + build), the NumPy reference's and
# the tuner's own unit tests, then every lit test (dialect, lowering, CPU
# numerics vs the reference).
#
#   scripts/test.sh              the suite on the normal build (build/)
#   scripts/test.sh --sanitize   the same suite on an ASan+UBSan build
#                                (build-sanitize/, SEQBOAT_SANITIZE=1 setup);
#                                any sanitizer report fails its test
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

case "${1:-}" in
  --sanitize) export SEQBOAT_SANITIZE=1 ;;
  "") ;;
  *) echo "usage: scripts/test.sh [--sanitize]" >&2; exit 2 ;;
esac
if [[ -n "${SEQBOAT_SANITIZE:-}" ]]; then
  build="${SEQBOAT_BUILD_DIR:-$root/build-sanitize}"
  # A leak, an ASan error or any UBSan report ends the process with an error
  # (LLVM_USE_SANITIZER already builds with -fno-sanitize-recover=all).
  # allow_user_poisoning=0: LLVM's bump allocators poison their slabs from
  # header code inlined into our instrumented code, while libMLIR.so (not
  # instrumented) hands out memory from the same slabs without unpoisoning
  # it: false use-after-poison reports (docs/hardening.md).
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:allow_user_poisoning=0:${ASAN_OPTIONS:-}"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
else
  build="${SEQBOAT_BUILD_DIR:-$root/build}"
fi
export SEQBOAT_BUILD_DIR="$build"

"$root/scripts/setup.sh"
(cd "$root/python" && /usr/bin/python3 -m unittest -q seqboat.test_reference seqboat.test_tune)
ninja -C "$build" check-seqboat
