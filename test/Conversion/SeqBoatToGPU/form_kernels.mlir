// RUN: seqboat-opt %s --seqboat-form-kernels=parallel-kernels=false --split-input-file | FileCheck %s

// A projection with a bias + silu epilogue becomes one kernel function with a
// memref ABI (X, W, bias, Y); the caller passes views and a fresh Y.

#id   = affine_map<(m, n) -> (m, n)>
#bias = affine_map<(m, n) -> (n)>
#mA   = affine_map<(m, n, k) -> (m, k)>
#mW   = affine_map<(m, n, k) -> (n, k)>
#mC   = affine_map<(m, n, k) -> (m, n)>

// CHECK-LABEL: func.func private @linear_contraction_0(
// CHECK-SAME:      %[[X:.*]]: memref<64x32xf32>, %[[W:.*]]: memref<96x32xf32>, %[[B:.*]]: memref<96xf32>, %[[Y:.*]]: memref<64x96xf32>)
// CHECK-SAME:      attributes {seqboat.kernel_kind = "contraction"}
// CHECK-DAG:     %[[XT:.*]] = bufferization.to_tensor %[[X]] restrict
// CHECK-DAG:     %[[WT:.*]] = bufferization.to_tensor %[[W]] restrict
// CHECK-DAG:     %[[BT:.*]] = bufferization.to_tensor %[[B]] restrict
// CHECK:         %[[ACC0:.*]] = linalg.fill
// CHECK:         %[[ACC:.*]] = linalg.matmul {{.*}} ins(%[[XT]], %[[WT]] : {{.*}}) outs(%[[ACC0]]
// CHECK:         %[[OUT:.*]] = linalg.generic {{.*}} ins(%[[ACC]], %[[BT]] :
// CHECK:           math.exp
// CHECK:         bufferization.materialize_in_destination %[[OUT]] in restrict writable %[[Y]]
// CHECK-LABEL: func.func @linear(
// CHECK-SAME:      %[[XA:.*]]: tensor<64x32xf32>, %[[WA:.*]]: tensor<96x32xf32>, %[[BA:.*]]: tensor<96xf32>)
// CHECK-DAG:     %[[XB:.*]] = bufferization.to_buffer %[[XA]] read_only
// CHECK-DAG:     %[[WB:.*]] = bufferization.to_buffer %[[WA]] read_only
// CHECK-DAG:     %[[BB:.*]] = bufferization.to_buffer %[[BA]] read_only
// CHECK:         %[[YB:.*]] = memref.alloc() : memref<64x96xf32>
// CHECK:         call @linear_contraction_0(%[[XB]], %[[WB]], %[[BB]], %[[YB]]) {seqboat.kernel_kind = "contraction"}
// CHECK:         %[[R:.*]] = bufferization.to_tensor %[[YB]] restrict writable
// CHECK-NOT:     linalg.matmul
// CHECK:         return %[[R]]
func.func @linear(%x: tensor<64x32xf32>, %w: tensor<96x32xf32>, %b: tensor<96xf32>) -> tensor<64x96xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x96xf32>
  %acc0 = linalg.fill ins(%zero : f32) outs(%e : tensor<64x96xf32>) -> tensor<64x96xf32>
  %acc = linalg.matmul indexing_maps = [#mA, #mW, #mC]
      ins(%x, %w : tensor<64x32xf32>, tensor<96x32xf32>) outs(%acc0 : tensor<64x96xf32>) -> tensor<64x96xf32>
  %y = linalg.generic {indexing_maps = [#id, #bias, #id], iterator_types = ["parallel", "parallel"]}
      ins(%acc, %b : tensor<64x96xf32>, tensor<96xf32>) outs(%e : tensor<64x96xf32>) {
  ^bb0(%a: f32, %bi: f32, %o: f32):
    %one = arith.constant 1.0 : f32
    %t = arith.addf %a, %bi : f32
    %n = arith.negf %t : f32
    %ex = math.exp %n : f32
    %d = arith.addf %ex, %one : f32
    %r = arith.divf %t, %d : f32
    linalg.yield %r : f32
  } -> tensor<64x96xf32>
  return %y : tensor<64x96xf32>
}

// -----

// Two projections in a row: two kernels, the second reading the first's Y.

#id   = affine_map<(m, n) -> (m, n)>
#bias = affine_map<(m, n) -> (n)>
#mA   = affine_map<(m, n, k) -> (m, k)>
#mW   = affine_map<(m, n, k) -> (n, k)>
#mC   = affine_map<(m, n, k) -> (m, n)>

// CHECK-LABEL: func.func private @two_contraction_0(
// CHECK-LABEL: func.func private @two_contraction_1(
// CHECK-LABEL: func.func @two(
// CHECK:         %[[Y0:.*]] = memref.alloc() : memref<64x64xf32>
// CHECK:         call @two_contraction_0({{.*}}, %[[Y0]])
// CHECK:         %[[T0:.*]] = bufferization.to_tensor %[[Y0]] restrict writable
// CHECK:         %[[V0:.*]] = bufferization.to_buffer %[[T0]] read_only
// CHECK:         call @two_contraction_1(%[[V0]],
func.func @two(%x: tensor<64x32xf32>, %w1: tensor<64x32xf32>, %b1: tensor<64xf32>,
               %w2: tensor<32x64xf32>, %b2: tensor<32xf32>) -> tensor<64x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e0 = tensor.empty() : tensor<64x64xf32>
  %a0 = linalg.fill ins(%zero : f32) outs(%e0 : tensor<64x64xf32>) -> tensor<64x64xf32>
  %a = linalg.matmul indexing_maps = [#mA, #mW, #mC]
      ins(%x, %w1 : tensor<64x32xf32>, tensor<64x32xf32>) outs(%a0 : tensor<64x64xf32>) -> tensor<64x64xf32>
  %h = linalg.generic {indexing_maps = [#id, #bias, #id], iterator_types = ["parallel", "parallel"]}
      ins(%a, %b1 : tensor<64x64xf32>, tensor<64xf32>) outs(%e0 : tensor<64x64xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %s = arith.addf %p, %q : f32
    linalg.yield %s : f32
  } -> tensor<64x64xf32>
  %e1 = tensor.empty() : tensor<64x32xf32>
  %c0 = linalg.fill ins(%zero : f32) outs(%e1 : tensor<64x32xf32>) -> tensor<64x32xf32>
  %c = linalg.matmul indexing_maps = [#mA, #mW, #mC]
      ins(%h, %w2 : tensor<64x64xf32>, tensor<32x64xf32>) outs(%c0 : tensor<64x32xf32>) -> tensor<64x32xf32>
  %y = linalg.generic {indexing_maps = [#id, #bias, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c, %b2 : tensor<64x32xf32>, tensor<32xf32>) outs(%e1 : tensor<64x32xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %s = arith.addf %p, %q : f32
    linalg.yield %s : f32
  } -> tensor<64x32xf32>
  return %y : tensor<64x32xf32>
}

// -----

// Not formed: W in [in, out] layout (the default linalg.matmul maps), a
// contraction without an epilogue, an epilogue capturing a non-constant
// value, a fill of a non-constant.

#id   = affine_map<(m, n) -> (m, n)>
#bias = affine_map<(m, n) -> (n)>
#mA   = affine_map<(m, n, k) -> (m, k)>
#mW   = affine_map<(m, n, k) -> (n, k)>
#mC   = affine_map<(m, n, k) -> (m, n)>

// CHECK-NOT: private
// CHECK-LABEL: func.func @kn_layout(
// CHECK:         linalg.matmul
func.func @kn_layout(%x: tensor<64x32xf32>, %w: tensor<32x64xf32>, %b: tensor<64xf32>) -> tensor<64x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x64xf32>
  %acc0 = linalg.fill ins(%zero : f32) outs(%e : tensor<64x64xf32>) -> tensor<64x64xf32>
  %acc = linalg.matmul ins(%x, %w : tensor<64x32xf32>, tensor<32x64xf32>) outs(%acc0 : tensor<64x64xf32>) -> tensor<64x64xf32>
  %y = linalg.generic {indexing_maps = [#id, #bias, #id], iterator_types = ["parallel", "parallel"]}
      ins(%acc, %b : tensor<64x64xf32>, tensor<64xf32>) outs(%e : tensor<64x64xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %s = arith.addf %p, %q : f32
    linalg.yield %s : f32
  } -> tensor<64x64xf32>
  return %y : tensor<64x64xf32>
}

// CHECK-LABEL: func.func @no_epilogue(
// CHECK:         linalg.matmul
func.func @no_epilogue(%x: tensor<64x32xf32>, %w: tensor<64x32xf32>) -> tensor<64x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x64xf32>
  %acc0 = linalg.fill ins(%zero : f32) outs(%e : tensor<64x64xf32>) -> tensor<64x64xf32>
  %acc = linalg.matmul indexing_maps = [#mA, #mW, #mC]
      ins(%x, %w : tensor<64x32xf32>, tensor<64x32xf32>) outs(%acc0 : tensor<64x64xf32>) -> tensor<64x64xf32>
  return %acc : tensor<64x64xf32>
}

// CHECK-LABEL: func.func @captured_scale(
// CHECK:         linalg.matmul
func.func @captured_scale(%x: tensor<64x32xf32>, %w: tensor<64x32xf32>, %b: tensor<64xf32>, %s: f32) -> tensor<64x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x64xf32>
  %acc0 = linalg.fill ins(%zero : f32) outs(%e : tensor<64x64xf32>) -> tensor<64x64xf32>
  %acc = linalg.matmul indexing_maps = [#mA, #mW, #mC]
      ins(%x, %w : tensor<64x32xf32>, tensor<64x32xf32>) outs(%acc0 : tensor<64x64xf32>) -> tensor<64x64xf32>
  %y = linalg.generic {indexing_maps = [#id, #bias, #id], iterator_types = ["parallel", "parallel"]}
      ins(%acc, %b : tensor<64x64xf32>, tensor<64xf32>) outs(%e : tensor<64x64xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %t = arith.addf %p, %q : f32
    %u = arith.mulf %t, %s : f32
    linalg.yield %u : f32
  } -> tensor<64x64xf32>
  return %y : tensor<64x64xf32>
}

// CHECK-LABEL: func.func @dynamic_fill(
// CHECK:         linalg.matmul
func.func @dynamic_fill(%x: tensor<64x32xf32>, %w: tensor<64x32xf32>, %b: tensor<64xf32>, %init: f32) -> tensor<64x64xf32> {
  %e = tensor.empty() : tensor<64x64xf32>
  %acc0 = linalg.fill ins(%init : f32) outs(%e : tensor<64x64xf32>) -> tensor<64x64xf32>
  %acc = linalg.matmul indexing_maps = [#mA, #mW, #mC]
      ins(%x, %w : tensor<64x32xf32>, tensor<64x32xf32>) outs(%acc0 : tensor<64x64xf32>) -> tensor<64x64xf32>
  %y = linalg.generic {indexing_maps = [#id, #bias, #id], iterator_types = ["parallel", "parallel"]}
      ins(%acc, %b : tensor<64x64xf32>, tensor<64xf32>) outs(%e : tensor<64x64xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %t = arith.addf %p, %q : f32
    linalg.yield %t : f32
  } -> tensor<64x64xf32>
  return %y : tensor<64x64xf32>
}

// -----

// Not formed: an empty problem.

#id   = affine_map<(m, n) -> (m, n)>
#bias = affine_map<(m, n) -> (n)>
#mA   = affine_map<(m, n, k) -> (m, k)>
#mW   = affine_map<(m, n, k) -> (n, k)>
#mC   = affine_map<(m, n, k) -> (m, n)>

// CHECK-NOT: private
// CHECK-LABEL: func.func @empty_k(
// CHECK:         linalg.matmul
func.func @empty_k(%x: tensor<64x0xf32>, %w: tensor<64x0xf32>, %b: tensor<64xf32>) -> tensor<64x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x64xf32>
  %acc0 = linalg.fill ins(%zero : f32) outs(%e : tensor<64x64xf32>) -> tensor<64x64xf32>
  %acc = linalg.matmul indexing_maps = [#mA, #mW, #mC]
      ins(%x, %w : tensor<64x0xf32>, tensor<64x0xf32>) outs(%acc0 : tensor<64x64xf32>) -> tensor<64x64xf32>
  %y = linalg.generic {indexing_maps = [#id, #bias, #id], iterator_types = ["parallel", "parallel"]}
      ins(%acc, %b : tensor<64x64xf32>, tensor<64xf32>) outs(%e : tensor<64x64xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %s = arith.addf %p, %q : f32
    linalg.yield %s : f32
  } -> tensor<64x64xf32>
  return %y : tensor<64x64xf32>
}

// -----

// A projection as seqboat-decompose writes it (one reduction generic over
// x[B, L, K] and a transposed copy of W, accumulating into the broadcast
// bias) is raised to the contraction kernel's form: rows collapsed, the
// matmul on W[N, K] itself, a bias epilogue, rows expanded back.
#bx   = affine_map<(b, t, k, n) -> (b, t, k)>
#bw   = affine_map<(b, t, k, n) -> (k, n)>
#by   = affine_map<(b, t, k, n) -> (b, t, n)>
#tr   = affine_map<(k, n) -> (n, k)>
#id2  = affine_map<(k, n) -> (k, n)>
#bcol = affine_map<(b, t, n) -> (n)>
#id3  = affine_map<(b, t, n) -> (b, t, n)>
// CHECK-LABEL: func.func private @decomposed_contraction_0(
// CHECK-SAME:      %{{.*}}: memref<128x32xf32>, %{{.*}}: memref<64x32xf32>, %{{.*}}: memref<64xf32>, %{{.*}}: memref<128x64xf32>)
// CHECK:         linalg.matmul
// CHECK-LABEL: func.func @decomposed(
// CHECK:         %[[X:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2]] : tensor<2x64x32xf32> into tensor<128x32xf32>
// CHECK:         call @decomposed_contraction_0(
// CHECK:         tensor.expand_shape %{{.*}} {{\[\[}}0, 1], [2]] output_shape [2, 64, 64] : tensor<128x64xf32> into tensor<2x64x64xf32>
// CHECK-NOT:     linalg.
func.func @decomposed(%x: tensor<2x64x32xf32>, %w: tensor<64x32xf32>, %b: tensor<64xf32>) -> tensor<2x64x64xf32> {
  %e = tensor.empty() : tensor<2x64x64xf32>
  %init = linalg.generic {indexing_maps = [#bcol, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%b : tensor<64xf32>) outs(%e : tensor<2x64x64xf32>) {
  ^bb0(%in: f32, %o: f32):
    linalg.yield %in : f32
  } -> tensor<2x64x64xf32>
  %et = tensor.empty() : tensor<32x64xf32>
  %wt = linalg.generic {indexing_maps = [#tr, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%w : tensor<64x32xf32>) outs(%et : tensor<32x64xf32>) {
  ^bb0(%in: f32, %o: f32):
    linalg.yield %in : f32
  } -> tensor<32x64xf32>
  %y = linalg.generic {indexing_maps = [#bx, #bw, #by], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%x, %wt : tensor<2x64x32xf32>, tensor<32x64xf32>) outs(%init : tensor<2x64x64xf32>) {
  ^bb0(%a: f32, %c: f32, %acc: f32):
    %m = arith.mulf %a, %c : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x64x64xf32>
  return %y : tensor<2x64x64xf32>
}

// -----

// The only consumer of a projection, elementwise over the same elements
// (through the rows' expand_shape) and reading another tensor of that shape
// one-to-one (a residual), is computed in the epilogue: the kernel takes x
// as one more [M, N] argument and the consumer is gone from the caller.
#rid3  = affine_map<(b, t, d) -> (b, t, d)>
#rid   = affine_map<(m, n) -> (m, n)>
#rbias = affine_map<(m, n) -> (n)>
#rA    = affine_map<(m, n, k) -> (m, k)>
#rW    = affine_map<(m, n, k) -> (n, k)>
#rC    = affine_map<(m, n, k) -> (m, n)>
// CHECK-LABEL: func.func private @residual_contraction_0(
// CHECK-SAME:    %{{.*}}: memref<128x64xf32>, %{{.*}}: memref<64x64xf32>, %{{.*}}: memref<64xf32>, %{{.*}}: memref<128x64xf32>, %{{.*}}: memref<128x64xf32>)
// CHECK:         linalg.matmul
// CHECK:         linalg.generic
// CHECK-SAME:      ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<128x64xf32>, tensor<64xf32>, tensor<128x64xf32>)
// CHECK:           arith.addf
// CHECK:           arith.addf
// CHECK-LABEL: func.func @residual(
// CHECK:         tensor.collapse_shape %arg0
// CHECK:         call @residual_contraction_0(
// CHECK-NOT:     linalg.generic
// CHECK:         tensor.expand_shape
// CHECK:         return
func.func @residual(%x: tensor<2x64x64xf32>, %w: tensor<64x64xf32>, %b: tensor<64xf32>) -> tensor<2x64x64xf32> {
  %zero = arith.constant 0.0 : f32
  %x2 = tensor.collapse_shape %x [[0, 1], [2]] : tensor<2x64x64xf32> into tensor<128x64xf32>
  %e = tensor.empty() : tensor<128x64xf32>
  %acc0 = linalg.fill ins(%zero : f32) outs(%e : tensor<128x64xf32>) -> tensor<128x64xf32>
  %acc = linalg.matmul indexing_maps = [#rA, #rW, #rC]
      ins(%x2, %w : tensor<128x64xf32>, tensor<64x64xf32>) outs(%acc0 : tensor<128x64xf32>) -> tensor<128x64xf32>
  %y2 = linalg.generic {indexing_maps = [#rid, #rbias, #rid], iterator_types = ["parallel", "parallel"]}
      ins(%acc, %b : tensor<128x64xf32>, tensor<64xf32>) outs(%e : tensor<128x64xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %s = arith.addf %p, %q : f32
    linalg.yield %s : f32
  } -> tensor<128x64xf32>
  %y3 = tensor.expand_shape %y2 [[0, 1], [2]] output_shape [2, 64, 64] : tensor<128x64xf32> into tensor<2x64x64xf32>
  %er = tensor.empty() : tensor<2x64x64xf32>
  %y = linalg.generic {indexing_maps = [#rid3, #rid3, #rid3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%y3, %x : tensor<2x64x64xf32>, tensor<2x64x64xf32>) outs(%er : tensor<2x64x64xf32>) {
  ^bb0(%p: f32, %r: f32, %o: f32):
    %s = arith.addf %p, %r : f32
    linalg.yield %s : f32
  } -> tensor<2x64x64xf32>
  return %y : tensor<2x64x64xf32>
}

// -----

// A consumer that reads the projection through a transpose is not
// elementwise over the same elements: it stays a kernel of its own.
#tid   = affine_map<(m, n) -> (m, n)>
#ttr   = affine_map<(m, n) -> (n, m)>
#tbias = affine_map<(m, n) -> (n)>
#tA    = affine_map<(m, n, k) -> (m, k)>
#tW    = affine_map<(m, n, k) -> (n, k)>
#tC    = affine_map<(m, n, k) -> (m, n)>
// CHECK-LABEL: func.func private @transposed_contraction_0(
// CHECK-SAME:    %{{.*}}: memref<64x64xf32>, %{{.*}}: memref<64x64xf32>, %{{.*}}: memref<64xf32>, %{{.*}}: memref<64x64xf32>)
// CHECK-LABEL: func.func @transposed(
// CHECK:         call @transposed_contraction_0(
// CHECK:         linalg.generic
func.func @transposed(%x: tensor<64x64xf32>, %w: tensor<64x64xf32>, %b: tensor<64xf32>) -> tensor<64x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<64x64xf32>
  %acc0 = linalg.fill ins(%zero : f32) outs(%e : tensor<64x64xf32>) -> tensor<64x64xf32>
  %acc = linalg.matmul indexing_maps = [#tA, #tW, #tC]
      ins(%x, %w : tensor<64x64xf32>, tensor<64x64xf32>) outs(%acc0 : tensor<64x64xf32>) -> tensor<64x64xf32>
  %y2 = linalg.generic {indexing_maps = [#tid, #tbias, #tid], iterator_types = ["parallel", "parallel"]}
      ins(%acc, %b : tensor<64x64xf32>, tensor<64xf32>) outs(%e : tensor<64x64xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %s = arith.addf %p, %q : f32
    linalg.yield %s : f32
  } -> tensor<64x64xf32>
  %e2 = tensor.empty() : tensor<64x64xf32>
  %y = linalg.generic {indexing_maps = [#ttr, #tid, #tid], iterator_types = ["parallel", "parallel"]}
      ins(%y2, %x : tensor<64x64xf32>, tensor<64x64xf32>) outs(%e2 : tensor<64x64xf32>) {
  ^bb0(%p: f32, %r: f32, %o: f32):
    %s = arith.addf %p, %r : f32
    linalg.yield %s : f32
  } -> tensor<64x64xf32>
  return %y : tensor<64x64xf32>
}
