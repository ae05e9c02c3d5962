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

namespace mlir::seqboat {
/// Marks an op whose lowering has a sequential part: the root of a scan
/// kernel on the generic GPU path (seqboat-form-scan-kernels).
template <typename ConcreteType>
class ScanKernelRoot : public OpTrait::TraitBase<ConcreteType, ScanKernelRoot> {
};
} // namespace mlir::seqboat

#define GET_OP_CLASSES
#include "seqboat/Dialect/SeqBoat/IR/SeqBoatOps.h.inc"

namespace mlir::seqboat {

/// Whether `op` roots a scan kernel: it has the ScanKernelRoot trait and its
/// lowering does carry state through a loop. A bidirectional or one-chunk
/// linear attention is plain linalg (left to parallel kernels, which have
/// more parallelism).
bool isScanKernelRoot(Operation *op);

/// How far a window reaches over `len` tokens (or slots). Keys lie within
/// [0, len), so every window of len or more allows the same keys; lowerings
/// use this clamped reach so that 2w and w + 1 stay far from int64 overflow
/// whatever the attribute says.
inline int64_t windowReach(int64_t window, int64_t len) {
  return std::min(window, len);
}

/// The element type `op`'s products (Q·Kᵀ, P·V) multiply: the type its
/// seqboat.autocast names when the op is f32, else the op's own.
inline Type getAttentionProductType(LocalAttentionOp op) {
  Type et = cast<ShapedType>(op.getQ().getType()).getElementType();
  if (auto autocast = op->getAttrOfType<TypeAttr>(kAutocastAttr))
    if (et.isF32())
      return autocast.getValue();
  return et;
}

/// The relu2/laplace score scale c = 1/(2w) (bidirectional) or 1/w (causal)
/// of SPEC.md, with the window as written (not clamped: c is part of the
/// semantics), in double so that 2w cannot overflow.
inline double windowScale(int64_t window, bool bidirectional) {
  return 1.0 / ((bidirectional ? 2.0 : 1.0) * static_cast<double>(window));
}

} // namespace mlir::seqboat

#endif // SEQBOAT_DIALECT_SEQBOAT_IR_SEQBOATOPS_H
