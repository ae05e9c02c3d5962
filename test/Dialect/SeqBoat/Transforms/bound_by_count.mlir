// RUN: seqboat-opt %s --seqboat-bound-by-count --split-input-file | FileCheck %s
// RUN: seqboat-opt %s --seqboat-bound-by-count=row-block=16 --split-input-file | FileCheck %s --check-prefix=B16
// RUN: not seqboat-opt %s --seqboat-bound-by-count=row-block=0 --split-input-file 2>&1 | FileCheck %s --check-prefix=BAD

// A projection of gathered rows: rows s >= count[b] of the gather are zero,
// so only blocks of rows that start before count[b] are computed; the others
// keep the accumulator's initial value (the bias). S = 96: blocks of 48 (the
// largest divisor not above 64), or of 16.
// CHECK-LABEL: func @gathered
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<2x96x8xf32>, %[[ACT:[a-z0-9]+]]: tensor<2x96xi1>, %[[W:[a-z0-9]+]]: tensor<8x12xf32>, %[[INIT:[a-z0-9]+]]: tensor<2x96x12xf32>
// CHECK: %[[POS:.*]], %[[COUNT:.*]] = seqboat.compact_index %[[ACT]]
// CHECK: %[[G:.*]] = seqboat.gather %[[X]], %[[POS]]
// CHECK: %[[R:.*]] = scf.forall (%[[B:.*]], %[[T:.*]]) in (2, 2) shared_outs(%[[OUT:.*]] = %[[INIT]]) -> (tensor<2x96x12xf32>)
// CHECK:   %[[START:.*]] = arith.muli %[[T]], %c48
// CHECK:   %[[TILE:.*]] = tensor.extract_slice %[[OUT]][%[[B]], %[[START]], 0] [1, 48, 12] [1, 1, 1]
// CHECK:   %[[C:.*]] = tensor.extract %[[COUNT]][%[[B]]]
// CHECK:   %[[CI:.*]] = arith.index_cast %[[C]]
// CHECK:   %[[NEEDED:.*]] = arith.cmpi slt, %[[START]], %[[CI]]
// CHECK:   %[[V:.*]] = scf.if %[[NEEDED]] -> (tensor<1x48x12xf32>)
// CHECK:     %[[LHS:.*]] = tensor.extract_slice %[[G]][%[[B]], %[[START]], 0] [1, 48, 8] [1, 1, 1]
// CHECK:     %[[MM:.*]] = linalg.generic {{.*}} ins(%[[LHS]], %[[W]] : tensor<1x48x8xf32>, tensor<8x12xf32>) outs(%[[TILE]] : tensor<1x48x12xf32>)
// CHECK:     scf.yield %[[MM]]
// CHECK:   } else {
// CHECK:     scf.yield %[[TILE]]
// CHECK:   tensor.parallel_insert_slice %[[V]] into %[[OUT]][%[[B]], %[[START]], 0] [1, 48, 12] [1, 1, 1]
// CHECK: return %[[R]]
// B16: scf.forall (%{{.*}}, %{{.*}}) in (2, 6)
// B16: tensor.extract_slice %{{.*}} [1, 16, 12] [1, 1, 1]
// BAD: error: seqboat-bound-by-count: option 'row-block' must be positive, got 0
#lhs = affine_map<(b, s, k, n) -> (b, s, k)>
#rhs = affine_map<(b, s, k, n) -> (k, n)>
#out = affine_map<(b, s, k, n) -> (b, s, n)>
func.func @gathered(%x: tensor<2x96x8xf32>, %act: tensor<2x96xi1>, %w: tensor<8x12xf32>, %init: tensor<2x96x12xf32>) -> tensor<2x96x12xf32> {
  %pos, %count = seqboat.compact_index %act : tensor<2x96xi1> -> tensor<2x96xi32>, tensor<2xi32>
  %g = seqboat.gather %x, %pos : tensor<2x96x8xf32>, tensor<2x96xi32> -> tensor<2x96x8xf32>
  %r = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%g, %w : tensor<2x96x8xf32>, tensor<8x12xf32>) outs(%init : tensor<2x96x12xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x96x12xf32>
  return %r : tensor<2x96x12xf32>
}

// -----

// The attention's output (rows past count are 0) gated elementwise by r:
// still zero rows, so the h projection is bounded too.
// CHECK-LABEL: func @gated_attention
// CHECK: seqboat.local_attention
// CHECK: %[[GATED:.*]] = linalg.generic
// CHECK: scf.forall (%{{.*}}, %{{.*}}) in (2, 2)
// CHECK:   scf.if
// CHECK:     tensor.extract_slice %[[GATED]]
#id = affine_map<(b, s, h) -> (b, s, h)>
#lhs = affine_map<(b, s, k, n) -> (b, s, k)>
#rhs = affine_map<(b, s, k, n) -> (k, n)>
#out = affine_map<(b, s, k, n) -> (b, s, n)>
func.func @gated_attention(%q: tensor<2x96x4xf32>, %v: tensor<2x96x8xf32>, %pos: tensor<2x96xi32>, %count: tensor<2xi32>, %r: tensor<2x96x8xf32>, %w: tensor<8x12xf32>, %init: tensor<2x96x12xf32>) -> tensor<2x96x12xf32> {
  %o = seqboat.local_attention %q, %q, %v, %pos, %count {window = 4 : i64}
      : tensor<2x96x4xf32>, tensor<2x96x8xf32>, tensor<2x96xi32>, tensor<2xi32> -> tensor<2x96x8xf32>
  %e = tensor.empty() : tensor<2x96x8xf32>
  %gated = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%r, %o : tensor<2x96x8xf32>, tensor<2x96x8xf32>) outs(%e : tensor<2x96x8xf32>) {
  ^bb0(%a: f32, %b: f32, %x: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  } -> tensor<2x96x8xf32>
  %res = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%gated, %w : tensor<2x96x8xf32>, tensor<8x12xf32>) outs(%init : tensor<2x96x12xf32>) {
  ^bb0(%a: f32, %b: f32, %x: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %x, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x96x12xf32>
  return %res : tensor<2x96x12xf32>
}

// -----

// Left rows that are not known to be zero past count (an addition, a
// gather whose pos is not compact_index's, a query tile of the attention)
// and bodies that are not a multiply-add are left alone.
// CHECK-LABEL: func @not_bounded
// CHECK-NOT: scf.forall
// CHECK: return
#id = affine_map<(b, s, h) -> (b, s, h)>
#lhs = affine_map<(b, s, k, n) -> (b, s, k)>
#rhs = affine_map<(b, s, k, n) -> (k, n)>
#out = affine_map<(b, s, k, n) -> (b, s, n)>
func.func @not_bounded(%x: tensor<2x96x8xf32>, %pos: tensor<2x96xi32>, %act: tensor<2x96xi1>, %w: tensor<8x12xf32>, %init: tensor<2x96x12xf32>) -> (tensor<2x96x12xf32>, tensor<2x96x12xf32>, tensor<2x96x12xf32>) {
  %g = seqboat.gather %x, %pos : tensor<2x96x8xf32>, tensor<2x96xi32> -> tensor<2x96x8xf32>
  %r0 = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%g, %w : tensor<2x96x8xf32>, tensor<8x12xf32>) outs(%init : tensor<2x96x12xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x96x12xf32>
  %p, %c = seqboat.compact_index %act : tensor<2x96xi1> -> tensor<2x96xi32>, tensor<2xi32>
  %g2 = seqboat.gather %x, %p : tensor<2x96x8xf32>, tensor<2x96xi32> -> tensor<2x96x8xf32>
  %e = tensor.empty() : tensor<2x96x8xf32>
  %shifted = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%g2, %x : tensor<2x96x8xf32>, tensor<2x96x8xf32>) outs(%e : tensor<2x96x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<2x96x8xf32>
  %r1 = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%shifted, %w : tensor<2x96x8xf32>, tensor<8x12xf32>) outs(%init : tensor<2x96x12xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x96x12xf32>
  %r2 = linalg.generic {indexing_maps = [#lhs, #rhs, #out], iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%g2, %w : tensor<2x96x8xf32>, tensor<8x12xf32>) outs(%init : tensor<2x96x12xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.maximumf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x96x12xf32>
  return %r0, %r1, %r2 : tensor<2x96x12xf32>, tensor<2x96x12xf32>, tensor<2x96x12xf32>
}
