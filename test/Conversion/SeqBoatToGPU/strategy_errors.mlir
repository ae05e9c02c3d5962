// Knobs that do not fit the problem or the hardware, and bad libraries, are
// errors at the contraction (the kernel's location), never crashes.
// Pipeline tiles larger than the problem are replaced by the nearest legal
// ones, recorded on the kernel (peel_contraction.mlir has the rest).
// RUN: seqboat-opt %S/Inputs/linear.mlir --seqboat-form-kernels --seqboat-apply-strategies="tile-m=96" 2>&1 | FileCheck %s --check-prefix=DIVIDE
// RUN: not seqboat-opt %S/Inputs/linear.mlir --seqboat-form-kernels --seqboat-apply-strategies="tile-k=32" 2>&1 | FileCheck %s --check-prefix=SMEM
// RUN: seqboat-opt %S/Inputs/linear.mlir --seqboat-form-kernels --seqboat-apply-strategies="target=cpu tile-k=32" | FileCheck %s --check-prefix=CPUSMEM
// RUN: not seqboat-opt %S/Inputs/linear.mlir --seqboat-form-kernels --seqboat-apply-strategies="tile-m=48" 2>&1 | FileCheck %s --check-prefix=WARPS
// RUN: not seqboat-opt %S/Inputs/linear.mlir --seqboat-form-kernels --seqboat-apply-strategies="tile-k=12" 2>&1 | FileCheck %s --check-prefix=BK
// RUN: not seqboat-opt %S/Inputs/linear.mlir --seqboat-form-kernels --seqboat-apply-strategies="tile-n=-16" 2>&1 | FileCheck %s --check-prefix=NEG
// RUN: not seqboat-opt %S/Inputs/linear.mlir --seqboat-form-kernels --seqboat-apply-strategies="tile-m=32 tile-k=8" 2>&1 | FileCheck %s --check-prefix=GRID
// RUN: not seqboat-opt %S/Inputs/linear.mlir --seqboat-form-kernels --seqboat-apply-strategies="target=tpu" 2>&1 | FileCheck %s --check-prefix=TARGET
// RUN: not seqboat-opt %S/Inputs/linear.mlir --seqboat-form-kernels --seqboat-apply-strategies="precision=bf32" 2>&1 | FileCheck %s --check-prefix=PRECISION
// RUN: not seqboat-opt %S/Inputs/linear.mlir --seqboat-form-kernels --seqboat-apply-strategies="library=%t.missing.mlir" 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not seqboat-opt %S/Inputs/linear.mlir --seqboat-form-kernels --seqboat-apply-strategies="library=%S/Inputs/user_strategy.mlir" 2>&1 | FileCheck %s --check-prefix=ENTRY
// RUN: not seqboat-opt %S/Inputs/linear.mlir --seqboat-form-kernels --seqboat-apply-strategies="library=%s" 2>&1 | FileCheck %s --check-prefix=NOTLIB
// 16-bit operands: mma k = 16 and 8 values per 16-byte copy, so K tiles of
// 16, 32 or 64; the pipeline's tile-k=8 becomes 16 for them; a library
// without the 16-bit entry points is named.
// RUN: not seqboat-opt %S/Inputs/linear_bf16.mlir --seqboat-form-kernels --seqboat-apply-strategies="tile-k=12" 2>&1 | FileCheck %s --check-prefix=BK16
// RUN: seqboat-opt %S/Inputs/linear_bf16.mlir --seqboat-form-kernels --seqboat-apply-strategies="tile-k=8" | FileCheck %s --check-prefix=K8
// RUN: not seqboat-opt %S/Inputs/linear_f16.mlir --seqboat-form-kernels --seqboat-apply-strategies="tile-k=64 tile-n=128" 2>&1 | FileCheck %s --check-prefix=SMEM16
// RUN: not seqboat-opt %S/Inputs/linear_bf16.mlir --seqboat-form-kernels --seqboat-apply-strategies="library=%S/Inputs/user_strategy.mlir" 2>&1 | FileCheck %s --check-prefix=ENTRY16
// Scan kernels: a chunk that is not positive; a scan op with a dynamic
// feature dim (only B and L may be dynamic) is refused by its lowering.
// RUN: not seqboat-opt %S/../../../examples/seqboat_layer.mlir --seqboat-decompose --seqboat-form-scan-kernels --seqboat-apply-strategies="target=cpu scan-chunk=0" 2>&1 | FileCheck %s --check-prefix=CHUNK
// RUN: not seqboat-opt %S/Inputs/dynamic_features.mlir --seqboat-gpu-pipeline="format=isa" 2>&1 | FileCheck %s --check-prefix=DYNSCAN
// Entry points whose arity is not what the strategy binds:
// RUN: not seqboat-opt %S/Inputs/linear_kn.mlir --seqboat-form-kernels --seqboat-apply-strategies="target=cpu library=%S/Inputs/user_strategy.mlir" 2>&1 | FileCheck %s --check-prefix=ARITY-PARALLEL
// RUN: not seqboat-opt %S/../../../examples/seqboat_layer.mlir --seqboat-decompose --seqboat-form-scan-kernels --seqboat-apply-strategies="target=cpu attention-key-block=0 library=%S/Inputs/user_strategy.mlir" 2>&1 | FileCheck %s --check-prefix=ARITY-SCAN
// RUN: not seqboat-opt %S/../../../examples/seqboat_layer.mlir --seqboat-decompose --seqboat-form-scan-kernels --seqboat-apply-strategies="target=cpu attention-key-block=32 library=%S/Inputs/user_strategy.mlir" 2>&1 | FileCheck %s --check-prefix=ENTRY-ATTN
// RUN: not seqboat-opt %S/Inputs/benchmark_layer.mlir --seqboat-decompose --seqboat-form-scan-kernels --seqboat-apply-strategies="target=cpu attention-key-block=1024" 2>&1 | FileCheck %s --check-prefix=SMEM-ATTN
// RUN: not seqboat-opt %S/../../../examples/seqboat_layer.mlir --seqboat-decompose --seqboat-form-scan-kernels --seqboat-apply-strategies="attention-query-block=2000 attention-key-block=32" 2>&1 | FileCheck %s --check-prefix=QB-ATTN
// RUN: not seqboat-opt %S/../../../examples/seqboat_layer.mlir --seqboat-decompose --seqboat-form-scan-kernels --seqboat-apply-strategies="target=cpu attention-key-block=-1" 2>&1 | FileCheck %s --check-prefix=KB-ATTN
// RUN: not seqboat-opt %S/../../../examples/seqboat_layer.mlir --seqboat-decompose --seqboat-gpu-pipeline="format=isa attention-query-block=0 kernel-work=%t.work.json" 2>&1 | FileCheck %s --check-prefix=WORK-ATTN
// RUN: not seqboat-opt %S/../../../examples/seqboat_layer.mlir --seqboat-decompose --seqboat-form-scan-kernels --seqboat-apply-strategies="attention-threads=48" 2>&1 | FileCheck %s --check-prefix=THREADS-ATTN
// RUN: not seqboat-opt %S/../../../examples/seqboat_layer.mlir --seqboat-decompose --seqboat-form-kernels --seqboat-print-kernel-work="precision=bf32" 2>&1 | FileCheck %s --check-prefix=WORK-PRECISION
// A contraction the contraction formation does not take has no GPU strategy
// without parallel kernels; with them (the default) it is one, with the
// matmul fused into its bias epilogue's kernel (read one-to-one).
// RUN: not seqboat-opt %S/Inputs/linear_kn.mlir --seqboat-form-kernels=parallel-kernels=false --seqboat-apply-strategies 2>&1 | FileCheck %s --check-prefix=LEFT
// RUN: seqboat-opt %S/Inputs/linear_kn.mlir --seqboat-form-kernels --seqboat-apply-strategies | FileCheck %s --check-prefix=PARALLEL
// RUN: seqboat-opt %S/Inputs/linear_kn.mlir --seqboat-form-kernels --seqboat-apply-strategies=target=cpu | FileCheck %s --check-prefix=LEFTCPU

// DIVIDE-NOT: warning
// DIVIDE: seqboat.tiles = array<i64: 64, 64, 16>
// DIVIDE: nvgpu.mma.sync
// SMEM: error: contraction kernel (M=64, N=64, K=64, tiles 64x64x32): needs 49408 B of shared memory, more than 49152 B
// CPUSMEM: func.func private @linear_contraction_0
// WARPS: error: {{.*}}tile-m must be a positive multiple of 32 (2 warps x 16 rows)
// BK: error: {{.*}}tile-k must be 8, 16 or 32
// NEG: error: {{.*}}tile-n must be a positive multiple of 16
// GRID: error: {{.*}}the copy grid of 64x2 threads needs tile-m and tile-n to be multiples of 64
// TARGET: error: seqboat-apply-strategies: unknown target 'tpu' (expected gpu, cpu or gpu-mapped)
// PRECISION: error: seqboat-apply-strategies: unknown precision 'bf32' (expected tf32, ieee or autocast)
// MISSING: error: seqboat-apply-strategies: cannot load the strategy library '{{.*}}.missing.mlir'
// ENTRY: error: strategy library '{{.*}}user_strategy.mlir' has no named sequence @seqboat_contraction_gpu
// CHUNK: seqboat_layer.mlir:{{[0-9]+}}:{{[0-9]+}}: error: scan kernel: scan-chunk must be positive, got 0
// DYNSCAN: dynamic_features.mlir:3:8: error: 'seqboat.short_conv' op could not be lowered to linalg: only the batch and sequence dims may be dynamic, and no dim may be empty
// ARITY-PARALLEL: error: strategy @seqboat_parallel_cpu takes 3 arguments; the strategy binds the module and one param (the threads per block)
// ARITY-SCAN: error: strategy @seqboat_scan_cpu takes 1 arguments; the strategy binds the module and two params (the EMA chunk, the threads per block)
// ENTRY-ATTN: error: strategy library '{{.*}}user_strategy.mlir' has no named sequence @seqboat_attention_cpu
// SMEM-ATTN: error: attention kernel (Z=128, H=1024, query block 64, key block 1024): the block's tiles need {{[0-9]+}} bytes of shared memory, more than 232448; use smaller attention-query-block or attention-key-block
// QB-ATTN: error: attention kernel: attention-query-block must be in [1, 1024], got 2000
// KB-ATTN: error: seqboat-apply-strategies: attention-key-block must be in [0, 1024], got -1
// WORK-ATTN: error: seqboat-print-kernel-work: attention-query-block must be in [1, 1024] and attention-key-block in [0, 1024], got 0 and 32
// THREADS-ATTN: error: threads per block of a parallel or scan kernel must be a multiple of 32 in [32, 1024], got 48
// WORK-PRECISION: error: seqboat-print-kernel-work: unknown precision 'bf32' (expected tf32, ieee or autocast)
// NOTLIB: error: strategy library '{{.*}}strategy_errors.mlir' has no named sequence @seqboat_contraction_gpu
// LEFT: linear_kn.mlir:{{.*}} error: 'linalg.{{[a-z]+}}' op has no GPU strategy yet: kernels are formed from linalg ops on ranked tensors
// PARALLEL: func.func private @linear_kn_parallel_0({{.*}}seqboat.kernel_kind = "parallel"
// PARALLEL: gpu.launch
// PARALLEL-NOT: @linear_kn_parallel_1
// LEFTCPU: linalg.matmul

// RUN: not seqboat-opt %S/Inputs/bad_contraction.mlir --seqboat-apply-strategies="tile-m=32 tile-n=32" 2>&1 | FileCheck %s --check-prefix=BADKERNEL
// BADKERNEL: error: contraction kernel: expected (X[M, K], W[N, K], bias[N], Y[M, N]) memref arguments, static but for M

// BK16: linear_bf16.mlir:{{[0-9]+}}:{{[0-9]+}}: error: contraction kernel (M=64, N=64, K=64, tiles 64x64x12): tile-k must be 16, 32 or 64 with 16-bit operands
// K8: seqboat.tiles = array<i64: 64, 64, 16>
// SMEM16: error: contraction kernel (M=64, N=64, K=64, tiles 64x128x64): needs {{[0-9]+}} B of shared memory, more than 49152 B
// ENTRY16: error: strategy library '{{.*}}user_strategy.mlir' has no named sequence @seqboat_contraction16_gpu
