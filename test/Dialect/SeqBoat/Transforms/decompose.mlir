// RUN: seqboat-opt %s --seqboat-decompose --split-input-file | FileCheck %s

// SPEC.md's nine steps, in order: norm, ema_conv, projections, route,
// compaction, gather, q/k affine, local attention, scatter, residual.

// CHECK-LABEL: func @prenorm_layer
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<2x37x16xf32>
// CHECK-NOT: seqboat.layer
//   LayerNorm: mean and variance reductions over D, then the affine.
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]{{.*}} ins(%[[X]] :
// CHECK: math.sqrt
// CHECK: %[[EMA:.*]] = seqboat.ema_conv %{{.*}} {bidirectional = true} : tensor<2x37x16xf32>, tensor<32x4xf32>, tensor<16xf32>
// CHECK: %[[MX:.*]] = linalg.generic {{.*}} ins(%[[EMA]] : tensor<2x37x16xf32>)
// CHECK: %[[HXWT:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<18x16xf32>) outs(%{{.*}} : tensor<16x18xf32>)
// CHECK: %[[HU:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction", "parallel"]{{.*}} ins(%[[MX]], %[[HXWT]] : tensor<2x37x16xf32>, tensor<16x18xf32>)
// CHECK: %[[U:.*]] = tensor.extract_slice %[[HU]][0, 0, 0] [2, 37, 2] [1, 1, 1]
// CHECK: %[[GATE:.*]], %[[ACTIVE:.*]] = seqboat.route %[[U]], %{{.*}}
// CHECK: %[[POS:.*]], %[[COUNT:.*]] = seqboat.compact_index %[[ACTIVE]]
// CHECK: %[[G:.*]] = seqboat.gather %[[MX]], %[[POS]]
// CHECK: linalg.generic {{.*}} ins(%[[G]], %{{.*}} : tensor<2x37x16xf32>, tensor<16x72xf32>)
// CHECK: %[[V:.*]] = tensor.extract_slice %{{.*}}[0, 0, 40] [2, 37, 32] [1, 1, 1] : tensor<2x37x72xf32> to tensor<2x37x32xf32>
// CHECK: %[[O:.*]] = seqboat.local_attention %{{.*}}, %{{.*}}, %[[V]], %[[POS]], %[[COUNT]] rel_bias(%{{.*}}) {bidirectional = true, window = 4 : i64}
//   r gates the attention output through an offset map (d2 + Z).
// CHECK: linalg.generic {{.*}} ins(%[[O]], %{{.*}} : tensor<2x37x32xf32>, tensor<2x37x72xf32>)
// CHECK: %[[H:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<2x37x32xf32>, tensor<32x16xf32>)
// CHECK: %[[HF:.*]] = seqboat.scatter %[[H]], %[[POS]] {length = 37 : i64}
// CHECK: %[[OUT:.*]] = linalg.generic {{.*}} ins(%[[X]], %[[HU]], %[[HF]], %[[GATE]], %[[ACTIVE]] :
// CHECK: return %[[OUT]]
func.func @prenorm_layer(%x: tensor<2x37x16xf32>, %nw: tensor<16xf32>, %nb: tensor<16xf32>, %d: tensor<32x4xf32>,
                         %a: tensor<32x4xf32>, %bt: tensor<32x4xf32>, %g: tensor<32x4xf32>, %om: tensor<16xf32>,
                         %hxw: tensor<18x16xf32>, %hxb: tensor<18xf32>, %lt: tensor<f32>, %mxw: tensor<72x16xf32>,
                         %mxb: tensor<72xf32>, %qg: tensor<2x8xf32>, %qb: tensor<2x8xf32>, %rb: tensor<127xf32>,
                         %hw: tensor<16x32xf32>, %hb: tensor<16xf32>) -> tensor<2x37x16xf32> {
  %y = seqboat.layer %x norm(%nw, %nb) ema(%d, %a, %bt, %g, %om) hx(%hxw, %hxb) route(%lt) mx(%mxw, %mxb)
      qk(%qg, %qb) rel_bias(%rb) h(%hw, %hb) {bidirectional = true, window = 4 : i64}
      : (tensor<2x37x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>,
         tensor<32x4xf32>, tensor<16xf32>, tensor<18x16xf32>, tensor<18xf32>, tensor<f32>, tensor<72x16xf32>,
         tensor<72xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<127xf32>, tensor<16x32xf32>, tensor<16xf32>)
      -> tensor<2x37x16xf32>
  return %y : tensor<2x37x16xf32>
}

// -----

// Post-norm with rmsnorm: ema_conv reads x directly, the norm comes last.
// CHECK-LABEL: func @postnorm_rms_layer
// CHECK-SAME: (%[[X:[a-z0-9]+]]: tensor<1x8x4xf32>
// CHECK: seqboat.ema_conv %[[X]],
// CHECK: seqboat.local_attention {{.*}} {activation = #seqboat.activation<relu2>, window = 2 : i64}
// CHECK: %[[RES:.*]] = linalg.generic {{.*}} ins(%[[X]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} :
// CHECK: %[[MS:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]{{.*}} ins(%[[RES]] :
// CHECK: %[[OUT:.*]] = linalg.generic {{.*}} ins(%[[RES]], %{{.*}}, %{{.*}} :
// CHECK: math.sqrt
// CHECK: return %[[OUT]]
func.func @postnorm_rms_layer(%x: tensor<1x8x4xf32>, %v4: tensor<4xf32>, %p: tensor<4x2xf32>, %hxw: tensor<6x4xf32>, %hxb: tensor<6xf32>,
                 %lt: tensor<f32>, %mxw: tensor<10x4xf32>, %mxb: tensor<10xf32>, %qg: tensor<2x2xf32>, %rb: tensor<3xf32>,
                 %hw: tensor<4x4xf32>) -> tensor<1x8x4xf32> {
  %y = seqboat.layer %x norm(%v4, %v4) ema(%p, %p, %p, %p, %v4) hx(%hxw, %hxb) route(%lt) mx(%mxw, %mxb)
      qk(%qg, %qg) rel_bias(%rb) h(%hw, %v4)
      {activation = #seqboat.activation<relu2>, norm = #seqboat.norm<rmsnorm>, prenorm = false, window = 2 : i64}
      : (tensor<1x8x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4x2xf32>, tensor<4x2xf32>, tensor<4x2xf32>,
         tensor<4x2xf32>, tensor<4xf32>, tensor<6x4xf32>, tensor<6xf32>, tensor<f32>, tensor<10x4xf32>,
         tensor<10xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<3xf32>, tensor<4x4xf32>, tensor<4xf32>)
      -> tensor<1x8x4xf32>
  return %y : tensor<1x8x4xf32>
}
