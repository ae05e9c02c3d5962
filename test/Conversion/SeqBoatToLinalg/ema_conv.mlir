// RUN: seqboat-opt %s --convert-seqboat-to-linalg="ema-chunk=16" --split-input-file | FileCheck %s
// RUN: seqboat-opt %s --convert-seqboat-to-linalg="ema-chunk=16 fuse-ema-directions" --split-input-file | FileCheck %s --check-prefix=FUSED

// The EMA is a chunked scan: L = 37 is padded to 3 chunks of 16, the
// intra-chunk Toeplitz kernel is only 16x16, the state [B, N, D] (channels
// innermost) is carried by an scf.for over the 3 chunks; no [L, L] tensor
// appears.

// CHECK-LABEL: func @ema_conv_causal
// CHECK-NOT: x37x37
// CHECK: %[[PAD:.*]] = tensor.pad %{{.*}} low[0, 0, 0] high[0, 11, 0]
// CHECK: %[[CHUNKS:.*]] = tensor.expand_shape %[[PAD]] {{\[}}[0], [1, 2], [3]] output_shape [2, 3, 16, 16] : tensor<2x48x16xf32> into tensor<2x3x16x16xf32>
// CHECK: } -> tensor<16x16x16xf32>
// CHECK: scf.for %{{.*}} = %c0 to %c3 step %c1 iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (tensor<2x4x16xf32>, tensor<2x3x4x16xf32>)
// CHECK: tensor.collapse_shape %{{.*}} : tensor<2x3x16x16xf32> into tensor<2x48x16xf32>
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 0] [2, 37, 16] [1, 1, 1]
// CHECK-NOT: scf.for
// CHECK-NOT: seqboat.
// CHECK: return
func.func @ema_conv_causal(%x: tensor<2x37x16xf32>, %p: tensor<16x4xf32>, %om: tensor<16xf32>) -> tensor<2x37x16xf32> {
  %y = seqboat.ema_conv %x, %p, %p, %p, %p, %om : tensor<2x37x16xf32>, tensor<16x4xf32>, tensor<16xf32>
  return %y : tensor<2x37x16xf32>
}

// -----

// Bidirectional: the anti-causal half scans the reversed sequence with rows
// [D, 2D) of the parameters; the result reads it back reversed.

// CHECK-DAG: #[[$REV:.*]] = affine_map<(d0, d1, d2) -> (d0, -d1 + 36, d2)>
// CHECK-LABEL: func @ema_conv_bidirectional
// CHECK-COUNT-2: scf.for
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}, #[[$REV]], #{{.*}}]
// With fuse-ema-directions (the GPU kernels' form), both halves run as one scan over 2D channels, [x | x
// reversed along L], gathered and zero-padded to whole chunks in one generic
// (no tensor.pad); the parameters are used whole ([2D, N]). The result reads
// the forward half as it is and the backward half reversed.

// FUSED-DAG: #[[$REV:.*]] = affine_map<(d0, d1, d2) -> (d0, -d1 + 36, d2)>
// FUSED-LABEL: func @ema_conv_bidirectional
// FUSED-NOT: tensor.pad
// FUSED: linalg.generic {{.*}} outs(%{{.*}} : tensor<2x3x16x32xf32>)
// FUSED: %[[IN:.*]] = arith.cmpi ult, %{{.*}}, %c37
// FUSED: %[[FWD:.*]] = arith.cmpi ult, %{{.*}}, %c16
// FUSED: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}] : tensor<2x37x16xf32>
// FUSED: arith.select %[[IN]]
// FUSED: } -> tensor<2x3x16x32xf32>
// FUSED: scf.for {{.*}} -> (tensor<2x4x32xf32>, tensor<2x3x4x32xf32>)
// FUSED-NOT: scf.for
// FUSED: %[[FLAT:.*]] = tensor.collapse_shape %{{.*}} : tensor<2x3x16x32xf32> into tensor<2x48x32xf32>
// FUSED: %[[Y:.*]] = tensor.extract_slice %[[FLAT]][0, 0, 0] [2, 37, 32] [1, 1, 1]
// FUSED-DAG: %[[BWD:.*]] = tensor.extract_slice %[[Y]][0, 0, 16] [2, 37, 16] [1, 1, 1]
// FUSED-DAG: %[[FWDY:.*]] = tensor.extract_slice %[[Y]][0, 0, 0] [2, 37, 16] [1, 1, 1]
// FUSED: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}, #[[$REV]], #{{.*}}]{{.*}} ins(%{{.*}}, %{{.*}}, %[[FWDY]], %[[BWD]] :
func.func @ema_conv_bidirectional(%x: tensor<2x37x16xf32>, %p: tensor<32x4xf32>, %om: tensor<16xf32>) -> tensor<2x37x16xf32> {
  %y = seqboat.ema_conv %x, %p, %p, %p, %p, %om {bidirectional = true} : tensor<2x37x16xf32>, tensor<32x4xf32>, tensor<16xf32>
  return %y : tensor<2x37x16xf32>
}

// -----

// ema_kernel: one reduction over N with q^t = exp(t ln q) from the loop
// index (exp vectorises, powf does not), and q^0 = 1 exactly.
// CHECK-LABEL: func @ema_kernel
// CHECK: math.log
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: %[[T:.*]] = linalg.index 1
// CHECK: %[[E:.*]] = arith.addf
// CHECK: %[[ZERO:.*]] = arith.cmpf oeq, %[[E]], %{{.*}}
// CHECK: %[[P:.*]] = math.exp
// CHECK: arith.select %[[ZERO]], %{{.*}}, %[[P]]
// CHECK-NOT: math.powf
// CHECK: } -> tensor<16x64xf32>
func.func @ema_kernel(%d: tensor<16x4xf32>) -> tensor<16x64xf32> {
  %k = seqboat.ema_kernel %d, %d, %d, %d {length = 64 : i64} : tensor<16x4xf32> -> tensor<16x64xf32>
  return %k : tensor<16x64xf32>
}
