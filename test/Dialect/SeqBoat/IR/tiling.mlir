// RUN: seqboat-opt %s --transform-interpreter --split-input-file | FileCheck %s

// TilingInterface: upstream tiling drivers tile seqboat ops along their
// independent dims. Bidirectional EMA parameters take a channel tile's rows
// from both halves.

// CHECK-LABEL: func @tile_ema_conv
// CHECK: scf.forall (%[[B:.*]], %[[DT:.*]]) in (2, 2) shared_outs(%[[OUT:.*]] = %{{.*}}) -> (tensor<2x37x16xf32>)
// CHECK:   %[[D:.*]] = affine.apply #{{.*}}(%[[DT]])
// CHECK:   %[[X:.*]] = tensor.extract_slice %{{.*}}[%[[B]], 0, %[[D]]] [1, 37, 8] [1, 1, 1] : tensor<2x37x16xf32> to tensor<1x37x8xf32>
// CHECK:   %[[CAUSAL:.*]] = tensor.extract_slice %{{.*}}[%[[D]], 0] [8, 4] [1, 1] : tensor<32x4xf32> to tensor<8x4xf32>
// CHECK:   %[[ANTI_ROW:.*]] = arith.addi %[[D]], %c16
// CHECK:   %[[ANTI:.*]] = tensor.extract_slice %{{.*}}[%[[ANTI_ROW]], 0] [8, 4] [1, 1] : tensor<32x4xf32> to tensor<8x4xf32>
// CHECK:   tensor.insert_slice %[[CAUSAL]] into %{{.*}}[0, 0] [8, 4] [1, 1] : tensor<8x4xf32> into tensor<16x4xf32>
// CHECK:   tensor.insert_slice %[[ANTI]] into %{{.*}}[8, 0] [8, 4] [1, 1] : tensor<8x4xf32> into tensor<16x4xf32>
// CHECK:   seqboat.ema_conv %[[X]], {{.*}} {bidirectional = true} : tensor<1x37x8xf32>, tensor<16x4xf32>, tensor<8xf32>
// CHECK:   tensor.parallel_insert_slice %{{.*}} into %[[OUT]][%[[B]], 0, %[[D]]] [1, 37, 8] [1, 1, 1]
func.func @tile_ema_conv(%x: tensor<2x37x16xf32>, %p: tensor<32x4xf32>, %om: tensor<16xf32>) -> tensor<2x37x16xf32> {
  %y = seqboat.ema_conv %x, %p, %p, %p, %p, %om {bidirectional = true} : tensor<2x37x16xf32>, tensor<32x4xf32>, tensor<16xf32>
  return %y : tensor<2x37x16xf32>
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %op = transform.structured.match ops{["seqboat.ema_conv"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %forall = transform.structured.tile_using_forall %op tile_sizes [1, 8] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}

// -----

// Tile-and-fuse: a linalg consumer tiled over (batch, channel) pulls the
// seqboat producer into its loop, one (1 x L x 4) tile at a time (the
// untiled producer is left dead for canonicalization to remove).

// CHECK-LABEL: func @fuse_into_consumer
// CHECK: scf.forall (%{{.*}}, %{{.*}}) in (2, 4)
// CHECK:   %[[Y:.*]] = seqboat.short_conv %{{.*}}, %{{.*}}, %{{.*}} : tensor<1x37x4xf32>, tensor<4x3xf32>, tensor<4xf32>
// CHECK:   linalg.generic {{.*}} ins(%[[Y]] : tensor<1x37x4xf32>)
func.func @fuse_into_consumer(%x: tensor<2x37x16xf32>, %w: tensor<16x3xf32>, %b: tensor<16xf32>) -> tensor<2x37x16xf32> {
  %y = seqboat.short_conv %x, %w, %b : tensor<2x37x16xf32>, tensor<16x3xf32>, tensor<16xf32>
  %e = tensor.empty() : tensor<2x37x16xf32>
  %z = linalg.generic {indexing_maps = [affine_map<(b, t, d) -> (b, t, d)>, affine_map<(b, t, d) -> (b, t, d)>],
                       iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%y : tensor<2x37x16xf32>) outs(%e : tensor<2x37x16xf32>) {
  ^bb0(%v: f32, %o: f32):
    %s = math.exp %v : f32
    linalg.yield %s : f32
  } -> tensor<2x37x16xf32>
  return %z : tensor<2x37x16xf32>
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %consumer = transform.structured.match ops{["linalg.generic"]} in %root : (!transform.any_op) -> !transform.any_op
    %producer = transform.structured.match ops{["seqboat.short_conv"]} in %root : (!transform.any_op) -> !transform.any_op
    %tiled, %forall = transform.structured.tile_using_forall %consumer tile_sizes [1, 0, 4] : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %fused, %new = transform.structured.fuse_into_containing_op %producer into %forall : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }
}
