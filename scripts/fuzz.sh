#!/usr/bin/env bash
# Runs every libFuzzer target of the sanitized build for a bounded time.
#
#   scripts/fuzz.sh [SECONDS]    default 60 per target
#
# Builds build-sanitize/ first (scripts/setup.sh with SEQBOAT_SANITIZE=1).
# Targets (tools/seqboat-fuzz): seqboat-fuzz-mlir (parse + verify + each
# pipeline up to LLVM), seqboat-fuzz-npy (.npy reader), seqboat-fuzz-tuning-db
# (tuning-database reader). Each first replays its regression inputs
# (test/Fuzz/Inputs/<target>/, earlier findings), then fuzzes from seeds taken
# from test/: the .mlir tests, the hostile and valid .npy files the tests
# build, the tuning databases of the tuning tests. Any finding (crash, leak,
# sanitizer report, timeout, out-of-memory) stops that target and fails the
# script; the input is left in build-sanitize/fuzz/findings/ to be added to
# test/Fuzz/Inputs/<target>/ with the fix.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-60}"
export SEQBOAT_SANITIZE=1
build="${SEQBOAT_BUILD_DIR:-$root/build-sanitize}"
export SEQBOAT_BUILD_DIR="$build"
"$root/scripts/setup.sh"

work="$build/fuzz"
findings="$work/findings"
mkdir -p "$findings"
# allow_user_poisoning=0: see scripts/test.sh.
export ASAN_OPTIONS="detect_leaks=1:allow_user_poisoning=0:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"

# Seed corpora, rebuilt from test/ on every run (libFuzzer adds what it finds
# to the first folder, which is kept between runs).
seeds="$work/seeds"
rm -rf "$seeds" && mkdir -p "$seeds/mlir" "$seeds/npy" "$seeds/tuning-db"
# Named after their path: several tests share a file name (errors.mlir).
while IFS= read -r -d '' file; do
  rel="${file#"$root"/}"
  cp "$file" "$seeds/mlir/${rel//\//_}"
done < <(find "$root/test" "$root/examples" -name '*.mlir' -size -4k -print0)
/usr/bin/python3 "$root/test/Tools/seqboat-run/Inputs/make_hostile_npy.py" "$seeds/npy"
/usr/bin/python3 -c "
import numpy as np, sys
d = sys.argv[1]
np.save(d + '/f32.npy', np.arange(6, dtype=np.float32).reshape(2, 3))
np.save(d + '/i32.npy', np.arange(4, dtype=np.int32))
np.save(d + '/bool.npy', np.array([[True, False]]))
np.save(d + '/scalar.npy', np.float32(1.5))
np.save(d + '/empty.npy', np.zeros((0, 3), np.float32))
" "$seeds/npy"
cp "$root"/test/Fuzz/Inputs/tuning-db-seeds/*.json "$seeds/tuning-db/"

status=0
for target in mlir npy tuning-db; do
  fuzzer="$build/bin/seqboat-fuzz-$target"
  corpus="$work/corpus-$target"
  regressions="$root/test/Fuzz/Inputs/$target"
  mkdir -p "$corpus"
  common=(-rss_limit_mb=4096 -timeout=30 -artifact_prefix="$findings/$target-")
  # Files given by name are each run once, without fuzzing.
  if compgen -G "$regressions/*" > /dev/null; then
    echo "== seqboat-fuzz-$target: regression inputs"
    if ! "$fuzzer" "${common[@]}" "$regressions"/*; then
      status=1
      continue
    fi
  fi
  echo "== seqboat-fuzz-$target: ${seconds} s"
  # -jobs=1 runs the fuzzer in a child that logs to fuzz-0.log in the
  # current folder (printed at the end): one folder per target keeps the
  # logs out of the source tree.
  logs="$work/log-$target"
  mkdir -p "$logs"
  if ! (cd "$logs" && "$fuzzer" "${common[@]}" -max_total_time="$seconds" \
        -jobs=1 -workers=1 -print_final_stats=1 "$corpus" "$seeds/$target"); then
    echo "fuzz.sh: seqboat-fuzz-$target found a problem; its input is in $findings" >&2
    status=1
  fi
done
exit $status
