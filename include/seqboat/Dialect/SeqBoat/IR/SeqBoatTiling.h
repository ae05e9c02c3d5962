//===- SeqBoatTiling.h - TilingInterface for seqboat ops --------*- C++ -*-===//

#ifndef SEQBOAT_DIALECT_SEQBOAT_IR_SEQBOATTILING_H
#define SEQBOAT_DIALECT_SEQBOAT_IR_SEQBOATTILING_H

namespace mlir {
class MLIRContext;
namespace seqboat {

/// Attaches TilingInterface to every primitive seqboat op: each is tiled
/// along its independent dimensions (batch and features; batch and tokens for
/// route), so upstream tiling and tile-and-fuse drivers (scf::tileUsingSCF,
/// transform.structured.tile_using_forall, fuse_into_containing_op) handle
/// them like linalg ops.
void attachTilingInterfaces(MLIRContext *context);

} // namespace seqboat
} // namespace mlir

#endif // SEQBOAT_DIALECT_SEQBOAT_IR_SEQBOATTILING_H
