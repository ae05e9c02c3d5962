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

    Produces a silenceable failure where the upstream mapping does (a forall
    needing more threads than the block has, mixed mappings).
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

#endif // SEQBOAT_TRANSFORM_OPS
