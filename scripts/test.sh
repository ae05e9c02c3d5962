#!/usr/bin/env bash
# The whole test suite: set-up (install + build), the NumPy reference's own
# unit tests, then every lit test (dialect, lowering, CPU numerics vs the
# reference).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${SEQBOAT_BUILD_DIR:-$root/build}"

"$root/scripts/setup.sh"
(cd "$root/python" && /usr/bin/python3 -m unittest -q seqboat.test_reference seqboat.test_tune)
ninja -C "$build" check-seqboat
