// RUN: seqboat-opt %s --split-input-file --seqboat-compute-in-f32 | FileCheck %s
// RUN: seqboat-opt %s --split-input-file --seqboat-decompose | FileCheck %s --check-prefix=DECOMP

// A 16-bit op computes in f32: its 16-bit operands are extended, f32
// small parameters pass through, and each 16-bit result is rounded once.
// CHECK-LABEL: func @short_conv
// CHECK-SAME: (%[[X:.*]]: tensor<2x37x16xbf16>, %[[W:.*]]: tensor<16x4xf32>, %[[B:.*]]: tensor<16xf32>)
// CHECK: %[[XE:.*]] = linalg.generic {{.*}} ins(%[[X]] : tensor<2x37x16xbf16>) outs(%{{.*}} : tensor<2x37x16xf32>)
// CHECK-NEXT: ^bb0(%[[IN:.*]]: bf16, %{{.*}}: f32):
// CHECK-NEXT: arith.extf %[[IN]] : bf16 to f32
// CHECK: %[[Y:.*]] = seqboat.short_conv %[[XE]], %[[W]], %[[B]] : tensor<2x37x16xf32>, tensor<16x4xf32>, tensor<16xf32>
// CHECK: %[[YT:.*]] = linalg.generic {{.*}} ins(%[[Y]] : tensor<2x37x16xf32>) outs(%{{.*}} : tensor<2x37x16xbf16>)
// CHECK: arith.truncf %{{.*}} : f32 to bf16
// CHECK: return %[[YT]]
func.func @short_conv(%x: tensor<2x37x16xbf16>, %w: tensor<16x4xf32>, %b: tensor<16xf32>) -> tensor<2x37x16xbf16> {
  %r = seqboat.short_conv %x, %w, %b : tensor<2x37x16xbf16>, tensor<16x4xf32>, tensor<16xf32>
  return %r : tensor<2x37x16xbf16>
}

// -----

// Dynamic dims are carried into the conversions; results that are not
// float (route's mask) are left alone.
// CHECK-LABEL: func @route
// CHECK: %[[D0:.*]] = tensor.dim %arg0, %c0
// CHECK: %[[D1:.*]] = tensor.dim %arg0, %c1
// CHECK: tensor.empty(%[[D0]], %[[D1]]) : tensor<?x?x2xf32>
// CHECK: %[[T:.*]] = linalg.generic {{.*}} ins(%arg1 : tensor<f16>) outs(%{{.*}} : tensor<f32>)
// CHECK: %[[GATE:.*]], %[[ACTIVE:.*]] = seqboat.route %{{.*}}, %[[T]] : tensor<?x?x2xf32>, tensor<f32> -> tensor<?x?xf32>, tensor<?x?xi1>
// CHECK: %[[G:.*]] = linalg.generic {{.*}} ins(%[[GATE]] : tensor<?x?xf32>) outs(%{{.*}} : tensor<?x?xf16>)
// CHECK: return %[[G]], %[[ACTIVE]]
func.func @route(%u: tensor<?x?x2xf16>, %t: tensor<f16>) -> (tensor<?x?xf16>, tensor<?x?xi1>) {
  %r:2 = seqboat.route %u, %t : tensor<?x?x2xf16>, tensor<f16> -> tensor<?x?xf16>, tensor<?x?xi1>
  return %r#0, %r#1 : tensor<?x?xf16>, tensor<?x?xi1>
}

// -----

// f32 ops are untouched.
// CHECK-LABEL: func @f32
// CHECK-NEXT: seqboat.short_conv %arg0, %arg1, %arg2 : tensor<2x8x4xf32>
// CHECK-NEXT: return
func.func @f32(%x: tensor<2x8x4xf32>, %w: tensor<4x2xf32>, %b: tensor<4xf32>) -> tensor<2x8x4xf32> {
  %r = seqboat.short_conv %x, %w, %b : tensor<2x8x4xf32>, tensor<4x2xf32>, tensor<4xf32>
  return %r : tensor<2x8x4xf32>
}

// -----

// The layer rounds once, at y: its decomposition is the f32 layer's between
// the conversions, with no 16-bit value inside.
// DECOMP-LABEL: func @layer
// DECOMP-COUNT-7: arith.extf %{{.*}} : bf16 to f32
// DECOMP-NOT: bf16
// DECOMP: seqboat.ema_conv
// DECOMP-NOT: bf16
// DECOMP: seqboat.local_attention
// DECOMP: seqboat.scatter
// DECOMP-NOT: bf16
// DECOMP: tensor.empty() : tensor<2x37x16xbf16>
// DECOMP: arith.truncf %{{.*}} : f32 to bf16
// DECOMP-NOT: arith.truncf
// DECOMP: return %{{.*}} : tensor<2x37x16xbf16>
func.func @layer(%a0: tensor<2x37x16xbf16>, %a1: tensor<16xf32>, %a2: tensor<16xf32>, %a3: tensor<32x4xf32>, %a4: tensor<32x4xf32>, %a5: tensor<32x4xf32>, %a6: tensor<32x4xf32>, %a7: tensor<16xf32>, %a8: tensor<18x16xbf16>, %a9: tensor<18xbf16>, %a10: tensor<f32>, %a11: tensor<72x16xbf16>, %a12: tensor<72xbf16>, %a13: tensor<2x8xf32>, %a14: tensor<2x8xf32>, %a15: tensor<127xf32>, %a16: tensor<16x32xbf16>, %a17: tensor<16xbf16>) -> tensor<2x37x16xbf16> {
  %r = "seqboat.layer"(%a0, %a1, %a2, %a3, %a4, %a5, %a6, %a7, %a8, %a9, %a10, %a11, %a12, %a13, %a14, %a15, %a16, %a17) <{bidirectional = true, window = 4 : i64}> : (tensor<2x37x16xbf16>, tensor<16xf32>, tensor<16xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<16xf32>, tensor<18x16xbf16>, tensor<18xbf16>, tensor<f32>, tensor<72x16xbf16>, tensor<72xbf16>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<127xf32>, tensor<16x32xbf16>, tensor<16xbf16>) -> tensor<2x37x16xbf16>
  return %r : tensor<2x37x16xbf16>
}
