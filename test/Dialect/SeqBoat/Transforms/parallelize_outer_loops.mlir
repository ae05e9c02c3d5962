// RUN: seqboat-opt %s --seqboat-parallelize-outer-loops --allow-unregistered-dialect --split-input-file | FileCheck %s

// The outermost forall of a nest becomes the parallel loop; the foralls and
// parallel loops inside it run in order.
// CHECK-LABEL: func @nest
// CHECK:       scf.parallel (%[[I:.*]], %[[J:.*]]) = ({{.*}}) to (%c4, %c8) step ({{.*}}) {
// CHECK-NOT:     scf.parallel
// CHECK-NOT:     scf.forall
// CHECK:         scf.for %[[T:.*]] =
// CHECK:           "test.phase1"(%[[I]], %[[J]], %[[T]])
// CHECK:         scf.for %[[U:.*]] =
// CHECK:           scf.for %[[V:.*]] =
// CHECK:             "test.phase2"(%[[U]], %[[V]])
// CHECK:         scf.reduce
func.func @nest(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  scf.forall (%i, %j) in (4, 8) {
    scf.forall (%t) in (16) {
      "test.phase1"(%i, %j, %t) : (index, index, index) -> ()
    }
    scf.parallel (%u, %v) = (%c0, %c0) to (%n, %c16) step (%c1, %c1) {
      "test.phase2"(%u, %v) : (index, index) -> ()
    }
  }
  return
}

// -----

// Sibling nests each get their own parallel loop; a parallel loop in a
// sequential loop of a few iterations (here 2, say batch rows) stays
// parallel; in one of many (here 128 chunks of a scan) or of unknown trip
// count it runs in order: each of its runs would start and join the threads.
// CHECK-LABEL: func @siblings
// CHECK:       scf.parallel
// CHECK:         "test.a"
// CHECK:       scf.for %{{.*}} = %c0 to %c2
// CHECK:         scf.parallel
// CHECK:           "test.b"
// CHECK:       scf.for %{{.*}} = %c0 to %c128
// CHECK-NOT:     scf.parallel
// CHECK:         scf.for
// CHECK:           "test.c"
// CHECK:       scf.for %{{.*}} = %c0 to %[[N:.*]] step
// CHECK-NOT:     scf.parallel
// CHECK:         scf.for
// CHECK:           "test.d"
// CHECK:       return
func.func @siblings(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c128 = arith.constant 128 : index
  scf.forall (%i) in (4) {
    "test.a"(%i) : (index) -> ()
  }
  scf.for %k = %c0 to %c2 step %c1 {
    scf.parallel (%u) = (%c0) to (%n) step (%c1) {
      "test.b"(%k, %u) : (index, index) -> ()
    }
  }
  scf.for %k = %c0 to %c128 step %c1 {
    scf.forall (%u) in (8) {
      "test.c"(%k, %u) : (index, index) -> ()
    }
  }
  scf.for %k = %c0 to %n step %c1 {
    scf.parallel (%u) = (%c0) to (%n) step (%c1) {
      "test.d"(%k, %u) : (index, index) -> ()
    }
  }
  return
}

// -----

// A forall on tensors (with results) is left to bufferization.
// CHECK-LABEL: func @tensor_forall
// CHECK-NOT:   scf.parallel
// CHECK:       scf.forall
func.func @tensor_forall(%t: tensor<8xf32>) -> tensor<8xf32> {
  %r = scf.forall (%i) in (8) shared_outs(%o = %t) -> tensor<8xf32> {
    %e = tensor.extract_slice %o[%i] [1] [1] : tensor<8xf32> to tensor<1xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %e into %o[%i] [1] [1] : tensor<1xf32> into tensor<8xf32>
    }
  }
  return %r : tensor<8xf32>
}

// -----

// A parallel loop with results (a reduction) stays parallel even in a long
// sequential loop: it has no rewrite into sequential loops.
// CHECK-LABEL: func @reduction_in_loop
// CHECK: scf.for
// CHECK:   scf.parallel {{.*}} init
// CHECK:     scf.reduce
func.func @reduction_in_loop(%n: index) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c128 = arith.constant 128 : index
  %zero = arith.constant 0.0 : f32
  %r = scf.for %k = %c0 to %c128 step %c1 iter_args(%acc = %zero) -> f32 {
    %s = scf.parallel (%u) = (%c0) to (%n) step (%c1) init (%acc) -> f32 {
      %v = "test.value"(%k, %u) : (index, index) -> f32
      scf.reduce(%v : f32) {
      ^bb0(%a: f32, %b: f32):
        %t = arith.addf %a, %b : f32
        scf.reduce.return %t : f32
      }
    }
    scf.yield %s : f32
  }
  return %r : f32
}
