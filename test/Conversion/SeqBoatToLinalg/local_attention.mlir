// RUN: seqboat-opt %s --convert-seqboat-to-linalg --canonicalize --split-input-file | FileCheck %s

// Loop bounds come from count[b] and the window: inactive slots are never
// visited (the query loop runs to the clamped count, the key loop over
// [max(0, i-w), min(count, i+w+1))), and rel_bias is indexed on the fly by
// the clamped ORIGINAL position difference.

// CHECK-LABEL: func @softmax_bidirectional
// CHECK-SAME: %[[Q:[a-z0-9]+]]: tensor<2x37x8xf32>, %[[V:[a-z0-9]+]]: tensor<2x37x32xf32>, %[[POS:[a-z0-9]+]]: tensor<2x37xi32>, %[[COUNT:[a-z0-9]+]]: tensor<2xi32>, %[[RB:[a-z0-9]+]]: tensor<127xf32>
// Batch rows and blocks of query slots (at most 64, a divisor of S: here
// all 37) are the iterations of an scf.forall, each writing its own tile.
// CHECK: scf.forall (%[[B:.*]]) in (2) shared_outs(%[[OUT:.*]] = %{{.*}}) -> (tensor<2x37x32xf32>)
// CHECK:   %[[TILE:.*]] = tensor.extract_slice %[[OUT]][%[[B]], 0, 0] [1, 37, 32] [1, 1, 1]
// CHECK:   %[[C32:.*]] = tensor.extract %[[COUNT]][%[[B]]]
// CHECK:   %[[CIDX:.*]] = arith.index_cast %[[C32]]
// CHECK:   %[[LO:.*]] = arith.maxsi %[[CIDX]], %c0
// CHECK:   %[[CNT:.*]] = arith.minsi %[[LO]], %c37
// CHECK:   scf.for %[[I:.*]] = %c0 to %{{.*}} step %c1 iter_args(%{{.*}} = %[[TILE]])
// CHECK:     %[[KEND:.*]] = arith.minsi %{{.*}}, %[[CNT]] : index
// CHECK:     scf.for %{{.*}} = %{{.*}} to %[[KEND]] step %c1 iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %cst{{.*}}, %{{.*}} = %cst{{.*}}) -> (tensor<1x37x32xf32>, f32, f32)
// CHECK:       vector.transfer_read %[[Q]]{{.*}} : tensor<2x37x8xf32>, vector<16xf32>
// CHECK:       vector.fma
// CHECK:       vector.reduction <add>
// CHECK:       arith.maxsi %{{.*}}, %c-63 : index
// CHECK:       arith.minsi %{{.*}}, %c63 : index
// CHECK:       tensor.extract %[[RB]]
// CHECK:       math.exp
// CHECK:       scf.for %{{.*}} = %c0 to %c32 step %c16
// CHECK:         vector.transfer_read %[[V]]{{.*}} {in_bounds = [true]}
// CHECK:         vector.fma
// CHECK:         vector.transfer_write
// CHECK:     arith.divf {{.*}} : vector<16xf32>
// CHECK:   scf.forall.in_parallel
// CHECK:     tensor.parallel_insert_slice %{{.*}} into %[[OUT]][%[[B]], 0, 0] [1, 37, 32] [1, 1, 1]
// CHECK-NOT: seqboat.
func.func @softmax_bidirectional(%q: tensor<2x37x8xf32>, %v: tensor<2x37x32xf32>, %pos: tensor<2x37xi32>, %count: tensor<2xi32>, %rb: tensor<127xf32>) -> tensor<2x37x32xf32> {
  %o = seqboat.local_attention %q, %q, %v, %pos, %count rel_bias(%rb) {bidirectional = true, window = 4 : i64}
      : tensor<2x37x8xf32>, tensor<2x37x32xf32>, tensor<2x37xi32>, tensor<2xi32>, tensor<127xf32> -> tensor<2x37x32xf32>
  return %o : tensor<2x37x32xf32>
}

// -----

// Causal: keys end at the query itself; laplace uses erf and no
// normalisation pass.
// CHECK-LABEL: func @laplace_causal
// CHECK: scf.forall (%{{.*}}) in (2)
// CHECK: scf.for %[[I:.*]] = %c0 to %{{.*}} step %c1
// CHECK:   %[[END:.*]] = arith.addi %[[I]], %c1 : index
// CHECK:   scf.for %{{.*}} = %{{.*}} to %[[END]] step %c1 iter_args(%{{.*}} = %{{.*}}) -> (tensor<1x37x32xf32>)
// CHECK:     math.erf
// CHECK-NOT: arith.divf %{{.*}}, %{{.*}}#2
func.func @laplace_causal(%q: tensor<2x37x8xf32>, %v: tensor<2x37x32xf32>, %pos: tensor<2x37xi32>, %count: tensor<2xi32>) -> tensor<2x37x32xf32> {
  %o = seqboat.local_attention %q, %q, %v, %pos, %count {activation = #seqboat.activation<laplace>, window = 4 : i64}
      : tensor<2x37x8xf32>, tensor<2x37x32xf32>, tensor<2x37xi32>, tensor<2xi32> -> tensor<2x37x32xf32>
  return %o : tensor<2x37x32xf32>
}

// -----

// S = 128: two blocks of 64 query slots per batch row. Block t covers slots
// [64 t, 64 t + 64) and visits min(64, max(count - 64 t, 0)) of them; query
// slot i = 64 t + r is row r of its tile.
// CHECK-LABEL: func @query_blocks
// CHECK: scf.forall (%[[B:.*]], %[[T:.*]]) in (2, 2) shared_outs(%[[OUT:.*]] = %{{.*}})
// CHECK:   %[[START:.*]] = arith.muli %[[T]], %c64
// CHECK:   tensor.extract_slice %[[OUT]][%[[B]], %[[START]], 0] [1, 64, 32] [1, 1, 1]
// CHECK:   %[[CNT:.*]] = arith.minsi %{{.*}}, %c128
// CHECK:   %[[LEFT:.*]] = arith.subi %[[CNT]], %[[START]]
// CHECK:   %[[POS:.*]] = arith.maxsi %[[LEFT]], %c0
// CHECK:   %[[ROWS:.*]] = arith.minsi %[[POS]], %c64
// CHECK:   scf.for %[[R:.*]] = %c0 to %[[ROWS]] step %c1
// CHECK:     %[[I:.*]] = arith.addi %[[START]], %[[R]]
// CHECK:     vector.transfer_read %{{.*}}[%[[B]], %[[I]], %{{.*}}]
// CHECK:     vector.transfer_write %{{.*}}, %{{.*}}[%c0, %[[R]], %{{.*}}]
// CHECK:   tensor.parallel_insert_slice %{{.*}} into %[[OUT]][%[[B]], %[[START]], 0] [1, 64, 32] [1, 1, 1]
func.func @query_blocks(%q: tensor<2x128x8xf32>, %v: tensor<2x128x32xf32>, %pos: tensor<2x128xi32>, %count: tensor<2xi32>) -> tensor<2x128x32xf32> {
  %o = seqboat.local_attention %q, %q, %v, %pos, %count {bidirectional = true, window = 4 : i64}
      : tensor<2x128x8xf32>, tensor<2x128x32xf32>, tensor<2x128xi32>, tensor<2xi32> -> tensor<2x128x32xf32>
  return %o : tensor<2x128x32xf32>
}

// -----

// A tile of query rows [first, first + n): the query loop runs over the rows
// whose slot is active (r < min(n, count - first)), queries and the window
// are taken at slot first + r, the result row is r. Negative values (a
// malformed tile) are clamped to 0.
// CHECK-LABEL: func @query_rows
// CHECK-SAME: %[[Q:[a-z0-9]+]]: tensor<2x37x8xf32>, %{{[a-z0-9]+}}: tensor<2x37x32xf32>, %{{[a-z0-9]+}}: tensor<2x37xi32>, %{{[a-z0-9]+}}: tensor<2xi32>, %[[FIRST0:[a-z0-9]+]]: index, %[[N0:[a-z0-9]+]]: index
// CHECK-DAG: %[[N:.*]] = arith.maxsi %[[N0]], %c0
// CHECK-DAG: %[[FIRST:.*]] = arith.maxsi %[[FIRST0]], %c0
// CHECK: %[[EMPTY:.*]] = tensor.empty(%[[N]]) : tensor<2x?x32xf32>
// CHECK: scf.for %[[B:.*]] = %c0 to %c2 step %c1
// CHECK:   %[[CNT:.*]] = arith.minsi %{{.*}}, %c37
// CHECK:   %[[LEFT:.*]] = arith.subi %[[CNT]], %[[FIRST]]
// CHECK:   %[[POS:.*]] = arith.maxsi %[[LEFT]], %c0
// CHECK:   %[[ROWS:.*]] = arith.minsi %[[N]], %[[POS]]
// CHECK:   scf.for %[[R:.*]] = %c0 to %[[ROWS]] step %c1
// CHECK:     %[[I:.*]] = arith.addi %[[FIRST]], %[[R]]
// CHECK:     vector.transfer_read %[[Q]][%[[B]], %[[I]], %{{.*}}]
// CHECK:     vector.transfer_write %{{.*}}, %{{.*}}[%[[B]], %[[R]], %{{.*}}]
// CHECK: return {{.*}} : tensor<2x?x32xf32>
func.func @query_rows(%q: tensor<2x37x8xf32>, %v: tensor<2x37x32xf32>, %pos: tensor<2x37xi32>, %count: tensor<2xi32>, %first: index, %n: index) -> tensor<2x?x32xf32> {
  %o = seqboat.local_attention %q, %q, %v, %pos, %count queries(%first, %n) {bidirectional = true, window = 4 : i64}
      : tensor<2x37x8xf32>, tensor<2x37x32xf32>, tensor<2x37xi32>, tensor<2xi32> -> tensor<2x?x32xf32>
  return %o : tensor<2x?x32xf32>
}
