// RUN: seqboat-opt %s --seqboat-form-scan-kernels | FileCheck %s
// RUN: seqboat-opt %s --seqboat-form-scan-kernels --seqboat-apply-strategies=target=cpu | FileCheck %s --check-prefix=TILED

// A scan op takes into its kernel the elementwise producers of its operands
// that read nothing but the function's arguments, through chains of them
// (an EMA state scan's decay q^T = exp(T·log q), log q computed from the
// parameters alpha and delta): the kernel reads the parameters, and each
// thread computes the decay of its tile, instead of a kernel of its own
// writing it. The same for the scan's input u = 2·x, read once per element
// from the argument x. A producer that reads an intermediate (w = u + 1 of
// the second scan, which the function returns too) stays outside.

// CHECK-LABEL: func.func private @decay_scan_0(
// CHECK-SAME:      %{{[^:]*}}: memref<2x8x16x4xf32, {{[^>]*}}>>, %{{[^:]*}}: memref<4x16xf32, {{[^>]*}}>>, %{{[^:]*}}: memref<4x16xf32, {{[^>]*}}>>, %{{[^:]*}}: memref<2x8x16x4xf32>)
// CHECK:         %[[U:.*]] = linalg.generic {{.*}} ins(%{{.*}} : tensor<2x8x16x4xf32>)
// CHECK:         %[[LOG:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<4x16xf32>, tensor<4x16xf32>)
// CHECK:           math.log
// CHECK:         %[[DECAY:.*]] = linalg.generic {{.*}} ins(%[[LOG]] : tensor<16x4xf32>)
// CHECK:           math.exp
// CHECK:         seqboat.state_scan %[[U]], %[[DECAY]]
// CHECK-LABEL: func.func private @decay_scan_1(
// CHECK-SAME:      %{{[^:]*}}: memref<2x8x16x4xf32, {{[^>]*}}>>, %{{[^:]*}}: memref<4x16xf32, {{[^>]*}}>>, %{{[^:]*}}: memref<4x16xf32, {{[^>]*}}>>, %{{[^:]*}}: memref<2x8x16x4xf32>)
// CHECK-LABEL: func.func @decay(
// CHECK-NOT:     math.log
// CHECK:         %[[S:.*]] = bufferization.to_tensor
// CHECK:         %[[W:.*]] = linalg.generic {{.*}} ins(%[[S]] :
// CHECK:         %[[WB:.*]] = bufferization.to_buffer %[[W]]
// CHECK:         call @decay_scan_1(%[[WB]],

// Tiled to threads, the decay is computed per thread tile.
// TILED-LABEL: func.func private @decay_scan_0(
// TILED:         scf.forall
// TILED:           math.log
// TILED:           math.exp

#t = affine_map<(n, d) -> (d, n)>
#id2 = affine_map<(n, d) -> (n, d)>
#id4 = affine_map<(b, c, n, d) -> (b, c, n, d)>
func.func @decay(%x: tensor<2x8x16x4xf32>, %alpha: tensor<4x16xf32>, %delta: tensor<4x16xf32>) -> (tensor<2x8x16x4xf32>, tensor<2x8x16x4xf32>) {
  %e0 = tensor.empty() : tensor<16x4xf32>
  %logq = linalg.generic {indexing_maps = [#t, #t, #id2], iterator_types = ["parallel", "parallel"]} ins(%alpha, %delta : tensor<4x16xf32>, tensor<4x16xf32>) outs(%e0 : tensor<16x4xf32>) {
  ^bb0(%a: f32, %d: f32, %o: f32):
    %one = arith.constant 1.0 : f32
    %ad = arith.mulf %a, %d : f32
    %q = arith.subf %one, %ad : f32
    %l = math.log %q : f32
    linalg.yield %l : f32
  } -> tensor<16x4xf32>
  %e1 = tensor.empty() : tensor<16x4xf32>
  %decay = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%logq : tensor<16x4xf32>) outs(%e1 : tensor<16x4xf32>) {
  ^bb0(%l: f32, %o: f32):
    %c = arith.constant 8.0 : f32
    %m = arith.mulf %l, %c : f32
    %x2 = math.exp %m : f32
    linalg.yield %x2 : f32
  } -> tensor<16x4xf32>
  %e2 = tensor.empty() : tensor<2x8x16x4xf32>
  %u = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%x : tensor<2x8x16x4xf32>) outs(%e2 : tensor<2x8x16x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %two = arith.constant 2.0 : f32
    %m = arith.mulf %a, %two : f32
    linalg.yield %m : f32
  } -> tensor<2x8x16x4xf32>
  %s = seqboat.state_scan %u, %decay : tensor<2x8x16x4xf32>, tensor<16x4xf32>
  %e3 = tensor.empty() : tensor<2x8x16x4xf32>
  %w = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%s : tensor<2x8x16x4xf32>) outs(%e3 : tensor<2x8x16x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %one = arith.constant 1.0 : f32
    %m = arith.addf %a, %one : f32
    linalg.yield %m : f32
  } -> tensor<2x8x16x4xf32>
  %s2 = seqboat.state_scan %w, %decay : tensor<2x8x16x4xf32>, tensor<16x4xf32>
  return %s, %s2 : tensor<2x8x16x4xf32>, tensor<2x8x16x4xf32>
}
