//===- SeqBoatDialect.h - seqboat dialect -----------------------*- C++ -*-===//

#ifndef SEQBOAT_DIALECT_SEQBOAT_IR_SEQBOATDIALECT_H
#define SEQBOAT_DIALECT_SEQBOAT_IR_SEQBOATDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dialect.h"

#include "seqboat/Dialect/SeqBoat/IR/SeqBoatDialect.h.inc"

#endif // SEQBOAT_DIALECT_SEQBOAT_IR_SEQBOATDIALECT_H
