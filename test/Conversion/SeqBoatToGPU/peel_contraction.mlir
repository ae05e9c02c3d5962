// Contraction tiles that divide K but not M or N: the kernel is peeled. The
// part the tiles divide keeps the contraction strategy; the remaining rows
// (all columns) and the remaining columns (of the rows above) become parallel
// kernels; all three are called on subviews of the caller's buffers.
// The pipeline's tiles (64x64x16 by default) cannot run here (BK = 16 does
// not divide K = 72): the nearest legal ones (64x64x8) are taken and
// recorded on the kernel; a TM larger than M is brought down the same way.
// RUN: seqboat-opt %S/Inputs/linear_odd.mlir --seqboat-form-kernels --seqboat-apply-strategies="target=cpu" 2>&1 | FileCheck %s
// RUN: seqboat-opt %S/Inputs/linear_odd.mlir --seqboat-form-kernels --seqboat-apply-strategies="target=cpu tile-k=8 tile-m=128" 2>&1 | FileCheck %s
// RUN: seqboat-opt %S/Inputs/linear_odd.mlir --seqboat-form-kernels --seqboat-apply-strategies 2>&1 | FileCheck %s --check-prefix=GPU
// Tiles a kernel was given (seqboat.tiles, from the tuner or by hand) are
// taken as they are: where they do not divide K, or no legal tiles fit the
// shape, nothing is peeled and the kernel is one parallel kernel, with a
// warning.
// RUN: sed -e 's/outs(%%acc0 : tensor<74x66xf32>) ->/outs(%%acc0 : tensor<74x66xf32>) {seqboat.tiles = array<i64: 64, 64, 16>} ->/' %S/Inputs/linear_odd.mlir > %t.mlir
// RUN: seqboat-opt %t.mlir --seqboat-form-kernels --seqboat-apply-strategies="target=cpu" 2>&1 | FileCheck %s --check-prefix=KTILE
// RUN: sed -e 's/66x72xf32/18x16xf32/g; s/74x72xf32/74x16xf32/g; s/66/18/g' %S/Inputs/linear_odd.mlir > %t.narrow.mlir
// RUN: seqboat-opt %t.narrow.mlir --seqboat-form-kernels --seqboat-apply-strategies="target=cpu" 2>&1 | FileCheck %s --check-prefix=NOFIT

// CHECK-NOT: warning
// CHECK-LABEL: func.func private @linear_contraction_0(
// CHECK-SAME: memref<64x72xf32, strided<[72, 1]>>, %{{.*}}: memref<64x72xf32, strided<[72, 1]>>, %{{.*}}: memref<64xf32, strided<[1]>>, %{{.*}}: memref<64x64xf32, strided<[66, 1]>>)
// CHECK-SAME: seqboat.kernel_kind = "contraction", seqboat.tiles = array<i64: 64, 64, 8>
// The contraction schedule: mma-shaped (16x8) vector contractions.
// CHECK: vector.fma {{.*}} : vector<8xf32>
// CHECK-LABEL: func.func private @linear_contraction_0_cols(
// CHECK-SAME: memref<64x72xf32, strided<[72, 1]>>, %{{.*}}: memref<2x72xf32, strided<[72, 1], offset: 4608>>, %{{.*}}: memref<2xf32, strided<[1], offset: 64>>, %{{.*}}: memref<64x2xf32, strided<[66, 1], offset: 64>>)
// CHECK-SAME: seqboat.kernel_kind = "parallel"
// CHECK-LABEL: func.func private @linear_contraction_0_rows(
// CHECK-SAME: memref<10x72xf32, strided<[72, 1], offset: 4608>>, %{{.*}}: memref<66x72xf32, strided<[72, 1]>>, %{{.*}}: memref<66xf32, strided<[1]>>, %{{.*}}: memref<10x66xf32, strided<[66, 1], offset: 4224>>)
// CHECK-SAME: seqboat.kernel_kind = "parallel"
// CHECK-LABEL: func.func @linear(
// CHECK: %[[X:.*]] = bufferization.to_buffer %arg0
// CHECK: %[[W:.*]] = bufferization.to_buffer %arg1
// CHECK: %[[B:.*]] = bufferization.to_buffer %arg2
// CHECK: %[[Y:.*]] = memref.alloc() : memref<74x66xf32>
// CHECK: %[[X0:.*]] = memref.subview %[[X]][0, 0] [64, 72] [1, 1]
// CHECK: %[[W0:.*]] = memref.subview %[[W]][0, 0] [64, 72] [1, 1]
// CHECK: %[[B0:.*]] = memref.subview %[[B]][0] [64] [1]
// CHECK: %[[Y0:.*]] = memref.subview %[[Y]][0, 0] [64, 64] [1, 1]
// CHECK: call @linear_contraction_0(%[[X0]], %[[W0]], %[[B0]], %[[Y0]])
// CHECK: %[[X1:.*]] = memref.subview %[[X]][64, 0] [10, 72] [1, 1]
// CHECK: %[[W1:.*]] = memref.subview %[[W]][0, 0] [66, 72] [1, 1]
// CHECK: %[[B1:.*]] = memref.subview %[[B]][0] [66] [1]
// CHECK: %[[Y1:.*]] = memref.subview %[[Y]][64, 0] [10, 66] [1, 1]
// CHECK: call @linear_contraction_0_rows(%[[X1]], %[[W1]], %[[B1]], %[[Y1]])
// CHECK: %[[X2:.*]] = memref.subview %[[X]][0, 0] [64, 72] [1, 1]
// CHECK: %[[W2:.*]] = memref.subview %[[W]][64, 0] [2, 72] [1, 1]
// CHECK: %[[B2:.*]] = memref.subview %[[B]][64] [2] [1]
// CHECK: %[[Y2:.*]] = memref.subview %[[Y]][0, 64] [64, 2] [1, 1]
// CHECK: call @linear_contraction_0_cols(%[[X2]], %[[W2]], %[[B2]], %[[Y2]])

// GPU-NOT: warning
// GPU-LABEL: func.func private @linear_contraction_0(
// GPU: gpu.launch
// GPU: nvgpu.device_async_copy
// GPU: nvgpu.mma.sync
// GPU-LABEL: func.func private @linear_contraction_0_cols(
// GPU: gpu.launch
// GPU-NOT: nvgpu.mma.sync
// GPU-LABEL: func.func private @linear_contraction_0_rows(
// GPU: gpu.launch
// GPU-NOT: nvgpu.mma.sync
// GPU-LABEL: func.func @linear(

// KTILE: :12:10: warning: contraction kernel (M=74, N=66, K=72): tiles 64x64x16 do not divide K (partial K tiles are not supported yet); compiled with the parallel strategy instead (no tensor cores)
// KTILE-NOT: _rows
// KTILE-NOT: _cols

// NOFIT: warning: contraction kernel (M=74, N=18, K=16): tiles 64x64x16 do not fit in M and N (nothing left to peel) and no smaller legal tiles do; compiled with the parallel strategy instead (no tensor cores)
// NOFIT-NOT: _rows
