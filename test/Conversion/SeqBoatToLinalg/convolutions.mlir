// RUN: seqboat-opt %s --convert-seqboat-to-linalg --split-input-file | FileCheck %s

// Convolutions read a zero-padded input through affine maps, no masking;
// time only appears as t + s (the causal taps are reversed first, as a
// gather: k[d, K-1-s] read by index, so no map has a negative coefficient),
// which TilingInterface slices exactly.

// CHECK-DAG: #[[$TAP:.*]] = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
// CHECK-DAG: #[[$CAUSAL:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1 + d3, d2)>
// CHECK-DAG: #[[$ANTI:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1 + d3 + 7, d2)>
// CHECK-LABEL: func @long_conv_bidirectional
// CHECK-SAME: %{{.*}}: tensor<2x64x16xf32>, %[[K:.*]]: tensor<32x8xf32>)
// CHECK-DAG: %[[C7:.*]] = arith.constant 7 : index
// CHECK-DAG: %[[XP:.*]] = tensor.pad %{{.*}} low[0, 7, 0] high[0, 7, 0]
// CHECK:     %[[K1R:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} outs(%{{.*}} : tensor<16x8xf32>)
// CHECK:       %[[D:.*]] = linalg.index 0
// CHECK:       %[[S:.*]] = linalg.index 1
// CHECK:       %[[TAP:.*]] = arith.subi %[[C7]], %[[S]]
// CHECK:       tensor.extract %[[K]][%[[D]], %[[TAP]]]
// CHECK:     %[[K2:.*]] = tensor.extract_slice %[[K]][16, 0] [16, 8] [1, 1] : tensor<32x8xf32> to tensor<16x8xf32>
// CHECK: linalg.generic {indexing_maps = [#[[$TAP]], #[[$CAUSAL]], #[[$TAP]], #[[$ANTI]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[K1R]], %[[XP]], %[[K2]], %[[XP]] :
func.func @long_conv_bidirectional(%x: tensor<2x64x16xf32>, %k: tensor<32x8xf32>) -> tensor<2x64x16xf32> {
  %y = seqboat.long_conv %x, %k {bidirectional = true} : tensor<2x64x16xf32>, tensor<32x8xf32>
  return %y : tensor<2x64x16xf32>
}

// -----

// Taps at or beyond L are dropped: K = 100 > L = 10 keeps 10 taps.
// CHECK-LABEL: func @long_conv_long_kernel
// CHECK-DAG: %[[C9:.*]] = arith.constant 9 : index
// CHECK-DAG: tensor.pad %{{.*}} low[0, 9, 0] high[0, 0, 0]
// CHECK:     linalg.generic {{.*}} outs(%{{.*}} : tensor<4x10xf32>)
// CHECK:       arith.subi %[[C9]]
func.func @long_conv_long_kernel(%x: tensor<1x10x4xf32>, %k: tensor<4x100xf32>) -> tensor<1x10x4xf32> {
  %y = seqboat.long_conv %x, %k : tensor<1x10x4xf32>, tensor<4x100xf32>
  return %y : tensor<1x10x4xf32>
}

// -----

// CHECK-DAG: #[[$W:.*]] = affine_map<(d0, d1, d2, d3) -> (d2, d3)>
// CHECK-DAG: #[[$X:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1 + d3, d2)>
// CHECK-LABEL: func @short_conv
// CHECK: %[[XP:.*]] = tensor.pad %{{.*}} low[0, 3, 0] high[0, 0, 0]
// CHECK: %[[BIAS:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<16xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[$W]], #[[$X]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%{{.*}}, %[[XP]] : tensor<16x4xf32>, tensor<2x67x16xf32>) outs(%[[BIAS]] : tensor<2x64x16xf32>)
func.func @short_conv(%x: tensor<2x64x16xf32>, %w: tensor<16x4xf32>, %b: tensor<16xf32>) -> tensor<2x64x16xf32> {
  %y = seqboat.short_conv %x, %w, %b : tensor<2x64x16xf32>, tensor<16x4xf32>, tensor<16xf32>
  return %y : tensor<2x64x16xf32>
}
