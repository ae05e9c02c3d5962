//===- ApplyStrategies.cpp - compile formed kernels with their strategy ---===//
//
// Each kernel function formed by seqboat-form-kernels is compiled by a
// transform-dialect named sequence, `@seqboat_<kind>_<target>`, from a
// strategy library: the built-in one (lib/Strategies/, embedded at build
// time) or a user's file. Strategies are data: retuning or replacing one needs
// no rebuild. This pass only checks the knobs against the problem and binds
// them as params.
//
//===----------------------------------------------------------------------===//

#include "seqboat/Conversion/SeqBoatToGPU/SeqBoatToGPU.h"
#include "seqboat/Dialect/SeqBoat/TransformOps/SeqBoatTransformOps.h"
#include "seqboat/Dialect/SeqBoat/IR/SeqBoatOps.h"
#include "seqboat/Dialect/SeqBoat/Utils/LinalgBuilders.h"
#include "seqboat/Support/CheckedArith.h"

#include "mlir/Dialect/Transform/IR/TransformOps.h"
#include "mlir/Dialect/Transform/Interfaces/TransformInterfaces.h"
#include "mlir/Dialect/Transform/Transforms/TransformInterpreterUtils.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Interfaces/TilingInterface.h"

namespace mlir::seqboat {
#define GEN_PASS_DEF_SEQBOATAPPLYSTRATEGIES
#include "seqboat/Conversion/Passes.h.inc"
} // namespace mlir::seqboat

using namespace mlir;
using namespace mlir::seqboat;

namespace {

/// lib/Strategies/contraction.mlir.
constexpr const char kBuiltinLibrary[] =
#include "StrategyLibrary.inc"
    ;

/// Params the contraction strategy binds after the module.
constexpr unsigned kContractionParams = 7;

/// The pass's default contraction tiles (its tile-m, tile-n, tile-k).
constexpr int64_t kDefaultTileM = 64, kDefaultTileN = 64, kDefaultTileK = 16;

/// Threads per block of the contraction strategy (2x2 warps).
constexpr int64_t kThreads = 128;
/// Static shared memory a block may use without opting in.
constexpr int64_t kSharedBytes = 48 * 1024;
/// Dynamic shared memory a block may take on sm_90 (227 KiB), which the
/// attention strategy's buffers live in.
constexpr int64_t kDynamicSharedBytes = 232448;

} // namespace

FailureOr<OwningOpRef<ModuleOp>>
seqboat::loadStrategyLibrary(MLIRContext *ctx, StringRef path,
                             StringRef passName) {
  OwningOpRef<ModuleOp> module;
  if (path.empty()) {
    module = parseSourceString<ModuleOp>(kBuiltinLibrary, ParserConfig(ctx),
                                         "<builtin strategies>");
    if (!module)
      return emitError(UnknownLoc::get(ctx),
                       "seqboat: the built-in strategy library is invalid");
  } else if (failed(transform::detail::parseTransformModuleFromFile(
                 ctx, path, module))) {
    return emitError(UnknownLoc::get(ctx))
           << passName << ": cannot load the strategy library '" << path
           << "'";
  }
  return module;
}

std::string seqboat::checkContractionTiles(int64_t m, int64_t n, int64_t k,
                                           int64_t tm, int64_t tn, int64_t bk,
                                           bool gpu, int64_t operandBytes) {
  // 2x2 warps of mma m16n8k8 (f32 as TF32) or m16n8k16 (f16, bf16) tiles;
  // the fill and the epilogue on 16x8 threads; one 16-byte copy per thread
  // along K.
  bool half = operandBytes == 2;
  if (tm <= 0 || tm % 32 != 0)
    return "tile-m must be a positive multiple of 32 (2 warps x 16 rows)";
  if (tn <= 0 || tn % 16 != 0)
    return "tile-n must be a positive multiple of 16 (2 warps x 8 columns, "
           "16 bias copy threads)";
  if (!half && bk != 8 && bk != 16 && bk != 32)
    return "tile-k must be 8, 16 or 32 (mma k = 8; one 16-byte copy per "
           "thread along K)";
  if (half && bk != 16 && bk != 32 && bk != 64)
    return "tile-k must be 16, 32 or 64 with 16-bit operands (mma k = 16; "
           "one 16-byte copy per thread along K)";
  int64_t ctk = bk * operandBytes / 16, ctm = kThreads / ctk;
  if (tm % ctm != 0 || tn % ctm != 0)
    return ("the copy grid of " + Twine(ctm) + "x" + Twine(ctk) +
            " threads needs tile-m and tile-n to be multiples of " + Twine(ctm))
        .str();
  if (m % tm != 0 || n % tn != 0 || k % bk != 0)
    return "the tiles must divide M, N and K (partial tiles are not "
           "supported yet)";
  // The f32 accumulator tile, two stages of X/W K-slices, the bias tile
  // (tiles a user sets through seqboat.tiles may be anything, so checked).
  std::optional<int64_t> shared = checkedProduct({tm, tn, 4});
  std::optional<int64_t> slices = checkedAdd(tm, tn);
  slices = slices ? checkedProduct({2, bk, *slices, operandBytes})
                  : std::nullopt;
  shared = shared && slices ? checkedAdd(*shared, *slices) : std::nullopt;
  std::optional<int64_t> bias = checkedProduct({tn, 4});
  shared = shared && bias ? checkedAdd(*shared, *bias) : std::nullopt;
  if (gpu && (!shared || *shared > kSharedBytes))
    return ("needs " +
            (shared ? Twine(*shared) + " B" : Twine("more than 2^63 B")) +
            " of shared memory, more than " + Twine(kSharedBytes) + " B")
        .str();
  return "";
}

/// Whether tiles TM x TN x BK are legal in themselves (on a problem they
/// divide).
static bool legalContractionTiles(int64_t tm, int64_t tn, int64_t bk,
                                  bool gpu, int64_t operandBytes) {
  return checkContractionTiles(tm, tn, bk, tm, tn, bk, gpu, operandBytes)
      .empty();
}

int64_t seqboat::getContractionOperandBytes(func::FuncOp kernel) {
  ArrayRef<Type> args = kernel.getArgumentTypes();
  auto x = args.empty() ? MemRefType() : dyn_cast<MemRefType>(args[0]);
  Type elt = x ? x.getElementType() : Type();
  if (elt && elt.isF32())
    return 4;
  return elt && (elt.isF16() || elt.isBF16()) ? 2 : 0;
}

std::optional<std::array<int64_t, 3>>
seqboat::getContractionKernelShape(func::FuncOp kernel, bool dynamicRows) {
  ArrayRef<Type> args = kernel.getArgumentTypes();
  if (args.size() < 4)
    return std::nullopt;
  auto x = dyn_cast<MemRefType>(args[0]);
  auto w = dyn_cast<MemRefType>(args[1]);
  auto bias = dyn_cast<MemRefType>(args[2]);
  auto y = dyn_cast<MemRefType>(args.back());
  // What else the epilogue reads (a residual): [M, N] like Y.
  for (Type t : args.drop_front(3).drop_back()) {
    auto extra = dyn_cast<MemRefType>(t);
    if (!y || !extra || extra.getShape() != y.getShape())
      return std::nullopt;
  }
  // Static but for M (dim 0 of X and Y) where dynamicRows allows it.
  auto rowsStatic = [&](MemRefType t) {
    return dynamicRows ? !t.isDynamicDim(1) : t.hasStaticShape();
  };
  if (!x || !w || !bias || !y || x.getRank() != 2 || w.getRank() != 2 ||
      bias.getRank() != 1 || y.getRank() != 2 || !rowsStatic(x) ||
      !w.hasStaticShape() || !bias.hasStaticShape() || !rowsStatic(y))
    return std::nullopt;
  int64_t m = x.getDimSize(0), n = w.getDimSize(0), k = x.getDimSize(1);
  if (w.getDimSize(1) != k || bias.getDimSize(0) != n ||
      y.getDimSize(0) != m || y.getDimSize(1) != n)
    return std::nullopt;
  return std::array<int64_t, 3>{m, n, k};
}


SmallVector<unsigned>
seqboat::getDistributedLoops(ArrayRef<utils::IteratorType> iterators,
                             ArrayRef<int64_t> ranges) {
  SmallVector<unsigned> loops;
  for (int64_t i = static_cast<int64_t>(ranges.size()) - 1;
       i >= 0 && loops.size() < 3; --i)
    if (iterators[i] == utils::IteratorType::parallel &&
        (ranges[i] > 1 || ShapedType::isDynamic(ranges[i])))
      loops.push_back(i);
  return loops;
}

SmallVector<int64_t>
seqboat::getBlockUnits(ArrayRef<utils::IteratorType> iterators,
                       ArrayRef<int64_t> units, int64_t threads) {
  SmallVector<int64_t> perBlock(units.size(), 0);
  int64_t budget = threads;
  for (unsigned i : getDistributedLoops(iterators, units)) {
    // A runtime extent (B, L) takes what is left of the block: its last
    // block tile is partial and masked.
    perBlock[i] = ShapedType::isDynamic(units[i])
                      ? budget
                      : largestDivisor(units[i], budget);
    budget /= perBlock[i];
  }
  return perBlock;
}

SmallVector<int64_t> seqboat::getThreadGrains(TilingInterface root,
                                              ArrayRef<int64_t> ranges) {
  SmallVector<int64_t> grains(ranges.size(), 1);
  // Whole rows along the loops that a fused row statistic is broadcast
  // over: the thread that normalises a row computes its statistics.
  if (auto generic = dyn_cast<linalg::LinalgOp>(root.getOperation());
      generic && generic.getNumReductionLoops() == 0) {
    for (OpOperand *in : generic.getDpsInputOperands()) {
      // A scan kernel's epilogue (the attention's output gated by r): the
      // grains of the op it reads one-to-one, which is fused into its
      // tiles.
      if (auto scan = in->get().getDefiningOp<TilingInterface>();
          scan && isa<seqboat::LocalAttentionOp>(scan.getOperation()) &&
          generic.getMatchingIndexingMap(in).isIdentity())
        return getThreadGrains(scan, ranges);
      if (!isRowStatistic(in->get().getDefiningOp()))
        continue;
      AffineMap map = generic.getMatchingIndexingMap(in);
      // (Formation fuses a statistic only where these extents are static.)
      for (unsigned d = 0; d < ranges.size(); ++d)
        if (!map.isFunctionOfDim(d) && !ShapedType::isDynamic(ranges[d]))
          grains[d] = std::max<int64_t>(ranges[d], 1);
    }
    return grains;
  }
  auto attention = dyn_cast<seqboat::LocalAttentionOp>(root.getOperation());
  if (!attention || ranges.size() != 3)
    return grains;
  // Features of v per thread: all of them up to 2·Z (then the scores, Z
  // multiply-adds per key, are at most a third of a thread's work), else
  // the largest divisor of H up to 2·Z, each block of features recomputing
  // its query's scores. More threads at wide H (H = 1024, Z = 128: 4x the
  // threads for 1/3 more work).
  int64_t h = ranges[2];
  int64_t z = cast<ShapedType>(attention.getQ().getType()).getDimSize(2);
  if (ShapedType::isDynamic(h) || ShapedType::isDynamic(z) || h <= 2 * z)
    grains[2] = std::max<int64_t>(h, 1);
  else
    grains[2] = largestDivisor(h, 2 * z);
  return grains;
}

SmallVector<int64_t> seqboat::getIterationDomainSizes(TilingInterface op) {
  // Whatever reifying the domain creates is erased again: the IR is only
  // read.
  struct Created : OpBuilder::Listener {
    SmallVector<Operation *> ops;
    void notifyOperationInserted(Operation *op,
                                 OpBuilder::InsertPoint) override {
      ops.push_back(op);
    }
  } created;
  OpBuilder b(op, &created);
  SmallVector<int64_t> sizes;
  for (const Range &range : op.getIterationDomain(b))
    sizes.push_back(
        getConstantIntValue(range.size).value_or(ShapedType::kDynamic));
  for (Operation *inserted : llvm::reverse(created.ops))
    inserted->erase();
  return sizes;
}

FailureOr<AttentionBlock> seqboat::getAttentionBlock(func::FuncOp kernel,
                                                     int64_t queryBlock,
                                                     int64_t keyBlock) {
  TilingInterface root = getKernelRoot(kernel);
  seqboat::LocalAttentionOp attention;
  kernel.walk([&](seqboat::LocalAttentionOp op) { attention = op; });
  if (!root || !attention)
    return failure();
  SmallVector<int64_t> ranges = getIterationDomainSizes(root);
  int64_t z = cast<ShapedType>(attention.getQ().getType()).getDimSize(2);
  if (ranges.size() != 3 || ShapedType::isDynamic(ranges[2]) ||
      ShapedType::isDynamic(z) || z <= 0 || ranges[2] <= 0)
    return failure();
  AttentionBlock block;
  block.productType = getAttentionProductType(attention);
  int64_t pb = block.productType.getIntOrFloatBitWidth() / 8;
  block.z = z;
  block.h = ranges[2];
  block.keys = keyBlock;
  block.queries = queryBlock;
  if (!ShapedType::isDynamic(ranges[1]))
    block.queries = std::min(queryBlock, std::max<int64_t>(ranges[1], 1));
  // One tile of all S slots: padded to a multiple of 16 rows (the tensor
  // cores' m) by the attention lowering.
  if (block.queries == ranges[1] && block.queries % 16 != 0)
    block.queries = llvm::alignTo(block.queries, 16);
  int64_t qb = block.queries, kb = keyBlock;
  // The block's tiles in shared memory: the queries, keys and values
  // (QB·Z, KB·Z, KB·HB) in the products' type; in f32 the accumulator
  // (QB·HB), the scores and the weights (2·QB·KB), the running max and sum
  // and the block max (3·QB); under autocast the weights rounded for P·V
  // too (QB·KB).
  auto bytes = [&](int64_t hb) {
    int64_t tiles = pb * (qb * z + kb * z + kb * hb);
    if (block.halfProducts())
      tiles += pb * qb * kb;
    return tiles + 4 * (qb * hb + 2 * qb * kb + 3 * qb);
  };
  // v's features per block: those a thread of the scan strategy would take
  // (all up to 2·Z, else a divisor of H), fewer while the tiles do not fit
  // (each block of features recomputes its scores).
  // Two blocks per SM where that leaves at least 32 features (or all of
  // the grain) to a block: one block of 4 warps cannot hide the latency of
  // its barriers alone.
  auto shrink = [&](int64_t hb, int64_t limit) {
    while (hb > 1 && bytes(hb) > limit) {
      int64_t next = largestDivisor(block.h, hb - 1);
      if (next >= hb)
        break;
      hb = next;
    }
    return hb;
  };
  int64_t grain = getThreadGrains(root, ranges)[2];
  int64_t hb = shrink(grain, kDynamicSharedBytes / 2);
  if (bytes(hb) > kDynamicSharedBytes / 2 || hb < std::min<int64_t>(grain, 32))
    hb = shrink(grain, kDynamicSharedBytes);
  block.features = hb;
  block.sharedBytes = bytes(hb);
  return block;
}

TilingInterface seqboat::getKernelRoot(func::FuncOp kernel) {
  TilingInterface root;
  kernel.walk([&](bufferization::MaterializeInDestinationOp store) {
    if (Operation *def = store.getSource().getDefiningOp())
      root = dyn_cast<TilingInterface>(def);
  });
  return root;
}

namespace {

/// The contraction strategy's params (TM, TN, BK, WM, WN, CTM, CTK) for
/// `kernel`, or an error naming the knob that does not fit.
FailureOr<SmallVector<int64_t>> contractionParams(func::FuncOp kernel,
                                                  ArrayRef<int64_t> tiles,
                                                  bool gpu, bool ffma) {
  std::optional<std::array<int64_t, 3>> mnk =
      getContractionKernelShape(kernel, /*dynamicRows=*/true);
  if (!mnk)
    return emitError(kernel.getLoc(),
                     "contraction kernel: expected (X[M, K], W[N, K], "
                     "bias[N], Y[M, N]) memref arguments, static but for M");
  auto [m, n, k] = *mnk;
  // A runtime M was peeled to a multiple of TM (peelContraction).
  std::string mText = ShapedType::isDynamic(m) ? "?" : std::to_string(m);
  if (ShapedType::isDynamic(m))
    m = tiles[0];
  int64_t tm = tiles[0], tn = tiles[1], bk = tiles[2];
  int64_t bytes = getContractionOperandBytes(kernel);
  // What is wrong with the tiles in themselves (shared memory, the copy
  // grid) before how they fit this problem: tiles that do not divide M or
  // N were peeled already, so a remainder here is not the reason.
  std::string why = checkContractionTiles(tm, tn, bk, tm, tn, bk, gpu, bytes);
  if (why.empty())
    why = checkContractionTiles(m, n, k, tm, tn, bk, gpu, bytes);
  if (!why.empty())
    return emitError(kernel.getLoc(), "contraction kernel (M=")
           << mText << ", N=" << n << ", K=" << k << ", tiles " << tm << "x"
           << tn << "x" << bk << "): " << why;
  int64_t ctk = bk * bytes / 16;
  // The matmul's tile per warp (2x2 warps) or, for FFMA, per thread (16x8).
  int64_t wm = ffma ? tm / 16 : tm / 2, wn = ffma ? tn / 8 : tn / 2;
  SmallVector<int64_t> params = {tm, tn, bk, wm, wn, kThreads / ctk, ctk};
  assert(params.size() == kContractionParams);
  return params;
}

/// A part of a contraction kernel's output, Y[m0 : m0 + m, n0 : n0 + n]
/// (m0 and m ShapedType::kDynamic for the runtime rows of a dynamic M).
struct ContractionPiece {
  int64_t m0, m, n0, n;
  StringRef suffix;
};

/// `kernel` (X[M, K], W[N, K], bias[N], Y[M, N] on identity memrefs)
/// retyped in place to compute `piece` on subviews of its arguments: the
/// types of the memref arguments, of the tensors read from them and of
/// every [M, N] value in between.
void retypeContraction(func::FuncOp kernel, const ContractionPiece &piece) {
  auto x = cast<MemRefType>(kernel.getArgumentTypes()[0]);
  int64_t m = x.getDimSize(0),
          n = cast<MemRefType>(kernel.getArgumentTypes()[1]).getDimSize(0),
          k = x.getDimSize(1);
  SmallVector<Type> types;
  auto sub = [&](Type t, ArrayRef<int64_t> offsets, ArrayRef<int64_t> sizes) {
    SmallVector<int64_t> strides(sizes.size(), 1);
    types.push_back(memref::SubViewOp::inferResultType(cast<MemRefType>(t),
                                                       offsets, sizes, strides));
  };
  ArrayRef<Type> args = kernel.getArgumentTypes();
  sub(args[0], {piece.m0, 0}, {piece.m, k});
  sub(args[1], {piece.n0, 0}, {piece.n, k});
  sub(args[2], {piece.n0}, {piece.n});
  // The epilogue's other [M, N] inputs, then Y.
  for (Type t : args.drop_front(3))
    sub(t, {piece.m0, piece.n0}, {piece.m, piece.n});
  kernel.setFunctionType(
      FunctionType::get(kernel.getContext(), types, TypeRange()));
  for (auto [arg, type] : llvm::zip(kernel.getArguments(), types))
    arg.setType(type);
  kernel.walk([&](Operation *op) {
    if (auto toTensor = dyn_cast<bufferization::ToTensorOp>(op)) {
      auto buffer = cast<MemRefType>(toTensor.getBuffer().getType());
      toTensor.getResult().setType(cast<bufferization::TensorLikeType>(
          RankedTensorType::get(buffer.getShape(), buffer.getElementType())));
      return;
    }
    // (With a runtime M, dynamic empties keep their size operand: a dim of
    // the retyped X.)
    for (OpResult r : op->getResults())
      if (auto t = dyn_cast<RankedTensorType>(r.getType());
          t && t.getShape() == ArrayRef<int64_t>{m, n})
        // The f32 accumulator and a 16-bit result keep their types.
        r.setType(t.clone({piece.m, piece.n}));
  });
}

/// The kernel calls of `kernel` in `module`, or an error.
FailureOr<SmallVector<func::CallOp>> kernelCalls(ModuleOp module,
                                                 func::FuncOp kernel) {
  SmallVector<func::CallOp> calls;
  std::optional<SymbolTable::UseRange> uses =
      SymbolTable::getSymbolUses(kernel, module);
  if (!uses)
    return emitError(kernel.getLoc(), "contraction kernel: unknown uses");
  for (const SymbolTable::SymbolUse &use : *uses) {
    auto call = dyn_cast<func::CallOp>(use.getUser());
    if (!call)
      return emitError(use.getUser()->getLoc(),
                       "contraction kernel: used other than by a call");
    calls.push_back(call);
  }
  return calls;
}

/// Tells the strategy that the rows of `kernel` (a contraction kernel with
/// a runtime M) are a multiple of `tm`: X is read as its first
/// (M floordiv TM)·TM rows, which is all of them, and every [M, N] tensor
/// is sized so. Tiling by TM rows then gives static tiles (the affine.min of
/// a partial tile folds away).
void assumeRowsMultipleOf(func::FuncOp kernel, int64_t tm) {
  bufferization::ToTensorOp x;
  kernel.walk([&](bufferization::ToTensorOp t) {
    if (t.getBuffer() == kernel.getArgument(0))
      x = t;
  });
  if (!x)
    return;
  OpBuilder b(x->getContext());
  b.setInsertionPointAfter(x);
  Location loc = x.getLoc();
  auto type = cast<RankedTensorType>(x.getType());
  Value m = tensor::DimOp::create(b, loc, x, 0);
  AffineExpr s0 = b.getAffineSymbolExpr(0);
  Value m0 = affine::AffineApplyOp::create(
      b, loc, AffineMap::get(0, 1, s0.floorDiv(tm) * tm), ValueRange{m});
  SmallVector<OpFoldResult> offsets(2, b.getIndexAttr(0)),
      strides(2, b.getIndexAttr(1)),
      sizes = {m0, b.getIndexAttr(type.getDimSize(1))};
  auto slice = tensor::ExtractSliceOp::create(b, loc, x, offsets, sizes, strides);
  x.getResult().replaceAllUsesExcept(
      slice, SmallPtrSet<Operation *, 2>{m.getDefiningOp(), slice});
  kernel.walk([&](tensor::EmptyOp empty) {
    if (empty.getType().getRank() == 2 && empty.getType().isDynamicDim(0))
      empty.getDynamicSizesMutable().assign(m0);
  });
}

/// Peels a contraction kernel whose block tiles TM x TN divide K but not M
/// or N, or whose M is a runtime size (B·L rows): `kernel` keeps Y[0 : M0,
/// 0 : N0] with M0 = (M floordiv TM)·TM and N0 = (N floordiv TN)·TN, which
/// the tiles divide; the rows [M0, M) and the columns [N0, N) of the rows
/// above become kernels of their own (returned; kind "parallel"), all
/// called on subviews where `kernel` was. A static M is split at compile
/// time (the subviews fold to constants); a runtime M at run time, in every
/// call, with `kernel` told that its rows are a multiple of TM
/// (assumeRowsMultipleOf); a piece of no rows then launches no blocks.
FailureOr<SmallVector<func::FuncOp>>
peelContraction(ModuleOp module, func::FuncOp kernel, int64_t tm, int64_t tn) {
  auto x = cast<MemRefType>(kernel.getArgumentTypes()[0]);
  auto w = cast<MemRefType>(kernel.getArgumentTypes()[1]);
  int64_t m = x.getDimSize(0), n = w.getDimSize(0), k = x.getDimSize(1);
  if (llvm::any_of(kernel.getArgumentTypes(), [](Type t) {
        return !cast<MemRefType>(t).getLayout().isIdentity();
      }))
    return emitError(kernel.getLoc(), "contraction kernel: peeling needs "
                                      "identity-layout arguments");
  FailureOr<SmallVector<func::CallOp>> calls = kernelCalls(module, kernel);
  if (failed(calls))
    return failure();

  const int64_t dyn = ShapedType::kDynamic;
  bool dynamicRows = ShapedType::isDynamic(m);
  int64_t mMain = dynamicRows ? dyn : m - m % tm, nMain = n - n % tn;
  // Which rows each piece takes: [0, M0) or [M0, M).
  enum Rows { Main, Last };
  SmallVector<std::pair<ContractionPiece, Rows>> pieces = {
      {{0, mMain, 0, nMain, ""}, Main}};
  if (dynamicRows || mMain < m)
    pieces.push_back(
        {{mMain, dynamicRows ? dyn : m - mMain, 0, n, "_rows"}, Last});
  if (nMain < n)
    pieces.push_back({{0, mMain, nMain, n - nMain, "_cols"}, Main});

  SymbolTable symbols(module);
  SmallVector<func::FuncOp> functions = {kernel};
  for (const auto &[piece, rows] : ArrayRef(pieces).drop_front()) {
    func::FuncOp clone = kernel.clone();
    clone.setSymName((kernel.getSymName() + piece.suffix).str());
    clone->setAttr(kKernelKindAttr,
                   StringAttr::get(kernel.getContext(), "parallel"));
    symbols.insert(clone, std::next(Block::iterator(kernel)));
    functions.push_back(clone);
  }
  for (auto [fn, piece] : llvm::zip(functions, pieces))
    retypeContraction(fn, piece.first);
  if (dynamicRows)
    assumeRowsMultipleOf(kernel, tm);

  for (func::CallOp call : *calls) {
    OpBuilder b(call);
    Location loc = call.getLoc();
    auto index = [&](int64_t v) -> OpFoldResult { return b.getIndexAttr(v); };
    OpFoldResult rows =
        dynamicRows
            ? OpFoldResult(memref::DimOp::create(b, loc, call.getOperand(0), 0))
            : index(m);
    AffineExpr s0 = b.getAffineSymbolExpr(0);
    OpFoldResult m0 = affine::makeComposedFoldedAffineApply(
        b, loc, AffineMap::get(0, 1, s0.floorDiv(tm) * tm), {rows});
    OpFoldResult last = affine::makeComposedFoldedAffineApply(
        b, loc, AffineMap::get(0, 1, s0 % tm), {rows});
    for (auto [fn, entry] : llvm::zip(functions, pieces)) {
      auto &[piece, part] = entry;
      OpFoldResult r0 = part == Main ? index(0) : m0;
      OpFoldResult rn = part == Main ? m0 : last;
      SmallVector<SmallVector<OpFoldResult>> offsets = {
          {r0, index(0)}, {index(piece.n0), index(0)}, {index(piece.n0)}};
      SmallVector<SmallVector<OpFoldResult>> sizes = {
          {rn, index(k)}, {index(piece.n), index(k)}, {index(piece.n)}};
      // The epilogue's other [M, N] inputs, then Y.
      for (size_t i = 3; i < call.getNumOperands(); ++i) {
        offsets.push_back({r0, index(piece.n0)});
        sizes.push_back({rn, index(piece.n)});
      }
      SmallVector<Value> operands;
      for (auto [i, operand] : llvm::enumerate(call.getOperands())) {
        SmallVector<OpFoldResult> strides(sizes[i].size(), index(1));
        operands.push_back(memref::SubViewOp::create(
            b, loc, cast<MemRefType>(fn.getArgumentTypes()[i]), operand,
            offsets[i], sizes[i], strides));
      }
      auto peeled = func::CallOp::create(b, loc, fn, operands);
      peeled->setAttr(kKernelKindAttr, fn->getAttr(kKernelKindAttr));
    }
    call.erase();
  }
  functions.erase(functions.begin());
  return functions;
}

/// Tiles for an (M, N, K) contraction when the configured ones cannot run on
/// it at all (BK does not divide K, or TM/TN exceed M/N): the first legal
/// tiles with BK (the configured one first, then 32, 16, 8) dividing K, and
/// the largest TN <= min(N, the configured TN), then TM <= min(M, the
/// configured TM). None: no legal tiles fit.
std::optional<std::array<int64_t, 3>>
fitContractionTiles(int64_t m, int64_t n, int64_t k,
                    std::array<int64_t, 3> tiles, bool gpu,
                    int64_t operandBytes) {
  SmallVector<int64_t> bks = {tiles[2]};
  for (int64_t bk : {64, 32, 16, 8})
    if (bk != tiles[2])
      bks.push_back(bk);
  for (int64_t bk : bks) {
    if (bk <= 0 || k % bk != 0)
      continue;
    for (int64_t tn = std::min(n, tiles[1]) / 16 * 16; tn >= 16; tn -= 16)
      for (int64_t tm = std::min(m, tiles[0]) / 32 * 32; tm >= 32; tm -= 32)
        if (legalContractionTiles(tm, tn, bk, gpu, operandBytes))
          return std::array<int64_t, 3>{tm, tn, bk};
  }
  return std::nullopt;
}

/// Rewrites `generic`, which reads `in` through the same map as its init
/// and does not read its init, into the same computation with `in` as its
/// init: it then updates that value in place.
void computeInPlaceOn(RewriterBase &rewriter, linalg::GenericOp generic,
                      OpOperand *in) {
  unsigned index = in->getOperandNumber();
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  for (OpOperand *other : generic.getDpsInputOperands())
    if (other != in) {
      inputs.push_back(other->get());
      maps.push_back(generic.getMatchingIndexingMap(other));
    }
  maps.push_back(generic.getMatchingIndexingMap(generic.getDpsInitOperand(0)));
  rewriter.setInsertionPoint(generic);
  auto updated = linalg::GenericOp::create(
      rewriter, generic.getLoc(), generic->getResultTypes(), inputs,
      ValueRange{in->get()}, maps, generic.getIteratorTypesArray());
  Region &region = updated.getRegion();
  rewriter.inlineRegionBefore(generic.getRegion(), region, region.end());
  Block &body = region.front();
  // The value read from `in` is now the init's block argument.
  rewriter.replaceAllUsesWith(body.getArgument(index), body.getArguments().back());
  body.eraseArgument(index);
  rewriter.replaceOp(generic, updated->getResults());
}

/// Rewrites `forall` to run from 0 by 1 (GPU mapping wants that):
/// upstream's normalizeForallOp where its bounds are static; with runtime
/// bounds (B, L) that one builds index arithmetic on i64 step attributes,
/// so the trip counts are ceildiv(ub - lb, step) as affine maps here and
/// each induction variable is lb + iv·step.
LogicalResult normalizeForall(RewriterBase &rewriter, scf::ForallOp forall) {
  SmallVector<OpFoldResult> lbs = forall.getMixedLowerBound(),
                            ubs = forall.getMixedUpperBound(),
                            steps = forall.getMixedStep();
  if (llvm::all_of(llvm::concat<OpFoldResult>(lbs, ubs, steps),
                   [](OpFoldResult f) { return isa<Attribute>(f); }))
    return mlir::normalizeForallOp(rewriter, forall);
  Location loc = forall.getLoc();
  MLIRContext *ctx = rewriter.getContext();
  AffineExpr s0, s1, s2, d0;
  bindSymbols(ctx, s0, s1, s2);
  bindDims(ctx, d0);
  auto asIndex = [&](OpFoldResult f) -> OpFoldResult {
    if (std::optional<int64_t> c = getConstantIntValue(f))
      return rewriter.getIndexAttr(*c);
    return f;
  };
  SmallVector<OpFoldResult> counts;
  for (auto [lb, ub, step] : llvm::zip(lbs, ubs, steps))
    counts.push_back(affine::makeComposedFoldedAffineApply(
        rewriter, loc, (s1 - s0).ceilDiv(s2),
        {asIndex(lb), asIndex(ub), asIndex(step)}));
  auto normalized = scf::ForallOp::create(
      rewriter, loc, counts, forall.getOutputs(), forall.getMapping(),
      [](OpBuilder &, Location, ValueRange) {});
  Block *fresh = normalized.getBody();
  rewriter.inlineRegionBefore(forall.getBodyRegion(),
                              normalized.getBodyRegion(),
                              normalized.getBodyRegion().begin());
  rewriter.eraseBlock(fresh);
  rewriter.setInsertionPointToStart(normalized.getBody());
  for (auto [iv, lb, step] :
       llvm::zip(normalized.getInductionVars(), lbs, steps)) {
    OpFoldResult value = affine::makeComposedFoldedAffineApply(
        rewriter, loc, s0 + d0 * s1, {iv, asIndex(lb), asIndex(step)});
    Value v = getValueOrCreateConstantIndexOp(rewriter, loc, value);
    rewriter.replaceAllUsesExcept(iv, v, v.getDefiningOp());
  }
  rewriter.replaceOp(forall, normalized->getResults());
  return success();
}

/// Tiles `root`, the op whose result a kernel stores, to blocks and threads
/// through its TilingInterface, fusing its producers (fill, pads) into both
/// levels: up to three parallel loops (the innermost ones with more than
/// one iteration) become the block forall; their block tiles take the
/// divisors of the extents that fit `threads` (getBlockUnits), innermost
/// first, and
/// the thread forall gives each thread one point of the block tile. Other
/// parallel loops and every reduction run in order within a thread.
/// With `givenBlockTiles`, `root` is tiled onto blocks of exactly those
/// tiles and no further: the strategy distributes what a block computes.
LogicalResult tileToBlocksAndThreads(func::FuncOp kernel, TilingInterface root,
                                     StringRef kind, int64_t threads,
                                     ArrayRef<int64_t> givenBlockTiles = {}) {
  SmallVector<utils::IteratorType> iterators = root.getLoopIteratorTypes();
  SmallVector<int64_t> ranges;
  {
    OpBuilder b(root);
    for (Range range : root.getIterationDomain(b)) {
      if (!isConstantIntValue(range.offset, 0) ||
          !isConstantIntValue(range.stride, 1))
        return emitError(kernel.getLoc())
               << kind << " kernel: loop ranges must start at 0 by 1";
      // A runtime extent (B, L) is tiled like a large one: its last tile is
      // partial, masked by the tiled op's sizes.
      ranges.push_back(
          getConstantIntValue(range.size).value_or(ShapedType::kDynamic));
    }
  }
  unsigned rank = ranges.size();
  SmallVector<int64_t> blockTiles(rank, 0), threadTiles(rank, 0);
  // Along a loop with a grain g a thread takes g points: the loop is
  // distributed in units of g (one whose grain covers it is not
  // distributed, so the thread takes it whole).
  SmallVector<int64_t> grains = getThreadGrains(root, ranges);
  SmallVector<int64_t> units(rank);
  for (unsigned i = 0; i < rank; ++i)
    units[i] = ShapedType::isDynamic(ranges[i]) ? ranges[i]
                                                : ranges[i] / grains[i];
  SmallVector<int64_t> perBlock = getBlockUnits(iterators, units, threads);
  for (unsigned i = 0; i < rank; ++i) {
    if (perBlock[i] == 0)
      continue;
    blockTiles[i] = perBlock[i] * grains[i];
    if (perBlock[i] > 1)
      threadTiles[i] = grains[i];
  }
  if (!givenBlockTiles.empty()) {
    blockTiles.assign(givenBlockTiles.begin(), givenBlockTiles.end());
    threadTiles.assign(rank, 0);
  } else if (llvm::all_of(perBlock, [](int64_t p) { return p == 0; })) {
    // One point: one block of one thread.
    for (unsigned i = 0; i < rank; ++i)
      if (iterators[i] == utils::IteratorType::parallel) {
        blockTiles[i] = 1;
        break;
      }
  }

  MLIRContext *ctx = kernel.getContext();
  auto mapping = [&](ArrayRef<int64_t> tiles, bool blocks) {
    SmallVector<Attribute> attrs;
    int64_t count = llvm::count_if(tiles, [](int64_t t) { return t != 0; });
    for (int64_t d = count - 1; d >= 0; --d) {
      if (blocks)
        attrs.push_back(gpu::GPUBlockMappingAttr::get(
            ctx, static_cast<gpu::MappingId>(d)));
      else
        attrs.push_back(gpu::GPUThreadMappingAttr::get(
            ctx, static_cast<gpu::MappingId>(
                     static_cast<int64_t>(gpu::MappingId::LinearDim0) + d)));
    }
    return attrs;
  };
  IRRewriter rewriter(ctx);
  SmallVector<scf::ForallOp> foralls;
  auto tileAndFuse = [&](TilingInterface op, ArrayRef<int64_t> tiles,
                         bool blocks) -> FailureOr<Operation *> {
    scf::SCFTilingOptions tiling;
    tiling.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
    tiling.setTileSizes(getAsIndexOpFoldResult(ctx, tiles));
    tiling.setMapping(mapping(tiles, blocks));
    scf::SCFTileAndFuseOptions options;
    options.setTilingOptions(tiling);
    rewriter.setInsertionPoint(op);
    FailureOr<scf::SCFTileAndFuseResult> result =
        scf::tileConsumerAndFuseProducersUsingSCF(rewriter, op, options);
    if (failed(result))
      return failure();
    for (OpResult r : op->getResults())
      rewriter.replaceAllUsesWith(r, result->replacements.lookup(r));
    for (LoopLikeOpInterface loop : result->loops)
      if (auto forall = dyn_cast<scf::ForallOp>(loop.getOperation()))
        foralls.push_back(forall);
    return result->tiledAndFusedOps.front();
  };
  FailureOr<Operation *> inBlock = tileAndFuse(root, blockTiles, true);
  if (failed(inBlock))
    return emitError(kernel.getLoc()) << kind << " kernel: tiling to blocks failed";
  FailureOr<Operation *> inThread = inBlock;
  if (llvm::any_of(threadTiles, [](int64_t t) { return t != 0; })) {
    inThread = tileAndFuse(cast<TilingInterface>(*inBlock), threadTiles, false);
    if (failed(inThread))
      return emitError(kernel.getLoc())
             << kind << " kernel: tiling to threads failed";
  }
  // The loops left to a thread (reductions, parallel loops beyond three)
  // are tiled by one point with scf.for when producers are fused into the
  // kernel: a producer read along them (a parameter recomputed along a
  // reduction) is then computed an element at a time, in registers, instead
  // of as a tile in the thread's local memory. Inits are not fused into
  // these loops (a reduction's fill must stay outside).
  SmallVector<int64_t> pointTiles(rank, 0);
  for (unsigned i = 0; i < rank; ++i)
    if (blockTiles[i] == 0 &&
        (ranges[i] > 1 || ShapedType::isDynamic(ranges[i])))
      pointTiles[i] = 1;
  auto linalgThread = dyn_cast<linalg::LinalgOp>(*inThread);
  // Whether a fused producer is read along one of these loops.
  bool readsFused =
      linalgThread &&
      llvm::any_of(linalgThread.getDpsInputOperands(), [&](OpOperand *in) {
        if (!in->get().getDefiningOp<linalg::LinalgOp>())
          return false;
        AffineMap map = linalgThread.getMatchingIndexingMap(in);
        return llvm::any_of(llvm::seq<unsigned>(0, rank), [&](unsigned d) {
          return pointTiles[d] != 0 && map.isFunctionOfDim(d);
        });
      });
  if (readsFused) {
    scf::SCFTilingOptions tiling;
    tiling.setLoopType(scf::SCFTilingOptions::LoopType::ForOp);
    tiling.setTileSizes(getAsIndexOpFoldResult(ctx, pointTiles));
    scf::SCFTileAndFuseOptions options;
    options.setTilingOptions(tiling);
    // Only producers whose slice moves with these loops: one read at the
    // same point throughout (a row's mean in a reduction along the row)
    // stays computed once, before them.
    options.setFusionControlFn(
        [](tensor::ExtractSliceOp slice, OpResult, bool isDestinationOperand)
            -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
          if (isDestinationOperand)
            return std::nullopt;
          scf::ForOp outermost;
          for (auto loop = slice->getParentOfType<scf::ForOp>(); loop;
               loop = loop->getParentOfType<scf::ForOp>())
            outermost = loop;
          if (!outermost ||
              llvm::all_of(slice->getOperands(), [&](Value v) {
                return outermost.isDefinedOutsideOfLoop(v);
              }))
            return std::nullopt;
          return scf::SCFTileAndFuseOptions::ControlFnResult{};
        });
    auto op = cast<TilingInterface>(*inThread);
    rewriter.setInsertionPoint(op);
    FailureOr<scf::SCFTileAndFuseResult> result =
        scf::tileConsumerAndFuseProducersUsingSCF(rewriter, op, options);
    if (failed(result))
      return emitError(kernel.getLoc())
             << kind << " kernel: tiling a thread's loops failed";
    for (OpResult r : op->getResults())
      rewriter.replaceAllUsesWith(r, result->replacements.lookup(r));
  }
  // With runtime extents, a thread forall's trip count and the sizes of
  // tiles are `tensor.dim`s of the block's tiled ops (static extents fold
  // them to constants): rewritten into the sizes those ops are computed
  // from, so that the block-level copies that fusion left behind die
  // instead of being computed whole by the block.
  if (llvm::any_of(ranges, ShapedType::isDynamic)) {
    RewritePatternSet patterns(ctx);
    memref::populateResolveRankedShapedTypeResultDimsPatterns(patterns);
    if (failed(applyPatternsGreedily(kernel, std::move(patterns))))
      return emitError(kernel.getLoc())
             << kind << " kernel: resolving the runtime tile sizes failed";
  }
  // A scan kernel's epilogue reads the scan op's tile it was fused with: it
  // computes in place on that tile, so the scan op's result keeps being
  // written straight into the kernel's output (empty-tensor elimination
  // follows the in-place chain) instead of into a thread-local buffer.
  if (kind == "scan" || kind == "attention") {
    SmallVector<std::pair<linalg::GenericOp, OpOperand *>> inPlace;
    kernel.walk([&](linalg::GenericOp generic) {
      if (!generic->getParentOfType<scf::ForallOp>() ||
          generic.getNumDpsInits() != 1 ||
          generic.payloadUsesValueFromOperand(generic.getDpsInitOperand(0)))
        return;
      for (OpOperand *in : generic.getDpsInputOperands()) {
        Operation *def = in->get().getDefiningOp();
        if (def && isa<seqboat::SeqBoatDialect>(def->getDialect()) &&
            in->get().hasOneUse() &&
            in->get().getType() == generic->getResult(0).getType() &&
            generic.getMatchingIndexingMap(in) ==
                generic.getMatchingIndexingMap(generic.getDpsInitOperand(0))) {
          inPlace.push_back({generic, in});
          return;
        }
      }
    });
    for (auto [generic, in] : inPlace)
      computeInPlaceOn(rewriter, generic, in);
  }
  // GPU mapping wants foralls from 0 by 1 (threads first: the block forall
  // holds them).
  for (scf::ForallOp forall : llvm::reverse(foralls)) {
    rewriter.setInsertionPoint(forall);
    if (failed(normalizeForall(rewriter, forall)))
      return emitError(kernel.getLoc())
             << kind << " kernel: cannot normalize a tile loop";
  }
  return success();
}

} // namespace

FailureOr<KernelKnobs> seqboat::getKernelKnobs(Operation *kernel,
                                               KernelKnobs defaults) {
  KernelKnobs knobs = defaults;
  if (auto dict = kernel->getAttrOfType<DictionaryAttr>(kKnobsAttr)) {
    if (auto threads = dict.getAs<IntegerAttr>("threads"))
      knobs.threads = threads.getInt();
    if (auto chunk = dict.getAs<IntegerAttr>("scan_chunk"))
      knobs.scanChunk = chunk.getInt();
    if (auto block = dict.getAs<IntegerAttr>("query_block"))
      knobs.queryBlock = block.getInt();
    if (auto block = dict.getAs<IntegerAttr>("key_block"))
      knobs.keyBlock = block.getInt();
  }
  // The attribute's values are the dialect's to verify; the defaults (pass
  // options) are checked by the same rule.
  if (std::optional<std::string> error = checkKnob("threads", knobs.threads))
    return kernel->emitError("threads per block of a parallel or scan kernel ")
           << *error;
  if (std::optional<std::string> error =
          checkKnob("scan_chunk", knobs.scanChunk))
    return kernel->emitError("scan kernel: scan-chunk ") << *error;
  // (query_block and key_block: the verifier checked the attribute's; the
  // options are checked where the attention strategy uses them.)
  return knobs;
}

namespace {

LogicalResult tileParallelKernel(func::FuncOp kernel, int64_t threads) {
  TilingInterface root = getKernelRoot(kernel);
  if (!root || !isa<linalg::LinalgOp>(root.getOperation()))
    return emitError(kernel.getLoc(),
                     "parallel kernel: expected one linalg op whose result "
                     "the kernel stores");
  return tileToBlocksAndThreads(kernel, root, "parallel", threads);
}

struct SeqBoatApplyStrategies
    : public seqboat::impl::SeqBoatApplyStrategiesBase<SeqBoatApplyStrategies> {
  using Base::Base;

  void getDependentDialects(DialectRegistry &registry) const override {
    Base::getDependentDialects(registry);
    // seqboat's own transform ops, which the library uses.
    registerTransformDialectExtension(registry);
    // What the strategies' transforms create.
    registry.insert<affine::AffineDialect, arith::ArithDialect,
                    bufferization::BufferizationDialect, gpu::GPUDialect,
                    linalg::LinalgDialect, memref::MemRefDialect,
                    nvgpu::NVGPUDialect, scf::SCFDialect,
                    tensor::TensorDialect, vector::VectorDialect>();
  }

  /// Parses the library once, before any IR is processed (parsing may load
  /// dialects, which is not allowed while passes run).
  LogicalResult initialize(MLIRContext *ctx) override {
    FailureOr<OwningOpRef<ModuleOp>> module = loadStrategyLibrary(ctx, library, getArgument());
    if (failed(module))
      return failure();
    strategies = std::make_shared<OwningOpRef<ModuleOp>>(std::move(*module));
    return success();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (target != "gpu" && target != "cpu" && target != "gpu-mapped") {
      emitError(module.getLoc(), "seqboat-apply-strategies: unknown target '")
          << target << "' (expected gpu, cpu or gpu-mapped)";
      return signalPassFailure();
    }
    if (attentionKeyBlock < 0 || attentionKeyBlock > 1024) {
      emitError(module.getLoc(), "seqboat-apply-strategies: "
                                 "attention-key-block must be in [0, 1024], got ")
          << static_cast<int64_t>(attentionKeyBlock);
      return signalPassFailure();
    }
    if (precision != "tf32" && precision != "ieee" && precision != "autocast") {
      emitError(module.getLoc(), "seqboat-apply-strategies: unknown precision '")
          << precision << "' (expected tf32, ieee or autocast)";
      return signalPassFailure();
    }
    SmallVector<func::FuncOp> kernels;
    for (auto fn : module.getOps<func::FuncOp>())
      if (fn->hasAttr(kKernelKindAttr))
        kernels.push_back(fn);
    for (func::FuncOp kernel : kernels)
      if (failed(apply(module, kernel)))
        return signalPassFailure();
    // On the CPU whatever is left runs as loops; on the GPU it would run on
    // the host, silently, so it is an error.
    if (target == "gpu" && failed(checkNothingLeft(module)))
      return signalPassFailure();
  }

private:
  static LogicalResult checkNothingLeft(ModuleOp module) {
    // Computations on tensor data left in host code: linalg ops formation
    // did not take, element reads and writes, pads, vector code.
    WalkResult walk = module.walk([](Operation *op) {
      // Heap allocations in device code would be device-side malloc calls.
      if (isa<memref::AllocOp>(op) && op->getParentOfType<gpu::LaunchOp>()) {
        op->emitOpError("allocates in device code: a thread's scratch "
                        "buffers must be static and at most 256 KiB to live "
                        "in its local memory");
        return WalkResult::interrupt();
      }
      if (!isa<linalg::LinalgOp, tensor::PadOp, tensor::ExtractOp,
               tensor::InsertOp, vector::TransferReadOp,
               vector::TransferWriteOp>(op) ||
          op->getParentOfType<gpu::LaunchOp>() ||
          op->getParentOfType<scf::ForallOp>())
        return WalkResult::advance(); // in a kernel (or a forall mapped later)
      op->emitOpError("has no GPU strategy yet: kernels are formed from "
                      "linalg ops on ranked tensors (a static linalg.matmul in the "
                      "nn.Linear layout with a bias epilogue as a contraction "
                      "kernel, any other as a parallel kernel; "
                      "seqboat-form-kernels)");
      return WalkResult::interrupt();
    });
    return failure(walk.wasInterrupted());
  }

  /// The library's named sequence `name`, taking the module and
  /// `numParams` params (`what` they are, for the error), or an error at
  /// the kernel.
  FailureOr<transform::NamedSequenceOp>
  lookupEntry(func::FuncOp kernel, StringRef name, unsigned numParams,
              StringRef what) {
    auto entry = dyn_cast_or_null<transform::NamedSequenceOp>(
        SymbolTable::lookupSymbolIn(strategies->get(), name));
    if (!entry)
      return emitError(kernel.getLoc(), "strategy library '")
             << (library.empty() ? StringRef("<builtin>") : StringRef(library))
             << "' has no named sequence @" << name;
    if (entry.getNumArguments() != numParams + 1)
      return emitError(kernel.getLoc(), "strategy @")
             << name << " takes " << entry.getNumArguments()
             << " arguments; the strategy binds the module and " << what;
    return entry;
  }

  /// Runs `entry` on `kernel` (tagged seqboat.strategy_target meanwhile),
  /// binding the module and `params` in order.
  LogicalResult runEntry(ModuleOp module, func::FuncOp kernel,
                         transform::NamedSequenceOp entry,
                         ArrayRef<int64_t> params) {
    Builder b(module.getContext());
    RaggedArray<transform::MappedValue> bindings;
    bindings.push_back(ArrayRef<transform::MappedValue>{module.getOperation()});
    for (int64_t p : params)
      bindings.push_back(
          ArrayRef<transform::MappedValue>{b.getI64IntegerAttr(p)});
    kernel->setAttr(kStrategyTargetAttr, b.getUnitAttr());
    LogicalResult result = transform::applyTransformNamedSequence(
        std::move(bindings), cast<transform::TransformOpInterface>(*entry),
        strategies->get(), transform::TransformOptions());
    kernel->removeAttr(kStrategyTargetAttr);
    if (failed(result))
      return emitError(kernel.getLoc(), "strategy @")
             << entry.getSymName() << " failed";
    return success();
  }

  /// The strategy variant of parallel and scan kernels (gpu-mapped: their
  /// GPU mapping) and of contraction kernels (gpu-mapped: the CPU one).
  /// The knobs a kernel without seqboat.knobs takes: the pass options.
  KernelKnobs defaultKnobs() const {
    return {parallelThreads, scanChunk, attentionQueryBlock, attentionKeyBlock};
  }
  std::string threadTarget() const {
    return target == "gpu-mapped" ? std::string("gpu") : std::string(target);
  }
  std::string contractionTarget() const {
    return target == "gpu-mapped" ? std::string("cpu") : std::string(target);
  }

  LogicalResult applyParallel(ModuleOp module, func::FuncOp kernel) {
    FailureOr<KernelKnobs> knobs =
        getKernelKnobs(kernel, defaultKnobs());
    if (failed(knobs))
      return failure();
    FailureOr<transform::NamedSequenceOp> entry =
        lookupEntry(kernel, "seqboat_parallel_" + threadTarget(), 1,
                    "one param (the threads per block)");
    if (failed(entry))
      return failure();
    if (failed(tileParallelKernel(kernel, knobs->threads)))
      return failure();
    return runEntry(module, kernel, *entry, {knobs->threads});
  }

  /// A scan kernel: its seqboat op tiled over its parallel loops like a
  /// parallel kernel; the library lowers each thread's tile (binding the
  /// EMA chunk).
  LogicalResult applyScan(ModuleOp module, func::FuncOp kernel,
                          const KernelKnobs &knobs) {
    FailureOr<transform::NamedSequenceOp> entry = lookupEntry(
        kernel, "seqboat_scan_" + threadTarget(), 2,
        "two params (the EMA chunk, the threads per block)");
    if (failed(entry))
      return failure();
    TilingInterface root = getKernelRoot(kernel);
    if (!root)
      return emitError(kernel.getLoc(), "scan kernel: expected one tileable "
                                        "op whose results the kernel stores");
    if (failed(tileToBlocksAndThreads(kernel, root, "scan", knobs.threads)))
      return failure();
    return runEntry(module, kernel, *entry, {knobs.scanChunk, knobs.threads});
  }

  /// A scan kernel whose root is a local_attention (or the epilogue that
  /// reads one, the layer's gate by r): the attention strategy. Its op is
  /// tiled onto blocks of (one batch row, `attention-query-block` query
  /// slots, a block of v's features); the library turns each block's query
  /// tile into loops over tiles of `attention-key-block` keys (the online
  /// softmax, two linalg.matmul per key tile) and maps them.
  LogicalResult applyAttention(ModuleOp module, func::FuncOp kernel,
                               TilingInterface root, const KernelKnobs &knobs) {
    if (knobs.queryBlock <= 0 || knobs.queryBlock > 1024)
      return emitError(kernel.getLoc(), "attention kernel: ")
             << "attention-query-block must be in [1, 1024], got "
             << knobs.queryBlock;
    FailureOr<AttentionBlock> block =
        getAttentionBlock(kernel, knobs.queryBlock, knobs.keyBlock);
    if (failed(block))
      return emitError(kernel.getLoc(),
                       "attention kernel: expected a local_attention with "
                       "static features (Z, H) over (batch, query slot, "
                       "feature)");
    if (block->sharedBytes > kDynamicSharedBytes)
      return emitError(kernel.getLoc(), "attention kernel (Z=")
             << block->z << ", H=" << block->h << ", query block "
             << block->queries << ", key block " << block->keys
             << "): the block's tiles need " << block->sharedBytes
             << " bytes of shared memory, more than " << kDynamicSharedBytes
             << "; use smaller attention-query-block or attention-key-block";
    // 16-bit products (seqboat.autocast): f16/bf16 tensor cores whatever
    // the precision (exact products into f32). f32 products: TF32 tensor
    // cores but under precision=ieee. The CPU runs the same tiles either
    // way (exact products of the operands' values).
    bool half = block->halfProducts();
    bool ieee = precision == "ieee" && !half;
    FailureOr<transform::NamedSequenceOp> entry = lookupEntry(
        kernel,
        std::string("seqboat_attention") + (half ? "16_" : "_") +
            contractionTarget() + (ieee ? "_ieee" : ""),
        2, "two params (the key block, the threads per block)");
    if (failed(entry))
      return failure();
    int64_t qb = block->queries, hb = block->features;
    // The products on tensor cores (m16n8k8): QB a multiple of 16, the key
    // block, Z and the block's features multiples of 8 (16-bit m16n8k16: Z
    // and the key block multiples of 16). Otherwise the product runs as a
    // thread phase (FFMA): said, not silent.
    if (!ieee && target == "gpu") {
      bool scores = block->scoresFitMma(), values = block->valuesFitMma();
      if (!scores || !values) {
        InFlightDiagnostic warning =
            emitWarning(kernel.getLoc(), "attention kernel (Z=");
        warning << block->z << ", H=" << block->h << ", query block " << qb
                << ", key block " << block->keys << ", feature block " << hb
                << "): " << (scores ? "P·V" : values ? "Q·Kᵀ" : "Q·Kᵀ and P·V");
        if (half) {
          std::string type;
          llvm::raw_string_ostream(type) << block->productType;
          warning << " run without tensor cores (" << type
                  << " mma.sync m16n8k16 takes a query block that is a "
                     "multiple of 16, Z and a key block that are multiples "
                     "of 16 and a feature block that is a multiple of 8)";
        } else
          warning << " run without tensor cores (mma.sync m16n8k8 takes a "
                     "query block that is a multiple of 16 and a key block, "
                     "Z and feature block that are multiples of 8)";
      }
    }
    if (failed(tileToBlocksAndThreads(kernel, root, "attention",
                                      knobs.threads, {1, qb, hb})))
      return failure();
    return runEntry(module, kernel, *entry, {knobs.keyBlock, knobs.threads});
  }

  /// The local_attention a scan kernel computes, directly or through its
  /// epilogue.
  static bool isAttentionKernel(TilingInterface root) {
    if (!root)
      return false;
    if (isa<seqboat::LocalAttentionOp>(root.getOperation()))
      return true;
    auto generic = dyn_cast<linalg::GenericOp>(root.getOperation());
    return generic &&
           llvm::any_of(generic.getDpsInputs(), [](Value in) {
             return in.getDefiningOp<seqboat::LocalAttentionOp>();
           });
  }

  LogicalResult apply(ModuleOp module, func::FuncOp kernel) {
    auto kind = kernel->getAttrOfType<StringAttr>(kKernelKindAttr);
    if (kind && kind.getValue() == "parallel")
      return applyParallel(module, kernel);
    if (kind && kind.getValue() == "scan") {
      FailureOr<KernelKnobs> knobs = getKernelKnobs(kernel, defaultKnobs());
      if (failed(knobs))
        return failure();
      TilingInterface root = getKernelRoot(kernel);
      if (knobs->keyBlock > 0 && isAttentionKernel(root)) {
        // The attention strategy's own default threads per block.
        KernelKnobs defaults = defaultKnobs();
        defaults.threads = attentionThreads;
        knobs = getKernelKnobs(kernel, defaults);
        if (failed(knobs))
          return failure();
        return applyAttention(module, kernel, root, *knobs);
      }
      return applyScan(module, kernel, *knobs);
    }
    if (!kind || kind.getValue() != "contraction")
      return emitError(kernel.getLoc(), "seqboat-apply-strategies: no strategy for "
                              "kernel kind ")
             << kernel->getAttr(kKernelKindAttr);
    // 16-bit operands: f16/bf16 tensor cores whatever the precision (their
    // products are exact in the f32 accumulator). f32 operands: TF32
    // tensor cores, or exact FFMA under precision=ieee. The CPU runs the
    // products exactly in f32 in every case.
    int64_t bytes = getContractionOperandBytes(kernel);
    if (bytes != 2 && bytes != 4)
      return emitError(kernel.getLoc(),
                       "contraction kernel: X and W must be f32, f16 or bf16");
    bool half = bytes == 2;
    bool ffma = target == "gpu" && precision == "ieee" && !half;
    FailureOr<transform::NamedSequenceOp> entry = lookupEntry(
        kernel,
        ("seqboat_" + kind.getValue() + (half ? "16" : "") + "_" +
         contractionTarget() +
         (ffma ? "_ieee" : ""))
            .str(),
        kContractionParams,
        "7 params (TM, TN, BK, the matmul's tile per warp or thread, the copy "
        "grid)");
    if (failed(entry))
      return failure();

    bool gpu = target == "gpu";
    std::optional<std::array<int64_t, 3>> mnk =
        getContractionKernelShape(kernel, /*dynamicRows=*/true);
    // A runtime M (B·L rows): the tiles are fitted to N and K alone, and
    // the rows are peeled at run time.
    bool dynamicRows = mnk && ShapedType::isDynamic((*mnk)[0]);
    SmallVector<int64_t> tiles = {tileM, tileN, tileK};
    // 16-bit tiles take half the shared memory of f32 ones: at the
    // pipeline's default tiles (64x64x16), 16-bit kernels take 128 rows
    // (twice the reuse of each W slice; at 64 rows ptxas spilled 8 bytes in
    // two of the bf16 benchmark layer's projections).
    if (half && tiles == ArrayRef<int64_t>{kDefaultTileM, kDefaultTileN,
                                           kDefaultTileK})
      tiles[0] = 2 * kDefaultTileM;
    bool fitted = false;
    if (auto attr = kernel->getAttrOfType<DenseI64ArrayAttr>(kTilesAttr)) {
      if (attr.size() != 3)
        return emitError(kernel.getLoc(), "'")
               << kTilesAttr << "' must hold three values (TM, TN, BK)";
      tiles.assign(attr.asArrayRef().begin(), attr.asArrayRef().end());
    } else if (mnk) {
      // The pipeline's tiles are the default for every kernel: where they
      // cannot run on this one at all, take the nearest that can, and
      // record them on the kernel. (Tiles a kernel was given through
      // seqboat.tiles -- tuned or set by hand -- are taken as they are.)
      // Tiles that are illegal in themselves -- copy grid, shared memory,
      // signs -- are the user's error, reported below.
      auto [m, n, k] = *mnk;
      if (dynamicRows)
        m = tiles[0];
      // mma k is 16 for 16-bit operands: a K tile of 8 becomes 16.
      if (half && tiles[2] == 8)
        tiles[2] = 16;
      if (legalContractionTiles(tiles[0], tiles[1], tiles[2], gpu, bytes) &&
          (k % tiles[2] != 0 || tiles[0] > m || tiles[1] > n)) {
        fitted = true;
        if (std::optional<std::array<int64_t, 3>> nearest = fitContractionTiles(
                m, n, k, {tiles[0], tiles[1], tiles[2]}, gpu, bytes))
          tiles.assign(nearest->begin(), nearest->end());
      }
      kernel->setAttr(kTilesAttr,
                      DenseI64ArrayAttr::get(kernel.getContext(), tiles));
    }
    // Tiles that do not divide M or N: the kernel is peeled into the part
    // they divide (this strategy, tensor cores) and the remaining rows and
    // columns (the parallel strategy: the matmul fused into the epilogue's
    // tiles, one output element per thread). Tiles that do not divide K, or
    // that are larger than M or N, leave nothing to peel: the whole kernel
    // compiles with the parallel strategy, with a warning.
    // (The tiles themselves are checked first, on a problem they divide.)
    // A runtime M is always peeled (at run time; its rows past the last
    // whole tile are never known to be none).
    if (mnk && legalContractionTiles(tiles[0], tiles[1], tiles[2], gpu, bytes) &&
        (dynamicRows || (*mnk)[0] % tiles[0] != 0 ||
         (*mnk)[1] % tiles[1] != 0 || (*mnk)[2] % tiles[2] != 0)) {
      auto [m, n, k] = *mnk;
      bool noRows = !dynamicRows && m < tiles[0];
      if (k % tiles[2] != 0 || noRows || n < tiles[1]) {
        InFlightDiagnostic warning =
            emitWarning(kernel.getLoc(), "contraction kernel (M=");
        if (dynamicRows)
          warning << "?";
        else
          warning << m;
        warning << ", N=" << n << ", K=" << k << "): tiles " << tiles[0]
                << "x" << tiles[1] << "x" << tiles[2]
                << (k % tiles[2] != 0
                        ? " do not divide K (partial K tiles are not "
                          "supported yet)"
                        : dynamicRows
                              ? " do not fit in N (nothing left to peel)"
                              : " do not fit in M and N (nothing left to peel)")
                << (fitted ? " and no smaller legal tiles do" : "")
                << "; compiled with the parallel strategy instead (no tensor "
                   "cores)";
        return applyParallel(module, kernel);
      }
      FailureOr<SmallVector<func::FuncOp>> rest =
          peelContraction(module, kernel, tiles[0], tiles[1]);
      if (failed(rest))
        return failure();
      for (func::FuncOp piece : *rest)
        if (failed(applyParallel(module, piece)))
          return failure();
    }
    FailureOr<SmallVector<int64_t>> params =
        contractionParams(kernel, tiles, gpu, ffma);
    if (failed(params))
      return failure();
    return runEntry(module, kernel, *entry, *params);
  }

  std::shared_ptr<OwningOpRef<ModuleOp>> strategies;
};

} // namespace
