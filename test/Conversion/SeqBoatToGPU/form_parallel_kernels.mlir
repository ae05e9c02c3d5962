// RUN: seqboat-opt %s --seqboat-form-kernels --split-input-file | FileCheck %s
// RUN: seqboat-opt %s --seqboat-form-kernels --seqboat-apply-strategies=target=cpu --split-input-file | FileCheck %s --check-prefix=TILED

// Every linalg op outside a contraction kernel is a parallel kernel. The
// short convolution: the pad becomes a gather-style generic (reading x
// through tensor.extract), which only moves data and is fused into the
// conv's kernel although the conv reads it through t + j (each thread
// gathers its window of taps); the bias broadcast producing the conv's init
// is fused too. One kernel, reading w, b and x once.

#w  = affine_map<(b, t, d, j) -> (d, j)>
#x  = affine_map<(b, t, d, j) -> (b, t + j, d)>
#o  = affine_map<(b, t, d, j) -> (b, t, d)>
#bb = affine_map<(b, t, d) -> (d)>
#id = affine_map<(b, t, d) -> (b, t, d)>

// CHECK-LABEL: func.func private @short_conv_parallel_0(
// CHECK-SAME:      memref<16x4xf32, strided<[?, 1], offset: ?>>, %{{.*}}: memref<16xf32, strided<[1], offset: ?>>, %[[X:.*]]: memref<2x64x16xf32, strided<[?, ?, 1], offset: ?>>, %[[OUT:.*]]: memref<2x64x16xf32>)
// CHECK-SAME:      seqboat.kernel_kind = "parallel"
// CHECK:         %[[XT:.*]] = bufferization.to_tensor %[[X]] restrict
// CHECK:         %[[PAD:.*]] = linalg.generic
// CHECK:           linalg.index
// CHECK:           tensor.extract %[[XT]]
// CHECK:           arith.select
// CHECK:         } -> tensor<2x67x16xf32>
// CHECK:         %[[BIAS:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<16xf32>)
// CHECK:         linalg.generic {{.*}} ins(%{{.*}}, %[[PAD]] : tensor<16x4xf32>, tensor<2x67x16xf32>) outs(%[[BIAS]] : tensor<2x64x16xf32>)
// CHECK:         bufferization.materialize_in_destination {{.*}} in restrict writable %[[OUT]]
// CHECK-LABEL: func.func @short_conv(
// CHECK-NOT:     linalg.
// CHECK-NOT:     tensor.pad
// CHECK:         call @short_conv_parallel_0(
// CHECK-NOT:     call @short_conv_parallel_1(
// CHECK-NOT:     linalg.

// The kernel tiled: (B, T, D) = (2, 64, 16) on blocks of 8x16 (D and T
// innermost), one thread per point; each thread computes its bias, then
// runs the tap reduction in order (a loop tiled by one tap), gathering each
// tap of the padded x as it goes: one element, not a tile of taps in local
// memory; no copies are left.
// TILED-LABEL: func.func private @short_conv_parallel_0(
// TILED:         scf.forall (%{{.*}}, %{{.*}}, %{{.*}}) in (2, 8, 1)
// TILED:           scf.forall (%{{.*}}, %{{.*}}) in (8, 16)
// TILED:             linalg.generic {{.*}} ins(%{{.*}} : memref<1xf32, {{.*}}>)
// TILED:             scf.for
// TILED:               %[[TAP:.*]] = memref.alloc() {{.*}} : memref<1x1x1xf32>
// TILED:               linalg.generic {{.*}} outs(%[[TAP]] : memref<1x1x1xf32>)
// TILED:                 memref.load
// TILED:               linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]{{.*}}ins(%{{.*}}, %[[TAP]] :
// TILED-NOT:         memref.copy
// TILED:           } {mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]}
// TILED:         } {mapping = [#gpu.block<z>, #gpu.block<y>, #gpu.block<x>]}
func.func @short_conv(%x: tensor<2x64x16xf32>, %w: tensor<16x4xf32>, %b: tensor<16xf32>) -> tensor<2x64x16xf32> {
  %zero = arith.constant 0.0 : f32
  %xp = tensor.pad %x low[0, 3, 0] high[0, 0, 0] {
  ^bb0(%i: index, %j: index, %k: index):
    tensor.yield %zero : f32
  } : tensor<2x64x16xf32> to tensor<2x67x16xf32>
  %e = tensor.empty() : tensor<2x64x16xf32>
  %bias = linalg.generic {indexing_maps = [#bb, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%b : tensor<16xf32>) outs(%e : tensor<2x64x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<2x64x16xf32>
  %y = linalg.generic {indexing_maps = [#w, #x, #o], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%w, %xp : tensor<16x4xf32>, tensor<2x67x16xf32>) outs(%bias : tensor<2x64x16xf32>) {
  ^bb0(%a: f32, %c: f32, %acc: f32):
    %m = arith.mulf %a, %c : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x64x16xf32>
  return %y : tensor<2x64x16xf32>
}

// -----

// Two results (the router's gate and mask) are two output arguments; a body
// capturing a runtime scalar is not formed (and has no GPU strategy yet).

#u0 = affine_map<(b, t) -> (b, t, 0)>
#u1 = affine_map<(b, t) -> (b, t, 1)>
#id = affine_map<(b, t) -> (b, t)>

// CHECK-LABEL: func.func private @two_results_parallel_0(
// CHECK-SAME:      memref<2x8x2xf32, strided<[?, ?, 1], offset: ?>>, %{{.*}}: memref<2x8xf32>, %{{.*}}: memref<2x8xi1>)
// CHECK-COUNT-2: bufferization.materialize_in_destination
// CHECK-LABEL: func.func @two_results(
// CHECK:         %[[G:.*]] = memref.alloc() : memref<2x8xf32>
// CHECK:         %[[A:.*]] = memref.alloc() : memref<2x8xi1>
// CHECK:         call @two_results_parallel_0(%{{.*}}, %[[G]], %[[A]])
func.func @two_results(%u: tensor<2x8x2xf32>) -> (tensor<2x8xf32>, tensor<2x8xi1>) {
  %e0 = tensor.empty() : tensor<2x8xf32>
  %e1 = tensor.empty() : tensor<2x8xi1>
  %r:2 = linalg.generic {indexing_maps = [#u0, #u1, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%u, %u : tensor<2x8x2xf32>, tensor<2x8x2xf32>) outs(%e0, %e1 : tensor<2x8xf32>, tensor<2x8xi1>) {
  ^bb0(%a: f32, %c: f32, %o0: f32, %o1: i1):
    %m = arith.maximumf %a, %c : f32
    %g = arith.cmpf ogt, %c, %a : f32
    linalg.yield %m, %g : f32, i1
  } -> (tensor<2x8xf32>, tensor<2x8xi1>)
  return %r#0, %r#1 : tensor<2x8xf32>, tensor<2x8xi1>
}

// CHECK-LABEL: func.func @runtime_scalar(
// CHECK:         linalg.generic
func.func @runtime_scalar(%u: tensor<2x8xf32>, %s: f32) -> tensor<2x8xf32> {
  %e = tensor.empty() : tensor<2x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%u : tensor<2x8xf32>) outs(%e : tensor<2x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %s : f32
    linalg.yield %m : f32
  } -> tensor<2x8xf32>
  return %r : tensor<2x8xf32>
}

// A runtime scalar held in a 0-d tensor (a decay operand) is passed as that
// tensor and extracted inside the kernel.
// CHECK-LABEL: func.func private @tensor_scalar_parallel_0(
// CHECK-SAME:      %[[S:.*]]: memref<f32, strided<[], offset: ?>>, %{{.*}}: memref<2x8xf32, strided<[?, 1], offset: ?>>, %{{.*}}: memref<2x8xf32>)
// CHECK:         %[[ST:.*]] = bufferization.to_tensor %[[S]]
// CHECK:         tensor.extract %[[ST]][]
// CHECK-LABEL: func.func @tensor_scalar(
// CHECK-NOT:     tensor.extract
func.func @tensor_scalar(%u: tensor<2x8xf32>, %st: tensor<f32>) -> tensor<2x8xf32> {
  %s = tensor.extract %st[] : tensor<f32>
  %e = tensor.empty() : tensor<2x8xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%u : tensor<2x8xf32>) outs(%e : tensor<2x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %s : f32
    linalg.yield %m : f32
  } -> tensor<2x8xf32>
  return %r : tensor<2x8xf32>
}

// -----

// Producers read one-to-one over the consumer's parallel loops are fused
// into its kernel: the row mean (a reduction over d) into the row-wise
// scale, and that into the row-wise sum of squares; a statistic read
// broadcast along d but also used elsewhere (returned here) is not fused
// into the reader (it would be computed twice), and a producer with two
// users is not fused either.
#x3   = affine_map<(b, t, d) -> (b, t, d)>
#row3 = affine_map<(b, t, d) -> (b, t)>
#row2 = affine_map<(b, t) -> (b, t)>

// CHECK-LABEL: func.func private @stats_parallel_0(
// CHECK-SAME:      %{{.*}}: memref<2x8x16xf32, strided<[?, ?, 1], offset: ?>>, %{{.*}}: memref<2x8xf32>)
// CHECK:         linalg.fill
// CHECK:         %[[SUM:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK:         %[[MEAN:.*]] = linalg.generic {{.*}}ins(%[[SUM]] : tensor<2x8xf32>)
// CHECK:         linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]{{.*}}ins(%{{.*}}, %[[MEAN]] : tensor<2x8x16xf32>, tensor<2x8xf32>)
// CHECK-LABEL: func.func private @stats_parallel_1(
// CHECK-SAME:      %{{.*}}: memref<2x8x16xf32, strided<[?, ?, 1], offset: ?>>, %{{.*}}: memref<2x8xf32, strided<[?, 1], offset: ?>>, %{{.*}}: memref<2x8x16xf32>)
// CHECK-NOT:     ["parallel", "parallel", "reduction"]
// CHECK-LABEL: func.func private @stats_parallel_2(
// CHECK-LABEL: func.func @stats(
// CHECK-COUNT-3: call @stats_parallel_
// The fused producers are computed per thread, on that thread's row:
// TILED-LABEL: func.func private @stats_parallel_0(
// TILED:         scf.forall
// TILED:           scf.forall (%{{.*}}, %{{.*}}) in (2, 8) {
// TILED:             linalg.generic {{.*}}["parallel", "parallel", "reduction"]{{.*}}ins(%{{.*}} : memref<1x1x16xf32
// TILED:             linalg.generic {{.*}}ins(%{{.*}} : memref<1x1xf32>)
// TILED:             linalg.generic {{.*}}["parallel", "parallel", "reduction"]{{.*}}ins(%{{.*}}, %{{.*}} : memref<1x1x16xf32, {{.*}}>, memref<1x1xf32>)
// TILED:           } {mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]}
// CHECK-NOT:     linalg.
func.func @stats(%x: tensor<2x8x16xf32>) -> (tensor<2x8xf32>, tensor<2x8x16xf32>, tensor<2x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %n = arith.constant 16.0 : f32
  %e2 = tensor.empty() : tensor<2x8xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e2 : tensor<2x8xf32>) -> tensor<2x8xf32>
  %sum = linalg.generic {indexing_maps = [#x3, #row3], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x : tensor<2x8x16xf32>) outs(%acc : tensor<2x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<2x8xf32>
  %mean = linalg.generic {indexing_maps = [#row2, #row2], iterator_types = ["parallel", "parallel"]}
      ins(%sum : tensor<2x8xf32>) outs(%e2 : tensor<2x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.divf %a, %n : f32
    linalg.yield %m : f32
  } -> tensor<2x8xf32>
  %acc2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<2x8xf32>) -> tensor<2x8xf32>
  %sq = linalg.generic {indexing_maps = [#x3, #row3, #row3], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %mean : tensor<2x8x16xf32>, tensor<2x8xf32>) outs(%acc2 : tensor<2x8xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %c = arith.subf %a, %m : f32
    %c2 = arith.mulf %c, %c : f32
    %s = arith.addf %c2, %o : f32
    linalg.yield %s : f32
  } -> tensor<2x8xf32>
  // Broadcast along d: not fused.
  %e3 = tensor.empty() : tensor<2x8x16xf32>
  %centred = linalg.generic {indexing_maps = [#x3, #row3, #x3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %sq : tensor<2x8x16xf32>, tensor<2x8xf32>) outs(%e3 : tensor<2x8x16xf32>) {
  ^bb0(%a: f32, %v: f32, %o: f32):
    %r = arith.divf %a, %v : f32
    linalg.yield %r : f32
  } -> tensor<2x8x16xf32>
  // Two users of %sq: its kernel computes it once.
  %twice = linalg.generic {indexing_maps = [#row2, #row2], iterator_types = ["parallel", "parallel"]}
      ins(%sq : tensor<2x8xf32>) outs(%e2 : tensor<2x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %a, %a : f32
    linalg.yield %r : f32
  } -> tensor<2x8xf32>
  return %sq, %centred, %twice : tensor<2x8xf32>, tensor<2x8x16xf32>, tensor<2x8xf32>
}

// -----

// A norm: the row statistics (sum, mean, centred square sum, variance), read
// broadcast along d by the normalisation and used nowhere else, are fused
// into its kernel (row statistics), and the strategy gives each thread whole
// rows, so each statistic is computed once, by the thread normalising the
// row: one kernel instead of three.
#x3   = affine_map<(b, t, d) -> (b, t, d)>
#row3 = affine_map<(b, t, d) -> (b, t)>
#row2 = affine_map<(b, t) -> (b, t)>

// CHECK-LABEL: func.func private @norm_parallel_0(
// CHECK-SAME:      %{{.*}}: memref<2x8x16xf32, strided<[?, ?, 1], offset: ?>>, %{{.*}}: memref<2x8x16xf32>)
// CHECK:         %[[SUM:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]
// CHECK:         %[[MEAN:.*]] = linalg.generic {{.*}}ins(%[[SUM]] : tensor<2x8xf32>)
// CHECK:         %[[SQ:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]{{.*}}ins(%{{.*}}, %[[MEAN]] :
// CHECK:         %[[VAR:.*]] = linalg.generic {{.*}}ins(%[[SQ]] : tensor<2x8xf32>)
// CHECK:         linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel"]{{.*}}ins(%{{.*}}, %[[MEAN]], %[[VAR]] :
// CHECK-LABEL: func.func @norm(
// CHECK-COUNT-1: call @norm_parallel_
// CHECK-NOT:     call
// A thread per row (b, t), the whole row of 16 in it:
// TILED-LABEL: func.func private @norm_parallel_0(
// TILED:         scf.forall
// TILED:           scf.forall (%{{.*}}, %{{.*}}) in (2, 8) {
// TILED:             linalg.generic {{.*}}["parallel", "parallel", "reduction"]{{.*}}ins(%{{.*}} : memref<1x1x16xf32
// TILED:             linalg.generic {{.*}}["parallel", "parallel", "parallel"]{{.*}}outs(%{{.*}} : memref<1x1x16xf32
// TILED:           } {mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]}
func.func @norm(%x: tensor<2x8x16xf32>) -> tensor<2x8x16xf32> {
  %zero = arith.constant 0.0 : f32
  %n = arith.constant 16.0 : f32
  %eps = arith.constant 1.0e-5 : f32
  %e2 = tensor.empty() : tensor<2x8xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e2 : tensor<2x8xf32>) -> tensor<2x8xf32>
  %sum = linalg.generic {indexing_maps = [#x3, #row3], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x : tensor<2x8x16xf32>) outs(%acc : tensor<2x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %a, %o : f32
    linalg.yield %s : f32
  } -> tensor<2x8xf32>
  %mean = linalg.generic {indexing_maps = [#row2, #row2], iterator_types = ["parallel", "parallel"]}
      ins(%sum : tensor<2x8xf32>) outs(%e2 : tensor<2x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.divf %a, %n : f32
    linalg.yield %m : f32
  } -> tensor<2x8xf32>
  %acc2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<2x8xf32>) -> tensor<2x8xf32>
  %sq = linalg.generic {indexing_maps = [#x3, #row3, #row3], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %mean : tensor<2x8x16xf32>, tensor<2x8xf32>) outs(%acc2 : tensor<2x8xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %c = arith.subf %a, %m : f32
    %c2 = arith.mulf %c, %c : f32
    %s = arith.addf %c2, %o : f32
    linalg.yield %s : f32
  } -> tensor<2x8xf32>
  %var = linalg.generic {indexing_maps = [#row2, #row2], iterator_types = ["parallel", "parallel"]}
      ins(%sq : tensor<2x8xf32>) outs(%e2 : tensor<2x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %v = arith.divf %a, %n : f32
    linalg.yield %v : f32
  } -> tensor<2x8xf32>
  %e3 = tensor.empty() : tensor<2x8x16xf32>
  %y = linalg.generic {indexing_maps = [#x3, #row3, #row3, #x3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %mean, %var : tensor<2x8x16xf32>, tensor<2x8xf32>, tensor<2x8xf32>) outs(%e3 : tensor<2x8x16xf32>) {
  ^bb0(%a: f32, %m: f32, %v: f32, %o: f32):
    %c = arith.subf %a, %m : f32
    %ve = arith.addf %v, %eps : f32
    %sd = math.sqrt %ve : f32
    %r = arith.divf %c, %sd : f32
    linalg.yield %r : f32
  } -> tensor<2x8x16xf32>
  return %y : tensor<2x8x16xf32>
}

// -----

// A rank-0 cheap producer (a 16-bit scalar parameter extended to f32) has no
// slice for tiling to fuse it through: it is folded into the body of the
// generic that reads it (upstream elementwise fusion), which reads the
// 16-bit scalar itself; nothing is left on the host.
// CHECK-LABEL: func.func private @scalar_param_parallel_0(
// CHECK-SAME:      %{{.*}}: memref<2x8xf32, strided<[?, 1], offset: ?>>, %{{.*}}: memref<bf16, strided<[], offset: ?>>, %{{.*}}: memref<2x8xf32>, %{{.*}}: memref<2x8xi1>)
// CHECK:         linalg.generic {{.*}}ins(%{{.*}}, %{{.*}} : tensor<2x8xf32>, tensor<bf16>)
// CHECK:           arith.extf %{{.*}} : bf16 to f32
// CHECK-LABEL: func.func @scalar_param(
// CHECK-NOT:     linalg.generic
// CHECK:         call @scalar_param_parallel_0(
#sc0 = affine_map<() -> ()>
#scb = affine_map<(b, t) -> ()>
#scid = affine_map<(b, t) -> (b, t)>
func.func @scalar_param(%lt: tensor<bf16>, %u: tensor<2x8xf32>) -> (tensor<2x8xf32>, tensor<2x8xi1>) {
  %e0 = tensor.empty() : tensor<f32>
  %c = linalg.generic {indexing_maps = [#sc0, #sc0], iterator_types = []} ins(%lt : tensor<bf16>) outs(%e0 : tensor<f32>) {
  ^bb0(%a: bf16, %o: f32):
    %x = arith.extf %a : bf16 to f32
    linalg.yield %x : f32
  } -> tensor<f32>
  %e = tensor.empty() : tensor<2x8xf32>
  %e1 = tensor.empty() : tensor<2x8xi1>
  %r:2 = linalg.generic {indexing_maps = [#scid, #scb, #scid, #scid], iterator_types = ["parallel", "parallel"]} ins(%u, %c : tensor<2x8xf32>, tensor<f32>) outs(%e, %e1 : tensor<2x8xf32>, tensor<2x8xi1>) {
  ^bb0(%a: f32, %b: f32, %o: f32, %o1: i1):
    %m = arith.mulf %a, %b : f32
    %z = arith.constant 0.0 : f32
    %p = arith.cmpf ogt, %m, %z : f32
    linalg.yield %m, %p : f32, i1
  } -> (tensor<2x8xf32>, tensor<2x8xi1>)
  return %r#0, %r#1 : tensor<2x8xf32>, tensor<2x8xi1>
}

// -----

// Cheap producers (elementwise, a few scalar ops) are recomputed by every
// kernel that reads them, through any projected permutation, instead of
// being kernels of their own: the sigmoid %s is read through a slice (the
// slice is computed from the slice of %p) and, transposed, by another
// kernel; each kernel computes its own. %q is recomputed by the small
// broadcast (8 reads per element) but not by the large one (512 reads per
// element): that one reads it from a kernel of its own.
// CHECK-LABEL: func.func private @cheap_parallel_0(
// CHECK-SAME:      memref<4x16xf32, strided<[?, 1], offset: ?>>, %{{.*}}: memref<4x4xf32, strided<[?, 1], offset: ?>>, %{{.*}}: memref<4x16xf32>)
// CHECK:         %[[S0:.*]] = linalg.generic {{.*}}ins(%{{.*}} : tensor<4x4xf32>)
// CHECK:           math.exp
// CHECK:         linalg.generic {{.*}}["parallel", "parallel", "reduction"]{{.*}}ins(%[[S0]], %{{.*}} : tensor<4x4xf32>, tensor<4x16xf32>)
// CHECK-LABEL: func.func private @cheap_parallel_1(
// CHECK-SAME:      memref<8x4xf32, strided<[?, 1], offset: ?>>, %{{.*}}: memref<4x8xf32>)
// CHECK:         %[[S1:.*]] = linalg.generic {{.*}}ins(%{{.*}} : tensor<8x4xf32>)
// CHECK:           math.exp
// CHECK:         linalg.generic {{.*}}ins(%[[S1]] : tensor<8x4xf32>) outs(%{{.*}} : tensor<4x8xf32>)
// CHECK-LABEL: func.func private @cheap_parallel_2(
// CHECK-SAME:      memref<4xf32, strided<[1], offset: ?>>, %{{.*}}: memref<4xf32>)
// CHECK:           math.exp
// CHECK-LABEL: func.func private @cheap_parallel_3(
// CHECK-SAME:      memref<4xf32, strided<[1], offset: ?>>, %{{.*}}: memref<4x8xf32>)
// CHECK:           math.exp
// CHECK-LABEL: func.func private @cheap_parallel_4(
// CHECK-SAME:      memref<4xf32, strided<[1], offset: ?>>, %{{.*}}: memref<4x512xf32>)
// CHECK-NOT:       math.exp
// Kernels are numbered (and defined) in the order the caller runs them:
// CHECK-LABEL: func.func @cheap(
// CHECK-NOT:     linalg.
// CHECK-NOT:     tensor.empty
// CHECK:         call @cheap_parallel_0(
// CHECK:         call @cheap_parallel_1(
// CHECK:         %[[Q:.*]] = memref.alloc() : memref<4xf32>
// CHECK:         call @cheap_parallel_2(%{{.*}}, %[[Q]])
// CHECK:         call @cheap_parallel_3(
// CHECK:         call @cheap_parallel_4(
// CHECK-NOT:     linalg.
// The sliced sigmoid is recomputed inside the reduction over k, one element
// per step (no tile of it in the thread's memory):
// TILED-LABEL: func.func private @cheap_parallel_0(
// TILED:         scf.forall
// TILED:           scf.forall
// TILED:             scf.for
// TILED:               math.exp
// TILED:               linalg.generic {{.*}}["parallel", "parallel", "reduction"]{{.*}}ins(%{{.*}}, %{{.*}} : memref<1x1xf32>, memref<1x1xf32
#id2 = affine_map<(i, j) -> (i, j)>
#tr2 = affine_map<(i, j) -> (j, i)>
#hk  = affine_map<(i, j, k) -> (i, k)>
#xk  = affine_map<(i, j, k) -> (k, j)>
#o3  = affine_map<(i, j, k) -> (i, j)>
#v1  = affine_map<(i, j) -> (i)>

func.func @cheap(%p: tensor<8x4xf32>, %x: tensor<4x16xf32>, %v: tensor<4xf32>)
    -> (tensor<4x16xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x512xf32>) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<8x4xf32>
  %s = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%p : tensor<8x4xf32>) outs(%e : tensor<8x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %n = arith.negf %a : f32
    %ex = math.exp %n : f32
    %d = arith.addf %ex, %one : f32
    %r = arith.divf %one, %d : f32
    linalg.yield %r : f32
  } -> tensor<8x4xf32>
  %h = tensor.extract_slice %s[0, 0] [4, 4] [1, 1] : tensor<8x4xf32> to tensor<4x4xf32>
  %e1 = tensor.empty() : tensor<4x16xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%e1 : tensor<4x16xf32>) -> tensor<4x16xf32>
  %y = linalg.generic {indexing_maps = [#hk, #xk, #o3], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%h, %x : tensor<4x4xf32>, tensor<4x16xf32>) outs(%acc : tensor<4x16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s2 = arith.addf %o, %m : f32
    linalg.yield %s2 : f32
  } -> tensor<4x16xf32>
  %e2 = tensor.empty() : tensor<4x8xf32>
  %t = linalg.generic {indexing_maps = [#tr2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%s : tensor<8x4xf32>) outs(%e2 : tensor<4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.mulf %a, %a : f32
    linalg.yield %m : f32
  } -> tensor<4x8xf32>
  %e4 = tensor.empty() : tensor<4xf32>
  %q = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]}
      ins(%v : tensor<4xf32>) outs(%e4 : tensor<4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %ex = math.exp %a : f32
    linalg.yield %ex : f32
  } -> tensor<4xf32>
  %u = linalg.generic {indexing_maps = [#v1, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%q : tensor<4xf32>) outs(%e2 : tensor<4x8xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<4x8xf32>
  %e5 = tensor.empty() : tensor<4x512xf32>
  %w = linalg.generic {indexing_maps = [#v1, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%q : tensor<4xf32>) outs(%e5 : tensor<4x512xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<4x512xf32>
  return %y, %t, %u, %w : tensor<4x16xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x512xf32>
}
