// seqboat's default strategy library: the contraction strategy.
//
// A contraction kernel (formed by seqboat-form-kernels) is a function
//   Y[M, N] = epilogue(fill(0) + X[M, K] . W[N, K]^T, bias[N])
// holding exactly one linalg.fill, one linalg.matmul (B transposed: the
// nn.Linear [out, in] layout) and one elementwise linalg.generic (the
// epilogue), between a memref boundary (to_tensor /
// materialize_in_destination). seqboat-apply-strategies tags the kernel
// being compiled with the unit attribute `seqboat.strategy_target`, binds the
// module as %root and the knobs as params, and calls
//   @seqboat_contraction_gpu  block tile TMxTN, K tile BK, 2x2 warps of
//                             (TM/2)x(TN/2), 128 threads; X/W K-slices staged
//                             in shared memory with cp.async (16 B, L1
//                             bypassed), double-buffered and pipelined;
//                             ldmatrix + mma.sync m16n8k8 TF32; accumulators
//                             in registers; bias + epilogue in the kernel
//   @seqboat_contraction_gpu_ieee  (precision=ieee) the same staging, the
//                             matmul register-blocked per thread (16x8
//                             threads) and lowered to exact-f32 FFMA
//   @seqboat_contraction_cpu  the same tiling, fusion, promotion, distribution
//                             and mma-shaped unrolling as sequential loops
//                             over stack buffers, vector.contract -> FMAs
//                             (how the GPU schedule is checked without a GPU)
//
// and, for host code (seqboat-apply-host-strategies, on buffers):
//   @seqboat_contraction_host the contraction op tagged seqboat.strategy_target
//                             tiled into cache blocks, register tiles and
//                             short reduction steps; each step one
//                             vector.contract, accumulators kept in registers
//                             across the reduction, lowered to outer products
//                             (one FMA per register-tile row and step)
//   @seqboat_rows_host        any other op contiguous along one parallel loop:
//                             that loop in vectors, the rest tiled by 1,
//                             short reductions across vector registers
// Knob params (in order): TM, TN, BK, the matmul's tile per warp (WM = TM/2,
// WN = TN/2; per thread for FFMA: TM/16, TN/8), and the
// copy thread grid CTM x CTK (CTK = BK/4 threads along K, one 16-byte copy
// each; CTM = 128/CTK along the rows). The driver checks the tiles divide the
// problem and fit 48 KiB of shared memory.
//
// A user library replaces this file with --seqboat-apply-strategies=
// "library=FILE" (or the pipelines' strategy-library= option); it must define
// the same entry points with the same signature.
module attributes {transform.with_named_sequence} {

  transform.named_sequence @seqboat_kernel(%root: !transform.any_op {transform.readonly})
      -> !transform.any_op {
    %f = transform.structured.match ops{["func.func"]} attributes{seqboat.strategy_target} in %root
        : (!transform.any_op) -> !transform.any_op
    transform.yield %f : !transform.any_op
  }

  // 1. Tensors: block-tile the epilogue, fuse the matmul and the accumulator
  //    fill into the block forall, tile K with scf.for.
  transform.named_sequence @seqboat_tile_and_fuse(%root: !transform.any_op {transform.readonly},
                                                  %tm: !transform.param<i64> {transform.readonly},
                                                  %tn: !transform.param<i64> {transform.readonly},
                                                  %bk: !transform.param<i64> {transform.readonly})
      -> (!transform.any_op, !transform.any_op, !transform.any_op) {
    %func = transform.include @seqboat_kernel failures(propagate) (%root)
        : (!transform.any_op) -> !transform.any_op
    // The epilogue writes straight into Y (no [M, N] temporary).
    transform.bufferization.eliminate_empty_tensors %func : !transform.any_op
    %epi = transform.structured.match ops{["linalg.generic"]} in %func : (!transform.any_op) -> !transform.any_op
    %mm = transform.structured.match ops{["linalg.matmul"]} in %func : (!transform.any_op) -> !transform.any_op
    %fill = transform.structured.match ops{["linalg.fill"]} in %func : (!transform.any_op) -> !transform.any_op
    %epi_t, %blk = transform.structured.tile_using_forall %epi tile_sizes [%tm, %tn]
        (mapping = [#gpu.block<y>, #gpu.block<x>])
        : (!transform.any_op, !transform.param<i64>, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
    %mm_f, %blk1 = transform.structured.fuse_into_containing_op %mm into %blk
        : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
    %fill_f, %blk2 = transform.structured.fuse_into_containing_op %fill into %blk1
        : (!transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
    %mm_k, %kloop = transform.structured.tile_using_for %mm_f tile_sizes [0, 0, %bk]
        : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
    // A runtime M is a multiple of TM here (the driver peeled the rest):
    // the tile sizes min(TM, M - i·TM) fold to TM, so every tile is static.
    transform.apply_patterns to %func {
      transform.apply_patterns.canonicalization
      transform.apply_patterns.scf.for_loop_canonicalization
      transform.apply_patterns.tensor.fold_tensor_empty
    } : !transform.any_op
    // (Static tiles have no min to simplify: not a failure.)
    transform.sequence %func : !transform.any_op failures(suppress) {
    ^bb0(%f: !transform.any_op):
      %mins = transform.structured.match ops{["affine.min"]} in %f : (!transform.any_op) -> !transform.any_op
      transform.affine.simplify_min_max_affine_ops %mins : !transform.any_op
    }
    transform.apply_patterns to %func {
      transform.apply_patterns.canonicalization
      transform.apply_patterns.tensor.fold_tensor_empty
    } : !transform.any_op
    transform.apply_cse to %func : !transform.any_op
    transform.yield %epi_t, %mm_k, %fill_f : !transform.any_op, !transform.any_op, !transform.any_op
  }

  // 2. Promotion: the accumulator tile in one buffer for the whole block; the
  //    X/W K-slices and the bias tile copied (linalg.copy) into buffers of
  //    their own. structured.pad (nofold, zero padding) +
  //    bufferize_to_allocation is how an explicit copy op into a new buffer is
  //    made on tensors. The bias staging matters on the GPU: the barrier after
  //    its copy orders the accumulator write-back (moved after the K loop by
  //    the hoisting below) before the epilogue reads other threads' results.
  transform.named_sequence @seqboat_promote_gpu(%mm: !transform.any_op {transform.consumed},
                                                %fill: !transform.any_op {transform.consumed},
                                                %epi: !transform.any_op {transform.consumed})
      -> (!transform.any_op, !transform.any_op) {
    %acc, %n0 = transform.structured.bufferize_to_allocation %fill
        {memory_space = #gpu.address_space<workgroup>, alloc_op = "memref.alloca"} : !transform.any_op
    %padded, %pad, %copy = transform.structured.pad %mm {
        padding_values = ["0.0", "0.0", "0.0"], padding_dimensions = [0, 1, 2],
        nofold_flags = [1, 1, 0], copy_back_op = "none"}
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
    %pA, %pW = transform.split_handle %pad : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    // memref.alloc (not alloca) so that memref.multibuffer applies.
    %bA, %nA = transform.structured.bufferize_to_allocation %pA
        {memory_space = #gpu.address_space<workgroup>, alloc_op = "memref.alloc", memcpy_op = "linalg.copy"} : !transform.any_op
    %bW, %nW = transform.structured.bufferize_to_allocation %pW
        {memory_space = #gpu.address_space<workgroup>, alloc_op = "memref.alloc", memcpy_op = "linalg.copy"} : !transform.any_op
    %epi_p, %bpad, %bcopy = transform.structured.pad %epi {
        padding_values = ["0.0", "0.0", "0.0"], padding_dimensions = [0, 1],
        nofold_flags = [0, 1, 0], copy_back_op = "none"}
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
    %bb, %nb = transform.structured.bufferize_to_allocation %bpad
        {memory_space = #gpu.address_space<workgroup>, alloc_op = "memref.alloca", memcpy_op = "linalg.copy"} : !transform.any_op
    transform.yield %padded, %epi_p : !transform.any_op, !transform.any_op
  }

  transform.named_sequence @seqboat_promote_cpu(%mm: !transform.any_op {transform.consumed},
                                                %fill: !transform.any_op {transform.consumed},
                                                %epi: !transform.any_op {transform.consumed})
      -> (!transform.any_op, !transform.any_op) {
    %acc, %n0 = transform.structured.bufferize_to_allocation %fill
        {alloc_op = "memref.alloca"} : !transform.any_op
    %padded, %pad, %copy = transform.structured.pad %mm {
        padding_values = ["0.0", "0.0", "0.0"], padding_dimensions = [0, 1, 2],
        nofold_flags = [1, 1, 0], copy_back_op = "none"}
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
    %pA, %pW = transform.split_handle %pad : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %bA, %nA = transform.structured.bufferize_to_allocation %pA
        {alloc_op = "memref.alloca", memcpy_op = "linalg.copy"} : !transform.any_op
    %bW, %nW = transform.structured.bufferize_to_allocation %pW
        {alloc_op = "memref.alloca", memcpy_op = "linalg.copy"} : !transform.any_op
    %epi_p, %bpad, %bcopy = transform.structured.pad %epi {
        padding_values = ["0.0", "0.0", "0.0"], padding_dimensions = [0, 1],
        nofold_flags = [0, 1, 0], copy_back_op = "none"}
        : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
    %bb, %nb = transform.structured.bufferize_to_allocation %bpad
        {alloc_op = "memref.alloca", memcpy_op = "linalg.copy"} : !transform.any_op
    transform.yield %padded, %epi_p : !transform.any_op, !transform.any_op
  }

  // 3. Distribution (the same on GPU and CPU). 128 threads: X/W copies on a
  //    CTM x CTK grid (fused into one forall: one barrier and one cp.async
  //    group per stage), the bias on 16 threads, the fill and the epilogue on
  //    16x8 threads. The matmul is distributed by the entry point: over 2x2
  //    warps (tensor cores) or 16x8 threads (FFMA).
  transform.named_sequence @seqboat_distribute(%root: !transform.any_op {transform.readonly},
                                               %epi: !transform.any_op {transform.consumed},
                                               %ctm: !transform.param<i64> {transform.readonly},
                                               %ctk: !transform.param<i64> {transform.readonly}) {
    // Re-matched here: a handle to the function would be invalidated by the
    // handles nested in it that this sequence consumes.
    %func = transform.include @seqboat_kernel failures(propagate) (%root)
        : (!transform.any_op) -> !transform.any_op
    %copies = transform.structured.match ops{["linalg.copy"]} in %func : (!transform.any_op) -> !transform.any_op
    %cA, %cW, %cB = transform.split_handle %copies : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op)
    %cA_t, %cfA = transform.structured.tile_using_forall %cA num_threads [%ctm, %ctk]
        (mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>])
        : (!transform.any_op, !transform.param<i64>, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
    %cW_t, %cfW = transform.structured.tile_using_forall %cW num_threads [%ctm, %ctk]
        (mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>])
        : (!transform.any_op, !transform.param<i64>, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
    %copy_fused = transform.loop.fuse_sibling %cfA into %cfW : (!transform.any_op, !transform.any_op) -> !transform.any_op
    %cB_t, %cfB = transform.structured.tile_using_forall %cB num_threads [16]
        (mapping = [#gpu.thread<linear_dim_0>]) : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %fill = transform.structured.match ops{["linalg.fill"]} in %func : (!transform.any_op) -> !transform.any_op
    %fill_t, %fill_forall = transform.structured.tile_using_forall %fill num_threads [16, 8]
        (mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]) : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    %epi_t, %epi_forall = transform.structured.tile_using_forall %epi num_threads [16, 8]
        (mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>]) : (!transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.yield
  }

  transform.named_sequence @seqboat_bufferize(%root: !transform.any_op {transform.readonly}) {
    %func = transform.include @seqboat_kernel failures(propagate) (%root)
        : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %func {
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_cse to %func : !transform.any_op
    %func_b = transform.bufferization.one_shot_bufferize %func : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %func_b {
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_cse to %func_b : !transform.any_op
    transform.yield
  }

  // 4a. GPU: gpu.launch, cp.async staging, double buffering, software
  //     pipelining, vector.contract -> nvgpu.mma.sync (TF32, or f16/bf16
  //     for 16-bit operands). The staging and the pipelining are shared.
  transform.named_sequence @seqboat_gpu_stage(%root: !transform.any_op {transform.readonly}) {
    %func = transform.include @seqboat_kernel failures(propagate) (%root)
        : (!transform.any_op) -> !transform.any_op
    // (Upstream's generate_gpu_launch mapping; with a runtime M, the grid's
    // row count is computed on the host.)
    %launch = transform.seqboat.map_forall_to_blocks %func : (!transform.any_op) -> !transform.any_op
    %launch2 = transform.gpu.map_nested_forall_to_threads %launch block_dims = [128, 1, 1] : (!transform.any_op) -> !transform.any_op
    %f0 = transform.include @seqboat_kernel failures(propagate) (%root)
        : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %f0 {
      transform.apply_patterns.canonicalization
      transform.apply_patterns.gpu.eliminate_barriers
    } : !transform.any_op
    transform.apply_cse to %f0 : !transform.any_op
    // X/W buffers out of the K loop, then two of each.
    transform.bufferization.buffer_loop_hoisting %f0 : !transform.any_op
    %allocs = transform.structured.match ops{["memref.alloc"]} in %f0 : (!transform.any_op) -> !transform.op<"memref.alloc">
    %mb = transform.memref.multibuffer %allocs {factor = 2 : i64, skip_analysis}
        : (!transform.op<"memref.alloc">) -> !transform.any_op
    // Global -> shared copies: vectorised, split into 1-D transfers, cp.async.
    %copies = transform.structured.match ops{["linalg.copy"]} in %f0 : (!transform.any_op) -> !transform.any_op
    transform.structured.vectorize %copies : !transform.any_op
    transform.apply_patterns to %f0 {
      transform.apply_patterns.vector.transfer_to_scf max_transfer_rank = 1 full_unroll = true
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    %f1 = transform.nvgpu.create_async_groups %f0 {bypass_l1} : (!transform.any_op) -> !transform.any_op
    transform.yield
  }

  transform.named_sequence @seqboat_gpu_pipeline(%root: !transform.any_op {transform.readonly}) {
    %f5 = transform.include @seqboat_kernel failures(propagate) (%root)
        : (!transform.any_op) -> !transform.any_op
    %kloop = transform.structured.match ops{["scf.for"]} in %f5 : (!transform.any_op) -> !transform.any_op
    %piped = transform.nvgpu.pipeline_shared_memory_copies failures(propagate) %kloop {depth = 2, peel_epilogue}
        : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %f5 {
      transform.apply_patterns.memref.fold_memref_alias_ops
    } : !transform.any_op
    // XOR swizzle of the X/W tiles against ldmatrix bank conflicts.
    %f6 = transform.apply_registered_pass "nvgpu-optimize-shared-memory" to %f5 : (!transform.any_op) -> !transform.any_op
    // Shared buffers must end as memref.global in address space 3: a
    // memref.alloc inside a kernel would become a per-thread device malloc.
    %f7 = transform.apply_registered_pass "promote-buffers-to-stack"
        with options = {"max-alloc-size-in-bytes" = 65536 : i64, "max-rank-of-allocated-memref" = 3 : i64} to %f6
        : (!transform.any_op) -> !transform.any_op
    %allocas = transform.structured.match ops{["memref.alloca"]} in %f7 : (!transform.any_op) -> !transform.op<"memref.alloca">
    %gets, %globals = transform.memref.alloca_to_global %allocas
        : (!transform.op<"memref.alloca">) -> (!transform.any_op, !transform.any_op)
    // Remaining transfers (fill, epilogue) -> 1-D loads and stores.
    transform.apply_patterns to %f7 {
      transform.apply_patterns.vector.transfer_to_scf max_transfer_rank = 1 full_unroll = true
      transform.apply_patterns.vector.materialize_masks
      transform.apply_patterns.vector.lower_transfer max_transfer_rank = 1
      transform.apply_patterns.vector.lower_broadcast
      transform.apply_patterns.vector.lower_shape_cast
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_cse to %f7 : !transform.any_op
    transform.yield
  }

  transform.named_sequence @seqboat_gpu_map_and_lower(%root: !transform.any_op {transform.readonly}) {
    transform.include @seqboat_gpu_stage failures(propagate) (%root) : (!transform.any_op) -> ()
    %f1 = transform.include @seqboat_kernel failures(propagate) (%root)
        : (!transform.any_op) -> !transform.any_op
    // matmul -> vector.contract, unrolled to the mma shape m16n8k8.
    %f2 = transform.structured.vectorize_children_and_apply_patterns %f1 : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %f2 {
      transform.apply_patterns.gpu.unroll_vectors_subgroup_mma [16, 8, 8]
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.include @seqboat_gpu_accumulators_in_registers failures(propagate) (%root) : (!transform.any_op) -> ()
    // vector.contract -> nvgpu.mma.sync + ldmatrix, f32 operands as TF32.
    // Before the pipelining (which cannot handle transfers from workgroup
    // memory) and after the hoisting (which needs transfer pairs).
    %f3 = transform.include @seqboat_kernel failures(propagate) (%root)
        : (!transform.any_op) -> !transform.any_op
    %f4 = transform.apply_registered_pass "seqboat-vector-to-mma-sync" to %f3
        : (!transform.any_op) -> !transform.any_op
    %f5 = transform.apply_registered_pass "seqboat-mma-sync-tf32" to %f4
        : (!transform.any_op) -> !transform.any_op
    transform.include @seqboat_gpu_pipeline failures(propagate) (%root) : (!transform.any_op) -> ()
    transform.yield
  }

  // 16-bit operands: the vector.contract reads f16/bf16 tiles into the f32
  // accumulator (the extensions the vectoriser put on its operands folded
  // into it), unrolled to mma.sync m16n8k16.
  transform.named_sequence @seqboat_gpu_map_and_lower16(%root: !transform.any_op {transform.readonly}) {
    transform.include @seqboat_gpu_stage failures(propagate) (%root) : (!transform.any_op) -> ()
    %f1 = transform.include @seqboat_kernel failures(propagate) (%root)
        : (!transform.any_op) -> !transform.any_op
    %f2 = transform.structured.vectorize_children_and_apply_patterns %f1 : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %f2 {
      transform.apply_patterns.vector.fold_arith_extension
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_patterns to %f2 {
      transform.apply_patterns.gpu.unroll_vectors_subgroup_mma [16, 8, 16]
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.include @seqboat_gpu_accumulators_in_registers failures(propagate) (%root) : (!transform.any_op) -> ()
    %f3 = transform.include @seqboat_kernel failures(propagate) (%root)
        : (!transform.any_op) -> !transform.any_op
    %f4 = transform.apply_registered_pass "seqboat-vector-to-mma-sync" to %f3
        : (!transform.any_op) -> !transform.any_op
    transform.include @seqboat_gpu_pipeline failures(propagate) (%root) : (!transform.any_op) -> ()
    transform.yield
  }

  // Accumulators into registers (loop-carried vectors); the hoisting
  // ignores transfers from memref.subview, so those are folded first.
  transform.named_sequence @seqboat_gpu_accumulators_in_registers(%root: !transform.any_op {transform.readonly}) {
    %f2 = transform.include @seqboat_kernel failures(propagate) (%root)
        : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %f2 {
      transform.apply_patterns.memref.fold_memref_alias_ops
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_cse to %f2 : !transform.any_op
    %f3 = transform.structured.hoist_redundant_vector_transfers %f2 : (!transform.any_op) -> !transform.any_op
    transform.yield
  }

  // Vector code as FMAs and 1-D loads and stores: each vector.contract as
  // outer products (one FMA per row of the tile and step), transfers
  // unrolled to rank 1 (the FFMA and CPU lowerings of the mma-shaped tiles).
  transform.named_sequence @seqboat_vectors_to_fma(%root: !transform.any_op {transform.readonly}) {
    %f = transform.include @seqboat_kernel failures(propagate) (%root)
        : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %f {
      transform.apply_patterns.vector.lower_contraction lowering_strategy = "outerproduct"
      transform.apply_patterns.vector.lower_outerproduct
      transform.apply_patterns.vector.transfer_permutation_patterns
      transform.apply_patterns.vector.transfer_to_scf max_transfer_rank = 1 full_unroll = true
      transform.apply_patterns.vector.materialize_masks
      transform.apply_patterns.vector.lower_transfer max_transfer_rank = 1
      transform.apply_patterns.vector.lower_transpose
      transform.apply_patterns.vector.lower_broadcast
      transform.apply_patterns.vector.lower_shape_cast
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_cse to %f : !transform.any_op
    transform.yield
  }

  // 4c. GPU, exact f32: the same staging, the matmul register-blocked per
  //     thread (a 16x8 grid of (TM/16)x(TN/8) tiles) and lowered to FFMA;
  //     the K slices are read from shared memory with vector loads.
  transform.named_sequence @seqboat_gpu_map_and_lower_ieee(%root: !transform.any_op {transform.readonly}) {
    %func = transform.include @seqboat_kernel failures(propagate) (%root)
        : (!transform.any_op) -> !transform.any_op
    // (Upstream's generate_gpu_launch mapping; with a runtime M, the grid's
    // row count is computed on the host.)
    %launch = transform.seqboat.map_forall_to_blocks %func : (!transform.any_op) -> !transform.any_op
    %launch2 = transform.gpu.map_nested_forall_to_threads %launch block_dims = [128, 1, 1] : (!transform.any_op) -> !transform.any_op
    %f0 = transform.include @seqboat_kernel failures(propagate) (%root)
        : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %f0 {
      transform.apply_patterns.canonicalization
      transform.apply_patterns.gpu.eliminate_barriers
    } : !transform.any_op
    transform.apply_cse to %f0 : !transform.any_op
    transform.bufferization.buffer_loop_hoisting %f0 : !transform.any_op
    %allocs = transform.structured.match ops{["memref.alloc"]} in %f0 : (!transform.any_op) -> !transform.op<"memref.alloc">
    %mb = transform.memref.multibuffer %allocs {factor = 2 : i64, skip_analysis}
        : (!transform.op<"memref.alloc">) -> !transform.any_op
    %copies = transform.structured.match ops{["linalg.copy"]} in %f0 : (!transform.any_op) -> !transform.any_op
    transform.structured.vectorize %copies : !transform.any_op
    transform.apply_patterns to %f0 {
      transform.apply_patterns.vector.transfer_to_scf max_transfer_rank = 1 full_unroll = true
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    %f1 = transform.nvgpu.create_async_groups %f0 {bypass_l1} : (!transform.any_op) -> !transform.any_op
    %f2 = transform.structured.vectorize_children_and_apply_patterns %f1 : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %f2 {
      transform.apply_patterns.memref.fold_memref_alias_ops
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_cse to %f2 : !transform.any_op
    %f3 = transform.structured.hoist_redundant_vector_transfers %f2 : (!transform.any_op) -> !transform.any_op
    transform.include @seqboat_vectors_to_fma failures(propagate) (%root) : (!transform.any_op) -> ()
    %kloop = transform.structured.match ops{["scf.for"]} in %f3 : (!transform.any_op) -> !transform.any_op
    %piped = transform.nvgpu.pipeline_shared_memory_copies failures(propagate) %kloop {depth = 2, peel_epilogue}
        : (!transform.any_op) -> !transform.any_op
    %f7 = transform.apply_registered_pass "promote-buffers-to-stack"
        with options = {"max-alloc-size-in-bytes" = 65536 : i64, "max-rank-of-allocated-memref" = 3 : i64} to %f3
        : (!transform.any_op) -> !transform.any_op
    %allocas = transform.structured.match ops{["memref.alloca"]} in %f7 : (!transform.any_op) -> !transform.op<"memref.alloca">
    %gets, %globals = transform.memref.alloca_to_global %allocas
        : (!transform.op<"memref.alloca">) -> (!transform.any_op, !transform.any_op)
    transform.apply_cse to %f7 : !transform.any_op
    transform.yield
  }

  // 4b. CPU: the same loops run sequentially over stack buffers; the
  //     mma-shaped vector.contracts become FMAs.
  transform.named_sequence @seqboat_cpu_lower(%root: !transform.any_op {transform.readonly}) {
    %func = transform.include @seqboat_kernel failures(propagate) (%root)
        : (!transform.any_op) -> !transform.any_op
    %f0 = transform.apply_registered_pass "scf-forall-to-for" to %func : (!transform.any_op) -> !transform.any_op
    transform.bufferization.buffer_loop_hoisting %f0 : !transform.any_op
    %f1 = transform.structured.vectorize_children_and_apply_patterns %f0 : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %f1 {
      transform.apply_patterns.gpu.unroll_vectors_subgroup_mma [16, 8, 8]
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_patterns to %f1 {
      transform.apply_patterns.memref.fold_memref_alias_ops
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_cse to %f1 : !transform.any_op
    %f2 = transform.structured.hoist_redundant_vector_transfers %f1 : (!transform.any_op) -> !transform.any_op
    transform.include @seqboat_vectors_to_fma failures(propagate) (%root) : (!transform.any_op) -> ()
    transform.yield
  }

  // Entry points. Params: TM, TN, BK, WM, WN (the matmul's per-warp tile on
  // tensor cores, per-thread tile for FFMA), CTM, CTK.
  // Tensor-core entry points: tile, fuse, promote, distribute (the matmul
  // on 2x2 warps) and bufferize; then the lowering of their operand type.
  transform.named_sequence @seqboat_gpu_warp_tiles(%root: !transform.any_op {transform.readonly},
      %tm: !transform.param<i64> {transform.readonly}, %tn: !transform.param<i64> {transform.readonly},
      %bk: !transform.param<i64> {transform.readonly}, %wm: !transform.param<i64> {transform.readonly},
      %wn: !transform.param<i64> {transform.readonly}, %ctm: !transform.param<i64> {transform.readonly},
      %ctk: !transform.param<i64> {transform.readonly}) {
    %epi, %mm, %fill = transform.include @seqboat_tile_and_fuse failures(propagate) (%root, %tm, %tn, %bk)
        : (!transform.any_op, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>)
          -> (!transform.any_op, !transform.any_op, !transform.any_op)
    %padded, %epi_p = transform.include @seqboat_promote_gpu failures(propagate) (%mm, %fill, %epi)
        : (!transform.any_op, !transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.include @seqboat_distribute failures(propagate) (%root, %epi_p, %ctm, %ctk)
        : (!transform.any_op, !transform.any_op, !transform.param<i64>, !transform.param<i64>) -> ()
    %mm_w, %warps = transform.structured.tile_using_forall %padded tile_sizes [%wm, %wn]
        (mapping = [#gpu.warp<linear_dim_1>, #gpu.warp<linear_dim_0>])
        : (!transform.any_op, !transform.param<i64>, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
    transform.include @seqboat_bufferize failures(propagate) (%root) : (!transform.any_op) -> ()
    transform.yield
  }

  transform.named_sequence @seqboat_contraction_gpu(%root: !transform.any_op {transform.readonly},
      %tm: !transform.param<i64> {transform.readonly}, %tn: !transform.param<i64> {transform.readonly},
      %bk: !transform.param<i64> {transform.readonly}, %wm: !transform.param<i64> {transform.readonly},
      %wn: !transform.param<i64> {transform.readonly}, %ctm: !transform.param<i64> {transform.readonly},
      %ctk: !transform.param<i64> {transform.readonly}) {
    transform.include @seqboat_gpu_warp_tiles failures(propagate) (%root, %tm, %tn, %bk, %wm, %wn, %ctm, %ctk)
        : (!transform.any_op, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>,
           !transform.param<i64>, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>) -> ()
    transform.include @seqboat_gpu_map_and_lower failures(propagate) (%root) : (!transform.any_op) -> ()
    transform.yield
  }

  transform.named_sequence @seqboat_contraction_gpu_ieee(%root: !transform.any_op {transform.readonly},
      %tm: !transform.param<i64> {transform.readonly}, %tn: !transform.param<i64> {transform.readonly},
      %bk: !transform.param<i64> {transform.readonly}, %wm: !transform.param<i64> {transform.readonly},
      %wn: !transform.param<i64> {transform.readonly}, %ctm: !transform.param<i64> {transform.readonly},
      %ctk: !transform.param<i64> {transform.readonly}) {
    %epi, %mm, %fill = transform.include @seqboat_tile_and_fuse failures(propagate) (%root, %tm, %tn, %bk)
        : (!transform.any_op, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>)
          -> (!transform.any_op, !transform.any_op, !transform.any_op)
    %padded, %epi_p = transform.include @seqboat_promote_gpu failures(propagate) (%mm, %fill, %epi)
        : (!transform.any_op, !transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.include @seqboat_distribute failures(propagate) (%root, %epi_p, %ctm, %ctk)
        : (!transform.any_op, !transform.any_op, !transform.param<i64>, !transform.param<i64>) -> ()
    %mm_t, %threads = transform.structured.tile_using_forall %padded tile_sizes [%wm, %wn]
        (mapping = [#gpu.thread<linear_dim_1>, #gpu.thread<linear_dim_0>])
        : (!transform.any_op, !transform.param<i64>, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
    transform.include @seqboat_bufferize failures(propagate) (%root) : (!transform.any_op) -> ()
    transform.include @seqboat_gpu_map_and_lower_ieee failures(propagate) (%root) : (!transform.any_op) -> ()
    transform.yield
  }

  transform.named_sequence @seqboat_contraction_cpu(%root: !transform.any_op {transform.readonly},
      %tm: !transform.param<i64> {transform.readonly}, %tn: !transform.param<i64> {transform.readonly},
      %bk: !transform.param<i64> {transform.readonly}, %wm: !transform.param<i64> {transform.readonly},
      %wn: !transform.param<i64> {transform.readonly}, %ctm: !transform.param<i64> {transform.readonly},
      %ctk: !transform.param<i64> {transform.readonly}) {
    %epi, %mm, %fill = transform.include @seqboat_tile_and_fuse failures(propagate) (%root, %tm, %tn, %bk)
        : (!transform.any_op, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>)
          -> (!transform.any_op, !transform.any_op, !transform.any_op)
    %padded, %epi_p = transform.include @seqboat_promote_cpu failures(propagate) (%mm, %fill, %epi)
        : (!transform.any_op, !transform.any_op, !transform.any_op) -> (!transform.any_op, !transform.any_op)
    transform.include @seqboat_distribute failures(propagate) (%root, %epi_p, %ctm, %ctk)
        : (!transform.any_op, !transform.any_op, !transform.param<i64>, !transform.param<i64>) -> ()
    %mm_w, %warps = transform.structured.tile_using_forall %padded tile_sizes [%wm, %wn]
        (mapping = [#gpu.warp<linear_dim_1>, #gpu.warp<linear_dim_0>])
        : (!transform.any_op, !transform.param<i64>, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
    transform.include @seqboat_bufferize failures(propagate) (%root) : (!transform.any_op) -> ()
    transform.include @seqboat_cpu_lower failures(propagate) (%root) : (!transform.any_op) -> ()
    transform.yield
  }

  // 16-bit X and W (f16 or bf16; the driver picks these entry points by
  // the kernel's operand type, whatever the precision: the products are
  // exact in the f32 accumulator). The same tiles, staging and epilogue;
  // CTK = BK/8 threads copy 16 bytes each along K; mma.sync m16n8k16.
  transform.named_sequence @seqboat_contraction16_gpu(%root: !transform.any_op {transform.readonly},
      %tm: !transform.param<i64> {transform.readonly}, %tn: !transform.param<i64> {transform.readonly},
      %bk: !transform.param<i64> {transform.readonly}, %wm: !transform.param<i64> {transform.readonly},
      %wn: !transform.param<i64> {transform.readonly}, %ctm: !transform.param<i64> {transform.readonly},
      %ctk: !transform.param<i64> {transform.readonly}) {
    transform.include @seqboat_gpu_warp_tiles failures(propagate) (%root, %tm, %tn, %bk, %wm, %wn, %ctm, %ctk)
        : (!transform.any_op, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>,
           !transform.param<i64>, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>) -> ()
    transform.include @seqboat_gpu_map_and_lower16 failures(propagate) (%root) : (!transform.any_op) -> ()
    transform.yield
  }

  // On the CPU the 16-bit tiles are extended to f32 as they are read.
  transform.named_sequence @seqboat_contraction16_cpu(%root: !transform.any_op {transform.readonly},
      %tm: !transform.param<i64> {transform.readonly}, %tn: !transform.param<i64> {transform.readonly},
      %bk: !transform.param<i64> {transform.readonly}, %wm: !transform.param<i64> {transform.readonly},
      %wn: !transform.param<i64> {transform.readonly}, %ctm: !transform.param<i64> {transform.readonly},
      %ctk: !transform.param<i64> {transform.readonly}) {
    transform.include @seqboat_contraction_cpu failures(propagate) (%root, %tm, %tn, %bk, %wm, %wn, %ctm, %ctk)
        : (!transform.any_op, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>,
           !transform.param<i64>, !transform.param<i64>, !transform.param<i64>, !transform.param<i64>) -> ()
    transform.yield
  }

  // The parallel strategy: any other linalg op on static tensors, formed
  // into a kernel with its constant fill and pads. seqboat-apply-strategies
  // has already tiled it through TilingInterface: up to three parallel loops
  // on a block forall (#gpu.block<x/y/z>), one point of the block tile per
  // thread (#gpu.thread<linear_dim_*>, at most %threads), its producers fused
  // into both; what is left runs in order within a thread. The entry points
  // take the module and %threads, the threads per block (the kernel's
  // seqboat.knobs `threads`, or the pipeline's parallel-threads): the block
  // tile was chosen to fit it, and the thread foralls are mapped on a block
  // of that size.
  transform.named_sequence @seqboat_parallel_bufferize(%root: !transform.any_op {transform.readonly}) {
    %func = transform.include @seqboat_kernel failures(propagate) (%root)
        : (!transform.any_op) -> !transform.any_op
    // The result is computed in the output argument (no temporary).
    transform.bufferization.eliminate_empty_tensors %func : !transform.any_op
    transform.apply_patterns to %func {
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_cse to %func : !transform.any_op
    // Copies as linalg.copy, which become loops in the thread (a strided
    // memref.copy would be a runtime call the device does not have).
    %func_b = transform.bufferization.one_shot_bufferize %func {memcpy_op = "linalg.copy"}
        : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %func_b {
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_cse to %func_b : !transform.any_op
    // The in-place tile writes leave self-copies behind: folded here.
    %f = transform.include @seqboat_kernel failures(propagate) (%root)
        : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %f {
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.yield
  }

  transform.named_sequence @seqboat_parallel_gpu(%root: !transform.any_op {transform.readonly},
                                                 %threads: !transform.param<i64> {transform.readonly}) {
    transform.include @seqboat_parallel_bufferize failures(propagate) (%root) : (!transform.any_op) -> ()
    transform.include @seqboat_parallel_map_gpu failures(propagate) (%root, %threads)
        : (!transform.any_op, !transform.param<i64>) -> ()
    transform.yield
  }

  // The bufferized tiles onto the GPU: loops in each thread, blocks and
  // threads mapped, a thread's vector code and scratch lowered.
  transform.named_sequence @seqboat_parallel_map_gpu(%root: !transform.any_op {transform.readonly},
                                                     %threads: !transform.param<i64> {transform.readonly}) {
    %func = transform.include @seqboat_kernel failures(propagate) (%root)
        : (!transform.any_op) -> !transform.any_op
    // Each thread's point (and the loops left in it) as scalar loops.
    %ops = transform.structured.match interface{LinalgOp} in %func : (!transform.any_op) -> !transform.any_op
    %loops = transform.structured.convert_to_loops %ops : (!transform.any_op) -> !transform.any_op
    %launch = transform.seqboat.map_forall_to_blocks %func : (!transform.any_op) -> !transform.any_op
    %launch2 = transform.seqboat.map_nested_forall_to_threads %launch block_threads = %threads
        : (!transform.any_op, !transform.param<i64>) -> !transform.any_op
    %f = transform.include @seqboat_kernel failures(propagate) (%root)
        : (!transform.any_op) -> !transform.any_op
    // Vector code in a thread (a lowering's 1-D feature-row transfers) as
    // plain and masked loads and stores, which the device lowering takes.
    transform.apply_patterns to %f {
      transform.apply_patterns.vector.materialize_masks
      transform.apply_patterns.vector.lower_transfer max_transfer_rank = 1
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_cse to %f : !transform.any_op
    // A thread's scratch buffers (a scan's chunk states) in its local
    // memory: the device has no allocator worth calling.
    %f2 = transform.apply_registered_pass "promote-buffers-to-stack"
        with options = { "max-alloc-size-in-bytes" = 262144 } to %f
        : (!transform.any_op) -> !transform.any_op
    transform.yield
  }

  // CPU: the same tiles as loops (the block forall may run on threads).
  transform.named_sequence @seqboat_parallel_cpu(%root: !transform.any_op {transform.readonly},
                                                 %threads: !transform.param<i64> {transform.readonly}) {
    transform.include @seqboat_parallel_bufferize failures(propagate) (%root) : (!transform.any_op) -> ()
    transform.yield
  }

  // The scan strategy: a seqboat op with a sequential part (ema_conv,
  // compact_index, scatter, local_attention), formed into a kernel by
  // seqboat-form-scan-kernels. seqboat-apply-strategies has already tiled it
  // through its TilingInterface like a parallel kernel (its parallel loops:
  // batch, channels, features on blocks, one point per thread); here each
  // thread's tile is lowered to linalg and loops (the EMA scan in chunks of
  // %chunk tokens), which then run in order within the thread. Entry points
  // take the module, the chunk and the threads per block.
  transform.named_sequence @seqboat_scan_lower(%root: !transform.any_op {transform.readonly},
                                               %chunk: !transform.param<i64> {transform.readonly}) {
    %func = transform.include @seqboat_kernel failures(propagate) (%root)
        : (!transform.any_op) -> !transform.any_op
    %lowered = transform.apply_registered_pass "convert-seqboat-to-linalg"
        with options = { "ema-chunk" = %chunk } to %func
        : (!transform.any_op, !transform.param<i64>) -> !transform.any_op
    transform.yield
  }

  transform.named_sequence @seqboat_scan_gpu(%root: !transform.any_op {transform.readonly},
                                             %chunk: !transform.param<i64> {transform.readonly},
                                             %threads: !transform.param<i64> {transform.readonly}) {
    transform.include @seqboat_scan_lower failures(propagate) (%root, %chunk)
        : (!transform.any_op, !transform.param<i64>) -> ()
    transform.include @seqboat_parallel_gpu failures(propagate) (%root, %threads)
        : (!transform.any_op, !transform.param<i64>) -> ()
    // A thread's loops stay loops: fully unrolled over its local arrays they
    // keep every element live at once, and ptxas spills
    // (seqboat-loop-annotations carries this to the LLVM branches).
    %f = transform.include @seqboat_kernel failures(propagate) (%root)
        : (!transform.any_op) -> !transform.any_op
    %loops = transform.structured.match ops{["scf.for"]} in %f : (!transform.any_op) -> !transform.any_op
    %no_unroll = transform.param.constant #llvm.loop_annotation<unroll = #llvm.loop_unroll<disable = true>>
        -> !transform.any_param
    transform.annotate %loops "llvm.loop_annotation" = %no_unroll : !transform.any_op, !transform.any_param
    transform.yield
  }

  transform.named_sequence @seqboat_scan_cpu(%root: !transform.any_op {transform.readonly},
                                             %chunk: !transform.param<i64> {transform.readonly},
                                             %threads: !transform.param<i64> {transform.readonly}) {
    transform.include @seqboat_scan_lower failures(propagate) (%root, %chunk)
        : (!transform.any_op, !transform.param<i64>) -> ()
    transform.include @seqboat_parallel_cpu failures(propagate) (%root, %threads)
        : (!transform.any_op, !transform.param<i64>) -> ()
    transform.yield
  }

  // The attention strategy: a local_attention (with the epilogue that reads
  // it) formed into a scan kernel, which seqboat-apply-strategies has tiled
  // onto blocks of (one batch row, QB query slots, HB features of v). Each
  // block's query tile becomes FlashAttention-2's loop over tiles of %kb keys
  // (convert-seqboat-to-linalg{attention-key-block}: the online softmax
  // between two linalg.matmul per key tile, keys outside the tile's windows
  // never visited). Every linalg op of the block then becomes a phase over
  // the block's threads (the gathers of the query, key and value tiles, the
  // masks, the row statistics, the rescaling, the output and its epilogue),
  // the phases separated by barriers; the block's tiles, the running max and
  // sum and the accumulator live in (dynamic) shared memory.
  //   @seqboat_attention_gpu       (precision tf32) the two products
  //                                S = Q.K^T and P.V each a phase over the
  //                                block's warps, 16-row warp tiles, lowered
  //                                through vector.contract (unrolled to
  //                                m16n8k8) to mma.sync TF32 with ldmatrix
  //   @seqboat_attention_gpu_ieee  (precision ieee) the products as thread
  //                                phases, one output element per thread
  //                                (exact FFMA)
  //   @seqboat_attention_cpu       the same block, warp and thread tiles as
  //   @seqboat_attention_cpu_ieee  loops; the warp products unrolled to
  //                                m16n8k8 contractions lowered to FMAs
  // Products whose shape is no multiple of m16n8k8 stay thread phases.
  // Entry points take the module, the key block and the threads per block.
  transform.named_sequence @seqboat_attention_lower(%root: !transform.any_op {transform.readonly},
                                                    %kb: !transform.param<i64> {transform.readonly}) {
    %func = transform.include @seqboat_kernel failures(propagate) (%root)
        : (!transform.any_op) -> !transform.any_op
    %lowered = transform.apply_registered_pass "convert-seqboat-to-linalg"
        with options = { "attention-key-block" = %kb } to %func
        : (!transform.any_op, !transform.param<i64>) -> !transform.any_op
    %f = transform.include @seqboat_kernel failures(propagate) (%root)
        : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %f {
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    // The output tile is written in place; what is left is the block's scratch.
    transform.bufferization.eliminate_empty_tensors %f : !transform.any_op
    transform.yield
  }

  // The tensor-core products: each warp's matmul tile (tagged
  // seqboat.warp_matmul by tile_block_to_threads) as a vector.contract,
  // unrolled to the mma shape m16n8k8.
  transform.named_sequence @seqboat_attention_warp_products(%root: !transform.any_op {transform.readonly}) {
    %func = transform.include @seqboat_kernel failures(propagate) (%root)
        : (!transform.any_op) -> !transform.any_op
    // (With the fill of a product's accumulator, which the warp computes in
    // its tile: on the GPU its zeros become the first mma's accumulator.)
    %mms = transform.structured.match attributes{seqboat.warp_matmul} in %func
        : (!transform.any_op) -> !transform.any_op
    transform.structured.vectorize %mms : !transform.any_op
    // Broadcast, multiply and reduce -> one vector.contract per warp tile.
    transform.apply_patterns to %func {
      transform.apply_patterns.vector.reduction_to_contract
      transform.apply_patterns.vector.transfer_permutation_patterns
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_patterns to %func {
      transform.apply_patterns.gpu.unroll_vectors_subgroup_mma [16, 8, 8]
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_patterns to %func {
      transform.apply_patterns.memref.fold_memref_alias_ops
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_cse to %func : !transform.any_op
    transform.yield
  }

  // The 16-bit products (seqboat.autocast): each warp's matmul tile as a
  // vector.contract of f16/bf16 operands into the f32 accumulator (the
  // vectoriser's extensions folded into it), unrolled to m16n8k16.
  transform.named_sequence @seqboat_attention_warp_products16(%root: !transform.any_op {transform.readonly}) {
    %func = transform.include @seqboat_kernel failures(propagate) (%root)
        : (!transform.any_op) -> !transform.any_op
    %mms = transform.structured.match attributes{seqboat.warp_matmul} in %func
        : (!transform.any_op) -> !transform.any_op
    transform.structured.vectorize %mms {create_named_contraction} : !transform.any_op
    transform.apply_patterns to %func {
      transform.apply_patterns.vector.fold_arith_extension
      transform.apply_patterns.vector.transfer_permutation_patterns
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_patterns to %func {
      transform.apply_patterns.gpu.unroll_vectors_subgroup_mma [16, 8, 16]
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_patterns to %func {
      transform.apply_patterns.memref.fold_memref_alias_ops
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_cse to %func : !transform.any_op
    transform.yield
  }

  transform.named_sequence @seqboat_attention_cpu(%root: !transform.any_op {transform.readonly},
                                                  %kb: !transform.param<i64> {transform.readonly},
                                                  %threads: !transform.param<i64> {transform.readonly}) {
    transform.include @seqboat_attention_lower failures(propagate) (%root, %kb)
        : (!transform.any_op, !transform.param<i64>) -> ()
    %func = transform.include @seqboat_kernel failures(propagate) (%root)
        : (!transform.any_op) -> !transform.any_op
    %phases = transform.seqboat.tile_block_to_threads %func block_threads = %threads warp_matmuls
        : (!transform.any_op, !transform.param<i64>) -> !transform.any_op
    transform.include @seqboat_parallel_cpu failures(propagate) (%root, %threads)
        : (!transform.any_op, !transform.param<i64>) -> ()
    transform.include @seqboat_attention_warp_products failures(propagate) (%root) : (!transform.any_op) -> ()
    transform.include @seqboat_vectors_to_fma failures(propagate) (%root) : (!transform.any_op) -> ()
    transform.yield
  }

  transform.named_sequence @seqboat_attention_cpu_ieee(%root: !transform.any_op {transform.readonly},
                                                       %kb: !transform.param<i64> {transform.readonly},
                                                       %threads: !transform.param<i64> {transform.readonly}) {
    transform.include @seqboat_attention_lower failures(propagate) (%root, %kb)
        : (!transform.any_op, !transform.param<i64>) -> ()
    // The GPU's phases (below), as loops over the block's threads in turn.
    %func = transform.include @seqboat_kernel failures(propagate) (%root)
        : (!transform.any_op) -> !transform.any_op
    %phases = transform.seqboat.tile_block_to_threads %func block_threads = %threads
        : (!transform.any_op, !transform.param<i64>) -> !transform.any_op
    transform.include @seqboat_parallel_cpu failures(propagate) (%root, %threads)
        : (!transform.any_op, !transform.param<i64>) -> ()
    transform.yield
  }

  // GPU: the block's buffers in (dynamic) shared memory, its phases mapped
  // on its threads and warps; the loops left in a thread stay loops.
  transform.named_sequence @seqboat_attention_finish_gpu(%root: !transform.any_op {transform.readonly}) {
    %f = transform.include @seqboat_kernel failures(propagate) (%root)
        : (!transform.any_op) -> !transform.any_op
    // (Past the 48 KiB that static .shared globals may take; the runtime
    // raises the limit.)
    %f2 = transform.seqboat.workgroup_allocas_to_dynamic_shared %f : (!transform.any_op) -> !transform.any_op
    %loops = transform.structured.match ops{["scf.for"]} in %f2 : (!transform.any_op) -> !transform.any_op
    %no_unroll = transform.param.constant #llvm.loop_annotation<unroll = #llvm.loop_unroll<disable = true>>
        -> !transform.any_param
    transform.annotate %loops "llvm.loop_annotation" = %no_unroll : !transform.any_op, !transform.any_param
    transform.yield
  }

  // GPU, products on tensor cores: the block's tiles in workgroup memory,
  // its phases on threads and its products on warps, bufferized (the
  // prefix of @seqboat_attention_gpu and @seqboat_attention16_gpu, which
  // differ in the products' lowering).
  transform.named_sequence @seqboat_attention_warp_phases_gpu(%root: !transform.any_op {transform.readonly},
                                                              %kb: !transform.param<i64> {transform.readonly},
                                                              %threads: !transform.param<i64> {transform.readonly}) {
    transform.include @seqboat_attention_lower failures(propagate) (%root, %kb)
        : (!transform.any_op, !transform.param<i64>) -> ()
    %func = transform.include @seqboat_kernel failures(propagate) (%root)
        : (!transform.any_op) -> !transform.any_op
    %shared = transform.seqboat.promote_block_tensors %func : (!transform.any_op) -> !transform.any_op
    %phases = transform.seqboat.tile_block_to_threads %shared block_threads = %threads warp_matmuls
        : (!transform.any_op, !transform.param<i64>) -> !transform.any_op
    transform.apply_patterns to %phases {
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_cse to %phases : !transform.any_op
    transform.include @seqboat_parallel_bufferize failures(propagate) (%root) : (!transform.any_op) -> ()
    transform.yield
  }

  transform.named_sequence @seqboat_attention_gpu(%root: !transform.any_op {transform.readonly},
                                                  %kb: !transform.param<i64> {transform.readonly},
                                                  %threads: !transform.param<i64> {transform.readonly}) {
    transform.include @seqboat_attention_warp_phases_gpu failures(propagate) (%root, %kb, %threads)
        : (!transform.any_op, !transform.param<i64>, !transform.param<i64>) -> ()
    transform.include @seqboat_attention_warp_products failures(propagate) (%root) : (!transform.any_op) -> ()
    // vector.contract -> nvgpu.mma.sync with ldmatrix, f32 operands as TF32,
    // in each warp forall (before the mapping, which removes the foralls).
    %f1 = transform.include @seqboat_kernel failures(propagate) (%root)
        : (!transform.any_op) -> !transform.any_op
    %f2 = transform.apply_registered_pass "seqboat-vector-to-mma-sync" to %f1
        : (!transform.any_op) -> !transform.any_op
    %f3 = transform.apply_registered_pass "seqboat-mma-sync-tf32" to %f2
        : (!transform.any_op) -> !transform.any_op
    // The other phases as loops in their threads; blocks, warps and threads.
    transform.include @seqboat_parallel_map_gpu failures(propagate) (%root, %threads)
        : (!transform.any_op, !transform.param<i64>) -> ()
    transform.include @seqboat_attention_finish_gpu failures(propagate) (%root) : (!transform.any_op) -> ()
    transform.yield
  }

  // 16-bit products: the CPU runs the tiles of @seqboat_attention_cpu (the
  // rounded operands extended into its FMAs); the GPU's warp tiles are
  // f16/bf16 mma.sync m16n8k16 with f32 accumulators.
  transform.named_sequence @seqboat_attention16_cpu(%root: !transform.any_op {transform.readonly},
                                                    %kb: !transform.param<i64> {transform.readonly},
                                                    %threads: !transform.param<i64> {transform.readonly}) {
    transform.include @seqboat_attention_cpu failures(propagate) (%root, %kb, %threads)
        : (!transform.any_op, !transform.param<i64>, !transform.param<i64>) -> ()
    transform.yield
  }

  transform.named_sequence @seqboat_attention16_gpu(%root: !transform.any_op {transform.readonly},
                                                    %kb: !transform.param<i64> {transform.readonly},
                                                    %threads: !transform.param<i64> {transform.readonly}) {
    transform.include @seqboat_attention_warp_phases_gpu failures(propagate) (%root, %kb, %threads)
        : (!transform.any_op, !transform.param<i64>, !transform.param<i64>) -> ()
    transform.include @seqboat_attention_warp_products16 failures(propagate) (%root) : (!transform.any_op) -> ()
    %f1 = transform.include @seqboat_kernel failures(propagate) (%root)
        : (!transform.any_op) -> !transform.any_op
    %f2 = transform.apply_registered_pass "seqboat-vector-to-mma-sync" to %f1
        : (!transform.any_op) -> !transform.any_op
    transform.include @seqboat_parallel_map_gpu failures(propagate) (%root, %threads)
        : (!transform.any_op, !transform.param<i64>) -> ()
    transform.include @seqboat_attention_finish_gpu failures(propagate) (%root) : (!transform.any_op) -> ()
    transform.yield
  }

  transform.named_sequence @seqboat_attention_gpu_ieee(%root: !transform.any_op {transform.readonly},
                                                       %kb: !transform.param<i64> {transform.readonly},
                                                       %threads: !transform.param<i64> {transform.readonly}) {
    transform.include @seqboat_attention_lower failures(propagate) (%root, %kb)
        : (!transform.any_op, !transform.param<i64>) -> ()
    %func = transform.include @seqboat_kernel failures(propagate) (%root)
        : (!transform.any_op) -> !transform.any_op
    %shared = transform.seqboat.promote_block_tensors %func : (!transform.any_op) -> !transform.any_op
    %phases = transform.seqboat.tile_block_to_threads %shared block_threads = %threads
        : (!transform.any_op, !transform.param<i64>) -> !transform.any_op
    transform.apply_patterns to %phases {
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_cse to %phases : !transform.any_op
    transform.include @seqboat_parallel_gpu failures(propagate) (%root, %threads)
        : (!transform.any_op, !transform.param<i64>) -> ()
    transform.include @seqboat_attention_finish_gpu failures(propagate) (%root) : (!transform.any_op) -> ()
    transform.yield
  }

  // Host entry point, on buffers. The root is a linalg.generic whose first
  // loop is its one reduction. Params: the cache block and the register
  // tile (packed, one value per loop, 0 for the reduction) and the
  // reduction step (one value).
  transform.named_sequence @seqboat_contraction_host(%root: !transform.any_op {transform.readonly},
      %blocks: !transform.param<i64> {transform.readonly},
      %regs: !transform.param<i64> {transform.readonly},
      %step: !transform.param<i64> {transform.readonly}) {
    %op = transform.structured.match attributes{seqboat.strategy_target} in %root
        : (!transform.any_op) -> !transform.any_op
    %func = transform.get_parent_op %op {op_name = "func.func"} : (!transform.any_op) -> !transform.any_op
    %t1, %blk = transform.structured.tile_using_forall %op tile_sizes *(%blocks)
        : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
    %t2, %reg = transform.structured.tile_using_forall %t1 tile_sizes *(%regs)
        : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
    %t3, %kloop = transform.structured.tile_using_for %t2 tile_sizes [%step]
        : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
    transform.structured.vectorize %t3 : !transform.any_op
    // Broadcasting reads -> reads + broadcasts, folded into one
    // vector.contract; unit (batch, outer row) dimensions dropped.
    transform.apply_patterns to %func {
      transform.apply_patterns.vector.transfer_permutation_patterns
      transform.apply_patterns.vector.reduction_to_contract
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_patterns to %func {
      transform.apply_patterns.vector.cast_away_vector_leading_one_dim
      transform.apply_patterns.memref.fold_memref_alias_ops
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_cse to %func : !transform.any_op
    // The accumulator tile stays in registers across the reduction loop.
    %f2 = transform.structured.hoist_redundant_vector_transfers %func : (!transform.any_op) -> !transform.any_op
    transform.apply_patterns to %f2 {
      transform.apply_patterns.vector.lower_contraction lowering_strategy = "outerproduct"
      transform.apply_patterns.vector.lower_outerproduct
      transform.apply_patterns.vector.transfer_permutation_patterns
      transform.apply_patterns.vector.materialize_masks
      transform.apply_patterns.vector.lower_transfer max_transfer_rank = 1
      transform.apply_patterns.vector.lower_transpose
      transform.apply_patterns.vector.lower_broadcast
      transform.apply_patterns.vector.lower_shape_cast
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_cse to %f2 : !transform.any_op
    transform.yield
  }

  // Host entry point for the ops that are contiguous along one parallel
  // loop (seqboat-apply-host-strategies' row strategy), on buffers. %tiles
  // (packed, one per loop): the vector lanes on that loop, 1 on the other
  // parallel loops, 0 on the (short) reductions.
  transform.named_sequence @seqboat_rows_host(%root: !transform.any_op {transform.readonly},
      %tiles: !transform.param<i64> {transform.readonly}) {
    %op = transform.structured.match attributes{seqboat.strategy_target} in %root
        : (!transform.any_op) -> !transform.any_op
    %func = transform.get_parent_op %op {op_name = "func.func"} : (!transform.any_op) -> !transform.any_op
    %t, %loop = transform.structured.tile_using_forall %op tile_sizes *(%tiles)
        : (!transform.any_op, !transform.param<i64>) -> (!transform.any_op, !transform.any_op)
    transform.structured.vectorize %t : !transform.any_op
    transform.apply_patterns to %func {
      transform.apply_patterns.vector.lower_multi_reduction lowering_strategy = "innerparallel"
      transform.apply_patterns.vector.transfer_permutation_patterns
      transform.apply_patterns.vector.cast_away_vector_leading_one_dim
      transform.apply_patterns.memref.fold_memref_alias_ops
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_patterns to %func {
      transform.apply_patterns.vector.materialize_masks
      transform.apply_patterns.vector.lower_transfer max_transfer_rank = 1
      transform.apply_patterns.vector.lower_transpose
      transform.apply_patterns.vector.lower_broadcast
      transform.apply_patterns.vector.lower_shape_cast
      transform.apply_patterns.canonicalization
    } : !transform.any_op
    transform.apply_cse to %func : !transform.any_op
    transform.yield
  }
}
