// RUN: seqboat-opt %s --convert-seqboat-to-linalg --split-input-file | FileCheck %s

// CHECK-DAG: #[[$U0:.*]] = affine_map<(d0, d1) -> (d0, d1, 0)>
// CHECK-DAG: #[[$U1:.*]] = affine_map<(d0, d1) -> (d0, d1, 1)>
// CHECK-DAG: #[[$SCALAR:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func @route
// CHECK: %{{.*}}:2 = linalg.generic {indexing_maps = [#[[$U0]], #[[$U1]], #[[$SCALAR]], #{{.*}}, #{{.*}}]
// CHECK:   math.exp
// CHECK:   %[[ACTIVE:.*]] = arith.cmpf ogt, %[[P1:.*]], %[[P0:.*]] : f32
// CHECK:   %[[GATE:.*]] = arith.maximumf %[[P0]], %[[P1]] : f32
// CHECK:   linalg.yield %[[GATE]], %[[ACTIVE]] : f32, i1
func.func @route(%u: tensor<2x37x2xf32>, %lt: tensor<f32>) -> (tensor<2x37xf32>, tensor<2x37xi1>) {
  %gate, %active = seqboat.route %u, %lt : tensor<2x37x2xf32>, tensor<f32> -> tensor<2x37xf32>, tensor<2x37xi1>
  return %gate, %active : tensor<2x37xf32>, tensor<2x37xi1>
}

// -----

// compact_index is a per-row prefix scan carrying the running count.
// CHECK-LABEL: func @compact_index
// CHECK: %[[INIT:.*]] = linalg.fill ins(%c-1_i32 : i32) outs(%{{.*}} : tensor<2x37xi32>)
// CHECK: scf.for %[[B:.*]] = %c0 to %c2 step %c1 iter_args(%{{.*}} = %[[INIT]], %{{.*}} = %{{.*}}) -> (tensor<2x37xi32>, tensor<2xi32>)
// CHECK:   scf.for %[[T:.*]] = %c0 to %c37 step %c1 iter_args(%[[POS:.*]] = %{{.*}}, %[[N:.*]] = %c0_i32) -> (tensor<2x37xi32>, i32)
// CHECK:     %[[A:.*]] = tensor.extract %{{.*}}[%[[B]], %[[T]]] : tensor<2x37xi1>
// CHECK:     scf.if %[[A]]
// CHECK:       %[[SLOT:.*]] = arith.index_cast %[[N]] : i32 to index
// CHECK:       tensor.insert %{{.*}} into %[[POS]][%[[B]], %[[SLOT]]]
// CHECK:       arith.addi %[[N]], %c1_i32
// CHECK:   tensor.insert %{{.*}} into %{{.*}}[%[[B]]] : tensor<2xi32>
func.func @compact_index(%a: tensor<2x37xi1>) -> (tensor<2x37xi32>, tensor<2xi32>) {
  %pos, %count = seqboat.compact_index %a : tensor<2x37xi1> -> tensor<2x37xi32>, tensor<2xi32>
  return %pos, %count : tensor<2x37xi32>, tensor<2xi32>
}

// -----

// gather reads x at a clamped row and selects 0 for empty (or out of range)
// slots.
// CHECK-LABEL: func @gather
// CHECK: linalg.generic
// CHECK:   %[[NONNEG:.*]] = arith.cmpi sge, %{{.*}}, %c0_i32
// CHECK:   %[[BELOW:.*]] = arith.cmpi slt, %{{.*}}, %c37_i32
// CHECK:   %[[VALID:.*]] = arith.andi %[[NONNEG]], %[[BELOW]] : i1
// CHECK:   %[[ROW:.*]] = arith.select %[[VALID]], %{{.*}}, %c0 : index
// CHECK:   %[[V:.*]] = tensor.extract %{{.*}}[%{{.*}}, %[[ROW]], %{{.*}}] : tensor<2x37x16xf32>
// CHECK:   arith.select %[[VALID]], %[[V]], %cst
func.func @gather(%x: tensor<2x37x16xf32>, %pos: tensor<2x37xi32>) -> tensor<2x37x16xf32> {
  %xc = seqboat.gather %x, %pos : tensor<2x37x16xf32>, tensor<2x37xi32> -> tensor<2x37x16xf32>
  return %xc : tensor<2x37x16xf32>
}

// -----

// scatter copies each valid slot's row into a zero-filled output.
// CHECK-LABEL: func @scatter
// CHECK: %[[ZERO:.*]] = linalg.fill ins(%cst : f32) outs(%{{.*}} : tensor<2x37x16xf32>)
// CHECK: scf.for %{{.*}} iter_args(%{{.*}} = %[[ZERO]])
// CHECK:   scf.for
// CHECK:     scf.if
// CHECK:       linalg.copy ins(%{{.*}} : tensor<16xf32>) outs(%{{.*}} : tensor<16xf32>)
// CHECK:       tensor.insert_slice
func.func @scatter(%xc: tensor<2x37x16xf32>, %pos: tensor<2x37xi32>) -> tensor<2x37x16xf32> {
  %x = seqboat.scatter %xc, %pos {length = 37 : i64} : tensor<2x37x16xf32>, tensor<2x37xi32> -> tensor<2x37x16xf32>
  return %x : tensor<2x37x16xf32>
}
