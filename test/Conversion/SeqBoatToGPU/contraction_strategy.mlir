// The built-in contraction strategy on one kernel.
// RUN: seqboat-opt %S/Inputs/linear.mlir --seqboat-form-kernels --seqboat-apply-strategies | FileCheck %s --check-prefix=GPU
// RUN: seqboat-opt %S/Inputs/linear.mlir --seqboat-form-kernels --seqboat-apply-strategies="tile-m=32 tile-n=32" | FileCheck %s --check-prefix=SMALL
// RUN: seqboat-opt %S/Inputs/linear.mlir --seqboat-form-kernels --seqboat-apply-strategies=precision=ieee | FileCheck %s --check-prefix=IEEE
// RUN: seqboat-opt %S/Inputs/linear.mlir --seqboat-form-kernels --seqboat-apply-strategies=target=cpu | FileCheck %s --check-prefix=CPU
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
