//===- ComputeInF32.h - 16-bit seqboat ops computed in f32 ------*- C++ -*-===//
//
// The element-type rule of docs/dialect.md ("Element types"): an op on f16 or
// bf16 tensors computes in f32 and rounds each float result once. These
// helpers rewrite such an op into the same op on f32 tensors between
// elementwise linalg conversions, which every lowering of the f32 op then
// handles unchanged (and which kernel formation fuses like any elementwise
// producer or consumer).
//
//===----------------------------------------------------------------------===//

#ifndef SEQBOAT_DIALECT_SEQBOAT_UTILS_COMPUTEINF32_H
#define SEQBOAT_DIALECT_SEQBOAT_UTILS_COMPUTEINF32_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Operation.h"

namespace mlir::seqboat {

/// True when a ranked float tensor operand or result of `op` has an element
/// type other than f32.
bool hasNarrowFloats(Operation *op);

/// An elementwise `linalg.generic` converting the ranked float tensor `value`
/// to `elementType` (`arith.extf` to a wider type, `arith.truncf`, which
/// rounds to nearest even, to a narrower one); `value` itself when the type
/// is already `elementType`. Dynamic dims are kept.
Value convertFloatTensor(OpBuilder &b, Location loc, Value value,
                         Type elementType);

/// Builds, at the builder's insertion point, `op` on f32 tensors: each float
/// tensor operand that is not f32 is extended, the op is cloned with f32
/// float results, and each result that was not f32 is rounded back to its
/// type. Returns the values that replace the results of `op`, which is left
/// in place for the caller to replace.
SmallVector<Value> computeInF32(OpBuilder &b, Operation *op);

} // namespace mlir::seqboat

#endif // SEQBOAT_DIALECT_SEQBOAT_UTILS_COMPUTEINF32_H
