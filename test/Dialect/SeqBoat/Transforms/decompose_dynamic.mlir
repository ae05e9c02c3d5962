// RUN: seqboat-opt %seqboat_src/examples/seqboat_layer_dynamic.mlir --seqboat-decompose | FileCheck %s --check-prefix=ONE
// RUN: seqboat-opt %seqboat_src/examples/seqboat_layer_dynamic.mlir --seqboat-decompose=host-row-blocks | FileCheck %s

// A layer with dynamic B and L decomposes into the same primitive ops on
// tensor<?x?x..>; each projection is one generic over all tokens (what
// kernel formation makes one kernel of):
// ONE-LABEL: func @seqboat_layer_dynamic
// ONE-NOT: scf.for
// ONE: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<?x?x16xf32>, tensor<16x18xf32>) outs(%{{.*}} : tensor<?x?x18xf32>)
// ONE: return %{{.*}} : tensor<?x?x16xf32>
// With host-row-blocks (seqboat-to-llvm-cpu), each projection runs per batch
// row over blocks of 64 tokens of static shape (what the host contraction
// strategy compiles), then the remaining tokens; scatter has no `length`
// (L = S).
// CHECK-LABEL: func @seqboat_layer_dynamic
// CHECK: seqboat.ema_conv %{{.*}} : tensor<?x?x16xf32>, tensor<32x4xf32>, tensor<16xf32>
// CHECK: scf.for %[[B:.*]] = %{{.*}} to %{{.*}} step %c1
// CHECK: scf.for %[[T:.*]] = %{{.*}} to %{{.*}} step %c64
// CHECK: tensor.extract_slice %{{.*}}[%[[B]], %[[T]], 0] [1, 64, 16] [1, 1, 1] : tensor<?x?x16xf32> to tensor<64x16xf32>
// CHECK: tensor.insert_slice %{{.*}}[%[[B]], %[[T]], 0] [1, 64, 18] [1, 1, 1] : tensor<64x18xf32> into tensor<?x?x18xf32>
// CHECK: tensor.extract_slice {{.*}} : tensor<?x?x16xf32> to tensor<?x16xf32>
// CHECK: seqboat.route %{{.*}} : tensor<?x?x2xf32>, tensor<f32> -> tensor<?x?xf32>, tensor<?x?xi1>
// CHECK: seqboat.compact_index %{{.*}} : tensor<?x?xi1> -> tensor<?x?xi32>, tensor<?xi32>
// CHECK: seqboat.local_attention {{.*}} -> tensor<?x?x32xf32>
// CHECK: seqboat.scatter %{{.*}}, %{{.*}} : tensor<?x?x16xf32>, tensor<?x?xi32> -> tensor<?x?x16xf32>
// CHECK: return %{{.*}} : tensor<?x?x16xf32>
