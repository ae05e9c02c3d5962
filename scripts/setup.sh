#!/usr/bin/env bash
# Installs the toolchain (idempotent) and configures + builds seqboat in
# ./build with clang-22, lld and Ninja against Debian's LLVM/MLIR 22.
#
#   scripts/setup.sh            install what is missing, configure, build
#   SEQBOAT_SKIP_APT=1 ...      do not touch apt (packages already present)
#   SEQBOAT_SANITIZE=1 ...      ASan+UBSan build with libFuzzer coverage and
#                               the fuzz targets (default dir build-sanitize)
#   SEQBOAT_BUILD_JOBS=N ...    ninja -j N (default: ninja's own choice)
#   SEQBOAT_SKIP_TORCH=1 ...    do not install the optional python3-torch
#
# python3-torch is optional: it lets seqboat-import read .pt checkpoints and
# run --check, enables the tests that need it (lit feature `torch`) and is the
# peer of bench/bench_cpu.py (with OpenBLAS); an apt failure for it does not
# stop the set-up.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sanitize="${SEQBOAT_SANITIZE:-}"
if [[ -n "$sanitize" ]]; then
  build="${SEQBOAT_BUILD_DIR:-$root/build-sanitize}"
else
  build="${SEQBOAT_BUILD_DIR:-$root/build}"
fi
# libclang-rt-22-dev: the ASan/UBSan/libFuzzer runtimes of clang-22.
packages=(llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools clang-22 lld-22
          libclang-rt-22-dev libomp-22-dev ninja-build cmake python3-numpy)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 && -z "${SEQBOAT_SKIP_APT:-}" ]]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${packages[@]}"
fi
# python3-torch with OpenBLAS (libopenblas0-pthread: Debian's default
# netlib BLAS is no peer a user would pick) and threadpoolctl (which BLAS is
# loaded, named by bench/bench_cpu.py).
optional=(python3-torch libopenblas0-pthread python3-threadpoolctl)
optional_missing=()
for p in "${optional[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || optional_missing+=("$p")
done
if [[ -z "${SEQBOAT_SKIP_APT:-}" && -z "${SEQBOAT_SKIP_TORCH:-}" && ${#optional_missing[@]} -gt 0 ]]; then
  echo "setup: installing the optional ${optional_missing[*]}"
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${optional_missing[@]}" ||
    echo "setup: ${optional_missing[*]} not installed; the tests that need torch will be unsupported" >&2
fi

for tool in /usr/lib/llvm-22/bin/mlir-tblgen /usr/lib/llvm-22/bin/lit clang++-22 ninja; do
  command -v "$tool" >/dev/null || { echo "setup: missing $tool after install" >&2; exit 1; }
done

sanitizer_flags=()
if [[ -n "$sanitize" ]]; then
  # LLVM's own switches (HandleLLVMOptions): -fsanitize=address,undefined
  # everywhere, plus -fsanitize=fuzzer-no-link so the fuzz targets see
  # coverage of all of seqboat.
  sanitizer_flags=(-DLLVM_USE_SANITIZER="Address;Undefined"
                   -DLLVM_USE_SANITIZE_COVERAGE=ON)
fi
if [[ ! -f "$build/build.ninja" ]]; then
  cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DLLVM_USE_LINKER=lld \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DLLVM_EXTERNAL_LIT=/usr/lib/llvm-22/bin/lit \
    "${sanitizer_flags[@]}"
fi
ninja -C "$build" ${SEQBOAT_BUILD_JOBS:+-j "$SEQBOAT_BUILD_JOBS"}
