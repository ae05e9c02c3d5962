// RUN: seqboat-opt %s --convert-seqboat-to-linalg=attention-key-block=16 --split-input-file | FileCheck %s

// The attention strategy's form of a query tile computes the elementwise
// op that reads the tile (the scan kernel's epilogue, tiled with it: the
// layer's gate o·r, here rounded to bf16) in both branches of its
// "has queries" test, where the tile is written: out = epilogue(acc / l)
// with queries, epilogue(0) without. No f32 tile of the attention's own is
// left between the two (the block would hold it in shared memory: the
// epilogue's bf16 result cannot be written in place of it).

// CHECK-LABEL: func @gated
// CHECK-SAME:    %[[R:[a-z0-9]+]]: tensor<1x16x8xbf16>
// CHECK:         %[[OUT:.*]] = scf.if %{{.*}} -> (tensor<1x16x8xbf16>) {
// CHECK:           scf.for
// CHECK:           linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %[[R]] : tensor<16x8xf32>, tensor<16xf32>, tensor<1x16x8xbf16>)
// CHECK:             arith.divf
// CHECK:             arith.select
// CHECK:             arith.extf
// CHECK:             arith.mulf
// CHECK:             arith.truncf {{.*}} : f32 to bf16
// CHECK:         } else {
// CHECK:           linalg.generic {{.*}} ins(%[[R]] : tensor<1x16x8xbf16>)
// CHECK:             arith.extf
// CHECK:             arith.mulf
// CHECK:             arith.truncf {{.*}} : f32 to bf16
// CHECK:         }
// CHECK-NOT:     linalg.generic
// CHECK:         return %[[OUT]]
#id = affine_map<(b, s, f) -> (b, s, f)>
func.func @gated(%q: tensor<1x64x8xf32>, %k: tensor<1x64x8xf32>, %v: tensor<1x64x8xf32>, %pos: tensor<1x64xi32>, %count: tensor<1xi32>, %first: index, %r: tensor<1x16x8xbf16>) -> tensor<1x16x8xbf16> {
  %n = arith.constant 16 : index
  %o = seqboat.local_attention %q, %k, %v, %pos, %count queries(%first, %n) {bidirectional = true, window = 4 : i64}
      : tensor<1x64x8xf32>, tensor<1x64x8xf32>, tensor<1x64xi32>, tensor<1xi32> -> tensor<1x16x8xf32>
  %e = tensor.empty() : tensor<1x16x8xbf16>
  %g = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%o, %r : tensor<1x16x8xf32>, tensor<1x16x8xbf16>) outs(%e : tensor<1x16x8xbf16>) {
  ^bb0(%a: f32, %b: bf16, %out: bf16):
    %x = arith.extf %b : bf16 to f32
    %m = arith.mulf %a, %x : f32
    %t = arith.truncf %m : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<1x16x8xbf16>
  return %g : tensor<1x16x8xbf16>
}

// -----

// With two readers the tile is the attention's own, as without one.
// CHECK-LABEL: func @two_readers
// CHECK:         %[[OUT:.*]] = scf.if %{{.*}} -> (tensor<1x16x8xf32>) {
// CHECK:         } else {
// CHECK:           linalg.fill
// CHECK:         }
// CHECK:         linalg.generic {{.*}} ins(%[[OUT]]
// CHECK:         linalg.generic {{.*}} ins(%[[OUT]]
#id = affine_map<(b, s, f) -> (b, s, f)>
func.func @two_readers(%q: tensor<1x64x8xf32>, %k: tensor<1x64x8xf32>, %v: tensor<1x64x8xf32>, %pos: tensor<1x64xi32>, %count: tensor<1xi32>, %first: index) -> (tensor<1x16x8xf32>, tensor<1x16x8xf32>) {
  %n = arith.constant 16 : index
  %o = seqboat.local_attention %q, %k, %v, %pos, %count queries(%first, %n) {bidirectional = true, window = 4 : i64}
      : tensor<1x64x8xf32>, tensor<1x64x8xf32>, tensor<1x64xi32>, tensor<1xi32> -> tensor<1x16x8xf32>
  %e = tensor.empty() : tensor<1x16x8xf32>
  %g = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%o : tensor<1x16x8xf32>) outs(%e : tensor<1x16x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %m = arith.mulf %a, %a : f32
    linalg.yield %m : f32
  } -> tensor<1x16x8xf32>
  %h = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]} ins(%o : tensor<1x16x8xf32>) outs(%e : tensor<1x16x8xf32>) {
  ^bb0(%a: f32, %out: f32):
    %m = arith.addf %a, %a : f32
    linalg.yield %m : f32
  } -> tensor<1x16x8xf32>
  return %g, %h : tensor<1x16x8xf32>, tensor<1x16x8xf32>
}
