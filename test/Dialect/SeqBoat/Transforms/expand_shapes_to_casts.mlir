// RUN: seqboat-opt %s --split-input-file --seqboat-expand-shapes-to-casts | FileCheck %s
// RUN: seqboat-opt %s --split-input-file --seqboat-expand-shapes-to-casts --expand-strided-metadata | FileCheck %s --check-prefix=EXPANDED

// [B·L, F] rows viewed as [B, L, F] at a runtime B and L: two dynamic sizes
// in one group, which upstream expand-strided-metadata cannot fold; a
// reinterpret_cast to the output shape and its strides instead.
// CHECK-LABEL: func.func @rows(
// CHECK-SAME:    %[[BUF:.*]]: memref<?x18xf32>, %[[B:.*]]: index, %[[L:.*]]: index)
// CHECK:         %[[BASE:.*]], %[[OFF:.*]], %{{.*}}:2, %{{.*}}:2 = memref.extract_strided_metadata %[[BUF]]
// CHECK:         %[[S0:.*]] = affine.apply #{{.*}}()[%[[L]]]
// CHECK:         memref.reinterpret_cast %[[BASE]] to offset: [0], sizes: [%[[B]], %[[L]], 18], strides: [%[[S0]], 18, 1]
// CHECK-SAME:      to memref<?x?x18xf32>
// CHECK-NOT:     memref.expand_shape
// EXPANDED-LABEL: func.func @rows(
// EXPANDED-NOT:    memref.expand_shape
func.func @rows(%buf: memref<?x18xf32>, %b: index, %l: index) -> memref<?x?x18xf32> {
  %v = memref.expand_shape %buf [[0, 1], [2]] output_shape [%b, %l, 18]
      : memref<?x18xf32> into memref<?x?x18xf32>
  return %v : memref<?x?x18xf32>
}

// -----

// A strided source (a slice of columns): its strides carry over.
// CHECK-LABEL: func.func @strided(
// CHECK:         memref.reinterpret_cast %{{.*}} to offset: [%{{.*}}], sizes: [%{{.*}}, %{{.*}}, 16], strides: [%{{.*}}, 80, 1]
func.func @strided(%buf: memref<?x16xf32, strided<[80, 1], offset: ?>>, %b: index, %l: index)
    -> memref<?x?x16xf32, strided<[?, 80, 1], offset: ?>> {
  %v = memref.expand_shape %buf [[0, 1], [2]] output_shape [%b, %l, 16]
      : memref<?x16xf32, strided<[80, 1], offset: ?>> into memref<?x?x16xf32, strided<[?, 80, 1], offset: ?>>
  return %v : memref<?x?x16xf32, strided<[?, 80, 1], offset: ?>>
}

// -----

// One dynamic size per group: left to upstream.
// CHECK-LABEL: func.func @one(
// CHECK:         memref.expand_shape
func.func @one(%buf: memref<?x18xf32>, %b: index) -> memref<?x4x18xf32> {
  %v = memref.expand_shape %buf [[0, 1], [2]] output_shape [%b, 4, 18]
      : memref<?x18xf32> into memref<?x4x18xf32>
  return %v : memref<?x4x18xf32>
}
