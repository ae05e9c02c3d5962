// RUN: seqboat-opt %s --seqboat-map-kernels-to-gpu | FileCheck %s

// A constant buffer read by a kernel is copied into device memory (the
// kernel cannot read host globals), and released before returning.

memref.global "private" constant @weights : memref<4xf32> = dense<[1.0, 2.0, 3.0, 4.0]>

// CHECK-LABEL: func.func @scale
// CHECK: %[[G:.*]] = memref.get_global @weights : memref<4xf32>
// CHECK: %[[COPY:.*]] = gpu.alloc  () : memref<4xf32>
// CHECK: gpu.memcpy  %[[COPY]], %[[G]] : memref<4xf32>, memref<4xf32>
// CHECK: gpu.launch
// CHECK:   memref.load %[[COPY]]
// CHECK-NOT: memref.load %[[G]]
// CHECK: gpu.dealloc  %[[COPY]]
// CHECK: return
func.func @scale(%out: memref<4xf32>) {
  %g = memref.get_global @weights : memref<4xf32>
  scf.forall (%i) in (4) {
    %w = memref.load %g[%i] : memref<4xf32>
    memref.store %w, %out[%i] : memref<4xf32>
  } {mapping = [#gpu.block<x>]}
  return
}
