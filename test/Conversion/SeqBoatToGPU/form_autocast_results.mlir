// RUN: seqboat-opt %s --seqboat-form-scan-kernels=autocast --seqboat-form-kernels=autocast | FileCheck %s
// RUN: seqboat-opt %s --seqboat-form-scan-kernels --seqboat-form-kernels=autocast | FileCheck %s --check-prefix=F32OUT

// Under autocast (a function whose tensor arguments have one 16-bit type),
// a projection on 16-bit weights stores its result in that type, as an
// autocast model's nn.Linear does: its epilogue (bias, and the silu it
// absorbed) computes in f32 and rounds once. Its readers read the parts
// they need in 16 bits: the attention kernel q's input z and v, the kernel
// of k = z·γ₁ + β₁, which stores k rounded too (the attention rounds its
// key tiles to bf16 as it gathers them, so the values are the same). The
// attention kernel stores its gated output rounded (the h projection reads
// it rounded) instead of a kernel of its own rounding it, with or without
// autocast in scan formation.

// The attention kernel: z, k, v and the gate r in bf16 (its arguments are
// z, γ, β, k, v, pos, count, the projection's result, out), its output
// gated and rounded.
// CHECK-LABEL: func.func private @block_scan_0(
// CHECK-SAME:      %{{.*}}: memref<2x8x8xbf16, {{[^>]*}}>>, %{{.*}}: memref<2x8xf32, {{[^>]*}}>>, %{{.*}}: memref<2x8xf32, {{[^>]*}}>>, %{{.*}}: memref<2x8x8xbf16, {{[^>]*}}>>, %{{.*}}: memref<2x8x8xbf16, {{[^>]*}}>>,
// CHECK-SAME:      %{{.*}}: memref<2x8x40xbf16, {{[^>]*}}>>, %{{.*}}: memref<2x8x8xbf16>)
// CHECK:         seqboat.local_attention
// CHECK-SAME:      seqboat.autocast = bf16
// CHECK:         linalg.generic
// CHECK:           arith.extf
// CHECK:           arith.mulf
// CHECK:           arith.truncf {{.*}} : f32 to bf16
// The mx-like projection reads x as it is (its rounding is x itself) and
// stores bf16: the silu, then the rounding.
// CHECK-LABEL: func.func private @block_contraction_0(
// CHECK-SAME:      memref<16x16xbf16>, %{{.*}}: memref<40x16xbf16>, %{{.*}}: memref<40xbf16>, %{{.*}}: memref<16x40xbf16>)
// CHECK:         linalg.matmul
// CHECK:         linalg.generic
// CHECK:           math.exp
// CHECK:           arith.truncf {{.*}} : f32 to bf16
// The h-like projection reads the attention's rounded output.
// CHECK-LABEL: func.func private @block_contraction_1(
// CHECK-SAME:      %{{.*}}: memref<16x8xbf16>, %{{.*}}: memref<8x8xbf16>, %{{.*}}: memref<8xbf16>, %{{.*}}: memref<16x8xbf16>)
// k = z·γ₁ + β₁ from bf16 z, stored in bf16.
// CHECK-LABEL: func.func private @block_parallel_0(
// CHECK-SAME:      memref<2x8xf32, {{[^>]*}}>>, %{{.*}}: memref<2x8xf32, {{[^>]*}}>>, %{{.*}}: memref<2x8x8xbf16, {{[^>]*}}>>, %{{.*}}: memref<2x8x8xbf16>)
// CHECK:           arith.extf {{.*}} : bf16 to f32
// CHECK:           arith.truncf {{.*}} : f32 to bf16
// The function returns h in f32: its extension.
// CHECK-LABEL: func.func private @block_parallel_1(
// CHECK-SAME:      memref<2x8x8xbf16, {{[^>]*}}>>, %{{.*}}: memref<2x8x8xf32>)
// CHECK-LABEL: func.func @block(
// CHECK:         call @block_contraction_0
// CHECK-NEXT:    bufferization.to_tensor
// CHECK-NEXT:    tensor.expand_shape {{.*}} into tensor<2x8x40xbf16>
// CHECK:         call @block_parallel_0
// CHECK:         call @block_scan_0
// CHECK:         call @block_contraction_1
// CHECK:         call @block_parallel_1
// CHECK-NOT:     call @block_

// Without autocast in scan formation the projections store f32, and so
// do k's kernel and the attention's reads; the h projection still reads
// the attention's output rounded by the attention kernel.
// F32OUT-LABEL: func.func private @block_scan_0(
// F32OUT-SAME:      %{{.*}}: memref<2x8x8xf32, {{[^>]*}}>>, %{{.*}}: memref<2x8xf32, {{[^>]*}}>>, %{{.*}}: memref<2x8xf32, {{[^>]*}}>>, %{{.*}}: memref<2x8x8xf32, {{[^>]*}}>>, %{{.*}}: memref<2x8x8xf32, {{[^>]*}}>>,
// F32OUT-SAME:      %{{.*}}: memref<2x8x8xbf16>)
// F32OUT-LABEL: func.func private @block_contraction_0(
// F32OUT-SAME:      memref<16x40xf32>)
// F32OUT-LABEL: func.func @block(
// F32OUT-COUNT-4: call @block_
// F32OUT-NOT:     call @block_

#x = affine_map<(b, l, k, n) -> (b, l, k)>
#w = affine_map<(b, l, k, n) -> (k, n)>
#y = affine_map<(b, l, k, n) -> (b, l, n)>
#id2 = affine_map<(i, j) -> (i, j)>
#tr = affine_map<(i, j) -> (j, i)>
#id1 = affine_map<(i) -> (i)>
#col = affine_map<(b, l, n) -> (n)>
#id = affine_map<(b, l, n) -> (b, l, n)>
#row0 = affine_map<(b, l, n) -> (0, n)>
#row1 = affine_map<(b, l, n) -> (1, n)>
#gate = affine_map<(b, l, n) -> (b, l, n + 8)>
func.func @block(%x16: tensor<2x8x16xbf16>, %w16: tensor<40x16xbf16>, %b16: tensor<40xbf16>, %g: tensor<2x8xf32>, %bt: tensor<2x8xf32>, %pos: tensor<2x8xi32>, %count: tensor<2xi32>, %hw16: tensor<8x8xbf16>, %hb16: tensor<8xbf16>) -> tensor<2x8x8xf32> {
  // The activation and the weights extended (as seqboat-compute-in-f32
  // leaves them).
  %ex = tensor.empty() : tensor<2x8x16xf32>
  %x = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%x16 : tensor<2x8x16xbf16>) outs(%ex : tensor<2x8x16xf32>) {
  ^bb0(%a: bf16, %o: f32):
    %e = arith.extf %a : bf16 to f32
    linalg.yield %e : f32
  } -> tensor<2x8x16xf32>
  %ew = tensor.empty() : tensor<40x16xf32>
  %w = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%w16 : tensor<40x16xbf16>) outs(%ew : tensor<40x16xf32>) {
  ^bb0(%a: bf16, %o: f32):
    %e = arith.extf %a : bf16 to f32
    linalg.yield %e : f32
  } -> tensor<40x16xf32>
  %eb = tensor.empty() : tensor<40xf32>
  %b = linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]} ins(%b16 : tensor<40xbf16>) outs(%eb : tensor<40xf32>) {
  ^bb0(%a: bf16, %o: f32):
    %e = arith.extf %a : bf16 to f32
    linalg.yield %e : f32
  } -> tensor<40xf32>
  // silu(x · Wᵀ + b), as seqboat-decompose writes a projection.
  %ewt = tensor.empty() : tensor<16x40xf32>
  %wt = linalg.generic {indexing_maps = [#tr, #id2], iterator_types = ["parallel", "parallel"]} ins(%w : tensor<40x16xf32>) outs(%ewt : tensor<16x40xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<16x40xf32>
  %eacc = tensor.empty() : tensor<2x8x40xf32>
  %acc = linalg.generic {indexing_maps = [#col, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%b : tensor<40xf32>) outs(%eacc : tensor<2x8x40xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<2x8x40xf32>
  %p = linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "parallel", "reduction", "parallel"]} ins(%x, %wt : tensor<2x8x16xf32>, tensor<16x40xf32>) outs(%acc : tensor<2x8x40xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %m = arith.mulf %a, %c : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x8x40xf32>
  %es = tensor.empty() : tensor<2x8x40xf32>
  %base = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%p : tensor<2x8x40xf32>) outs(%es : tensor<2x8x40xf32>) {
  ^bb0(%a: f32, %o: f32):
    %one = arith.constant 1.0 : f32
    %n = arith.negf %a : f32
    %ex2 = math.exp %n : f32
    %d = arith.addf %one, %ex2 : f32
    %sg = arith.divf %one, %d : f32
    %r = arith.mulf %a, %sg : f32
    linalg.yield %r : f32
  } -> tensor<2x8x40xf32>
  // z, (r,) v; q and k affine in z.
  %z = tensor.extract_slice %base[0, 0, 0] [2, 8, 8] [1, 1, 1] : tensor<2x8x40xf32> to tensor<2x8x8xf32>
  %v = tensor.extract_slice %base[0, 0, 32] [2, 8, 8] [1, 1, 1] : tensor<2x8x40xf32> to tensor<2x8x8xf32>
  %eq = tensor.empty() : tensor<2x8x8xf32>
  %q = linalg.generic {indexing_maps = [#id, #row0, #row0, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%z, %g, %bt : tensor<2x8x8xf32>, tensor<2x8xf32>, tensor<2x8xf32>) outs(%eq : tensor<2x8x8xf32>) {
  ^bb0(%a: f32, %c: f32, %d: f32, %o: f32):
    %m = arith.mulf %a, %c : f32
    %s = arith.addf %m, %d : f32
    linalg.yield %s : f32
  } -> tensor<2x8x8xf32>
  %ek = tensor.empty() : tensor<2x8x8xf32>
  %k = linalg.generic {indexing_maps = [#id, #row1, #row1, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%z, %g, %bt : tensor<2x8x8xf32>, tensor<2x8xf32>, tensor<2x8xf32>) outs(%ek : tensor<2x8x8xf32>) {
  ^bb0(%a: f32, %c: f32, %d: f32, %o: f32):
    %m = arith.mulf %a, %c : f32
    %s = arith.addf %m, %d : f32
    linalg.yield %s : f32
  } -> tensor<2x8x8xf32>
  %att = "seqboat.local_attention"(%q, %k, %v, %pos, %count) <{activation = #seqboat.activation<softmax>, bidirectional = true, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 0>, window = 4 : i64}> : (tensor<2x8x8xf32>, tensor<2x8x8xf32>, tensor<2x8x8xf32>, tensor<2x8xi32>, tensor<2xi32>) -> tensor<2x8x8xf32>
  // Gated by r = base[..., 8:16].
  %eo = tensor.empty() : tensor<2x8x8xf32>
  %o = linalg.generic {indexing_maps = [#id, #gate, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%att, %base : tensor<2x8x8xf32>, tensor<2x8x40xf32>) outs(%eo : tensor<2x8x8xf32>) {
  ^bb0(%a: f32, %c: f32, %out: f32):
    %m = arith.mulf %a, %c : f32
    linalg.yield %m : f32
  } -> tensor<2x8x8xf32>
  // The h-like projection of the gated output.
  %ehw = tensor.empty() : tensor<8x8xf32>
  %hw = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%hw16 : tensor<8x8xbf16>) outs(%ehw : tensor<8x8xf32>) {
  ^bb0(%a: bf16, %out: f32):
    %e = arith.extf %a : bf16 to f32
    linalg.yield %e : f32
  } -> tensor<8x8xf32>
  %ehb = tensor.empty() : tensor<8xf32>
  %hb = linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]} ins(%hb16 : tensor<8xbf16>) outs(%ehb : tensor<8xf32>) {
  ^bb0(%a: bf16, %out: f32):
    %e = arith.extf %a : bf16 to f32
    linalg.yield %e : f32
  } -> tensor<8xf32>
  %ehwt = tensor.empty() : tensor<8x8xf32>
  %hwt = linalg.generic {indexing_maps = [#tr, #id2], iterator_types = ["parallel", "parallel"]} ins(%hw : tensor<8x8xf32>) outs(%ehwt : tensor<8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    linalg.yield %a : f32
  } -> tensor<8x8xf32>
  %ehacc = tensor.empty() : tensor<2x8x8xf32>
  %hacc = linalg.generic {indexing_maps = [#col, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%hb : tensor<8xf32>) outs(%ehacc : tensor<2x8x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    linalg.yield %a : f32
  } -> tensor<2x8x8xf32>
  %h = linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "parallel", "reduction", "parallel"]} ins(%o, %hwt : tensor<2x8x8xf32>, tensor<8x8xf32>) outs(%hacc : tensor<2x8x8xf32>) {
  ^bb0(%a: f32, %c: f32, %out: f32):
    %m = arith.mulf %a, %c : f32
    %s = arith.addf %out, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x8x8xf32>
  return %h : tensor<2x8x8xf32>
}
