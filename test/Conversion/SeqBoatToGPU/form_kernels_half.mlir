// Contractions with 16-bit operands at formation: a 16-bit bias is read as it
// is (extended in the epilogue) whatever the precision; with autocast an f32 X
// times the extension of a 16-bit W reads W as it is and X rounded to its
// type, the rounding fused into X's producer, and a gather of X's rows reads
// the rounded rows (one rounding for both projections).
// RUN: seqboat-opt %s --seqboat-form-kernels | FileCheck %s --check-prefix=EXACT
// RUN: seqboat-opt %s --seqboat-form-kernels=autocast | FileCheck %s --check-prefix=AUTO
#id3  = affine_map<(b, t, d) -> (b, t, d)>
#id   = affine_map<(m, n) -> (m, n)>
#row  = affine_map<(b, t, d) -> (b, t)>
#bias = affine_map<(m, n) -> (n)>
#mA   = affine_map<(m, n, k) -> (m, k)>
#mW   = affine_map<(m, n, k) -> (n, k)>
#mC   = affine_map<(m, n, k) -> (m, n)>
#v1   = affine_map<(n) -> (n)>
func.func @proj(%x: tensor<2x64x32xf32>, %pos: tensor<2x64xi32>,
                %w16: tensor<64x32xbf16>, %b16: tensor<64xbf16>,
                %v16: tensor<64x32xbf16>, %c16: tensor<64xbf16>)
    -> (tensor<128x64xf32>, tensor<128x64xf32>) {
  %zero = arith.constant 0.0 : f32
  // X = silu(x), read by the first projection and gathered for the second.
  %e3 = tensor.empty() : tensor<2x64x32xf32>
  %a = linalg.generic {indexing_maps = [#id3, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x : tensor<2x64x32xf32>) outs(%e3 : tensor<2x64x32xf32>) {
  ^bb0(%in: f32, %o: f32):
    %one = arith.constant 1.0 : f32
    %n = arith.negf %in : f32
    %ex = math.exp %n : f32
    %d = arith.addf %ex, %one : f32
    %r = arith.divf %in, %d : f32
    linalg.yield %r : f32
  } -> tensor<2x64x32xf32>
  // The weights and biases extended to f32 (what seqboat-compute-in-f32 writes).
  %ew = tensor.empty() : tensor<64x32xf32>
  %w = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%w16 : tensor<64x32xbf16>) outs(%ew : tensor<64x32xf32>) {
  ^bb0(%in: bf16, %o: f32):
    %f = arith.extf %in : bf16 to f32
    linalg.yield %f : f32
  } -> tensor<64x32xf32>
  %ev = tensor.empty() : tensor<64x32xf32>
  %v = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%v16 : tensor<64x32xbf16>) outs(%ev : tensor<64x32xf32>) {
  ^bb0(%in: bf16, %o: f32):
    %f = arith.extf %in : bf16 to f32
    linalg.yield %f : f32
  } -> tensor<64x32xf32>
  %eb = tensor.empty() : tensor<64xf32>
  %b = linalg.generic {indexing_maps = [#v1, #v1], iterator_types = ["parallel"]}
      ins(%b16 : tensor<64xbf16>) outs(%eb : tensor<64xf32>) {
  ^bb0(%in: bf16, %o: f32):
    %f = arith.extf %in : bf16 to f32
    linalg.yield %f : f32
  } -> tensor<64xf32>
  %ec = tensor.empty() : tensor<64xf32>
  %c = linalg.generic {indexing_maps = [#v1, #v1], iterator_types = ["parallel"]}
      ins(%c16 : tensor<64xbf16>) outs(%ec : tensor<64xf32>) {
  ^bb0(%in: bf16, %o: f32):
    %f = arith.extf %in : bf16 to f32
    linalg.yield %f : f32
  } -> tensor<64xf32>
  // Projection 1 of X's rows.
  %x1 = tensor.collapse_shape %a [[0, 1], [2]] : tensor<2x64x32xf32> into tensor<128x32xf32>
  %e2 = tensor.empty() : tensor<128x64xf32>
  %acc0 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<128x64xf32>) -> tensor<128x64xf32>
  %acc = linalg.matmul indexing_maps = [#mA, #mW, #mC]
      ins(%x1, %w : tensor<128x32xf32>, tensor<64x32xf32>) outs(%acc0 : tensor<128x64xf32>) -> tensor<128x64xf32>
  %y1 = linalg.generic {indexing_maps = [#id, #bias, #id], iterator_types = ["parallel", "parallel"]}
      ins(%acc, %b : tensor<128x64xf32>, tensor<64xf32>) outs(%e2 : tensor<128x64xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %s = arith.addf %p, %q : f32
    linalg.yield %s : f32
  } -> tensor<128x64xf32>
  // Projection 2 of the rows of X at pos (0 where pos is out of range).
  %eg = tensor.empty() : tensor<2x64x32xf32>
  %g = linalg.generic {indexing_maps = [#row, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%pos : tensor<2x64xi32>) outs(%eg : tensor<2x64x32xf32>) {
  ^bb0(%p: i32, %o: f32):
    %c0 = arith.constant 0 : index
    %c0i = arith.constant 0 : i32
    %c64 = arith.constant 64 : i32
    %ge = arith.cmpi sge, %p, %c0i : i32
    %lt = arith.cmpi slt, %p, %c64 : i32
    %ok = arith.andi %ge, %lt : i1
    %pi = arith.index_cast %p : i32 to index
    %t = arith.select %ok, %pi, %c0 : index
    %bi = linalg.index 0 : index
    %di = linalg.index 2 : index
    %val = tensor.extract %a[%bi, %t, %di] : tensor<2x64x32xf32>
    %r = arith.select %ok, %val, %zero : f32
    linalg.yield %r : f32
  } -> tensor<2x64x32xf32>
  %x2 = tensor.collapse_shape %g [[0, 1], [2]] : tensor<2x64x32xf32> into tensor<128x32xf32>
  %e4 = tensor.empty() : tensor<128x64xf32>
  %acc2 = linalg.fill ins(%zero : f32) outs(%e4 : tensor<128x64xf32>) -> tensor<128x64xf32>
  %acc1 = linalg.matmul indexing_maps = [#mA, #mW, #mC]
      ins(%x2, %v : tensor<128x32xf32>, tensor<64x32xf32>) outs(%acc2 : tensor<128x64xf32>) -> tensor<128x64xf32>
  %y2 = linalg.generic {indexing_maps = [#id, #bias, #id], iterator_types = ["parallel", "parallel"]}
      ins(%acc1, %c : tensor<128x64xf32>, tensor<64xf32>) outs(%e4 : tensor<128x64xf32>) {
  ^bb0(%p: f32, %q: f32, %o: f32):
    %s = arith.addf %p, %q : f32
    linalg.yield %s : f32
  } -> tensor<128x64xf32>
  return %y1, %y2 : tensor<128x64xf32>, tensor<128x64xf32>
}

// Default: f32 X and W (the weights extended by kernels of their own), the
// biases read in bf16 and extended in the epilogues.
// EXACT-LABEL: func.func private @proj_contraction_0(
// EXACT-SAME:    memref<128x32xf32>, %{{.*}}: memref<64x32xf32>, %{{.*}}: memref<64xbf16>, %{{.*}}: memref<128x64xf32>)
// EXACT:         linalg.generic
// EXACT:           arith.extf {{.*}} : bf16 to f32
// EXACT-LABEL: func.func private @proj_contraction_1(
// EXACT-SAME:    memref<128x32xf32>, %{{.*}}: memref<64x32xf32>, %{{.*}}: memref<64xbf16>, %{{.*}}: memref<128x64xf32>)

// autocast: both projections on bf16 X and W; X's producer writes it in
// bf16, the gather moves bf16 rows; no kernel extends a weight.
// AUTO-LABEL: func.func private @proj_contraction_0(
// AUTO-SAME:    memref<128x32xbf16>, %{{.*}}: memref<64x32xbf16>, %{{.*}}: memref<64xbf16>, %{{.*}}: memref<128x64xf32>)
// AUTO:         linalg.matmul {{.*}} ins(%{{.*}}, %{{.*}} : tensor<128x32xbf16>, tensor<64x32xbf16>) outs(%{{.*}} : tensor<128x64xf32>)
// AUTO-LABEL: func.func private @proj_contraction_1(
// AUTO-SAME:    memref<128x32xbf16>, %{{.*}}: memref<64x32xbf16>, %{{.*}}: memref<64xbf16>, %{{.*}}: memref<128x64xf32>)
// AUTO-LABEL: func.func private @proj_parallel_0(
// AUTO-SAME:    memref<2x64x32xf32, {{.*}}>, %{{.*}}: memref<2x64x32xbf16>)
// AUTO:         math.exp
// AUTO:         arith.truncf {{.*}} : f32 to bf16
// AUTO-LABEL: func.func private @proj_parallel_1(
// AUTO-SAME:    memref<2x64x32xbf16, {{.*}}>, %{{.*}}: memref<2x64xi32, {{.*}}>, %{{.*}}: memref<2x64x32xbf16>)
// AUTO:         tensor.extract {{.*}} : tensor<2x64x32xbf16>
// AUTO-NOT:     arith.truncf
// AUTO-NOT:   func.func private @proj_parallel_2(
