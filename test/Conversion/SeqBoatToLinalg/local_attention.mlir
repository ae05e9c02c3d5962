// RUN: seqboat-opt %s --convert-seqboat-to-linalg --canonicalize --split-input-file | FileCheck %s

// The whole op: blocks of query slots, each against one key tile that holds
// every window of the block; scores and output are two contractions, and
// vector loops over 16 query lanes mask, bias and normalise in between.
// rel_bias is gathered on the clamped ORIGINAL position difference.

// CHECK-LABEL: func @softmax_bidirectional
// CHECK-SAME: %[[Q:[a-z0-9]+]]: tensor<2x37x8xf32>, %[[V:[a-z0-9]+]]: tensor<2x37x32xf32>, %[[POS:[a-z0-9]+]]: tensor<2x37xi32>, %[[COUNT:[a-z0-9]+]]: tensor<2xi32>, %[[RB:[a-z0-9]+]]: tensor<127xf32>
// Batch rows and blocks of query slots (at most 64, a divisor of S: here
// all 37) are the iterations of an scf.forall, each writing its own tile.
// CHECK-DAG: %[[NEGINF:.*]] = arith.constant dense<0xFF800000> : vector<16xf32>
// CHECK-DAG: %[[SCALE:.*]] = arith.constant dense<0.353553385> : vector<16xf32>
// CHECK: scf.forall (%[[B:.*]]) in (2) shared_outs(%[[OUT:.*]] = %{{.*}}) -> (tensor<2x37x32xf32>)
// CHECK:   %[[TILE:.*]] = tensor.extract_slice %[[OUT]][%[[B]], 0, 0] [1, 37, 32] [1, 1, 1]
// CHECK:   %[[C32:.*]] = tensor.extract %[[COUNT]][%[[B]]]
// CHECK:   %[[CIDX:.*]] = arith.index_cast %[[C32]]
// CHECK:   %[[LO:.*]] = arith.maxsi %[[CIDX]], %c0
// CHECK:   %[[CNT:.*]] = arith.minsi %[[LO]], %c37
// A block whose first slot is past count[b] computes nothing.
// CHECK:   %[[ANY:.*]] = arith.cmpi sgt, %[[CNT]], %c0
// CHECK:   scf.if %[[ANY]] -> (tensor<1x37x32xf32>)
// CHECK:     %[[VT:.*]] = tensor.extract_slice %[[V]][%[[B]], 0, 0] [1, 37, 32] [1, 1, 1] : tensor<2x37x32xf32> to tensor<37x32xf32>
// Rows of v at or past count (padding) zeroed: they get weight 0 below.
// CHECK:     %[[VM:.*]] = linalg.generic {{.*}} ins(%[[VT]] : tensor<37x32xf32>)
// (one block, key tile at 0: slot = row)
// CHECK:       %[[ROW:.*]] = linalg.index 0
// CHECK:       %[[IN:.*]] = arith.cmpi slt, %[[ROW]], %[[CNT]]
// CHECK:       arith.select %[[IN]]
// Scores, keys major: sT[c, r] = k[c, :] . q[r, :].
// CHECK:     %[[ST:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]{{.*}} outs(%{{.*}} : tensor<37x37xf32>)
// CHECK:     %[[LANES:.*]]:2 = scf.for %[[R0:.*]] = %c0 to %c37 step %c16 iter_args(%{{.*}} = %[[ST]], %{{.*}} = %{{.*}}) -> (tensor<37x37xf32>, tensor<37xf32>)
// CHECK:       %[[SLOTS:.*]] = arith.addi %{{.*}}, %{{.*}} : vector<16xindex>
// CHECK:       %[[ISQ:.*]] = arith.cmpi slt, %[[SLOTS]], %{{.*}} : vector<16xindex>
// CHECK:       %[[POSI:.*]] = vector.transfer_read %[[POS]][%[[B]], %[[R0]]]
// CHECK:       scf.for %[[C:.*]] = %c0 to %c37 step %c1 iter_args({{.*}}) -> (tensor<37x37xf32>, vector<16xf32>)
// CHECK:         %[[S:.*]] = vector.transfer_read %{{.*}}[%[[C]], %[[R0]]]
// CHECK:         arith.mulf %[[S]], %[[SCALE]]
// CHECK:         tensor.extract %[[POS]][%[[B]], %[[C]]]
// CHECK:         arith.maxsi %{{.*}}, %cst{{.*}} : vector<16xindex>
// CHECK:         arith.minsi %{{.*}}, %cst{{.*}} : vector<16xindex>
// CHECK:         vector.gather %[[RB]]
// CHECK:         %[[VALID:.*]] = arith.andi %[[ISQ]], %{{.*}} : vector<16xi1>
// CHECK:         %[[MASKED:.*]] = arith.select %[[VALID]], %{{.*}}, %[[NEGINF]]
// CHECK:         arith.maximumf %{{.*}}, %[[MASKED]]
// CHECK:         vector.transfer_write %[[MASKED]]
// Lanes without any key (not queries) subtract 0, not -inf.
// CHECK:       arith.cmpf oeq, %{{.*}}, %[[NEGINF]]
// CHECK:       scf.for
// CHECK:         math.exp %{{.*}} : vector<16xf32>
// CHECK:       arith.divf %{{.*}} : vector<16xf32>
// o[r, h] = sum_c p[c, r] v[c, h], then divided by the row sums.
// CHECK:     %[[O:.*]] = linalg.generic {{.*}} ins(%[[LANES]]#0, %[[VM]] : tensor<37x37xf32>, tensor<37x32xf32>)
// CHECK:     linalg.generic {{.*}} ins(%[[O]], %[[LANES]]#1 : tensor<37x32xf32>, tensor<37xf32>) outs(%[[TILE]] : tensor<1x37x32xf32>)
// CHECK:   } else {
// CHECK:     scf.yield %[[TILE]]
// CHECK:   scf.forall.in_parallel
// CHECK:     tensor.parallel_insert_slice %{{.*}} into %[[OUT]][%[[B]], 0, 0] [1, 37, 32] [1, 1, 1]
// CHECK-NOT: seqboat.
func.func @softmax_bidirectional(%q: tensor<2x37x8xf32>, %v: tensor<2x37x32xf32>, %pos: tensor<2x37xi32>, %count: tensor<2xi32>, %rb: tensor<127xf32>) -> tensor<2x37x32xf32> {
  %o = seqboat.local_attention %q, %q, %v, %pos, %count rel_bias(%rb) {bidirectional = true, window = 4 : i64}
      : tensor<2x37x8xf32>, tensor<2x37x32xf32>, tensor<2x37xi32>, tensor<2xi32>, tensor<127xf32> -> tensor<2x37x32xf32>
  return %o : tensor<2x37x32xf32>
}

// -----

// Causal: keys up to the query itself; laplace uses erf, masks to 0 and has
// no normalisation.
// CHECK-LABEL: func @laplace_causal
// CHECK: scf.forall (%{{.*}}) in (2)
// CHECK: scf.for %{{.*}} = %c0 to %c37 step %c16
// CHECK:   %[[SLOTS:.*]] = arith.addi %{{.*}}, %{{.*}} : vector<16xindex>
// CHECK:   scf.for %{{.*}} = %c0 to %c37 step %c1 iter_args(%{{.*}} = %{{.*}}) -> (tensor<37x37xf32>)
// CHECK:     %[[J:.*]] = vector.broadcast %{{.*}} : index to vector<16xindex>
// CHECK:     arith.cmpi sle, %[[J]], %[[SLOTS]]
// CHECK:     math.erf
// CHECK:     arith.select %{{.*}}, %{{.*}}, %cst{{.*}} : vector<16xi1>, vector<16xf32>
// CHECK-NOT: math.exp
// CHECK-NOT: arith.divf
func.func @laplace_causal(%q: tensor<2x37x8xf32>, %v: tensor<2x37x32xf32>, %pos: tensor<2x37xi32>, %count: tensor<2xi32>) -> tensor<2x37x32xf32> {
  %o = seqboat.local_attention %q, %q, %v, %pos, %count {activation = #seqboat.activation<laplace>, window = 4 : i64}
      : tensor<2x37x8xf32>, tensor<2x37x32xf32>, tensor<2x37xi32>, tensor<2xi32> -> tensor<2x37x32xf32>
  return %o : tensor<2x37x32xf32>
}

// -----

// S = 128: two blocks of 64 query slots per batch row. Block t covers slots
// [64 t, 64 t + 64) against keys [ks, ks + 72), ks = min(max(64 t - 4, 0),
// 56) (a tile of 64 + 2w keys kept inside [0, S)); blocks with no active
// slot (64 t >= count) are skipped.
// CHECK-LABEL: func @query_blocks
// CHECK: scf.forall (%[[B:.*]], %[[T:.*]]) in (2, 2) shared_outs(%[[OUT:.*]] = %{{.*}})
// CHECK:   %[[START:.*]] = arith.muli %[[T]], %c64
// CHECK:   %[[TILE:.*]] = tensor.extract_slice %[[OUT]][%[[B]], %[[START]], 0] [1, 64, 32] [1, 1, 1]
// CHECK:   %[[CNT:.*]] = arith.minsi %{{.*}}, %c128
// CHECK:   %[[ANY:.*]] = arith.cmpi slt, %[[START]], %[[CNT]]
// CHECK:   scf.if %[[ANY]]
// CHECK:     %[[BACK:.*]] = arith.subi %[[START]], %c4
// CHECK:     %[[KS0:.*]] = arith.maxsi %[[BACK]], %c0
// CHECK:     %[[KS:.*]] = arith.minsi %[[KS0]], %c56
// CHECK:     tensor.extract_slice %{{.*}}[%[[B]], %[[START]], 0] [1, 64, 8]
// CHECK:     tensor.extract_slice %{{.*}}[%[[B]], %[[KS]], 0] [1, 72, 8]
// CHECK:     tensor.extract_slice %{{.*}}[%[[B]], %[[KS]], 0] [1, 72, 32]
// CHECK:     outs(%{{.*}} : tensor<72x64xf32>)
// CHECK:     scf.for %{{.*}} = %c0 to %c64 step %c16
// CHECK:     outs(%{{.*}} : tensor<64x32xf32>)
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
// malformed tile) are clamped to 0 for the loops; the result has the op's
// reified shape (n rows), so a strategy's tile write takes it over.
// CHECK-LABEL: func @query_rows
// CHECK-SAME: %[[Q:[a-z0-9]+]]: tensor<2x37x8xf32>, %{{[a-z0-9]+}}: tensor<2x37x32xf32>, %{{[a-z0-9]+}}: tensor<2x37xi32>, %{{[a-z0-9]+}}: tensor<2xi32>, %[[FIRST0:[a-z0-9]+]]: index, %[[N0:[a-z0-9]+]]: index
// CHECK-DAG: %[[N:.*]] = arith.maxsi %[[N0]], %c0
// CHECK-DAG: %[[FIRST:.*]] = arith.maxsi %[[FIRST0]], %c0
// CHECK: %[[EMPTY:.*]] = tensor.empty(%[[N0]]) : tensor<2x?x32xf32>
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

// -----

// S = 67 (prime, above the block bound): no divisor gives blocks of a
// vector of queries, so blocks of one slot run the per-query form.
// CHECK-LABEL: func @prime_slots
// CHECK: scf.forall (%{{.*}}, %{{.*}}) in (2, 67)
// CHECK-NOT: linalg.generic
// CHECK: scf.for
// CHECK:   scf.for {{.*}} -> (tensor<1x1x32xf32>, f32, f32)
// CHECK:     vector.reduction <add>
func.func @prime_slots(%q: tensor<2x67x8xf32>, %v: tensor<2x67x32xf32>, %pos: tensor<2x67xi32>, %count: tensor<2xi32>) -> tensor<2x67x32xf32> {
  %o = seqboat.local_attention %q, %q, %v, %pos, %count {bidirectional = true, window = 4 : i64}
      : tensor<2x67x8xf32>, tensor<2x67x32xf32>, tensor<2x67xi32>, tensor<2xi32> -> tensor<2x67x32xf32>
  return %o : tensor<2x67x32xf32>
}
