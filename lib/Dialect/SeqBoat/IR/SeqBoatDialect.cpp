//===- SeqBoatDialect.cpp - seqboat dialect -------------------------------===//

#include "seqboat/Dialect/SeqBoat/IR/SeqBoatDialect.h"
#include "seqboat/Dialect/SeqBoat/IR/SeqBoatOps.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::seqboat;

#include "seqboat/Dialect/SeqBoat/IR/SeqBoatDialect.cpp.inc"
#include "seqboat/Dialect/SeqBoat/IR/SeqBoatEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "seqboat/Dialect/SeqBoat/IR/SeqBoatAttrs.cpp.inc"

void SeqBoatDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "seqboat/Dialect/SeqBoat/IR/SeqBoatAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "seqboat/Dialect/SeqBoat/IR/SeqBoatOps.cpp.inc"
      >();
}
