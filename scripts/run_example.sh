#!/usr/bin/env bash
# The main job: build seqboat, compile the bundled example layer
# (examples/seqboat_layer.mlir) to LLVM, run it on random inputs on the CPU and
# check it against the NumPy reference; then compile it to fused NVPTX kernels
# (kernel count, ptxas resource report), check the same kernel algorithm on
# the CPU, and run it on the GPU when there is one; finally the same layer
# with a dynamic batch and sequence length, compiled once and run at two shapes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${SEQBOAT_BUILD_DIR:-$root/build}"
"$root/scripts/setup.sh"

bin="$build/bin"
work="$build/example"
example="$root/examples/seqboat_layer.mlir"
mkdir -p "$work"
rm -f "$work"/*.npy

echo "== 1. verify and print (custom assembly form)"
"$bin/seqboat-opt" "$example"

echo "== 2. compile: --seqboat-decompose --convert-seqboat-to-linalg --seqboat-cpu-pipeline"
"$bin/seqboat-opt" "$example" --seqboat-decompose --convert-seqboat-to-linalg \
  --seqboat-cpu-pipeline -o "$work/seqboat_layer.llvm.mlir"
echo "   -> $work/seqboat_layer.llvm.mlir ($(grep -c '' "$work/seqboat_layer.llvm.mlir") lines of LLVM dialect)"

echo "== 3. random inputs and NumPy reference (same config as the example)"
(cd "$root/python" && /usr/bin/python3 -m seqboat.builder layer --out "$work" \
  --entry seqboat_layer --B 2 --L 37 --D 16 --N 4 --Z 8 --H 32 --M 64 --window 4 \
  --bidirectional --activation softmax --norm layernorm --active-fraction 0.5 --seed 1)

echo "== 4. run on the CPU (seqboat-run, JIT)"
inputs=()
for i in $(seq 0 17); do inputs+=(--input "$work/in$i.npy"); done
"$bin/seqboat-run" "$work/seqboat_layer.llvm.mlir" --entry seqboat_layer "${inputs[@]}" \
  --output "$work/out0.npy" --repeat 20 --time

echo "== 5. check against the reference (max |out - ref| <= 1e-4 * max |ref|)"
(cd "$root/python" && /usr/bin/python3 -m seqboat.builder check \
  --ref "$work/ref0.npy" --out "$work/out0.npy" --tol 1e-4)

echo "== 6. compile to NVPTX: --seqboat-gpu-pipeline (sm_90, PTX)"
"$bin/seqboat-opt" "$example" --seqboat-gpu-pipeline="chip=sm_90 features=+ptx80 format=isa" \
  -o "$work/seqboat_layer.gpu.mlir"
(cd "$root/python" && /usr/bin/python3 -m seqboat.kernels "$work/seqboat_layer.gpu.mlir" \
  --ptx-dir "$work/ptx" --arch sm_90)
echo "   PTX: $work/ptx/binary0.ptx"

echo "== 7. the fused-kernel algorithm on the CPU (--seqboat-kernels-cpu-pipeline) vs the reference"
"$bin/seqboat-opt" "$example" --seqboat-kernels-cpu-pipeline -o "$work/seqboat_layer.kernels.mlir"
"$bin/seqboat-run" "$work/seqboat_layer.kernels.mlir" --entry seqboat_layer "${inputs[@]}" \
  --output "$work/out_kernels.npy"
(cd "$root/python" && /usr/bin/python3 -m seqboat.builder check \
  --ref "$work/ref0.npy" --out "$work/out_kernels.npy" --tol 1e-4)

echo "== 8. GPU library (seqboat.aot) and seqboat-exec"
if [[ -f "$build/lib/Runtime/libseqboat_cuda_runtime.a" ]]; then
  (cd "$root/python" && /usr/bin/python3 -m seqboat.aot "$example" -o "$work/seqboat_layer.so" \
    --build "$build" --options "chip=sm_90 features=+ptx80 format=isa")
  if "$bin/seqboat-exec" "$work/seqboat_layer.so" --entry seqboat_layer "${inputs[@]}" \
      --output "$work/out_gpu.npy" --repeat 20 --time; then
    (cd "$root/python" && /usr/bin/python3 -m seqboat.builder check \
      --ref "$work/ref0.npy" --out "$work/out_gpu.npy" --tol 1e-4)
  else
    echo "   (no usable GPU here: the GPU run is skipped; the kernels were checked on the CPU above)"
  fi
else
  echo "   (cuda.h not found at build time: no GPU runtime, GPU library not built)"
fi

echo "== 9. dynamic B and L (examples/seqboat_layer_dynamic.mlir): compiled once, run at two shapes"
dyn="$root/examples/seqboat_layer_dynamic.mlir"
# run_dynamic PIPELINE NAME: compile the example once with PIPELINE, then run
# it at (1, 5) and (3, 300) against the reference.
run_dynamic() {
  local pipeline="$1" name="$2" b l
  "$bin/seqboat-opt" "$dyn" "$pipeline" -o "$work/seqboat_layer_dynamic.$name.mlir"
  for shape in "1 5" "3 300"; do
    read -r b l <<< "$shape"
    (cd "$root/python" && /usr/bin/python3 -m seqboat.runcase --bin "$bin" \
      --lowered "$work/seqboat_layer_dynamic.$name.mlir" --entry seqboat_layer_dynamic \
      --work "$work/dynamic_${name}_${b}x$l" layer --dynamic --bidirectional --B "$b" --L "$l" --seed 1 \
      | sed "s/^/   (B, L) = ($b, $l): /")
  done
}
run_dynamic --seqboat-to-llvm-cpu llvm
echo "   the same function through the fused GPU kernels (grids computed from B and L at run time), run as CPU loops:"
run_dynamic --seqboat-kernels-cpu-pipeline kernels
