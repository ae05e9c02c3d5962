//===- SeqBoatOps.h - seqboat ops -------------------------------*- C++ -*-===//

#ifndef SEQBOAT_DIALECT_SEQBOAT_IR_SEQBOATOPS_H
#define SEQBOAT_DIALECT_SEQBOAT_IR_SEQBOATOPS_H

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "seqboat/Dialect/SeqBoat/IR/SeqBoatDialect.h"

#include "seqboat/Dialect/SeqBoat/IR/SeqBoatEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "seqboat/Dialect/SeqBoat/IR/SeqBoatAttrs.h.inc"

#define GET_OP_CLASSES
#include "seqboat/Dialect/SeqBoat/IR/SeqBoatOps.h.inc"

#endif // SEQBOAT_DIALECT_SEQBOAT_IR_SEQBOATOPS_H
