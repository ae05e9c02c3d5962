// The host strategy on bufferized contractions: the projection layout
// (k-major right operand, batch and row dimensions) is tiled into blocks and
// register tiles and becomes vector FMAs with the accumulators carried across
// the reduction; tiles divide shapes that are not powers of two; what the
// strategy does not take (kernel functions, a weight with another layout)
// stays a linalg op, or, when its operands are contiguous along one parallel
// loop, goes to the row strategy (vectors along that loop).
// The register tile's default depends on the host's vectors: fixed here.
// RUN: seqboat-opt %s --seqboat-apply-host-strategies="reg-m=8 reg-n=32" | FileCheck %s
// RUN: seqboat-opt %s --seqboat-apply-host-strategies | FileCheck %s --check-prefix=HOST
// RUN: seqboat-opt %s --seqboat-apply-host-strategies="tile-m=16 tile-n=64 reg-m=4 reg-n=16 tile-k=4" | FileCheck %s --check-prefix=SMALL
// RUN: not seqboat-opt %s --seqboat-apply-host-strategies="tile-k=0" 2>&1 | FileCheck %s --check-prefix=ZERO
// RUN: not seqboat-opt %s --seqboat-apply-host-strategies="reg-n=-8" 2>&1 | FileCheck %s --check-prefix=NEG
// RUN: not seqboat-opt %s --seqboat-apply-host-strategies="library=%t.missing" 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not seqboat-opt %s --seqboat-apply-host-strategies="library=%S/Inputs/no_host_entry.mlir" 2>&1 | FileCheck %s --check-prefix=ENTRY

#proj_a = affine_map<(b, l, k, n) -> (b, l, k)>
#proj_w = affine_map<(b, l, k, n) -> (k, n)>
#proj_c = affine_map<(b, l, k, n) -> (b, l, n)>

// 18 columns: the 16 that the host's vectors divide (16, 8 or 4 lanes) on
// their own register tiles, the other 2 a contraction of their own.
// CHECK-LABEL: func.func @projection
// CHECK-NOT:     linalg.generic
// CHECK:         scf.forall
// CHECK:         scf.for {{.*}} iter_args
// CHECK-DAG:       vector.fma {{.*}} : vector<16xf32>
// CHECK-DAG:       vector.transfer_read %{{.*}}[%{{.*}}, %c16]{{.*}} : memref<12x18xf32>, vector<6x2xf32>
// CHECK-DAG:       vector.fma {{.*}} : vector<2xf32>
// CHECK-NOT:     linalg.generic
// CHECK:         return
// SMALL-LABEL: func.func @projection
// SMALL-DAG:     vector.fma {{.*}} : vector<16xf32>
// SMALL-DAG:     vector.fma {{.*}} : vector<2xf32>
func.func @projection(%x: memref<2x37x12xf32>, %w: memref<12x18xf32>,
                      %y: memref<2x37x18xf32>) {
  linalg.generic {indexing_maps = [#proj_a, #proj_w, #proj_c],
                  iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%x, %w : memref<2x37x12xf32>, memref<12x18xf32>) outs(%y : memref<2x37x18xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  }
  return
}

// A tile of a larger buffer (strided views with contiguous rows, as
// seqboat-bound-by-count's blocks are after bufferization) is taken too; a
// view whose innermost stride is not 1 is not.
// CHECK-LABEL: func.func @strided_tile
// CHECK-NOT:     linalg.generic
// CHECK-DAG:     vector.fma {{.*}} : vector<16xf32>
// CHECK-DAG:     vector.fma {{.*}} : vector<2xf32>
// CHECK:         return
func.func @strided_tile(%x: memref<1x32x12xf32, strided<[4800, 12, 1], offset: ?>>, %w: memref<12x18xf32>,
                        %y: memref<1x32x18xf32, strided<[7200, 18, 1], offset: ?>>) {
  linalg.generic {indexing_maps = [#proj_a, #proj_w, #proj_c],
                  iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%x, %w : memref<1x32x12xf32, strided<[4800, 12, 1], offset: ?>>, memref<12x18xf32>)
      outs(%y : memref<1x32x18xf32, strided<[7200, 18, 1], offset: ?>>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  }
  return
}

// CHECK-LABEL: func.func @column_stride
// CHECK:         linalg.generic
func.func @column_stride(%x: memref<1x32x12xf32>, %w: memref<12x18xf32, strided<[1, 12]>>,
                         %y: memref<1x32x18xf32>) {
  linalg.generic {indexing_maps = [#proj_a, #proj_w, #proj_c],
                  iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%x, %w : memref<1x32x12xf32>, memref<12x18xf32, strided<[1, 12]>>) outs(%y : memref<1x32x18xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  }
  return
}

// CHECK-LABEL: func.func @matmul
// CHECK:         vector.fma {{.*}} : vector<32xf32>
// CHECK-NOT:     linalg.matmul
func.func @matmul(%a: memref<64x40xf32>, %b: memref<40x96xf32>, %c: memref<64x96xf32>) {
  linalg.matmul ins(%a, %b : memref<64x40xf32>, memref<40x96xf32>) outs(%c : memref<64x96xf32>)
  return
}

// nn.Linear's W[N, K] is packed to W^T[K, N] first (a transpose into a
// buffer freed after the contraction).
// CHECK-LABEL: func.func @linear_nk
// CHECK:         %[[P:.*]] = memref.alloc() : memref<40x96xf32>
// CHECK:         linalg.transpose ins(%{{.*}} : memref<96x40xf32>) outs(%[[P]] : memref<40x96xf32>) permutation = [1, 0]
// CHECK:         vector.fma {{.*}} : vector<32xf32>
// CHECK:         memref.dealloc %[[P]]
// CHECK:         return
func.func @linear_nk(%x: memref<64x40xf32>, %w: memref<96x40xf32>, %y: memref<64x96xf32>) {
  linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>,
                                 affine_map<(m, n, k) -> (n, k)>,
                                 affine_map<(m, n, k) -> (m, n)>]
      ins(%x, %w : memref<64x40xf32>, memref<96x40xf32>) outs(%y : memref<64x96xf32>)
  return
}

// CHECK-LABEL: func.func @kernel
// CHECK:         linalg.matmul
// CHECK-NOT:     vector.fma
func.func @kernel(%a: memref<64x40xf32>, %b: memref<40x96xf32>, %c: memref<64x96xf32>)
    attributes {seqboat.kernel_kind = "contraction"} {
  linalg.matmul ins(%a, %b : memref<64x40xf32>, memref<40x96xf32>) outs(%c : memref<64x96xf32>)
  return
}

// Row strategy: elementwise in vectors of 16 lanes (the largest divisor of
// 48 up to row-vector) along the contiguous loop, a broadcast operand
// included.
// CHECK-LABEL: func.func @elementwise
// CHECK-NOT:     linalg.generic
// CHECK:         arith.mulf {{.*}} : vector<16xf32>
// CHECK-NOT:     linalg.generic
// CHECK:         return
func.func @elementwise(%x: memref<2x37x48xf32>, %g: memref<48xf32>, %y: memref<2x37x48xf32>) {
  linalg.generic {indexing_maps = [affine_map<(b, l, d) -> (b, l, d)>, affine_map<(b, l, d) -> (d)>,
                                   affine_map<(b, l, d) -> (b, l, d)>],
                  iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %g : memref<2x37x48xf32>, memref<48xf32>) outs(%y : memref<2x37x48xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    linalg.yield %m : f32
  }
  return
}

// A per-channel product with a short reduction (the EMA's intra-chunk
// Toeplitz product): reduced across vector registers.
// CHECK-LABEL: func.func @per_channel
// CHECK-NOT:     linalg.generic
// CHECK:         arith.addf {{.*}} : vector<8xf32>
// CHECK:         return
func.func @per_channel(%t: memref<16x16x8xf32>, %x: memref<2x16x8xf32>, %y: memref<2x16x8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(b, i, j, d) -> (i, j, d)>, affine_map<(b, i, j, d) -> (b, j, d)>,
                                   affine_map<(b, i, j, d) -> (b, i, d)>],
                  iterator_types = ["parallel", "parallel", "reduction", "parallel"]}
      ins(%t, %x : memref<16x16x8xf32>, memref<2x16x8xf32>) outs(%y : memref<2x16x8xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  }
  return
}

// Left as loops: a reduction longer than max-row-reduction, a transpose
// (no loop contiguous in every operand) and rows of fewer than 4 lanes.
// An input that does not vary along the vector loop is broadcast across
// the lanes: a LayerNorm's row statistics (mean, variance per token).
// CHECK-LABEL: func.func @row_broadcast
// CHECK-NOT:     linalg.generic
// CHECK:         vector.broadcast {{.*}} : f32 to vector<16xf32>
// CHECK:         arith.divf {{.*}} : vector<16xf32>
// CHECK-NOT:     linalg.generic
// CHECK:         return
func.func @row_broadcast(%x: memref<2x37x48xf32>, %mean: memref<2x37xf32>, %var: memref<2x37xf32>,
                         %y: memref<2x37x48xf32>) {
  linalg.generic {indexing_maps = [affine_map<(b, l, d) -> (b, l, d)>, affine_map<(b, l, d) -> (b, l)>,
                                   affine_map<(b, l, d) -> (b, l)>, affine_map<(b, l, d) -> (b, l, d)>],
                  iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %mean, %var : memref<2x37x48xf32>, memref<2x37xf32>, memref<2x37xf32>)
      outs(%y : memref<2x37x48xf32>) {
  ^bb0(%a: f32, %m: f32, %v: f32, %c: f32):
    %d = arith.subf %a, %m : f32
    %r = arith.divf %d, %v : f32
    linalg.yield %r : f32
  }
  return
}

// A reduction of extent 1 (the EMA weights at N = 1) stays a loop nest.
// CHECK-LABEL: func.func @unit_reduction
// CHECK:         linalg.generic
func.func @unit_reduction(%a: memref<16x1xf32>, %b: memref<16x1xf32>, %c: memref<16x1xf32>, %o: memref<16x32xf32>) {
  %cst = arith.constant 1.0 : f32
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b, %c : memref<16x1xf32>, memref<16x1xf32>, memref<16x1xf32>) outs(%o : memref<16x32xf32>) {
    ^bb0(%in: f32, %in_38: f32, %in_39: f32, %out: f32):
      %6 = arith.mulf %in, %in_38 : f32
      %7 = linalg.index 1 : index
      %8 = arith.index_cast %7 : index to i64
      %9 = arith.sitofp %8 : i64 to f32
      %10 = arith.addf %9, %cst : f32
      %11 = math.powf %in_39, %10 : f32
      %12 = arith.mulf %6, %11 : f32
      %13 = arith.addf %out, %12 : f32
      linalg.yield %13 : f32
  }
  return
}

// CHECK-LABEL: func.func @left
// CHECK-COUNT-3: linalg.generic
// CHECK-NOT:     vector.
func.func @left(%x: memref<128x16xf32>, %s: memref<16xf32>, %t: memref<16x128xf32>,
                %n: memref<40x3xf32>, %m: memref<40x3xf32>) {
  linalg.generic {indexing_maps = [affine_map<(r, d) -> (r, d)>, affine_map<(r, d) -> (d)>],
                  iterator_types = ["reduction", "parallel"]}
      ins(%x : memref<128x16xf32>) outs(%s : memref<16xf32>) {
  ^bb0(%a: f32, %c: f32):
    %r = arith.addf %a, %c : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [affine_map<(r, d) -> (r, d)>, affine_map<(r, d) -> (d, r)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<128x16xf32>) outs(%t : memref<16x128xf32>) {
  ^bb0(%a: f32, %c: f32):
    linalg.yield %a : f32
  }
  linalg.generic {indexing_maps = [affine_map<(r, d) -> (r, d)>, affine_map<(r, d) -> (r, d)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%n : memref<40x3xf32>) outs(%m : memref<40x3xf32>) {
  ^bb0(%a: f32, %c: f32):
    %e = math.exp %a : f32
    linalg.yield %e : f32
  }
  return
}

// HOST-LABEL: func.func @matmul
// HOST:         vector.fma
// HOST-NOT:     linalg.matmul
// HOST-LABEL: func.func @linear_nk
// ZERO: error: seqboat-apply-host-strategies: option 'tile-k' must be positive, got 0
// NEG: error: seqboat-apply-host-strategies: option 'reg-n' must be positive (or 0: from the host CPU), got -8
// MISSING: seqboat-apply-host-strategies: cannot load the strategy library
// ENTRY: error: strategy library '{{.*}}no_host_entry.mlir' has no named sequence @seqboat_contraction_host(root, blocks, regs, step)
