// The built-in contraction strategy on one kernel.
// RUN: seqboat-opt %S/Inputs/linear.mlir --seqboat-form-kernels --seqboat-apply-strategies | FileCheck %s --check-prefix=GPU
// RUN: seqboat-opt %S/Inputs/linear.mlir --seqboat-form-kernels --seqboat-apply-strategies="tile-m=32 tile-n=32" | FileCheck %s --check-prefix=SMALL
// RUN: seqboat-opt %S/Inputs/linear.mlir --seqboat-form-kernels --seqboat-apply-strategies=precision=ieee | FileCheck %s --check-prefix=IEEE
// RUN: seqboat-opt %S/Inputs/linear.mlir --seqboat-form-kernels --seqboat-apply-strategies=target=cpu | FileCheck %s --check-prefix=CPU
// 16-bit operands (bf16, f16): @seqboat_contraction16_*, whatever the precision.
// RUN: seqboat-opt %S/Inputs/linear_bf16.mlir --seqboat-form-kernels --seqboat-apply-strategies | FileCheck %s --check-prefix=BF16
// RUN: seqboat-opt %S/Inputs/linear_f16.mlir --seqboat-form-kernels --seqboat-apply-strategies=precision=ieee | FileCheck %s --check-prefix=F16
// RUN: seqboat-opt %S/Inputs/linear_bf16.mlir --seqboat-form-kernels --seqboat-apply-strategies=target=cpu | FileCheck %s --check-prefix=CPU16
// A user's library replaces the built-in one.
// RUN: seqboat-opt %S/Inputs/linear.mlir --seqboat-form-kernels --seqboat-apply-strategies="target=cpu library=%S/Inputs/user_strategy.mlir tile-m=32" 2>&1 | FileCheck %s --check-prefix=USER

// On the GPU, one launch of 1x1 blocks of 128 threads over the 64x64 tile, X/W
// K-slices staged by cp.async (L1 bypassed) into two shared buffers each,
// ldmatrix-fed TF32 mma.sync m16n8k8, shared buffers as workgroup globals.
// GPU-LABEL: func.func private @linear_contraction_0(
// GPU:         gpu.launch blocks({{.*}}) in ({{.*}} = %c1{{.*}}, {{.*}} = %c1{{.*}}, {{.*}} = %c1{{.*}}) threads({{.*}}) in ({{.*}} = %c128
// GPU:           memref.get_global {{.*}} : memref<64x64xf32, #gpu.address_space<workgroup>>
// GPU:           memref.get_global {{.*}} : memref<2x64x16xf32, #gpu.address_space<workgroup>>
// GPU:           nvgpu.device_async_copy {{.*}} {bypassL1}
// GPU:           nvgpu.device_async_create_group
// GPU:           scf.for
// GPU:             nvgpu.device_async_wait
// GPU:             nvgpu.ldmatrix
// GPU:             nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 8], tf32Enabled}
// GPU-NOT:     linalg.matmul
// GPU-LABEL: func.func @linear(
// GPU:         call @linear_contraction_0
// GPU:       memref.global "private" @{{.*}} : memref<2x64x16xf32, #gpu.address_space<workgroup>>

// Knobs: 32x32 block tiles give a 2x2 grid, the same 16-deep K slice.
// SMALL:       gpu.launch blocks({{.*}}) in ({{.*}} = %c2{{.*}}, {{.*}} = %c2
// SMALL:         memref.get_global {{.*}} : memref<2x32x16xf32, #gpu.address_space<workgroup>>

// precision=ieee: the same staging, the matmul register-blocked per thread
// (16x8 threads of 4x8 tiles) as exact-f32 FMAs, no tensor cores.
// IEEE-LABEL: func.func private @linear_contraction_0(
// IEEE:         gpu.launch {{.*}} threads({{.*}}) in ({{.*}} = %c128
// IEEE:           nvgpu.device_async_copy {{.*}} {bypassL1}
// IEEE:           scf.for
// IEEE:             nvgpu.device_async_wait
// IEEE:             vector.fma {{.*}} : vector<8xf32>
// IEEE-NOT:     nvgpu.mma.sync
// IEEE-NOT:     nvgpu.ldmatrix

// On the CPU, the same tiles as loops over stack buffers, FMAs instead of mma.sync.
// CPU-LABEL: func.func private @linear_contraction_0(
// CPU-NOT:     gpu.launch
// CPU:         memref.alloca() : memref<64x16xf32>
// CPU:         scf.for
// CPU:           vector.fma
// CPU-NOT:     nvgpu.

// USER: remark: user strategy, block rows knob: 32
// USER-LABEL: func.func private @linear_contraction_0(
// USER:         scf.forall {{.*}} in (4, 4)

// bf16: 16-byte cp.async rows (8 values) into bf16 shared tiles, ldmatrix,
// mma.sync m16n8k16 bf16 -> f32 as nvvm.mma.sync (no nvgpu form lowers it),
// the f32 accumulator tile in shared memory for the epilogue.
// BF16-LABEL: func.func private @linear_contraction_0(
// BF16-SAME:    memref<64x64xbf16>
// BF16:         memref.get_global {{.*}} : memref<64x64xf32, #gpu.address_space<workgroup>>
// BF16:         memref.get_global {{.*}} : memref<2x64x16xbf16, #gpu.address_space<workgroup>>
// BF16:         nvgpu.device_async_copy {{.*}}, 8 {bypassL1} : memref<64x64xbf16> to memref<2x64x16xbf16, #gpu.address_space<workgroup>>
// BF16:         scf.for
// BF16:           nvgpu.ldmatrix {{.*}} -> vector<4x2xbf16>
// BF16:           nvvm.mma.sync {{.*}}multiplicandAPtxType = #nvvm.mma_type<bf16>{{.*}}shape = #nvvm.shape<m = 16, n = 8, k = 16>
// BF16-NOT:     nvgpu.mma.sync
// BF16:         arith.truncf {{.*}} to vector<{{.*}}xbf16>

// f16: upstream's nvgpu.mma.sync m16n8k16 (no TF32, even under ieee).
// F16-LABEL: func.func private @linear_contraction_0(
// F16:         nvgpu.device_async_copy {{.*}}, 8 {bypassL1} : memref<64x64xf16>
// F16:         scf.for
// F16:           nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 16]} : (vector<4x2xf16>, vector<2x2xf16>, vector<2x2xf32>) -> vector<2x2xf32>
// F16-NOT:     tf32Enabled
// F16-NOT:     vector.fma

// On the CPU the same tiles, the 16-bit K slices extended to f32 as read.
// CPU16-LABEL: func.func private @linear_contraction_0(
// CPU16-NOT:     gpu.launch
// CPU16:         memref.alloca() : memref<64x16xbf16>
// CPU16:         arith.extf {{.*}} : vector<{{.*}}xbf16> to vector<{{.*}}xf32>
// CPU16:         vector.fma
