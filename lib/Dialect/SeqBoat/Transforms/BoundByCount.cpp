//===- BoundByCount.cpp - contractions over the active slots only ---------===//
//
// The projections of the compacted tokens (SPEC.md step 5's mx projection,
// step 7's h projection) run over the static capacity S = L, but rows
// s >= count[b] of their inputs are zero: those rows of the result are the
// accumulator's initial value. Each such contraction becomes an scf.forall
// over (batch row, block of rows) that computes a block only when it holds
// an active slot.
//
//===----------------------------------------------------------------------===//

#include "seqboat/Dialect/SeqBoat/IR/SeqBoatOps.h"
#include "seqboat/Dialect/SeqBoat/Transforms/Passes.h"
#include "seqboat/Dialect/SeqBoat/Utils/LinalgBuilders.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::seqboat {
#define GEN_PASS_DEF_SEQBOATBOUNDBYCOUNT
#include "seqboat/Dialect/SeqBoat/Transforms/Passes.h.inc"
} // namespace mlir::seqboat

using namespace mlir;
using namespace mlir::seqboat;

namespace {

/// Whether `map` starts with (d0, d1).
bool leadsWithBatchAndRow(AffineMap map) {
  return map.getNumResults() >= 2 &&
         map.getResult(0) == getAffineDimExpr(0, map.getContext()) &&
         map.getResult(1) == getAffineDimExpr(1, map.getContext());
}

/// The count[b] tensor when rows s >= count[b] of `value` ([B, S, ...]) are
/// all zero (by SPEC.md: gather's inactive slots, local_attention's rows
/// past count; an elementwise product with such a tensor); null otherwise.
Value zeroRowsCount(Value value, unsigned depth = 0) {
  if (depth > 8)
    return {};
  if (auto gather = value.getDefiningOp<GatherOp>())
    if (auto compact = gather.getPos().getDefiningOp<CompactIndexOp>())
      return compact.getCount();
  if (auto attention = value.getDefiningOp<LocalAttentionOp>())
    return attention.getQueryTile().empty() ? attention.getCount() : Value();
  auto generic = value.getDefiningOp<linalg::GenericOp>();
  if (!generic || generic.getNumDpsInits() != 1 ||
      generic.getNumReductionLoops() != 0 ||
      !generic.getIndexingMapsArray().back().isIdentity())
    return {};
  // out = a * b (either order), with a read through the identity map from
  // a tensor with zero rows.
  auto yield = cast<linalg::YieldOp>(generic.getBody()->getTerminator());
  auto mul = yield.getValues()[0].getDefiningOp<arith::MulFOp>();
  if (!mul)
    return {};
  for (Value factor : {mul.getLhs(), mul.getRhs()}) {
    auto arg = dyn_cast<BlockArgument>(factor);
    if (!arg || arg.getOwner() != generic.getBody() ||
        arg.getArgNumber() >= generic.getNumDpsInputs())
      continue;
    OpOperand *input = generic.getDpsInputOperand(arg.getArgNumber());
    if (!generic.getMatchingIndexingMap(input).isIdentity())
      continue;
    if (Value count = zeroRowsCount(input->get(), depth + 1))
      return count;
  }
  return {};
}

/// Whether the body of `op` is out + in0 * in1 (either order of each), so a
/// zero left row contributes nothing.
bool isMulAddBody(linalg::GenericOp op) {
  Block *body = op.getBody();
  if (body->getNumArguments() != 3 || body->getOperations().size() != 3)
    return false;
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  auto add = yield.getValues()[0].getDefiningOp<arith::AddFOp>();
  if (!add)
    return false;
  Value out = body->getArgument(2);
  if ((add.getLhs() == out) == (add.getRhs() == out))
    return false;
  auto mul = (add.getLhs() == out ? add.getRhs() : add.getLhs())
                 .getDefiningOp<arith::MulFOp>();
  Value a = body->getArgument(0), b = body->getArgument(1);
  return mul && ((mul.getLhs() == a && mul.getRhs() == b) ||
                 (mul.getLhs() == b && mul.getRhs() == a));
}

/// Rewrites `op` (checked by the caller) into the bounded forall.
void bound(RewriterBase &rewriter, linalg::GenericOp op, Value count,
           int64_t rowBlock) {
  Location loc = op.getLoc();
  Value lhs = op.getDpsInputOperand(0)->get();
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  int64_t block = largestDivisor(lhsType.getDimSize(1), rowBlock);
  rewriter.setInsertionPoint(op);
  Value result = rowBlockForall(
      rewriter, loc, op.getDpsInitOperand(0)->get(), block,
      [&](OpBuilder &b, Location l, Value batch, Value start, Value outTile) {
        Value active = arith::IndexCastOp::create(
            b, l, b.getIndexType(),
            tensor::ExtractOp::create(b, l, count, batch));
        Value needed = arith::CmpIOp::create(
            b, l, arith::CmpIPredicate::slt, start, active);
        auto ifOp = scf::IfOp::create(
            b, l, needed,
            [&](OpBuilder &nb, Location nl) {
              // lhs[batch, start : start + block, ...].
              SmallVector<OpFoldResult> offsets = {batch, start};
              SmallVector<OpFoldResult> sizes = {nb.getIndexAttr(1),
                                                 nb.getIndexAttr(block)};
              SmallVector<int64_t> shape = {1, block};
              for (int64_t d : lhsType.getShape().drop_front(2)) {
                offsets.push_back(nb.getIndexAttr(0));
                sizes.push_back(nb.getIndexAttr(d));
                shape.push_back(d);
              }
              SmallVector<OpFoldResult> strides(lhsType.getRank(),
                                                nb.getIndexAttr(1));
              Value lhsTile = tensor::ExtractSliceOp::create(
                  nb, nl,
                  RankedTensorType::get(shape, lhsType.getElementType()), lhs,
                  offsets, sizes, strides);
              SmallVector<Value> operands = {
                  lhsTile, op.getDpsInputOperand(1)->get(), outTile};
              Operation *tile =
                  clone(nb, op, TypeRange{outTile.getType()}, operands);
              scf::YieldOp::create(nb, nl, tile->getResult(0));
            },
            [&](OpBuilder &nb, Location nl) {
              scf::YieldOp::create(nb, nl, outTile);
            });
        return ifOp.getResult(0);
      });
  rewriter.replaceOp(op, result);
}

struct SeqBoatBoundByCountPass
    : public seqboat::impl::SeqBoatBoundByCountBase<SeqBoatBoundByCountPass> {
  using Base::Base;

  void runOnOperation() override {
    if (rowBlock <= 0) {
      emitError(getOperation()->getLoc(),
                "seqboat-bound-by-count: option 'row-block' must be "
                "positive, got ")
          << static_cast<int64_t>(rowBlock);
      return signalPassFailure();
    }
    SmallVector<std::pair<linalg::GenericOp, Value>> targets;
    getOperation()->walk([&](linalg::GenericOp op) {
      if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
          op.getNumLoops() < 3 || !op.hasPureTensorSemantics() ||
          !isMulAddBody(op))
        return;
      SmallVector<AffineMap> maps = op.getIndexingMapsArray();
      SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
      // Loops (b, s, ...): b and s parallel, the rows of the left operand
      // and of the result, not read by the right operand.
      if (iterators[0] != utils::IteratorType::parallel ||
          iterators[1] != utils::IteratorType::parallel ||
          !leadsWithBatchAndRow(maps[0]) || !leadsWithBatchAndRow(maps[2]) ||
          maps[1].isFunctionOfDim(0) || maps[1].isFunctionOfDim(1))
        return;
      auto outType = cast<RankedTensorType>(op.getDpsInitOperand(0)->get().getType());
      auto lhsType = cast<RankedTensorType>(op.getDpsInputOperand(0)->get().getType());
      if (!outType.hasStaticShape() || !lhsType.hasStaticShape() ||
          outType.getDimSize(0) != lhsType.getDimSize(0) ||
          outType.getDimSize(1) != lhsType.getDimSize(1) ||
          outType.getNumElements() == 0)
        return;
      Value count = zeroRowsCount(op.getDpsInputOperand(0)->get());
      if (!count)
        return;
      auto countType = cast<RankedTensorType>(count.getType());
      if (countType.getRank() != 1 ||
          countType.getDimSize(0) != outType.getDimSize(0))
        return;
      targets.push_back({op, count});
    });
    IRRewriter rewriter(&getContext());
    for (auto [op, count] : targets)
      bound(rewriter, op, count, rowBlock);
  }
};

} // namespace
