//===- TileDynamicDims.cpp - the seqboat-tile-dynamic-dims pass -----------===//

#include "seqboat/Dialect/SeqBoat/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::seqboat {
#define GEN_PASS_DEF_SEQBOATTILEDYNAMICDIMS
#include "seqboat/Dialect/SeqBoat/Transforms/Passes.h.inc"
} // namespace mlir::seqboat

using namespace mlir;

namespace {

/// Tile sizes of 1 for the dynamic loops of `op`, 0 for the others; none
/// when a dynamic loop is a reduction or no loop is dynamic.
std::optional<SmallVector<OpFoldResult>> unitTilesOfDynamicLoops(
    linalg::LinalgOp op, Builder &b) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  SmallVector<OpFoldResult> sizes;
  bool any = false;
  for (auto [range, iterator] : llvm::zip(ranges, iterators)) {
    if (!ShapedType::isDynamic(range)) {
      sizes.push_back(b.getIndexAttr(0));
      continue;
    }
    if (iterator != utils::IteratorType::parallel)
      return std::nullopt;
    any = true;
    sizes.push_back(b.getIndexAttr(1));
  }
  if (!any)
    return std::nullopt;
  return sizes;
}

struct SeqBoatTileDynamicDimsPass
    : public seqboat::impl::SeqBoatTileDynamicDimsBase<
          SeqBoatTileDynamicDimsPass> {
  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> worklist;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (op.hasPureTensorSemantics() && isa<TilingInterface>(*op))
        worklist.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : worklist) {
      std::optional<SmallVector<OpFoldResult>> sizes =
          unitTilesOfDynamicLoops(op, rewriter);
      if (!sizes)
        continue;
      scf::SCFTilingOptions options;
      options.setTileSizes(*sizes);
      options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
      rewriter.setInsertionPoint(op);
      FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
          rewriter, cast<TilingInterface>(op.getOperation()), options);
      if (failed(tiled))
        continue; // Left as it is: still correct, only not vectorised.
      rewriter.replaceOp(op, tiled->replacements);
    }
  }
};
} // namespace
