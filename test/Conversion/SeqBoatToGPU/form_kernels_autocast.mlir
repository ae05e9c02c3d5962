// RUN: seqboat-opt %s --seqboat-compute-in-f32 --seqboat-form-scan-kernels --seqboat-form-kernels=autocast | FileCheck %s
// RUN: seqboat-opt %s --seqboat-compute-in-f32 --seqboat-form-scan-kernels --seqboat-form-kernels | FileCheck %s --check-prefix=EXACT

// Under autocast, the local attention of a model with bf16 arguments
// multiplies bf16 (seqboat.autocast = bf16 on the op its scan kernel holds):
// the op itself computes in f32 between conversions, its products on
// rounded tiles. An f32 model's attention is left alone, and so is one that
// says its own type.

// CHECK-LABEL: func.func private @half_scan_0(
// CHECK:         seqboat.local_attention
// CHECK-SAME:      seqboat.autocast = bf16
// CHECK-LABEL: func.func private @single_scan_0(
// CHECK:         seqboat.local_attention
// CHECK-NOT:       seqboat.autocast
// CHECK-LABEL: func.func private @chosen_scan_0(
// CHECK:         seqboat.local_attention
// CHECK-SAME:      seqboat.autocast = f16

// EXACT-NOT: seqboat.autocast = bf16

func.func @half(%q: tensor<1x64x16xbf16>, %k: tensor<1x64x16xbf16>, %v: tensor<1x64x16xbf16>, %pos: tensor<1x64xi32>, %count: tensor<1xi32>) -> tensor<1x64x16xbf16> {
  %r = "seqboat.local_attention"(%q, %k, %v, %pos, %count) <{activation = #seqboat.activation<softmax>, bidirectional = true, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 0>, window = 8 : i64}> : (tensor<1x64x16xbf16>, tensor<1x64x16xbf16>, tensor<1x64x16xbf16>, tensor<1x64xi32>, tensor<1xi32>) -> tensor<1x64x16xbf16>
  return %r : tensor<1x64x16xbf16>
}

func.func @single(%q: tensor<1x64x16xf32>, %k: tensor<1x64x16xf32>, %v: tensor<1x64x16xf32>, %pos: tensor<1x64xi32>, %count: tensor<1xi32>) -> tensor<1x64x16xf32> {
  %r = "seqboat.local_attention"(%q, %k, %v, %pos, %count) <{activation = #seqboat.activation<softmax>, bidirectional = true, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 0>, window = 8 : i64}> : (tensor<1x64x16xf32>, tensor<1x64x16xf32>, tensor<1x64x16xf32>, tensor<1x64xi32>, tensor<1xi32>) -> tensor<1x64x16xf32>
  return %r : tensor<1x64x16xf32>
}

func.func @chosen(%q: tensor<1x64x16xbf16>, %k: tensor<1x64x16xbf16>, %v: tensor<1x64x16xbf16>, %pos: tensor<1x64xi32>, %count: tensor<1xi32>) -> tensor<1x64x16xbf16> {
  %r = "seqboat.local_attention"(%q, %k, %v, %pos, %count) <{activation = #seqboat.activation<softmax>, bidirectional = true, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 0>, window = 8 : i64}> {seqboat.autocast = f16} : (tensor<1x64x16xbf16>, tensor<1x64x16xbf16>, tensor<1x64x16xbf16>, tensor<1x64xi32>, tensor<1xi32>) -> tensor<1x64x16xbf16>
  return %r : tensor<1x64x16xbf16>
}
