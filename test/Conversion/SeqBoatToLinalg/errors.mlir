// RUN: seqboat-opt %s --convert-seqboat-to-linalg --split-input-file --verify-diagnostics

// B and L may be dynamic; feature dims and parameters may not.
func.func @dynamic_feature(%x: tensor<?x?x?xf32>, %p: tensor<16x4xf32>, %om: tensor<16xf32>) -> tensor<?x?x?xf32> {
  // expected-error @+1 {{could not be lowered to linalg: only the batch and sequence dims may be dynamic, and no dim may be empty}}
  %y = seqboat.ema_conv %x, %p, %p, %p, %p, %om : tensor<?x?x?xf32>, tensor<16x4xf32>, tensor<16xf32>
  return %y : tensor<?x?x?xf32>
}

// -----

func.func @dynamic_param(%x: tensor<?x?x16xf32>, %w: tensor<16x?xf32>, %b: tensor<16xf32>) -> tensor<?x?x16xf32> {
  // expected-error @+1 {{could not be lowered to linalg: only the batch and sequence dims may be dynamic, and no dim may be empty}}
  %y = seqboat.short_conv %x, %w, %b : tensor<?x?x16xf32>, tensor<16x?xf32>, tensor<16xf32>
  return %y : tensor<?x?x16xf32>
}

// -----

func.func @layer(%x: tensor<1x8x4xf32>, %v4: tensor<4xf32>, %p: tensor<4x2xf32>, %hxw: tensor<6x4xf32>, %hxb: tensor<6xf32>,
                 %lt: tensor<f32>, %mxw: tensor<10x4xf32>, %mxb: tensor<10xf32>, %qg: tensor<2x2xf32>, %rb: tensor<3xf32>,
                 %hw: tensor<4x4xf32>) -> tensor<1x8x4xf32> {
  // expected-error @+1 {{must be decomposed before lowering; run --seqboat-decompose first}}
  %y = seqboat.layer %x norm(%v4, %v4) ema(%p, %p, %p, %p, %v4) hx(%hxw, %hxb) route(%lt) mx(%mxw, %mxb)
      qk(%qg, %qg) rel_bias(%rb) h(%hw, %v4) {window = 2 : i64}
      : (tensor<1x8x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4x2xf32>, tensor<4x2xf32>, tensor<4x2xf32>,
         tensor<4x2xf32>, tensor<4xf32>, tensor<6x4xf32>, tensor<6xf32>, tensor<f32>, tensor<10x4xf32>,
         tensor<10xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<3xf32>, tensor<4x4xf32>, tensor<4xf32>)
      -> tensor<1x8x4xf32>
  return %y : tensor<1x8x4xf32>
}

// -----

func.func @empty(%x: tensor<2x0x4xf32>, %p: tensor<4x2xf32>, %om: tensor<4xf32>) -> tensor<2x0x4xf32> {
  // expected-error @+1 {{could not be lowered to linalg: only the batch and sequence dims may be dynamic, and no dim may be empty}}
  %y = seqboat.ema_conv %x, %p, %p, %p, %p, %om : tensor<2x0x4xf32>, tensor<4x2xf32>, tensor<4xf32>
  return %y : tensor<2x0x4xf32>
}
