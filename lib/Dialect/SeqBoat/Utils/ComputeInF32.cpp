//===- ComputeInF32.cpp - 16-bit seqboat ops computed in f32 --------------===//

#include "seqboat/Dialect/SeqBoat/Utils/ComputeInF32.h"
#include "seqboat/Dialect/SeqBoat/Utils/LinalgBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace mlir::seqboat;

static bool isNarrowFloatTensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && isa<FloatType>(tensor.getElementType()) &&
         !tensor.getElementType().isF32();
}

bool seqboat::hasNarrowFloats(Operation *op) {
  return llvm::any_of(op->getOperandTypes(), isNarrowFloatTensor) ||
         llvm::any_of(op->getResultTypes(), isNarrowFloatTensor);
}

Value seqboat::convertFloatTensor(OpBuilder &b, Location loc, Value value,
                                  Type elementType) {
  auto type = cast<RankedTensorType>(value.getType());
  auto from = cast<FloatType>(type.getElementType());
  if (from == elementType)
    return value;
  bool widen = from.getWidth() < cast<FloatType>(elementType).getWidth();
  return parallelGeneric(
      b, loc, tensor::getMixedSizes(b, loc, value), elementType, value,
      {b.getMultiDimIdentityMap(type.getRank())},
      [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        if (widen)
          return arith::ExtFOp::create(nb, nl, elementType, args[0]);
        return arith::TruncFOp::create(nb, nl, elementType, args[0]);
      });
}

SmallVector<Value> seqboat::computeInF32(OpBuilder &b, Operation *op) {
  Location loc = op->getLoc();
  Type f32 = b.getF32Type();
  IRMapping mapping;
  for (Value operand : op->getOperands())
    if (isNarrowFloatTensor(operand.getType()))
      mapping.map(operand, convertFloatTensor(b, loc, operand, f32));
  Operation *wide = b.clone(*op, mapping);
  SmallVector<Value> replacements;
  for (auto [result, wideResult] :
       llvm::zip(op->getResults(), wide->getResults())) {
    auto type = dyn_cast<RankedTensorType>(result.getType());
    if (!isNarrowFloatTensor(type)) {
      replacements.push_back(wideResult);
      continue;
    }
    wideResult.setType(type.clone(f32));
    replacements.push_back(
        convertFloatTensor(b, loc, wideResult, type.getElementType()));
  }
  return replacements;
}
