//===- SeqBoatTransformOps.td - seqboat's transform-dialect ops -*- tablegen -*-===//
//
// Transform ops the strategy library needs and upstream does not give in the
// form a tunable strategy wants: knobs as !transform.param values.
//
//===----------------------------------------------------------------------===//

#ifndef SEQBOAT_TRANSFORM_OPS
#define SEQBOAT_TRANSFORM_OPS

include "mlir/Dialect/Transform/IR/TransformDialect.td"
include "mlir/Dialect/Transform/Interfaces/TransformInterfaces.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/OpBase.td"

def SeqBoatMapNestedForallToThreadsOp
    : Op<Transform_Dialect, "seqboat.map_nested_forall_to_threads",
         [DeclareOpInterfaceMethods<MemoryEffectsOpInterface>,
          DeclareOpInterfaceMethods<TransformOpInterface>]> {
  let summary = "transform.gpu.map_nested_forall_to_threads with the block "
                "size as a param";
  let description = [{
    Maps the `scf.forall` ops with `#gpu.thread` mappings nested in each
    `gpu.launch` of `target` to threads, exactly as upstream's
    `transform.gpu.map_nested_forall_to_threads`, with a block of
    `block_threads` x 1 x 1 threads. `block_threads` is a
    `!transform.param<i64>` holding one value, so the block size can be a
    knob of a strategy (seqboat-apply-strategies binds it from the
    kernel's `seqboat.knobs`); it must be positive and at most 1024.

    A thread forall whose trip counts are runtime values (the last, partial
    tile of a runtime extent) is first given static trip counts, their
    upper bounds (ValueBounds), with its body guarded by the runtime ones.

    Produces a silenceable failure where the upstream mapping does (a forall
    needing more threads than the block has, mixed mappings) and where a
    runtime trip count has no static upper bound.
  }];

  let cppNamespace = "::mlir::seqboat";
  let arguments = (ins TransformHandleTypeInterface:$target,
                   TransformParamTypeInterface:$block_threads);
  let results = (outs TransformHandleTypeInterface:$result);
  let assemblyFormat = [{
    $target `block_threads` `=` $block_threads attr-dict
    `:` functional-type(operands, results)
  }];
}

def SeqBoatMapForallToBlocksOp
    : Op<Transform_Dialect, "seqboat.map_forall_to_blocks",
         [FunctionalStyleTransformOpTrait, MemoryEffectsOpInterface,
          DeclareOpInterfaceMethods<TransformOpInterface>]> {
  let summary = "transform.gpu.map_forall_to_blocks generate_gpu_launch, "
                "with runtime grids";
  let description = [{
    Turns the top-level `scf.forall` with `#gpu.block` mappings of each
    function in `target` into a `gpu.launch` of 1x1x1 threads whose grid is
    the forall's trip counts, each induction variable its block id, as
    upstream's `transform.gpu.map_forall_to_blocks generate_gpu_launch`
    does. Unlike upstream, a trip count may be a runtime value (a dynamic
    batch or sequence length): the grid is then computed on the host, and
    the launch runs only when every grid dimension is positive (a launch of
    no blocks is an error on the device; no work is then to be done).

    The forall must be normalised (from 0 by 1) and have no results
    (bufferized). A function without a block forall, or with more than
    one, is a silenceable failure.
  }];

  let cppNamespace = "::mlir::seqboat";
  let arguments = (ins TransformHandleTypeInterface:$target);
  let results = (outs TransformHandleTypeInterface:$result);
  let assemblyFormat = [{
    $target attr-dict `:` functional-type(operands, results)
  }];
}

def SeqBoatPromoteBlockTensorsOp
    : Op<Transform_Dialect, "seqboat.promote_block_tensors",
         [FunctionalStyleTransformOpTrait, MemoryEffectsOpInterface,
          DeclareOpInterfaceMethods<TransformOpInterface>]> {
  let summary = "a block's scratch tensors in workgroup memory";
  let description = [{
    In each function of `target`, every `tensor.empty` of static shape
    nested in an `scf.forall` with `#gpu.block` mappings and not in one with
    `#gpu.thread` mappings (a tensor the whole block computes, which its
    threads share) becomes a `memref.alloca` in
    `#gpu.address_space<workgroup>`, read back with
    `bufferization.to_tensor ... restrict writable`, so bufferization keeps
    it there. Run it after `transform.bufferization.eliminate_empty_tensors`:
    the empties left are scratch, not the block's output tile. A dynamic one
    is a silenceable failure (shared memory is sized at compile time).
  }];

  let cppNamespace = "::mlir::seqboat";
  let arguments = (ins TransformHandleTypeInterface:$target);
  let results = (outs TransformHandleTypeInterface:$result);
  let assemblyFormat = [{
    $target attr-dict `:` functional-type(operands, results)
  }];
}

def SeqBoatTileBlockToThreadsOp
    : Op<Transform_Dialect, "seqboat.tile_block_to_threads",
         [DeclareOpInterfaceMethods<MemoryEffectsOpInterface>,
          DeclareOpInterfaceMethods<TransformOpInterface>]> {
  let summary = "every linalg op of a block onto the block's threads";
  let description = [{
    In each function of `target`, every linalg op nested in an `scf.forall`
    with `#gpu.block` mappings (through `scf.for` and `scf.if`, as a block's
    loop over key tiles) and not yet in a thread forall is tiled through
    `TilingInterface` into an `scf.forall` over at most `block_threads`
    threads (`#gpu.thread<linear_dim_*>`): its parallel loops, innermost
    first, take as many threads as divide them (a runtime extent takes what
    is left), and each thread runs its tile's reduction loops whole (a row
    max, a dot product). Each op is then a phase of the block, which
    `transform.seqboat.map_nested_forall_to_threads` separates by barriers.
    Ops are tiled consumers first; a `linalg.fill`, or a `linalg.matmul`
    read by one op only, that produces an operand of the op being tiled is
    computed in that op's thread tiles instead of as a phase of its own.
    `block_threads` is a `!transform.param<i64>` in [1, 1024].

    With `warp_matmuls`, a `linalg.matmul` of static shape M x N x K with M a
    multiple of 16 and N and K multiples of 8 (the tensor cores' TF32 shape
    m16n8k8), in a block of at least one warp, is a phase of its own over
    the block's warps instead (`#gpu.warp<linear_dim_*>`): warps take rows of
    16 first, then columns of 8, each warp a tile whose sizes divide M and
    N; the tile is tagged `seqboat.warp_matmul` for the lowering to tensor
    cores. It is not computed in its consumer's tiles; a `linalg.fill` of
    its accumulator is computed in the warp's tile (and tagged too).
  }];

  let cppNamespace = "::mlir::seqboat";
  let arguments = (ins TransformHandleTypeInterface:$target,
                   TransformParamTypeInterface:$block_threads,
                   UnitAttr:$warp_matmuls);
  let results = (outs TransformHandleTypeInterface:$result);
  let assemblyFormat = [{
    $target `block_threads` `=` $block_threads (`warp_matmuls` $warp_matmuls^)? attr-dict
    `:` functional-type(operands, results)
  }];
}

def SeqBoatWorkgroupAllocasToDynamicSharedOp
    : Op<Transform_Dialect, "seqboat.workgroup_allocas_to_dynamic_shared",
         [FunctionalStyleTransformOpTrait, MemoryEffectsOpInterface,
          DeclareOpInterfaceMethods<TransformOpInterface>]> {
  let summary = "a launch's workgroup allocas as views of its dynamic shared "
                "memory";
  let description = [{
    In each `gpu.launch` nested in `target`, the `memref.alloca` ops in
    `#gpu.address_space<workgroup>` (static shapes, identity layouts) become
    `memref.view`s at 16-byte aligned offsets of one
    `gpu.dynamic_shared_memory` buffer, and the launch's
    `dynamic_shared_memory_size` is set to their total. Unlike static
    `.shared` globals, which a kernel may hold only 48 KiB of, dynamic shared
    memory reaches the device's limit per block (227 KiB on sm_90; the
    runtime raises the kernel's limit at launch). A launch without such
    allocas is left alone; one whose allocas exceed `max_bytes` (default
    232448) is a silenceable failure.
  }];

  let cppNamespace = "::mlir::seqboat";
  let arguments = (ins TransformHandleTypeInterface:$target,
                   DefaultValuedAttr<I64Attr, "232448">:$max_bytes);
  let results = (outs TransformHandleTypeInterface:$result);
  let assemblyFormat = [{
    $target attr-dict `:` functional-type(operands, results)
  }];
}

#endif // SEQBOAT_TRANSFORM_OPS
