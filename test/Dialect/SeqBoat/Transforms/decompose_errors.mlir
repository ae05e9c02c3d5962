// RUN: seqboat-opt %s --seqboat-decompose --verify-diagnostics

func.func @dynamic_layer(%x: tensor<1x8x?xf32>, %v4: tensor<4xf32>, %p: tensor<4x2xf32>, %hxw: tensor<6x4xf32>, %hxb: tensor<6xf32>,
                 %lt: tensor<f32>, %mxw: tensor<10x4xf32>, %mxb: tensor<10xf32>, %qg: tensor<2x2xf32>, %rb: tensor<3xf32>,
                 %hw: tensor<4x4xf32>) -> tensor<1x8x?xf32> {
  // expected-error @+2 {{decomposition needs static feature dims and parameters (only B and L of x may be dynamic), but got 'tensor<1x8x?xf32>'}}
  // expected-error @+1 {{could not be decomposed}}
  %y = seqboat.layer %x norm(%v4, %v4) ema(%p, %p, %p, %p, %v4) hx(%hxw, %hxb) route(%lt) mx(%mxw, %mxb)
      qk(%qg, %qg) rel_bias(%rb) h(%hw, %v4) {window = 2 : i64}
      : (tensor<1x8x?xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4x2xf32>, tensor<4x2xf32>, tensor<4x2xf32>,
         tensor<4x2xf32>, tensor<4xf32>, tensor<6x4xf32>, tensor<6xf32>, tensor<f32>, tensor<10x4xf32>,
         tensor<10xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<3xf32>, tensor<4x4xf32>, tensor<4xf32>)
      -> tensor<1x8x?xf32>
  return %y : tensor<1x8x?xf32>
}
