// RUN: seqboat-opt %s --seqboat-form-scan-kernels | FileCheck %s
// RUN: seqboat-opt %s --seqboat-form-scan-kernels --seqboat-apply-strategies="target=cpu attention-key-block=0" | FileCheck %s --check-prefix=TILED
// RUN: seqboat-opt %s --seqboat-form-scan-kernels --seqboat-apply-strategies="target=cpu attention-query-block=32 attention-key-block=32 attention-threads=128 precision=ieee" | FileCheck %s --check-prefix=ATTN
// RUN: seqboat-opt %s --seqboat-form-scan-kernels --seqboat-apply-strategies="target=cpu attention-query-block=32 attention-key-block=32 attention-threads=128" | FileCheck %s --check-prefix=TC
// RUN: seqboat-opt %s --seqboat-form-scan-kernels --convert-seqboat-to-linalg=skip-kernels | FileCheck %s --check-prefix=SKIP

// The ops with a sequential part (the window loop of local_attention,
// scatter's row moves) each become a scan kernel holding the seqboat op
// itself; the caller passes views of its tensors and a fresh buffer per
// result. compact_index on static shapes is a parallel prefix count instead,
// and a scatter of the rows it compacted a parallel gather (below).

// CHECK-LABEL: func.func private @attend_scan_0(
// CHECK-SAME:      memref<2x64x8xf32, strided<[?, ?, 1], offset: ?>>, %{{.*}}: memref<2x64x8xf32, strided<[?, ?, 1], offset: ?>>, %{{.*}}: memref<2x64x32xf32, strided<[?, ?, 1], offset: ?>>, %{{.*}}: memref<2x64xi32, strided<[?, 1], offset: ?>>, %{{.*}}: memref<2xi32, strided<[1], offset: ?>>, %{{.*}}: memref<2x64x32xf32>)
// CHECK-SAME:      seqboat.kernel_kind = "scan"
// CHECK:         seqboat.local_attention
// CHECK-NOT:   func.func private @attend_scan_1(
// The compaction, in chunks of C = min(L, 64) tokens (here one chunk of
// 64): each chunk's start (the active tokens before it, and the count as
// the start of chunk NC), the chunks' flags, the prefix count within the
// chunks, each slot's position as the first t whose prefix reaches slot + 1
// (a binary search over the row), and the count.
// CHECK-LABEL: func.func @attend(
// CHECK-SAME:      %[[MASK:[^:]*]]: tensor<2x64xi1>
// CHECK:         %[[STARTS:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]{{.*}}ins(%[[MASK]] : tensor<2x64xi1>) outs(%{{.*}} : tensor<2x2xi32>)
// CHECK:         %[[START:.*]] = tensor.extract_slice %[[STARTS]][0, 0] [2, 1] [1, 1]
// CHECK:         %[[FLAGS:.*]] = linalg.generic
// CHECK:           tensor.extract %[[MASK]]
// CHECK:         %[[PREFIX:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "reduction"]{{.*}}ins(%[[START]], %[[FLAGS]] : tensor<2x1xi32>, tensor<2x1x64xi32>)
// CHECK:         %[[FLAT:.*]] = tensor.collapse_shape %[[PREFIX]] {{\[\[}}0], [1, 2]]
// CHECK:         %[[POS:.*]] = linalg.generic
// CHECK:           scf.for
// CHECK:             tensor.extract %[[FLAT]]
// CHECK:             arith.cmpi sge
// CHECK:         } -> tensor<2x64xi32>
// CHECK:         %[[COUNT:.*]] = linalg.generic
// CHECK:           tensor.extract %[[STARTS]]
// CHECK:         } -> tensor<2xi32>
// CHECK:         %[[POSBUF:.*]] = bufferization.to_buffer %[[POS]]
// CHECK:         %[[COUNTBUF:.*]] = bufferization.to_buffer %[[COUNT]]
// CHECK:         call @attend_scan_0(%{{.*}}, %{{.*}}, %{{.*}}, %[[POSBUF]], %[[COUNTBUF]], %{{.*}}) {seqboat.kernel_kind = "scan"}
// The scatter's pos comes from compact_index (increasing positions, then
// -1s), so each output element finds its slot by a binary search of
// ceil(log2(64 + 1)) = 7 fixed steps: a parallel generic, formed into a
// parallel kernel later (one thread per element), not a scan kernel.
// CHECK:         %[[O:.*]] = bufferization.to_tensor
// CHECK:         linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel"]
// CHECK:           %[[T:.*]] = linalg.index 1
// CHECK:           %[[T32:.*]] = arith.index_cast %[[T]] : index to i32
// CHECK:           %[[C7:.*]] = arith.constant 7 : index
// CHECK:           %[[SLOT:.*]]:2 = scf.for %{{.*}} = %{{.*}} to %[[C7]]
// CHECK:             tensor.extract %[[POS]]
// CHECK:             arith.cmpi sge, %{{.*}}, %[[T32]] : i32
// CHECK:           tensor.extract %[[POS]]
// CHECK:           arith.cmpi eq, %{{.*}}, %[[T32]] : i32
// CHECK:           tensor.extract %[[O]]
// CHECK:           arith.select
// CHECK-NOT:     seqboat.

// A scatter of any other pos keeps its scan kernel:
// CHECK-LABEL: func.func private @place_scan_0(
// CHECK:         seqboat.scatter
// CHECK-LABEL: func.func @place(
// CHECK:         call @place_scan_0({{.*}}) {seqboat.kernel_kind = "scan"}

// The scan strategy (for local_attention with attention-key-block=0) tiles
// each op through its TilingInterface: its parallel
// loops on blocks, one point per thread; the thread's tile is lowered to
// linalg and loops (here the CPU variant, which only bufferizes them).
// The local attention is tiled over (batch, query slot, feature of v): a
// thread takes one query and a block of 2·Z = 16 of the 32 features of v
// (its scores computed once per block), reading the keys whole; its tile is
// the op's `queries(offset, 1)` on that slice of v.
// TILED-LABEL: func.func private @attend_scan_0(
// TILED:         scf.forall (%[[B:.*]], %{{.*}}, %{{.*}}) in (2, 1, 1) {
// TILED:           %[[V:.*]] = memref.subview %arg2[%[[B]], 0, 0] [1, 64, 32] [1, 1, 1]
// TILED:           %[[O:.*]] = memref.subview %arg5[%[[B]], 0, 0] [1, 64, 32] [1, 1, 1]
// TILED:           scf.forall (%[[I:.*]], %[[F:.*]]) in (64, 2) {
// TILED:             %[[OFF:.*]] = affine.apply #{{.*}}(%[[F]])
// TILED:             memref.subview %[[V]][0, 0, %[[OFF]]] [1, 64, 16] [1, 1, 1]
// TILED:             memref.subview %[[O]][0, %[[I]], %[[OFF]]] [1, 1, 16] [1, 1, 1]
// TILED:           } {mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]}
// TILED:         } {mapping = [#gpu.block<z>, #gpu.block<y>, #gpu.block<x>]}
// TILED-LABEL: func.func private @place_scan_0(
// TILED:         linalg.copy
// TILED-NOT:     seqboat.{{[a-z_]+}} %

// With skip-kernels, the lowering leaves the kernels' ops to their strategy.
// SKIP-LABEL: func.func private @attend_scan_0(
// SKIP:         seqboat.local_attention

func.func @attend(%mask: tensor<2x64xi1>, %q: tensor<2x64x8xf32>, %k: tensor<2x64x8xf32>, %v: tensor<2x64x32xf32>) -> tensor<2x64x32xf32> {
  %pos, %count = "seqboat.compact_index"(%mask) : (tensor<2x64xi1>) -> (tensor<2x64xi32>, tensor<2xi32>)
  %o = "seqboat.local_attention"(%q, %k, %v, %pos, %count) <{activation = #seqboat.activation<softmax>, bidirectional = false, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 0>, window = 4 : i64}> : (tensor<2x64x8xf32>, tensor<2x64x8xf32>, tensor<2x64x32xf32>, tensor<2x64xi32>, tensor<2xi32>) -> tensor<2x64x32xf32>
  %y = "seqboat.scatter"(%o, %pos) <{length = 64 : i64}> : (tensor<2x64x32xf32>, tensor<2x64xi32>) -> tensor<2x64x32xf32>
  return %y : tensor<2x64x32xf32>
}

func.func @place(%xc: tensor<2x64x32xf32>, %pos: tensor<2x64xi32>) -> tensor<2x64x32xf32> {
  %y = "seqboat.scatter"(%xc, %pos) <{length = 64 : i64}> : (tensor<2x64x32xf32>, tensor<2x64xi32>) -> tensor<2x64x32xf32>
  return %y : tensor<2x64x32xf32>
}

// An elementwise epilogue that is the only reader of a scan root's result
// (the attention's output gated by r, read at an offset of a wider
// projection) is computed by the same kernel: its other inputs become kernel
// inputs, the kernel's result is the gated one.
// The attention strategy (32 query slots, attention-key-block=32): blocks of
// (batch row, 32 query slots, 16 features of v), each block a loop over
// tiles of 32 keys from the first key of its queries' windows to the last
// (here (i - 4, i + 32 + 4) clamped to count), with the online softmax
// between two linalg.matmul, every op of the block a phase over its threads.
// ATTN-LABEL: func.func private @attend_scan_0(
// ATTN:         scf.forall (%{{.*}}, %{{.*}}, %{{.*}}) in (2, 2, 2) {
// ATTN:           scf.if
// ATTN:             scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c32 {
// ATTN:               scf.forall (%{{.*}}, %{{.*}}) in (4, 32) {
// ATTN:                 linalg.matmul indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}] ins(%{{.*}}, %{{.*}} : memref<8x8xf32, {{.*}}>, memref<1x8xf32, {{.*}}>) outs(%{{.*}} : memref<8x1xf32, {{.*}}>)
// ATTN:               } {mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]}
// ATTN:               scf.forall (%{{.*}}) in (32) {
// ATTN:                 arith.maximumf
// ATTN:               } {mapping = [#gpu.thread<linear_dim_0>]}
// ATTN:               scf.forall (%{{.*}}, %{{.*}}) in (4, 32) {
// ATTN:                 math.exp
// ATTN:               scf.forall (%{{.*}}, %{{.*}}) in (8, 16) {
// ATTN:                 linalg.matmul ins(%{{.*}}, %{{.*}} : memref<4x32xf32, {{.*}}>, memref<32x1xf32, {{.*}}>) outs(%{{.*}} : memref<4x1xf32, {{.*}}>)
// ATTN:               } {mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]}
// ATTN:             }
// ATTN:           } else {
// ATTN:         } {mapping = [#gpu.block<z>, #gpu.block<y>, #gpu.block<x>]}
// The same block under precision=tf32 (the default): the two products are
// phases over the block's 4 warps (2x2 tiles of 16 query rows by 16 keys,
// then by 8 of v's features), each warp tile unrolled to the mma shape
// m16n8k8 and, on the CPU, lowered to FMAs; the rest stays on threads.
// TC-LABEL: func.func private @attend_scan_0(
// TC:         scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c32 {
// TC:           scf.forall (%{{.*}}, %{{.*}}) in (2, 2) {
// TC:             vector.fma
// TC:           } {mapping = [#gpu.warp<linear_dim_1>, #gpu.warp<linear_dim_0>]}
// TC:           arith.maximumf
// TC:           } {mapping = [#gpu.thread<linear_dim_0>]}
// TC:           math.exp
// TC:           } {mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]}
// TC:           scf.forall (%{{.*}}, %{{.*}}) in (2, 2) {
// TC:             vector.fma
// TC:           } {mapping = [#gpu.warp<linear_dim_1>, #gpu.warp<linear_dim_0>]}
// TC:         } {mapping = [#gpu.block<z>, #gpu.block<y>, #gpu.block<x>]}
// TC-NOT:     linalg.matmul
// CHECK-LABEL: func.func private @gated_scan_0(
// CHECK-SAME:      %{{.*}}: memref<2x64x8xf32, strided<[?, ?, 1], offset: ?>>, %{{.*}}: memref<2x64x8xf32, strided<[?, ?, 1], offset: ?>>, %{{.*}}: memref<2x64x32xf32, strided<[?, ?, 1], offset: ?>>, %{{.*}}: memref<2x64xi32, strided<[?, 1], offset: ?>>, %{{.*}}: memref<2xi32, strided<[1], offset: ?>>, %[[R:.*]]: memref<2x64x40xf32, strided<[?, ?, 1], offset: ?>>, %{{.*}}: memref<2x64x32xf32>)
// CHECK:         %[[RT:.*]] = bufferization.to_tensor %[[R]]
// CHECK:         %[[O:.*]] = seqboat.local_attention
// CHECK:         %[[G:.*]] = linalg.generic {{.*}} ins(%[[O]], %[[RT]] : tensor<2x64x32xf32>, tensor<2x64x40xf32>)
// CHECK:           arith.mulf
// CHECK:         bufferization.materialize_in_destination %[[G]]
// CHECK-LABEL: func.func @gated(
// CHECK:         call @gated_scan_0(
// CHECK-NOT:     linalg.generic
// CHECK:         return
// Tiled (scan strategy), each thread computes its tile of the attention
// straight into the output, then gates it there, in place (no thread-local
// buffer):
// TILED-LABEL: func.func private @gated_scan_0(
// TILED:           scf.forall (%{{.*}}, %{{.*}}) in (64, 2) {
// TILED:             %[[OUT:.*]] = memref.subview %{{.*}} [1, 1, 16] [1, 1, 1] : memref<1x64x32xf32, {{.*}}> to memref<1x1x16xf32
// TILED-NOT:         memref.alloca
// TILED:             vector.transfer_write %{{.*}}, %[[OUT]]
// TILED:             %[[RT:.*]] = memref.subview %{{.*}} [1, 1, 24] [1, 1, 1]
// TILED:             linalg.generic {{.*}} ins(%[[RT]] : memref<1x1x24xf32, {{.*}}>) outs(%[[OUT]] : memref<1x1x16xf32, {{.*}}>)
// TILED:               arith.mulf
// TILED:           } {mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]}
#gate_id = affine_map<(b, i, h) -> (b, i, h)>
#gate_r  = affine_map<(b, i, h) -> (b, i, h + 8)>
func.func @gated(%q: tensor<2x64x8xf32>, %k: tensor<2x64x8xf32>, %v: tensor<2x64x32xf32>, %pos: tensor<2x64xi32>, %count: tensor<2xi32>, %r: tensor<2x64x40xf32>) -> tensor<2x64x32xf32> {
  %o = "seqboat.local_attention"(%q, %k, %v, %pos, %count) <{activation = #seqboat.activation<softmax>, bidirectional = false, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 0>, window = 4 : i64}> : (tensor<2x64x8xf32>, tensor<2x64x8xf32>, tensor<2x64x32xf32>, tensor<2x64xi32>, tensor<2xi32>) -> tensor<2x64x32xf32>
  %e = tensor.empty() : tensor<2x64x32xf32>
  %g = linalg.generic {indexing_maps = [#gate_id, #gate_r, #gate_id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%o, %r : tensor<2x64x32xf32>, tensor<2x64x40xf32>) outs(%e : tensor<2x64x32xf32>) {
  ^bb0(%a: f32, %b: f32, %out: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<2x64x32xf32>
  return %g : tensor<2x64x32xf32>
}
