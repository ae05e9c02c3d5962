// A contraction with a runtime M (B·L rows): formed as a contraction kernel
// on memref<?xK> rows, compiled once, its rows peeled at run time into the
// M0 = (M floordiv TM)·TM rows the block tiles divide (tensor cores, a grid
// of M0/TM block rows, no launch when M0 = 0) and the M - M0 < TM rows left
// (a parallel kernel); the columns past the last whole N tile too.
// RUN: seqboat-opt %S/Inputs/linear_dynamic.mlir --seqboat-form-kernels | FileCheck %s --check-prefix=FORM
// RUN: seqboat-opt %S/Inputs/linear_dynamic.mlir --seqboat-form-kernels --seqboat-apply-strategies | FileCheck %s
// RUN: seqboat-opt %S/Inputs/linear_dynamic.mlir --seqboat-form-kernels --seqboat-apply-strategies=target=cpu | FileCheck %s --check-prefix=CPU

// FORM-LABEL: func.func private @linear_contraction_0(
// FORM-SAME:     memref<?x64xf32>, %{{.*}}: memref<80x64xf32>, %{{.*}}: memref<80xf32>, %{{.*}}: memref<?x80xf32>)
// FORM-SAME:     seqboat.kernel_kind = "contraction"
// FORM:          linalg.matmul
// FORM-LABEL: func.func @linear(
// FORM:          %[[M:dim_[0-9]+]] = tensor.dim %arg0, %{{.*}} : tensor<?x64xf32>
// FORM:          %[[Y:.*]] = memref.alloc(%[[M]]) : memref<?x80xf32>
// FORM:          call @linear_contraction_0({{.*}}, %[[Y]])

// CHECK-DAG: #[[$BLOCKS:.*]] = affine_map<()[s0] -> (s0 floordiv 64)>
// CHECK-DAG: #[[$MAIN:.*]] = affine_map<()[s0] -> ((s0 floordiv 64) * 64)>
// CHECK-DAG: #[[$LAST:.*]] = affine_map<()[s0] -> (s0 mod 64)>
// The main part: a grid of M0/64 block rows, launched only when there is one;
// static 64-row tiles inside (the partial-tile min folded away).
// CHECK-LABEL: func.func private @linear_contraction_0(
// CHECK-SAME:     memref<?x64xf32, strided<[64, 1]>>
// CHECK-SAME:     seqboat.kernel_kind = "contraction"
// CHECK:         %[[ROWS:.*]] = memref.dim %arg0
// CHECK:         %[[GRID:.*]] = affine.apply #[[$BLOCKS]]()[%[[ROWS]]]
// CHECK:         %[[ANY:.*]] = arith.cmpi sgt, %[[GRID]], %c0
// CHECK:         scf.if %[[ANY]] {
// CHECK:           gpu.launch blocks({{.*}}) in ({{.*}} = %c1{{.*}}, {{.*}} = %[[GRID]], {{.*}} = %c1{{.*}}) threads({{.*}}) in ({{.*}} = %c128
// CHECK-NOT:         affine.min
// CHECK:             nvgpu.device_async_copy
// CHECK:             nvgpu.ldmatrix
// CHECK:             nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 8], tf32Enabled}
// The rest on the parallel strategy.
// CHECK-LABEL: func.func private @linear_contraction_0_cols(
// CHECK-SAME:     memref<?x64xf32, strided<[64, 1]>>, %{{.*}}: memref<16x64xf32, strided<[64, 1], offset: 4096>>
// CHECK-SAME:     seqboat.kernel_kind = "parallel"
// CHECK-NOT:     nvgpu.mma.sync
// CHECK-LABEL: func.func private @linear_contraction_0_rows(
// CHECK-SAME:     memref<?x64xf32, strided<[64, 1], offset: ?>>
// CHECK-SAME:     seqboat.kernel_kind = "parallel"
// CHECK-NOT:     nvgpu.mma.sync
// The host splits the rows of every call at run time.
// CHECK-LABEL: func.func @linear(
// CHECK:         %[[M:.*]] = memref.dim %[[X:.*]], %{{.*}} : memref<?x64xf32>
// CHECK:         %[[M0:.*]] = affine.apply #[[$MAIN]]()[%[[M]]]
// CHECK:         %[[R:.*]] = affine.apply #[[$LAST]]()[%[[M]]]
// CHECK:         %[[X0:.*]] = memref.subview %[[X]][0, 0] [%[[M0]], 64] [1, 1]
// CHECK:         call @linear_contraction_0(%[[X0]],
// CHECK:         %[[XR:.*]] = memref.subview %[[X]][%[[M0]], 0] [%[[R]], 64] [1, 1]
// CHECK:         call @linear_contraction_0_rows(%[[XR]],
// CHECK:         call @linear_contraction_0_cols(

// target=cpu has the same tiles and peeling, with loops instead of the launch.
// CPU-LABEL: func.func private @linear_contraction_0(
// CPU-NOT:     gpu.launch
// CPU:         vector.fma
// CPU-LABEL: func.func @linear(
// CPU:         call @linear_contraction_0(
// CPU:         call @linear_contraction_0_rows(
