// RUN: seqboat-opt %s --seqboat-form-scan-kernels | FileCheck %s
// RUN: seqboat-opt %s --seqboat-form-scan-kernels --seqboat-apply-strategies=target=cpu | FileCheck %s --check-prefix=TILED
// RUN: seqboat-opt %s --seqboat-form-scan-kernels --convert-seqboat-to-linalg=skip-kernels | FileCheck %s --check-prefix=SKIP

// The ops with a sequential part (the prefix count of compact_index, the
// window loop of local_attention, scatter's row moves) each become a scan
// kernel holding the seqboat op itself; the caller passes views of its
// tensors and a fresh buffer per result.

// CHECK-LABEL: func.func private @attend_scan_0(
// CHECK-SAME:      %[[M:.*]]: memref<2x64xi1, strided<[?, 1], offset: ?>>, %[[POS:.*]]: memref<2x64xi32>, %[[CNT:.*]]: memref<2xi32>)
// CHECK-SAME:      seqboat.kernel_kind = "scan"
// CHECK:         %[[MT:.*]] = bufferization.to_tensor %[[M]] restrict
// CHECK:         %[[P:.*]], %[[C:.*]] = seqboat.compact_index %[[MT]]
// CHECK:         bufferization.materialize_in_destination %[[P]] in restrict writable %[[POS]]
// CHECK:         bufferization.materialize_in_destination %[[C]] in restrict writable %[[CNT]]
// CHECK-LABEL: func.func private @attend_scan_1(
// CHECK-SAME:      memref<2x64x8xf32, strided<[?, ?, 1], offset: ?>>, %{{.*}}: memref<2x64x8xf32, strided<[?, ?, 1], offset: ?>>, %{{.*}}: memref<2x64x32xf32, strided<[?, ?, 1], offset: ?>>, %{{.*}}: memref<2x64xi32, strided<[?, 1], offset: ?>>, %{{.*}}: memref<2xi32, strided<[1], offset: ?>>, %{{.*}}: memref<2x64x32xf32>)
// CHECK:         seqboat.local_attention
// CHECK-LABEL: func.func private @attend_scan_2(
// CHECK:         seqboat.scatter
// CHECK-LABEL: func.func @attend(
// CHECK:         call @attend_scan_0({{.*}}) {seqboat.kernel_kind = "scan"}
// CHECK:         call @attend_scan_1({{.*}}) {seqboat.kernel_kind = "scan"}
// CHECK:         call @attend_scan_2({{.*}}) {seqboat.kernel_kind = "scan"}
// CHECK-NOT:     seqboat.

// The scan strategy tiles each op through its TilingInterface: its parallel
// loops on blocks, one point per thread; the thread's tile is lowered to
// linalg and loops (here the CPU variant, which only bufferizes them).
// TILED-LABEL: func.func private @attend_scan_0(
// TILED:         scf.forall (%{{.*}}) in (1) {
// TILED:           scf.forall (%{{.*}}) in (2) {
// TILED:             scf.for
// TILED:           } {mapping = [#gpu.thread<linear_dim_0>]}
// TILED:         } {mapping = [#gpu.block<x>]}
// The local attention is tiled over (batch, query slot): a thread takes one
// query with every feature of v (its scores are computed once), reading the
// keys whole; its tile is the op's `queries(offset, 1)`.
// TILED-LABEL: func.func private @attend_scan_1(
// TILED:         scf.forall (%{{.*}}, %{{.*}}) in (1, 1) {
// TILED:           scf.forall (%[[B:.*]], %[[I:.*]]) in (2, 64) {
// TILED:             memref.subview %arg2[%[[B]], 0, 0] [1, 64, 32] [1, 1, 1]
// TILED:             memref.subview %arg5[%[[B]], %[[I]], 0] [1, 1, 32] [1, 1, 1]
// TILED:           } {mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]}
// TILED:         } {mapping = [#gpu.block<y>, #gpu.block<x>]}
// TILED-LABEL: func.func private @attend_scan_2(
// TILED:         linalg.copy
// TILED-NOT:     seqboat.{{[a-z_]+}} %

// With skip-kernels, the lowering leaves the kernels' ops to their strategy.
// SKIP-LABEL: func.func private @attend_scan_0(
// SKIP:         seqboat.compact_index

func.func @attend(%mask: tensor<2x64xi1>, %q: tensor<2x64x8xf32>, %k: tensor<2x64x8xf32>, %v: tensor<2x64x32xf32>) -> tensor<2x64x32xf32> {
  %pos, %count = "seqboat.compact_index"(%mask) : (tensor<2x64xi1>) -> (tensor<2x64xi32>, tensor<2xi32>)
  %o = "seqboat.local_attention"(%q, %k, %v, %pos, %count) <{activation = #seqboat.activation<softmax>, bidirectional = false, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 0>, window = 4 : i64}> : (tensor<2x64x8xf32>, tensor<2x64x8xf32>, tensor<2x64x32xf32>, tensor<2x64xi32>, tensor<2xi32>) -> tensor<2x64x32xf32>
  %y = "seqboat.scatter"(%o, %pos) <{length = 64 : i64}> : (tensor<2x64x32xf32>, tensor<2x64xi32>) -> tensor<2x64x32xf32>
  return %y : tensor<2x64x32xf32>
}
