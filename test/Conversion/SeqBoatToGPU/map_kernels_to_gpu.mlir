// RUN: seqboat-opt %seqboat_src/examples/seqboat_layer.mlir --seqboat-layer-to-kernels="threads=128" \
// RUN:   --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" \
// RUN:   --seqboat-map-kernels-to-gpu | FileCheck %s

// Block foralls become launches of the block size the strategy recorded
// (128 here) named after their kernel;
// thread phases become loops strided by the block size, each followed by a
// barrier; block-level allocas become workgroup memory; host buffers live in
// device memory (synchronous forms here; gpu-async-region puts them on the
// function's stream).

// CHECK-LABEL: func.func @seqboat_layer
// CHECK-COUNT-17: gpu.alloc  () :
// CHECK-NOT: memref.alloc(

// CHECK: gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c2{{.*}}, %{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}}) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c128{{.*}}, %{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}}) module(@seqboat_kernels) function(@ema_chunks) {
// CHECK:   scf.for %{{.*}} = %[[TX]] to %c37{{.*}} step %c128
// CHECK:   gpu.barrier
// CHECK:   scf.for %{{.*}} = %[[TX]] to %c16{{.*}} step %c128
// CHECK:   gpu.barrier
// CHECK:   gpu.terminator

// The tile loop of ema_hx_route keeps its phases' barriers inside it.
// CHECK: gpu.launch {{.*}} module(@seqboat_kernels) function(@ema_hx_route) workgroup(%[[TILE:.*]] : memref<8x16xf32, #gpu.address_space<workgroup>>) {
// CHECK:   gpu.barrier
// CHECK:   scf.for
// CHECK:     memref.store %{{.*}}, %[[TILE]]
// CHECK:     gpu.barrier
// CHECK:     memref.load %[[TILE]]
// CHECK-COUNT-2: gpu.barrier

// CHECK: function(@compact) workgroup(%{{.*}} : memref<37xindex, #gpu.address_space<workgroup>>)
// CHECK-COUNT-4: gpu.barrier
// CHECK: function(@mx_proj) workgroup(%{{.*}} : memref<8x16xf32, #gpu.address_space<workgroup>>)
// CHECK: function(@attention) workgroup(%{{.*}} : memref<1x9xf32, #gpu.address_space<workgroup>>)
// CHECK: function(@output) workgroup(%{{.*}} : memref<8x32xf32, #gpu.address_space<workgroup>>)
// CHECK-NOT: gpu.launch
// CHECK-NOT: scf.forall
// CHECK-COUNT-16: gpu.dealloc  %
// CHECK: return
