// RUN: seqboat-opt %s --split-input-file --convert-seqboat-to-linalg | FileCheck %s
// RUN: seqboat-opt %s --split-input-file --convert-seqboat-to-linalg=skip-kernels | FileCheck %s --check-prefix=KEEP
// RUN: seqboat-opt %s --split-input-file --convert-seqboat-to-linalg="skip-kernels ema-chunk=8" --seqboat-form-scan-kernels --seqboat-apply-strategies=target=cpu | FileCheck %s --check-prefix=TILED

// The states entering each chunk: an scf.for over the chunks carrying the
// [B, D, N] state, recording it before adding the chunk's input.
// CHECK-LABEL: func @scan
// CHECK-SAME: %[[U:.*]]: tensor<2x8x16x4xf32>, %[[DECAY:.*]]: tensor<16x4xf32>
// CHECK: %[[S0:.*]] = linalg.fill {{.*}} -> tensor<2x16x4xf32>
// CHECK: %[[R:.*]]:2 = scf.for %[[C:.*]] = %c0 to %c8 step %c1 iter_args(%[[S:.*]] = %[[S0]], %[[E:.*]] = %{{.*}}) -> (tensor<2x16x4xf32>, tensor<2x8x16x4xf32>)
// CHECK:   tensor.insert_slice %[[S]] into %[[E]][0, %[[C]], 0, 0] [2, 1, 16, 4]
// CHECK:   %[[UC:.*]] = tensor.extract_slice %[[U]][0, %[[C]], 0, 0] [2, 1, 16, 4]
// CHECK:   linalg.generic {{.*}} ins(%[[UC]], %[[DECAY]] : tensor<2x16x4xf32>, tensor<16x4xf32>) outs(%[[S]] : tensor<2x16x4xf32>)
// CHECK:     arith.mulf
// CHECK:     arith.addf
// CHECK: return %[[R]]#1
// KEEP-LABEL: func @scan
// KEEP: seqboat.state_scan
func.func @scan(%u: tensor<2x8x16x4xf32>, %decay: tensor<16x4xf32>) -> tensor<2x8x16x4xf32> {
  %s = seqboat.state_scan %u, %decay : tensor<2x8x16x4xf32>, tensor<16x4xf32>
  return %s : tensor<2x8x16x4xf32>
}

// -----

// ema_conv lowers to parallel linalg within its chunks and a state scan
// across them; with skip-kernels the scan is left to a scan kernel, which
// takes one (batch row, state, channel) per thread (channels fastest).
// KEEP-LABEL: func @ema
// KEEP-NOT: seqboat.ema_conv
// KEEP: seqboat.state_scan %{{.*}}, %{{.*}} : tensor<2x2x4x16xf32>, tensor<4x16xf32>
// KEEP-NOT: scf.for
// TILED-LABEL: func.func private @ema_scan_0(
// TILED-SAME: memref<2x5x4x16xf32>
// TILED: scf.forall (%{{.*}}, %{{.*}}, %{{.*}}) in (1, 1, 1) {
// TILED:   scf.forall (%{{.*}}, %{{.*}}, %{{.*}}) in (2, 4, 16) {
// TILED:     scf.for %{{.*}} = %c0 to %c5 step %c1
// TILED:   } {mapping = [#gpu.thread<linear_dim_2>, #gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]}
// TILED: } {mapping = [#gpu.block<z>, #gpu.block<y>, #gpu.block<x>]}
// TILED-LABEL: func.func @ema(
// TILED: call @ema_scan_0
func.func @ema(%x: tensor<2x37x16xf32>, %p: tensor<16x4xf32>, %w: tensor<16xf32>) -> tensor<2x37x16xf32> {
  %y = seqboat.ema_conv %x, %p, %p, %p, %p, %w : tensor<2x37x16xf32>, tensor<16x4xf32>, tensor<16xf32>
  return %y : tensor<2x37x16xf32>
}
