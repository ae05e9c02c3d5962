// RUN: seqboat-opt %s --seqboat-compute-in-f32 --seqboat-form-scan-kernels | FileCheck %s
// RUN: seqboat-opt %s --seqboat-compute-in-f32 --seqboat-form-scan-kernels=attention-key-block=0 | FileCheck %s --check-prefix=SCAN

// A local attention on the attention strategy takes the elementwise
// producers of its operands into its kernel, which computes them as it
// gathers its tiles: the query tile (gathered once per block) any such
// producer, the key and value tiles (gathered once per key tile) and
// rel_bias (read per score) only producers of one tensor.

// The extensions of a bf16 op's q, k, v and rel_bias: the kernel reads
// them in bf16.
// CHECK-LABEL: func.func private @half_scan_0(
// CHECK-SAME:      %[[Q:[^:]*]]: memref<1x64x16xbf16, strided<[?, ?, 1], offset: ?>>, %[[K:[^:]*]]: memref<1x64x16xbf16, strided<[?, ?, 1], offset: ?>>, %[[V:[^:]*]]: memref<1x64x16xbf16, strided<[?, ?, 1], offset: ?>>,
// CHECK-SAME:      memref<15xbf16, strided<[1], offset: ?>>
// CHECK:         %[[QT:.*]] = bufferization.to_tensor %[[Q]]
// CHECK:         %[[QX:.*]] = linalg.generic {{.*}} ins(%[[QT]] : tensor<1x64x16xbf16>)
// CHECK:           arith.extf
// CHECK:         seqboat.local_attention %[[QX]],
// CHECK-LABEL: func.func @half(
// CHECK-NOT:     arith.extf {{.*}} : bf16 to f32
// CHECK:         call @half_scan_0

// The layer's q = z·γ₀ + β₀ (three tensors) in the kernel; its
// k = z·γ₁ + β₁ stays in the caller, the kernel reads k.
// CHECK-LABEL: func.func private @affine_scan_0(
// CHECK-SAME:      %[[Z:[^:]*]]: memref<1x64x16xf32, {{.*}}>, %[[G:[^:]*]]: memref<2x16xf32, {{.*}}>, %[[B:[^:]*]]: memref<2x16xf32, {{.*}}>, %[[KK:[^:]*]]: memref<1x64x16xf32, {{.*}}>,
// CHECK:         %[[QA:.*]] = linalg.generic
// CHECK:           arith.mulf
// CHECK:           arith.addf
// CHECK:         seqboat.local_attention %[[QA]],
// CHECK-LABEL: func.func @affine(
// CHECK:         %[[KA:.*]] = linalg.generic
// CHECK:         call @affine_scan_0(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}
// An op whose key_block knob is 0 (the scan strategy) takes none.
// CHECK-LABEL: func.func private @knob_scan_0(
// CHECK-SAME:      memref<1x64x16xf32, {{.*}}>, %{{.*}}: memref<1x64x16xf32, {{.*}}>, %{{.*}}: memref<1x64x16xf32, {{.*}}>,
// CHECK-NOT:     linalg.generic
// CHECK:         seqboat.local_attention

// With attention-key-block=0 no attention takes producers.
// SCAN-LABEL: func.func private @half_scan_0(
// SCAN-SAME:      memref<1x64x16xf32, {{.*}}>, %{{.*}}: memref<1x64x16xf32, {{.*}}>, %{{.*}}: memref<1x64x16xf32, {{.*}}>,
// SCAN-LABEL: func.func private @affine_scan_0(
// SCAN-SAME:      memref<1x64x16xf32, {{.*}}>, %{{.*}}: memref<1x64x16xf32, {{.*}}>, %{{.*}}: memref<1x64x16xf32, {{.*}}>,

func.func @half(%q: tensor<1x64x16xbf16>, %k: tensor<1x64x16xbf16>, %v: tensor<1x64x16xbf16>, %pos: tensor<1x64xi32>, %count: tensor<1xi32>, %bias: tensor<15xbf16>) -> tensor<1x64x16xbf16> {
  %r = "seqboat.local_attention"(%q, %k, %v, %pos, %count, %bias) <{activation = #seqboat.activation<softmax>, bidirectional = true, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 0>, window = 8 : i64}> : (tensor<1x64x16xbf16>, tensor<1x64x16xbf16>, tensor<1x64x16xbf16>, tensor<1x64xi32>, tensor<1xi32>, tensor<15xbf16>) -> tensor<1x64x16xbf16>
  return %r : tensor<1x64x16xbf16>
}

#id = affine_map<(b, s, f) -> (b, s, f)>
#row0 = affine_map<(b, s, f) -> (0, f)>
#row1 = affine_map<(b, s, f) -> (1, f)>
func.func @affine(%z: tensor<1x64x16xf32>, %g: tensor<2x16xf32>, %bt: tensor<2x16xf32>, %v: tensor<1x64x16xf32>, %pos: tensor<1x64xi32>, %count: tensor<1xi32>) -> tensor<1x64x16xf32> {
  %e0 = tensor.empty() : tensor<1x64x16xf32>
  %q = linalg.generic {indexing_maps = [#id, #row0, #row0, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%z, %g, %bt : tensor<1x64x16xf32>, tensor<2x16xf32>, tensor<2x16xf32>) outs(%e0 : tensor<1x64x16xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %m, %c : f32
    linalg.yield %s : f32
  } -> tensor<1x64x16xf32>
  %e1 = tensor.empty() : tensor<1x64x16xf32>
  %k = linalg.generic {indexing_maps = [#id, #row1, #row1, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%z, %g, %bt : tensor<1x64x16xf32>, tensor<2x16xf32>, tensor<2x16xf32>) outs(%e1 : tensor<1x64x16xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %m, %c : f32
    linalg.yield %s : f32
  } -> tensor<1x64x16xf32>
  %r = "seqboat.local_attention"(%q, %k, %v, %pos, %count) <{activation = #seqboat.activation<softmax>, bidirectional = true, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 0>, window = 8 : i64}> : (tensor<1x64x16xf32>, tensor<1x64x16xf32>, tensor<1x64x16xf32>, tensor<1x64xi32>, tensor<1xi32>) -> tensor<1x64x16xf32>
  return %r : tensor<1x64x16xf32>
}

func.func @knob(%z: tensor<1x64x16xf32>, %g: tensor<2x16xf32>, %bt: tensor<2x16xf32>, %v: tensor<1x64x16xf32>, %pos: tensor<1x64xi32>, %count: tensor<1xi32>) -> tensor<1x64x16xf32> {
  %e0 = tensor.empty() : tensor<1x64x16xf32>
  %q = linalg.generic {indexing_maps = [#id, #row0, #row0, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%z, %g, %bt : tensor<1x64x16xf32>, tensor<2x16xf32>, tensor<2x16xf32>) outs(%e0 : tensor<1x64x16xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %m, %c : f32
    linalg.yield %s : f32
  } -> tensor<1x64x16xf32>
  %r = "seqboat.local_attention"(%q, %z, %v, %pos, %count) <{activation = #seqboat.activation<softmax>, bidirectional = true, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 0>, window = 8 : i64}> {seqboat.knobs = {key_block = 0 : i64}} : (tensor<1x64x16xf32>, tensor<1x64x16xf32>, tensor<1x64x16xf32>, tensor<1x64xi32>, tensor<1xi32>) -> tensor<1x64x16xf32>
  return %r : tensor<1x64x16xf32>
}

// One producer for q and k, reading 16-bit parameters through their
// extensions: the kernel takes it once, reading the bf16 parameters as
// they are (and k through it too: q's producer is in the kernel anyway).
// CHECK-LABEL: func.func private @shared_scan_0(
// CHECK-SAME:      memref<1x64x16xf32, {{.*}}>, %{{.*}}: memref<2x16xbf16, strided<[?, 1], offset: ?>>, %{{.*}}: memref<2x16xbf16, strided<[?, 1], offset: ?>>, %{{.*}}: memref<1x64x16xf32
// CHECK:         %[[QK:.*]] = linalg.generic
// CHECK:           arith.extf
// CHECK:         seqboat.local_attention %[[QK]], %[[QK]],
func.func @shared(%z: tensor<1x64x16xf32>, %g16: tensor<2x16xbf16>, %b16: tensor<2x16xbf16>, %v: tensor<1x64x16xf32>, %pos: tensor<1x64xi32>, %count: tensor<1xi32>) -> tensor<1x64x16xf32> {
  %eg = tensor.empty() : tensor<2x16xf32>
  %g = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%g16 : tensor<2x16xbf16>) outs(%eg : tensor<2x16xf32>) {
  ^bb0(%a: bf16, %o: f32):
    %x = arith.extf %a : bf16 to f32
    linalg.yield %x : f32
  } -> tensor<2x16xf32>
  %eb = tensor.empty() : tensor<2x16xf32>
  %bt = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]} ins(%b16 : tensor<2x16xbf16>) outs(%eb : tensor<2x16xf32>) {
  ^bb0(%a: bf16, %o: f32):
    %x = arith.extf %a : bf16 to f32
    linalg.yield %x : f32
  } -> tensor<2x16xf32>
  %e0 = tensor.empty() : tensor<1x64x16xf32>
  %q = linalg.generic {indexing_maps = [#id, #row0, #row0, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%z, %g, %bt : tensor<1x64x16xf32>, tensor<2x16xf32>, tensor<2x16xf32>) outs(%e0 : tensor<1x64x16xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %m, %c : f32
    linalg.yield %s : f32
  } -> tensor<1x64x16xf32>
  %r = "seqboat.local_attention"(%q, %q, %v, %pos, %count) <{activation = #seqboat.activation<softmax>, bidirectional = true, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 0>, window = 8 : i64}> : (tensor<1x64x16xf32>, tensor<1x64x16xf32>, tensor<1x64x16xf32>, tensor<1x64xi32>, tensor<1xi32>) -> tensor<1x64x16xf32>
  return %r : tensor<1x64x16xf32>
}
