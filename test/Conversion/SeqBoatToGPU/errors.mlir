// RUN: seqboat-opt %s --seqboat-layer-to-kernels --split-input-file --verify-diagnostics | FileCheck %s

// Primitive ops are left to convert-seqboat-to-linalg and the generic path.
// CHECK-LABEL: func @primitive
// CHECK: seqboat.long_conv
func.func @primitive(%x: tensor<2x8x4xf32>, %k: tensor<4x3xf32>) -> tensor<2x8x4xf32> {
  %y = seqboat.long_conv %x, %k : tensor<2x8x4xf32>, tensor<4x3xf32>
  return %y : tensor<2x8x4xf32>
}

// -----

func.func @dynamic_wide_window(%x: tensor<1x?x4xf32>, %v4: tensor<4xf32>, %p: tensor<4x2xf32>, %hxw: tensor<6x4xf32>, %hxb: tensor<6xf32>,
                   %lt: tensor<f32>, %mxw: tensor<10x4xf32>, %mxb: tensor<10xf32>, %qg: tensor<2x2xf32>, %rb: tensor<3xf32>,
                   %hw: tensor<4x4xf32>) -> tensor<1x?x4xf32> {
  // expected-error @+1 {{the GPU strategy needs a static L when the window (20000) is wider than its shared-memory score tile (12288 floats)}}
  %y = seqboat.layer %x norm(%v4, %v4) ema(%p, %p, %p, %p, %v4) hx(%hxw, %hxb) route(%lt) mx(%mxw, %mxb)
      qk(%qg, %qg) rel_bias(%rb) h(%hw, %v4) {window = 20000 : i64}
      : (tensor<1x?x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4x2xf32>, tensor<4x2xf32>, tensor<4x2xf32>,
         tensor<4x2xf32>, tensor<4xf32>, tensor<6x4xf32>, tensor<6xf32>, tensor<f32>, tensor<10x4xf32>,
         tensor<10xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<3xf32>, tensor<4x4xf32>, tensor<4xf32>)
      -> tensor<1x?x4xf32>
  return %y : tensor<1x?x4xf32>
}

// -----

func.func @dynamic_feature(%x: tensor<1x?x?xf32>, %v4: tensor<4xf32>, %p: tensor<4x2xf32>, %hxw: tensor<6x4xf32>, %hxb: tensor<6xf32>,
                   %lt: tensor<f32>, %mxw: tensor<10x4xf32>, %mxb: tensor<10xf32>, %qg: tensor<2x2xf32>, %rb: tensor<3xf32>,
                   %hw: tensor<4x4xf32>) -> tensor<1x?x?xf32> {
  // expected-error @+1 {{the GPU strategy needs operands with static shapes except B and L of x, but got 'tensor<1x?x?xf32>'}}
  %y = seqboat.layer %x norm(%v4, %v4) ema(%p, %p, %p, %p, %v4) hx(%hxw, %hxb) route(%lt) mx(%mxw, %mxb)
      qk(%qg, %qg) rel_bias(%rb) h(%hw, %v4) {window = 2 : i64}
      : (tensor<1x?x?xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4x2xf32>, tensor<4x2xf32>, tensor<4x2xf32>,
         tensor<4x2xf32>, tensor<4xf32>, tensor<6x4xf32>, tensor<6xf32>, tensor<f32>, tensor<10x4xf32>,
         tensor<10xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<3xf32>, tensor<4x4xf32>, tensor<4xf32>)
      -> tensor<1x?x?xf32>
  return %y : tensor<1x?x?xf32>
}

// -----

func.func @empty(%x: tensor<1x0x4xf32>, %v4: tensor<4xf32>, %p: tensor<4x2xf32>, %hxw: tensor<6x4xf32>, %hxb: tensor<6xf32>,
                 %lt: tensor<f32>, %mxw: tensor<10x4xf32>, %mxb: tensor<10xf32>, %qg: tensor<2x2xf32>, %rb: tensor<3xf32>,
                 %hw: tensor<4x4xf32>) -> tensor<1x0x4xf32> {
  // expected-error @+1 {{the GPU strategy needs non-empty operands, but got 'tensor<1x0x4xf32>'}}
  %y = seqboat.layer %x norm(%v4, %v4) ema(%p, %p, %p, %p, %v4) hx(%hxw, %hxb) route(%lt) mx(%mxw, %mxb)
      qk(%qg, %qg) rel_bias(%rb) h(%hw, %v4) {window = 2 : i64}
      : (tensor<1x0x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4x2xf32>, tensor<4x2xf32>, tensor<4x2xf32>,
         tensor<4x2xf32>, tensor<4xf32>, tensor<6x4xf32>, tensor<6xf32>, tensor<f32>, tensor<10x4xf32>,
         tensor<10xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<3xf32>, tensor<4x4xf32>, tensor<4xf32>)
      -> tensor<1x0x4xf32>
  return %y : tensor<1x0x4xf32>
}

// -----

func.func @buckets_static(%x: tensor<1x8x4xf32>, %v4: tensor<4xf32>, %p: tensor<4x2xf32>, %hxw: tensor<6x4xf32>, %hxb: tensor<6xf32>,
                 %lt: tensor<f32>, %mxw: tensor<10x4xf32>, %mxb: tensor<10xf32>, %qg: tensor<2x2xf32>, %rb: tensor<3xf32>,
                 %hw: tensor<4x4xf32>) -> tensor<1x8x4xf32> {
  // expected-error @+1 {{has per-length configs ('seqboat.bucket_max_l'), but a static L}}
  %y = seqboat.layer %x norm(%v4, %v4) ema(%p, %p, %p, %p, %v4) hx(%hxw, %hxb) route(%lt) mx(%mxw, %mxb)
      qk(%qg, %qg) rel_bias(%rb) h(%hw, %v4) {window = 2 : i64, seqboat.bucket_max_l = array<i64: 64>, seqboat.bucket_configs = [#seqboat.config<threads = 64, rows_per_block = 4>]}
      : (tensor<1x8x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4x2xf32>, tensor<4x2xf32>, tensor<4x2xf32>,
         tensor<4x2xf32>, tensor<4xf32>, tensor<6x4xf32>, tensor<6xf32>, tensor<f32>, tensor<10x4xf32>,
         tensor<10xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<3xf32>, tensor<4x4xf32>, tensor<4xf32>)
      -> tensor<1x8x4xf32>
  return %y : tensor<1x8x4xf32>
}

// -----

func.func @buckets_mismatch(%x: tensor<1x?x4xf32>, %v4: tensor<4xf32>, %p: tensor<4x2xf32>, %hxw: tensor<6x4xf32>, %hxb: tensor<6xf32>,
                 %lt: tensor<f32>, %mxw: tensor<10x4xf32>, %mxb: tensor<10xf32>, %qg: tensor<2x2xf32>, %rb: tensor<3xf32>,
                 %hw: tensor<4x4xf32>) -> tensor<1x?x4xf32> {
  // expected-error @+1 {{needs 'seqboat.bucket_max_l' (array<i64>) and 'seqboat.bucket_configs' (an array of #seqboat.config) of the same, non-zero length}}
  %y = seqboat.layer %x norm(%v4, %v4) ema(%p, %p, %p, %p, %v4) hx(%hxw, %hxb) route(%lt) mx(%mxw, %mxb)
      qk(%qg, %qg) rel_bias(%rb) h(%hw, %v4) {window = 2 : i64, seqboat.bucket_max_l = array<i64: 64, 128>, seqboat.bucket_configs = [#seqboat.config<threads = 64, rows_per_block = 4>]}
      : (tensor<1x?x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4x2xf32>, tensor<4x2xf32>, tensor<4x2xf32>,
         tensor<4x2xf32>, tensor<4xf32>, tensor<6x4xf32>, tensor<6xf32>, tensor<f32>, tensor<10x4xf32>,
         tensor<10xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<3xf32>, tensor<4x4xf32>, tensor<4xf32>)
      -> tensor<1x?x4xf32>
  return %y : tensor<1x?x4xf32>
}

// -----

func.func @buckets_order(%x: tensor<1x?x4xf32>, %v4: tensor<4xf32>, %p: tensor<4x2xf32>, %hxw: tensor<6x4xf32>, %hxb: tensor<6xf32>,
                 %lt: tensor<f32>, %mxw: tensor<10x4xf32>, %mxb: tensor<10xf32>, %qg: tensor<2x2xf32>, %rb: tensor<3xf32>,
                 %hw: tensor<4x4xf32>) -> tensor<1x?x4xf32> {
  // expected-error @+1 {{'seqboat.bucket_max_l' must hold ascending positive bounds of L, but got array<i64: 128, 64>}}
  %y = seqboat.layer %x norm(%v4, %v4) ema(%p, %p, %p, %p, %v4) hx(%hxw, %hxb) route(%lt) mx(%mxw, %mxb)
      qk(%qg, %qg) rel_bias(%rb) h(%hw, %v4) {window = 2 : i64, seqboat.bucket_max_l = array<i64: 128, 64>, seqboat.bucket_configs = [#seqboat.config<threads = 64, rows_per_block = 4>, #seqboat.config<threads = 64, rows_per_block = 4>]}
      : (tensor<1x?x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4x2xf32>, tensor<4x2xf32>, tensor<4x2xf32>,
         tensor<4x2xf32>, tensor<4xf32>, tensor<6x4xf32>, tensor<6xf32>, tensor<f32>, tensor<10x4xf32>,
         tensor<10xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<3xf32>, tensor<4x4xf32>, tensor<4xf32>)
      -> tensor<1x?x4xf32>
  return %y : tensor<1x?x4xf32>
}

// -----

func.func @buckets_type(%x: tensor<1x?x4xf32>, %v4: tensor<4xf32>, %p: tensor<4x2xf32>, %hxw: tensor<6x4xf32>, %hxb: tensor<6xf32>,
                 %lt: tensor<f32>, %mxw: tensor<10x4xf32>, %mxb: tensor<10xf32>, %qg: tensor<2x2xf32>, %rb: tensor<3xf32>,
                 %hw: tensor<4x4xf32>) -> tensor<1x?x4xf32> {
  // expected-error @+1 {{'seqboat.bucket_configs' holds 7 : i64, not a #seqboat.config}}
  %y = seqboat.layer %x norm(%v4, %v4) ema(%p, %p, %p, %p, %v4) hx(%hxw, %hxb) route(%lt) mx(%mxw, %mxb)
      qk(%qg, %qg) rel_bias(%rb) h(%hw, %v4) {window = 2 : i64, seqboat.bucket_max_l = array<i64: 64>, seqboat.bucket_configs = [7 : i64]}
      : (tensor<1x?x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4x2xf32>, tensor<4x2xf32>, tensor<4x2xf32>,
         tensor<4x2xf32>, tensor<4xf32>, tensor<6x4xf32>, tensor<6xf32>, tensor<f32>, tensor<10x4xf32>,
         tensor<10xf32>, tensor<2x2xf32>, tensor<2x2xf32>, tensor<3xf32>, tensor<4x4xf32>, tensor<4xf32>)
      -> tensor<1x?x4xf32>
  return %y : tensor<1x?x4xf32>
}
