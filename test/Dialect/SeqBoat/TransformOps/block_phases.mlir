// RUN: seqboat-opt %s --transform-interpreter --split-input-file --verify-diagnostics | FileCheck %s

// transform.seqboat.promote_block_tensors: a block's scratch tensor (a
// tensor.empty in a #gpu.block forall, outside thread foralls) becomes a
// workgroup alloca; the block's output tile (written in place) is untouched.
// transform.seqboat.tile_block_to_threads: each linalg op of the block a
// thread forall over at most 64 threads, parallel loops innermost first
// ([16, 8]: 8 threads along the inner loop, the 8 left along the outer, 2
// rows each; the row sum's reduction stays whole in each of its 16 threads).

// CHECK-LABEL: func.func @phases(
// CHECK:         scf.forall (%{{.*}}) in (4) shared_outs
// CHECK:           %[[BUF:.*]] = memref.alloca() : memref<16x8xf32, #gpu.address_space<workgroup>>
// CHECK:           %[[T:.*]] = bufferization.to_tensor %[[BUF]] restrict writable
// CHECK:           scf.forall (%{{.*}}, %{{.*}}) in (8, 8) shared_outs(%{{.*}} = %[[T]])
// CHECK:             linalg.generic
// CHECK:             math.exp
// CHECK:           } {mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]}
// CHECK:           scf.forall (%{{.*}}) in (16) shared_outs
// CHECK:             linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK:           } {mapping = [#gpu.thread<linear_dim_0>]}
// CHECK:         } {mapping = [#gpu.block<x>]}
#id = affine_map<(i, j) -> (i, j)>
#row = affine_map<(i, j) -> (i)>
func.func @phases(%x: tensor<64x8xf32>, %out: tensor<64xf32>) -> tensor<64xf32> {
  %r = scf.forall (%b) in (4) shared_outs(%o = %out) -> (tensor<64xf32>) {
    %off = affine.apply affine_map<(d) -> (d * 16)>(%b)
    %xs = tensor.extract_slice %x[%off, 0] [16, 8] [1, 1] : tensor<64x8xf32> to tensor<16x8xf32>
    %os = tensor.extract_slice %o[%off] [16] [1] : tensor<64xf32> to tensor<16xf32>
    %e = tensor.empty() : tensor<16x8xf32>
    %p = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
        ins(%xs : tensor<16x8xf32>) outs(%e : tensor<16x8xf32>) {
    ^bb0(%a: f32, %c: f32):
      %v = math.exp %a : f32
      linalg.yield %v : f32
    } -> tensor<16x8xf32>
    %s = linalg.generic {indexing_maps = [#id, #row], iterator_types = ["parallel", "reduction"]}
        ins(%p : tensor<16x8xf32>) outs(%os : tensor<16xf32>) {
    ^bb0(%a: f32, %c: f32):
      %v = arith.addf %a, %c : f32
      linalg.yield %v : f32
    } -> tensor<16xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %s into %o[%off] [16] [1] : tensor<16xf32> into tensor<64xf32>
    }
  } {mapping = [#gpu.block<x>]}
  return %r : tensor<64xf32>
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %f = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
    %shared = transform.seqboat.promote_block_tensors %f : (!transform.any_op) -> !transform.any_op
    %t = transform.param.constant 64 : i64 -> !transform.param<i64>
    %phases = transform.seqboat.tile_block_to_threads %shared block_threads = %t
        : (!transform.any_op, !transform.param<i64>) -> !transform.any_op
    transform.yield
  }
}

// -----

// A scratch tensor of runtime size cannot be shared memory: a silenceable
// failure naming it.
func.func @dynamic_scratch(%x: tensor<64x8xf32>, %n: index, %out: tensor<64xf32>) -> tensor<64xf32> {
  %r = scf.forall (%b) in (4) shared_outs(%o = %out) -> (tensor<64xf32>) {
    // expected-note @+1 {{tensor.empty: 'tensor<?x8xf32>'}}
    %e = tensor.empty(%n) : tensor<?x8xf32>
    %c = arith.constant 0.0 : f32
    %f = linalg.fill ins(%c : f32) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
    %v = tensor.extract %f[%b, %b] : tensor<?x8xf32>
    %os = tensor.insert %v into %o[%b] : tensor<64xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %os into %o[0] [64] [1] : tensor<64xf32> into tensor<64xf32>
    }
  } {mapping = [#gpu.block<x>]}
  return %r : tensor<64xf32>
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %f = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
    // expected-error @+1 {{a block's scratch tensor of runtime size cannot be in workgroup memory}}
    %shared = transform.seqboat.promote_block_tensors %f : (!transform.any_op) -> !transform.any_op
    transform.yield
  }
}

// -----

func.func @bad_threads(%x: tensor<8xf32>) -> tensor<8xf32> {
  return %x : tensor<8xf32>
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %f = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
    %t = transform.param.constant 2048 : i64 -> !transform.param<i64>
    // expected-error @+1 {{block_threads must be one integer in [1, 1024], got [2048 : i64]}}
    %p = transform.seqboat.tile_block_to_threads %f block_threads = %t
        : (!transform.any_op, !transform.param<i64>) -> !transform.any_op
    transform.yield
  }
}

// -----

// map_nested_forall_to_threads reads block_threads the same way.
func.func @bad_launch_threads(%x: tensor<8xf32>) -> tensor<8xf32> {
  return %x : tensor<8xf32>
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %f = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
    %t = transform.param.constant 0 : i64 -> !transform.param<i64>
    // expected-error @+1 {{block_threads must be one integer in [1, 1024], got [0 : i64]}}
    %p = transform.seqboat.map_nested_forall_to_threads %f block_threads = %t
        : (!transform.any_op, !transform.param<i64>) -> !transform.any_op
    transform.yield
  }
}

// -----

// transform.seqboat.workgroup_allocas_to_dynamic_shared: a launch's
// workgroup allocas become views of one dynamic shared memory buffer at
// 16-byte aligned offsets (100 B, then 64 B at 112), and the launch passes
// their total; a private alloca stays.
// CHECK-LABEL: func.func @dynamic_shared(
// CHECK:         %[[SIZE:.*]] = arith.constant 176 : i32
// CHECK:         gpu.launch {{.*}} dynamic_shared_memory_size %[[SIZE]]
// CHECK:           %[[BASE:.*]] = gpu.dynamic_shared_memory : memref<?xi8, #gpu.address_space<workgroup>>
// CHECK-DAG:       memref.view %[[BASE]][%c0{{.*}}][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<25xf32, #gpu.address_space<workgroup>>
// CHECK-DAG:       memref.view %[[BASE]][%c112{{.*}}][] : memref<?xi8, #gpu.address_space<workgroup>> to memref<4x4xf32, #gpu.address_space<workgroup>>
// CHECK:           memref.alloca() : memref<2xf32>
func.func @dynamic_shared(%v: f32) {
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1)
             threads(%tx, %ty, %tz) in (%a = %c1, %b = %c1, %c = %c1) {
    %s = memref.alloca() : memref<25xf32, #gpu.address_space<workgroup>>
    %t = memref.alloca() : memref<4x4xf32, #gpu.address_space<workgroup>>
    %p = memref.alloca() : memref<2xf32>
    memref.store %v, %s[%c0] : memref<25xf32, #gpu.address_space<workgroup>>
    memref.store %v, %t[%c0, %c0] : memref<4x4xf32, #gpu.address_space<workgroup>>
    memref.store %v, %p[%c0] : memref<2xf32>
    gpu.terminator
  }
  return
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %f = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
    %g = transform.seqboat.workgroup_allocas_to_dynamic_shared %f : (!transform.any_op) -> !transform.any_op
    transform.yield
  }
}

// -----

func.func @too_much_shared(%v: f32) {
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  // expected-note @+1 {{launch}}
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1)
             threads(%tx, %ty, %tz) in (%a = %c1, %b = %c1, %c = %c1) {
    %s = memref.alloca() : memref<1024xf32, #gpu.address_space<workgroup>>
    memref.store %v, %s[%c0] : memref<1024xf32, #gpu.address_space<workgroup>>
    gpu.terminator
  }
  return
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %f = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
    // expected-error @+1 {{the launch's workgroup buffers need 4096 bytes of shared memory, more than 1024}}
    %g = transform.seqboat.workgroup_allocas_to_dynamic_shared %f {max_bytes = 1024} : (!transform.any_op) -> !transform.any_op
    transform.yield
  }
}

// -----

// warp_matmuls: a matmul whose shape is a multiple of m16n8k8 is a phase over
// the block's warps (128 threads: 4 warps; 32 x 16: 2 warps along its rows
// of 16, 2 along its columns of 8), its accumulator's fill computed in the
// warp's tile, both tagged seqboat.warp_matmul; its consumer stays a thread
// phase. A matmul of another shape (M = 8) stays on the threads.
// CHECK-LABEL: func.func @warps(
// CHECK:         scf.forall (%{{.*}}) in (2) shared_outs
// CHECK:           scf.forall (%{{.*}}, %{{.*}}) in (2, 2) shared_outs
// CHECK:             linalg.fill {{.*}}seqboat.warp_matmul
// CHECK-SAME:          -> tensor<16x8xf32>
// CHECK:             linalg.matmul {{.*}}seqboat.warp_matmul
// CHECK-SAME:          -> tensor<16x8xf32>
// CHECK:           } {mapping = [#gpu.warp<linear_dim_1>, #gpu.warp<linear_dim_0>]}
// CHECK:           scf.forall
// CHECK:             math.exp
// CHECK:           } {mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]}
// CHECK:         } {mapping = [#gpu.block<x>]}
// CHECK-LABEL: func.func @not_mma_shaped(
// CHECK-NOT:     gpu.warp
// CHECK-NOT:     seqboat.warp_matmul
// CHECK:         } {mapping = [#gpu.block<x>]}
#id2 = affine_map<(i, j) -> (i, j)>
func.func @warps(%a: tensor<64x32xf32>, %b: tensor<16x32xf32>, %out: tensor<64x16xf32>) -> tensor<64x16xf32> {
  %r = scf.forall (%i) in (2) shared_outs(%o = %out) -> (tensor<64x16xf32>) {
    %off = affine.apply affine_map<(d) -> (d * 32)>(%i)
    %as = tensor.extract_slice %a[%off, 0] [32, 32] [1, 1] : tensor<64x32xf32> to tensor<32x32xf32>
    %os = tensor.extract_slice %o[%off, 0] [32, 16] [1, 1] : tensor<64x16xf32> to tensor<32x16xf32>
    %zero = arith.constant 0.0 : f32
    %e = tensor.empty() : tensor<32x16xf32>
    %f = linalg.fill ins(%zero : f32) outs(%e : tensor<32x16xf32>) -> tensor<32x16xf32>
    %m = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
        ins(%as, %b : tensor<32x32xf32>, tensor<16x32xf32>) outs(%f : tensor<32x16xf32>) -> tensor<32x16xf32>
    %x = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
        ins(%m : tensor<32x16xf32>) outs(%os : tensor<32x16xf32>) {
    ^bb0(%v: f32, %c: f32):
      %y = math.exp %v : f32
      linalg.yield %y : f32
    } -> tensor<32x16xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %x into %o[%off, 0] [32, 16] [1, 1] : tensor<32x16xf32> into tensor<64x16xf32>
    }
  } {mapping = [#gpu.block<x>]}
  return %r : tensor<64x16xf32>
}

func.func @not_mma_shaped(%a: tensor<16x32xf32>, %b: tensor<16x32xf32>, %out: tensor<16x16xf32>) -> tensor<16x16xf32> {
  %r = scf.forall (%i) in (2) shared_outs(%o = %out) -> (tensor<16x16xf32>) {
    %off = affine.apply affine_map<(d) -> (d * 8)>(%i)
    %as = tensor.extract_slice %a[%off, 0] [8, 32] [1, 1] : tensor<16x32xf32> to tensor<8x32xf32>
    %os = tensor.extract_slice %o[%off, 0] [8, 16] [1, 1] : tensor<16x16xf32> to tensor<8x16xf32>
    %m = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>]
        ins(%as, %b : tensor<8x32xf32>, tensor<16x32xf32>) outs(%os : tensor<8x16xf32>) -> tensor<8x16xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %m into %o[%off, 0] [8, 16] [1, 1] : tensor<8x16xf32> into tensor<16x16xf32>
    }
  } {mapping = [#gpu.block<x>]}
  return %r : tensor<16x16xf32>
}

module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %fs = transform.structured.match ops{["func.func"]} in %root : (!transform.any_op) -> !transform.any_op
    %t = transform.param.constant 128 : i64 -> !transform.param<i64>
    %phases = transform.seqboat.tile_block_to_threads %fs block_threads = %t warp_matmuls
        : (!transform.any_op, !transform.param<i64>) -> !transform.any_op
    transform.yield
  }
}
