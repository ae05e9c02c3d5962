// RUN: seqboat-opt %s --seqboat-hoist-static-allocas --allow-unregistered-dialect | FileCheck %s

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
