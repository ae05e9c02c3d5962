//===- SeqBoatTransformOps.h - seqboat's transform-dialect ops --*- C++ -*-===//

#ifndef SEQBOAT_DIALECT_SEQBOAT_TRANSFORMOPS_SEQBOATTRANSFORMOPS_H
#define SEQBOAT_DIALECT_SEQBOAT_TRANSFORMOPS_SEQBOATTRANSFORMOPS_H

#include "mlir/Dialect/Transform/IR/TransformDialect.h"
#include "mlir/Dialect/Transform/Interfaces/TransformInterfaces.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/OpDefinition.h"

#define GET_OP_CLASSES
#include "seqboat/Dialect/SeqBoat/TransformOps/SeqBoatTransformOps.h.inc"

namespace mlir {
class DialectRegistry;
namespace seqboat {
/// Registers seqboat's transform ops (transform.seqboat.*) as an extension
/// of the transform dialect.
void registerTransformDialectExtension(DialectRegistry &registry);
} // namespace seqboat
} // namespace mlir

#endif
