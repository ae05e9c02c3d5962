// RUN: seqboat-opt %s --seqboat-form-kernels --seqboat-apply-strategies | FileCheck %s
// RUN: seqboat-opt %S/Inputs/dynamic_scan.mlir --seqboat-gpu-pipeline="format=isa" | FileCheck %s --check-prefix=SCAN

// Dynamic B and L on the generic path (docs/gpu.md, "Dynamic B and L on the
// generic path"): the kernel takes [?, ?, 16] buffers; the grid is computed
// from their runtime sizes on the host (8 tokens x 16 features per block of
// 128 threads: ceil(L / 8) x B blocks), the launch is skipped when it has no
// blocks, and the threads of the last, partial block of tokens are masked.
// CHECK-DAG: #[[$CEIL:.*]] = affine_map<()[s0] -> (s0 ceildiv 8)>
// CHECK-DAG: #[[$ROWS:.*]] = affine_map<()[s0, s1] -> (8, s0 - s1 * 8)>
// CHECK-DAG: #[[$TOKEN:.*]] = affine_map<()[s0] -> (s0 floordiv 16)>
// CHECK-LABEL: func.func private @silu_parallel_0
// CHECK-SAME: (%[[X:.*]]: memref<?x?x16xf32, {{.*}}>, %[[Y:.*]]: memref<?x?x16xf32>)
// CHECK-DAG: %[[B:.*]] = memref.dim %[[X]], %c0
// CHECK-DAG: %[[L:.*]] = memref.dim %[[X]], %c1
// CHECK: %[[NL:.*]] = affine.apply #[[$CEIL]]()[%[[L]]]
// CHECK: %[[SOME:.*]] = arith.cmpi sgt, %[[NL]], %c0
// CHECK: %[[SOMEB:.*]] = arith.cmpi sgt, %[[B]], %c0
// CHECK: %[[ANY:.*]] = arith.andi %[[SOME]], %[[SOMEB]]
// CHECK: scf.if %[[ANY]] {
// CHECK: gpu.launch blocks(%{{.*}}, %[[BY:.*]], %[[BZ:.*]]) in (%{{.*}} = %c1, %{{.*}} = %[[NL]], %{{.*}} = %[[B]]) threads({{.*}}) in (%{{.*}} = %c128, %{{.*}} = %c1, %{{.*}} = %c1)
// CHECK: %[[N:.*]] = affine.min #[[$ROWS]]()[%[[L]], %[[BY]]]
// CHECK: %[[T:.*]] = affine.apply #[[$TOKEN]]()[%thread_id_x]
// CHECK: %[[IN:.*]] = arith.cmpi ult, %[[T]], %[[N]]
// CHECK: scf.if %[[IN]] {
// CHECK: math.exp
// CHECK: memref.store
// The host allocates the result at the runtime sizes of x.
// CHECK-LABEL: func.func @silu
// CHECK: memref.alloc(%{{.*}}, %{{.*}}) : memref<?x?x16xf32>
// CHECK: call @silu_parallel_0
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
func.func @silu(%x: tensor<?x?x16xf32>) -> tensor<?x?x16xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = tensor.dim %x, %c0 : tensor<?x?x16xf32>
  %l = tensor.dim %x, %c1 : tensor<?x?x16xf32>
  %e = tensor.empty(%b, %l) : tensor<?x?x16xf32>
  %y = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x : tensor<?x?x16xf32>) outs(%e : tensor<?x?x16xf32>) {
  ^bb0(%v: f32, %o: f32):
    %n = arith.negf %v : f32
    %ex = math.exp %n : f32
    %one = arith.constant 1.0 : f32
    %d = arith.addf %one, %ex : f32
    %s = arith.divf %v, %d : f32
    linalg.yield %s : f32
  } -> tensor<?x?x16xf32>
  return %y : tensor<?x?x16xf32>
}

// compact_index on a dynamic batch is the parallel prefix count (kernels of
// runtime grids) like a static one, in the gpu.binary.
// SCAN: gpu.binary @seqboat_kernels
// SCAN: llvm.func @dynamic_scan(
// SCAN-COUNT-3: gpu.launch_func {{.*}} @seqboat_kernels::@dynamic_scan_parallel_{{[0-9]+}}_kernel blocks in (%{{.*}}, %{{.*}}, %{{.*}})
