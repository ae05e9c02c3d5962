// RUN: seqboat-opt %s --seqboat-hoist-static-allocas --allow-unregistered-dialect --split-input-file | FileCheck %s

// Static allocas in sequential loops and branches move to the entry block;
// dynamic ones and those under parallel loops stay.
// CHECK-LABEL: func @hoist
// CHECK-DAG: memref.alloca() : memref<8xf32>
// CHECK-DAG: memref.alloca() : memref<4xindex>
// CHECK: scf.for
// CHECK-NOT: memref.alloca() : memref<8xf32>
// CHECK:   scf.if
// CHECK-NOT: memref.alloca() : memref<4xindex>
// CHECK:     memref.alloca(%{{.*}}) : memref<?xf32>
// CHECK: scf.parallel
// CHECK:   memref.alloca() : memref<2xf32>
func.func @hoist(%n: index, %c: i1) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 {
    %a = memref.alloca() : memref<8xf32>
    scf.if %c {
      %b = memref.alloca() : memref<4xindex>
      %d = memref.alloca(%n) : memref<?xf32>
      "test.use"(%a, %b, %d) : (memref<8xf32>, memref<4xindex>, memref<?xf32>) -> ()
    }
  }
  scf.parallel (%j) = (%c0) to (%n) step (%c1) {
    %p = memref.alloca() : memref<2xf32>
    "test.use"(%p) : (memref<2xf32>) -> ()
  }
  return
}

// -----

// In an OpenMP worksharing loop a static alloca moves to the entry of the
// parallel region (one buffer per thread), not out of it; an alloca scope
// left empty is inlined.
// CHECK-LABEL: func @omp
// CHECK-NOT:   memref.alloca
// CHECK:       omp.parallel {
// CHECK-NEXT:    memref.alloca() : memref<16xf32>
// CHECK:         omp.wsloop
// CHECK-NOT:     memref.alloca_scope
// CHECK:         "test.use"
func.func @omp(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  omp.parallel {
    omp.wsloop {
      omp.loop_nest (%i) : index = (%c0) to (%n) step (%c1) {
        memref.alloca_scope {
          scf.for %k = %c0 to %n step %c1 {
            %a = memref.alloca() : memref<16xf32>
            "test.use"(%a) : (memref<16xf32>) -> ()
          }
        }
        omp.yield
      }
    }
    omp.terminator
  }
  return
}
