// RUN: seqboat-opt %seqboat_src/examples/seqboat_layer_dynamic.mlir --seqboat-layer-to-kernels | FileCheck %s
// RUN: seqboat-opt %seqboat_src/examples/seqboat_layer_dynamic.mlir --seqboat-layer-to-kernels \
// RUN:   --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN:   --seqboat-map-kernels-to-gpu | FileCheck %s --check-prefix=GPU
// RUN: seqboat-opt %seqboat_src/examples/seqboat_layer_dynamic.mlir --seqboat-layer-to-kernels="ema-chunk=16 rows-per-block=4 attn-queries=4" | FileCheck %s --check-prefix=KNOBS

// The dynamic example layer (x: [?, ?, 16]) through the fused-kernel
// strategy: B and L are read from x once, checked (a grid of zero blocks is
// not launchable), and every scratch size, grid and tile count is computed
// from them before the kernels; the kernels are the same six as for static
// shapes.

// CHECK-LABEL: func.func @seqboat_layer_dynamic
// CHECK: %[[B:.*]] = memref.dim %{{.*}}, %c0 : memref<?x?x16xf32>
// CHECK: cf.assert %{{.*}}, "'seqboat.layer': the GPU strategy needs B >= 1 ('x' dim 0)"
// CHECK: %[[L:.*]] = memref.dim %{{.*}}, %c1 : memref<?x?x16xf32>
// CHECK: cf.assert %{{.*}}, "'seqboat.layer': the GPU strategy needs L >= 1 ('x' dim 1)"
//   EMA chunks of 64 tokens: ceil(L / 64) of them per batch row.
// CHECK: %[[L63:.*]] = arith.addi %[[L]], %c63
// CHECK: %[[CHUNKS:.*]] = arith.divui %[[L63]], %c64
// CHECK: memref.alloc(%[[B]], %[[L]]) : memref<?x?x2xf32>
// CHECK: memref.alloc(%[[B]], %[[CHUNKS]]) : memref<?x?x16x4xf32>
// CHECK-COUNT-15: memref.alloc(%[[B]]
// CHECK-NOT: memref.alloc

// CHECK: %[[G1:.*]] = arith.muli %[[B]], %{{.*}} : index
// CHECK: scf.forall (%{{.*}}) in (%[[G1]])
// CHECK: seqboat.kernel = "ema_chunks"
// CHECK: seqboat.kernel = "ema_hx_route"
//   One block per batch row; the compaction's threads stride over L.
// CHECK: scf.forall (%{{.*}}) in (%[[B]])
// CHECK: scf.forall (%{{.*}}) in (%[[L]])
// CHECK: seqboat.kernel = "compact"
// CHECK: seqboat.kernel = "mx_proj"
//   One query slot per block (attn-queries = 1): B * L blocks; the score
//   tile spans 1 + 2w = 9 keys (w as written: with L dynamic it is not
//   clamped to L, and a reach past L masks nothing).
// CHECK: %[[G5:.*]] = arith.muli %[[B]], %[[L]] : index
// CHECK: scf.forall (%{{.*}}) in (%[[G5]])
// CHECK: memref.alloca() : memref<1x9xf32>
// CHECK: seqboat.kernel = "attention"
//   ceil(B * L / 8) row tiles.
// CHECK: %[[BL:.*]] = arith.muli %[[B]], %[[L]] : index
// CHECK: %[[BL7:.*]] = arith.addi %[[BL]], %c7
// CHECK: %[[G6:.*]] = arith.divui %[[BL7]], %c8
// CHECK: scf.forall (%{{.*}}) in (%[[G6]])
// CHECK: seqboat.kernel = "output"
// CHECK: bufferization.to_tensor %{{.*}} : memref<?x?x16xf32> to tensor<?x?x16xf32>

// The grids stay runtime values in the launches.
// GPU-LABEL: func.func @seqboat_layer_dynamic
// GPU: %[[B:.*]] = memref.dim %{{.*}}, %c0 : memref<?x?x16xf32>
// GPU: %[[G1:.*]] = arith.muli %[[B]], %{{.*}} : index
// GPU: gpu.launch blocks({{.*}}) in (%{{.*}} = %[[G1]], %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) threads({{.*}}) in (%{{.*}} = %c128{{.*}}) {{.*}} function(@ema_chunks)
// GPU: gpu.launch {{.*}} function(@ema_hx_route)
// GPU: gpu.launch blocks({{.*}}) in (%{{.*}} = %[[B]], {{.*}} function(@compact)
// GPU: gpu.launch {{.*}} function(@mx_proj)
// GPU: gpu.launch {{.*}} function(@attention)
// GPU: gpu.launch {{.*}} function(@output)
// GPU-NOT: gpu.launch

// Knobs: 16-token EMA chunks, 4-row tiles, 4 queries per attention block
// (its score tile is [4, 4 + 2w = 12]).
// KNOBS: arith.addi %{{.*}}, %c15
// KNOBS: arith.divui %{{.*}}, %c16
// KNOBS: memref.alloca() : memref<4x12xf32>
// KNOBS: seqboat.kernel = "attention"
