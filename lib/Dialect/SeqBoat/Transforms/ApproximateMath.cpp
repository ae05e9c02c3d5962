//===- ApproximateMath.cpp - exp as an inline polynomial ------------------===//

#include "seqboat/Dialect/SeqBoat/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <limits>

namespace mlir::seqboat {
#define GEN_PASS_DEF_SEQBOATAPPROXIMATEMATH
#include "seqboat/Dialect/SeqBoat/Transforms/Passes.h.inc"
} // namespace mlir::seqboat

using namespace mlir;

namespace {

/// Where f32 exp leaves the normal range: above ln(FLT_MAX) it is +inf,
/// below ln(FLT_MIN) it is subnormal (flushed to 0 here).
constexpr double kExpOverflow = 88.72283935546875;
constexpr double kExpUnderflow = -87.33654022216796875;

/// A constant of `type` (f32 or a vector of f32) with every element `value`.
Value splat(OpBuilder &b, Location loc, Type type, double value) {
  auto element = b.getF32FloatAttr(static_cast<float>(value));
  if (auto vector = dyn_cast<VectorType>(type))
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(vector, element.getValue()));
  return arith::ConstantOp::create(b, loc, element);
}

struct SeqBoatApproximateMathPass
    : public seqboat::impl::SeqBoatApproximateMathBase<
          SeqBoatApproximateMathPass> {
  void runOnOperation() override {
    // Upstream's approximation clamps its input to about [-87.8, 88.8]: it
    // never returns 0 or +inf. The selects around it give those limits
    // back (softmax weights of masked scores are exactly 0).
    SmallVector<math::ExpOp> exps;
    getOperation()->walk([&](math::ExpOp op) {
      if (getElementTypeOrSelf(op.getType()).isF32())
        exps.push_back(op);
    });
    OpBuilder b(&getContext());
    for (math::ExpOp op : exps) {
      Location loc = op.getLoc();
      Type type = op.getType();
      Value x = op.getOperand();
      b.setInsertionPointAfter(op);
      Value low = splat(b, loc, type, kExpUnderflow);
      Value high = splat(b, loc, type, kExpOverflow);
      Value zero = splat(b, loc, type, 0.0);
      Value inf = splat(b, loc, type, std::numeric_limits<double>::infinity());
      Value under = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, low);
      Value over = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, high);
      auto saturated =
          arith::SelectOp::create(b, loc, over, inf, op.getResult());
      Value result = arith::SelectOp::create(b, loc, under, zero, saturated);
      op.getResult().replaceAllUsesExcept(result, saturated);
    }
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(
        patterns, [](StringRef name) {
          return name == math::ExpOp::getOperationName();
        });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
