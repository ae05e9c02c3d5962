//===- FormKernels.cpp - outline kernels ----------------------------------===//
//
// Kernel formation of the generic GPU path. A contraction root, the fill of
// its accumulator and its elementwise epilogue become one private function
// with a memref ABI, which seqboat-apply-strategies then compiles with the
// contraction strategy; every other linalg op on static tensors becomes a
// parallel kernel with the producers of its inits. Keeping each kernel in
// its own function is what lets a transform-dialect strategy match its ops by
// name and bufferize it on its own, and it makes the partition visible (and
// testable) in the IR.
//
//===----------------------------------------------------------------------===//

#include "seqboat/Conversion/SeqBoatToGPU/SeqBoatToGPU.h"
#include "seqboat/Dialect/SeqBoat/IR/SeqBoatOps.h"
#include "seqboat/Dialect/SeqBoat/Utils/ComputeInF32.h"
#include "seqboat/Dialect/SeqBoat/Utils/LinalgBuilders.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/IR/Dominance.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/ValueBoundsOpInterface.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Iterators.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/RegionUtils.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::seqboat {
#define GEN_PASS_DEF_SEQBOATFORMKERNELS
#define GEN_PASS_DEF_SEQBOATFORMSCANKERNELS
#include "seqboat/Conversion/Passes.h.inc"
} // namespace mlir::seqboat

using namespace mlir;
using namespace mlir::seqboat;

namespace {

/// The ops of one contraction kernel, in program order.
struct ContractionKernel {
  linalg::FillOp fill;
  linalg::MatmulOp matmul;
  linalg::GenericOp epilogue;
};

/// A non-empty static tensor (empty kernels have nothing to tile).
bool isStaticTensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.hasStaticShape() &&
         llvm::all_of(tensor.getShape(), [](int64_t d) { return d > 0; });
}

/// A tensor a kernel can take: ranked, and non-empty where its shape is
/// static. Dynamic sizes (B and L) are the runtime's: the strategies tile
/// them with runtime trip counts and the host skips a launch of no blocks.
bool isKernelTensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && llvm::all_of(tensor.getShape(), [](int64_t d) {
           return d > 0 || ShapedType::isDynamic(d);
         });
}

/// Whether the sizes of `op`'s dynamic results can be computed before it
/// runs (the host allocates them before the kernel call).
bool reifiesResults(Operation *op) {
  return llvm::all_of(op->getResultTypes(),
                      [](Type t) {
                        auto ranked = dyn_cast<RankedTensorType>(t);
                        return ranked && ranked.hasStaticShape();
                      }) ||
         isa<ReifyRankedShapedTypeOpInterface>(op);
}

/// Whether every `tensor.dim` of `op`'s results asks for a constant dim
/// (resolveDimsOf can then rewrite them before `op` moves into a kernel).
bool dimUsesResolvable(Operation *op) {
  return llvm::all_of(op->getUsers(), [](Operation *user) {
    auto dim = dyn_cast<tensor::DimOp>(user);
    return !dim || dim.getConstantIndex().has_value();
  });
}

/// A non-empty static f32 tensor of `rank`.
bool isStaticF32(Type type, int64_t rank) {
  return isStaticTensor(type) &&
         cast<RankedTensorType>(type).getRank() == rank &&
         cast<RankedTensorType>(type).getElementType().isF32();
}

/// A non-empty static tensor of `rank` whose elements are f32, f16 or bf16.
bool isStaticFloat(Type type, int64_t rank) {
  if (!isStaticTensor(type) || cast<RankedTensorType>(type).getRank() != rank)
    return false;
  Type elt = cast<RankedTensorType>(type).getElementType();
  return elt.isF32() || elt.isF16() || elt.isBF16();
}

/// A float tensor (f32, f16 or bf16; f32 only if `f32`) of `rank` whose
/// dims are static and non-empty except its leading `rank - 1` (rows: a
/// runtime B or L), which may be dynamic. A contraction's X[M, K] and Y[M,
/// N] with M = B·L.
bool isRowsFloat(Type type, int64_t rank, bool f32 = false) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || tensor.getRank() != rank || !isKernelTensor(type) ||
      tensor.isDynamicDim(rank - 1))
    return false;
  Type elt = tensor.getElementType();
  return elt.isF32() || (!f32 && (elt.isF16() || elt.isBF16()));
}

/// An empty [M, N] tensor of `type` whose runtime M (B·L rows), if it has
/// one, is dim 0 of `rows` (the contraction's X or accumulator).
Value emptyRowsLike(OpBuilder &b, Location loc, RankedTensorType type,
                    Value rows) {
  SmallVector<Value> sizes;
  if (type.isDynamicDim(0))
    sizes.push_back(tensor::DimOp::create(b, loc, rows, 0));
  return tensor::EmptyOp::create(b, loc, type, sizes);
}

/// Values from outside `op` that it uses: the fill value, or what an
/// epilogue body captures. The kernel clones them, so they must be constants.
SetVector<Value> capturedValues(Operation *op) {
  SetVector<Value> values;
  for (Region &region : op->getRegions())
    getUsedValuesDefinedAbove(region, values);
  return values;
}

bool allConstant(const SetVector<Value> &values) {
  return llvm::all_of(values,
                      [](Value v) { return matchPattern(v, m_Constant()); });
}

/// Whether the body of `op` is scalar arith/math ops only (no regions).
bool hasScalarBody(linalg::GenericOp op) {
  return llvm::all_of(op.getBody()->without_terminator(), [](Operation &o) {
    return o.getNumRegions() == 0 &&
           isa<arith::ArithDialect, math::MathDialect>(o.getDialect());
  });
}

/// Erases those of `ops` left without uses (users first, repeatedly); null
/// entries and ops other than empty tensors and linalg ops are skipped.
void eraseDead(const SetVector<Operation *> &ops) {
  SmallVector<Operation *> left(ops.begin(), ops.end());
  // Until nothing changes: an op may become dead only once a later entry
  // (its user) is erased.
  for (bool changed = true; changed;) {
    changed = false;
    for (Operation *&op : left)
      if (op && isa<tensor::EmptyOp, linalg::LinalgOp>(op) && op->use_empty()) {
        op->erase();
        op = nullptr;
        changed = true;
      }
  }
}

/// `fill(empty)` of a constant, feeding only the contraction.
linalg::FillOp matchFill(Value init) {
  auto fill = init.getDefiningOp<linalg::FillOp>();
  if (!fill || !fill->hasOneUse() || !fill.hasPureTensorSemantics() ||
      !matchPattern(fill.getDpsInputs()[0], m_Constant()) ||
      !fill.getDpsInitOperand(0)->get().getDefiningOp<tensor::EmptyOp>())
    return {};
  return fill;
}

/// The epilogue the contraction strategy fuses: elementwise over [M, N],
/// reading the accumulator (input 0, identity), a bias [N] (input 1,
/// broadcast along rows; f32, f16 or bf16) and any number of other [M, N]
/// tensors of those types (identity: a residual), not reading its init,
/// with a body of scalar arith/math ops; its result [M, N] of any of those
/// types (a 16-bit projection rounds its f32 accumulator there).
bool isBiasEpilogue(linalg::GenericOp epi, Value acc) {
  MLIRContext *ctx = epi.getContext();
  auto resultType = dyn_cast<RankedTensorType>(epi.getResult(0).getType());
  SmallVector<Value> epiInputs = epi.getDpsInputs();
  ArrayRef<Value> extras =
      ArrayRef(epiInputs).drop_front(std::min<size_t>(2, epiInputs.size()));
  if (!resultType || llvm::any_of(extras, [&](Value v) {
        auto t = dyn_cast<RankedTensorType>(v.getType());
        return !t || !isRowsFloat(t, 2) ||
               t.getShape() != resultType.getShape();
      }))
    return false;
  if (!epi.hasPureTensorSemantics() || epi.getNumDpsInputs() < 2 ||
      epi.getNumDpsInits() != 1 || epi.getNumLoops() != 2 ||
      epi.getNumParallelLoops() != 2 || epi.getDpsInputs()[0] != acc ||
      !isStaticFloat(epi.getDpsInputs()[1].getType(), 1) ||
      !isRowsFloat(epi.getResult(0).getType(), 2) ||
      cast<RankedTensorType>(epi.getResult(0).getType()).getShape() !=
          cast<RankedTensorType>(acc.getType()).getShape() ||
      epi.payloadUsesValueFromOperand(epi.getDpsInitOperand(0)) ||
      !allConstant(capturedValues(epi)))
    return false;
  AffineMap identity = AffineMap::getMultiDimIdentityMap(2, ctx);
  AffineMap columns = AffineMap::get(2, 0, getAffineDimExpr(1, ctx), ctx);
  SmallVector<AffineMap> maps = epi.getIndexingMapsArray();
  if (maps[0] != identity || maps[1] != columns ||
      !llvm::all_of(ArrayRef(maps).drop_front(2),
                    [&](AffineMap m) { return m == identity; }))
    return false;
  return hasScalarBody(epi);
}

/// A matmul in the nn.Linear layout with a zero fill and a bias epilogue:
/// X and W both f32, or both f16 or bf16 (products exact in f32), into an
/// f32 accumulator.
std::optional<ContractionKernel> matchContraction(linalg::MatmulOp mm) {
  MLIRContext *ctx = mm.getContext();
  if (!mm.hasPureTensorSemantics() || mm.getNumDpsInputs() != 2 ||
      !isRowsFloat(mm.getDpsInputs()[0].getType(), 2) ||
      !isStaticFloat(mm.getDpsInputs()[1].getType(), 2) ||
      getElementTypeOrSelf(mm.getDpsInputs()[0].getType()) !=
          getElementTypeOrSelf(mm.getDpsInputs()[1].getType()) ||
      !isRowsFloat(mm.getResult(0).getType(), 2, /*f32=*/true) ||
      !mm->hasOneUse())
    return std::nullopt;
  // nn.Linear layout: X[m, k] . W[n, k]^T.
  AffineExpr m = getAffineDimExpr(0, ctx), n = getAffineDimExpr(1, ctx),
             k = getAffineDimExpr(2, ctx);
  SmallVector<AffineMap> expected = {AffineMap::get(3, 0, {m, k}, ctx),
                                     AffineMap::get(3, 0, {n, k}, ctx),
                                     AffineMap::get(3, 0, {m, n}, ctx)};
  if (mm.getIndexingMapsArray() != expected)
    return std::nullopt;
  linalg::FillOp fill = matchFill(mm.getDpsInitOperand(0)->get());
  auto epi = dyn_cast<linalg::GenericOp>(*mm->getUsers().begin());
  if (!fill || !epi || !isBiasEpilogue(epi, mm.getResult(0)))
    return std::nullopt;
  // One 16-bit type per kernel (the mma lowering takes f16 or bf16).
  SmallPtrSet<Type, 2> halves;
  SmallVector<Value> values = {mm.getDpsInputs()[0], epi.getResult(0)};
  SmallVector<Value> epiInputs = epi.getDpsInputs();
  llvm::append_range(values, ArrayRef(epiInputs).drop_front());
  for (Value v : values)
    if (getElementTypeOrSelf(v.getType()).getIntOrFloatBitWidth() == 16)
      halves.insert(getElementTypeOrSelf(v.getType()));
  if (halves.size() > 1)
    return std::nullopt;
  return ContractionKernel{fill, mm, epi};
}

} // namespace

linalg::GenericOp seqboat::getContractionEpilogue(linalg::MatmulOp mm) {
  std::optional<ContractionKernel> kernel = matchContraction(mm);
  return kernel ? kernel->epilogue : linalg::GenericOp();
}

/// The single input of a one-input, one-output elementwise-copy generic
/// (its body yields its input) whose input map is `inputMap` and output map
/// the identity, with one user; or null.
static Value copiedThrough(Value v, AffineMap inputMap) {
  auto g = v.getDefiningOp<linalg::GenericOp>();
  if (!g || !g->hasOneUse() || !g.hasPureTensorSemantics() ||
      g.getNumDpsInputs() != 1 || g.getNumDpsInits() != 1 ||
      g.getNumReductionLoops() != 0)
    return {};
  SmallVector<AffineMap> maps = g.getIndexingMapsArray();
  if (maps[0] != inputMap || !maps[1].isIdentity())
    return {};
  auto yield = cast<linalg::YieldOp>(g.getBody()->getTerminator());
  if (yield.getNumOperands() != 1 ||
      yield.getOperand(0) != g.getBody()->getArgument(0))
    return {};
  return g.getDpsInputs()[0];
}

/// The only user of `g`'s result if it is an elementwise generic of the
/// same shape reading just that result (identity map) and not its init, with
/// a body of scalar arith/math ops on constants: what an epilogue can
/// compute after the bias; or null.
static linalg::GenericOp elementwiseConsumer(linalg::GenericOp g) {
  Value result = g.getResult(0);
  if (!result.hasOneUse())
    return {};
  auto user = dyn_cast<linalg::GenericOp>(*result.getUsers().begin());
  if (!user || !user.hasPureTensorSemantics() ||
      user.getNumDpsInputs() != 1 || user.getNumDpsInits() != 1 ||
      user.getDpsInputs()[0] != result ||
      user.getNumReductionLoops() != 0 ||
      user.getResult(0).getType() != result.getType() ||
      user.payloadUsesValueFromOperand(user.getDpsInitOperand(0)) ||
      !llvm::all_of(user.getIndexingMapsArray(),
                    [](AffineMap m) { return m.isIdentity(); }) ||
      !allConstant(capturedValues(user)) || !hasScalarBody(user))
    return {};
  return user;
}

/// Raises a projection written as `seqboat-decompose` writes it (x . W^T + b
/// as one reduction generic over x[..., K] and a transposed copy W^T[K, N],
/// accumulating into the bias broadcast along the rows) to the form of a
/// contraction kernel: the rows collapsed to X[M, K], `linalg.matmul` in the
/// nn.Linear layout on W[N, K] itself, a zero fill, a bias epilogue, the
/// rows expanded back. Other generics are left alone.
static bool raiseProjection(linalg::GenericOp g) {
  MLIRContext *ctx = g.getContext();
  if (!g.hasPureTensorSemantics() || g.getNumDpsInputs() != 2 ||
      g.getNumDpsInits() != 1 || g.getNumReductionLoops() != 1 ||
      g->getParentOfType<scf::ForallOp>())
    return false;
  auto yType = dyn_cast<RankedTensorType>(g.getResult(0).getType());
  auto xType = dyn_cast<RankedTensorType>(g.getDpsInputs()[0].getType());
  if (!yType || !xType || yType.getRank() < 2 ||
      !isRowsFloat(yType, yType.getRank(), /*f32=*/true) ||
      !isRowsFloat(xType, yType.getRank(), /*f32=*/true))
    return false;
  unsigned rank = yType.getRank(), loops = rank + 1;
  // Loops (rows..., k, n).
  SmallVector<AffineExpr> xExprs, yExprs;
  for (unsigned d = 0; d + 1 < rank; ++d) {
    xExprs.push_back(getAffineDimExpr(d, ctx));
    yExprs.push_back(getAffineDimExpr(d, ctx));
  }
  xExprs.push_back(getAffineDimExpr(rank - 1, ctx));
  yExprs.push_back(getAffineDimExpr(rank, ctx));
  AffineMap xMap = AffineMap::get(loops, 0, xExprs, ctx);
  AffineMap wMap = AffineMap::get(
      loops, 0, {getAffineDimExpr(rank - 1, ctx), getAffineDimExpr(rank, ctx)},
      ctx);
  AffineMap yMap = AffineMap::get(loops, 0, yExprs, ctx);
  if (g.getIndexingMapsArray() != SmallVector<AffineMap>{xMap, wMap, yMap})
    return false;
  // Body: out + x * w (either order).
  Block *body = g.getBody();
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add || body->getOperations().size() != 3)
    return false;
  Value acc = body->getArgument(2);
  Value prodV = add.getLhs() == acc ? add.getRhs() : add.getLhs();
  auto mul = prodV.getDefiningOp<arith::MulFOp>();
  if ((add.getLhs() != acc && add.getRhs() != acc) || !mul ||
      !((mul.getLhs() == body->getArgument(0) &&
         mul.getRhs() == body->getArgument(1)) ||
        (mul.getLhs() == body->getArgument(1) &&
         mul.getRhs() == body->getArgument(0))))
    return false;
  // W^T is a transposed copy of W[N, K]; the init the bias broadcast.
  Value w = copiedThrough(
      g.getDpsInputs()[1],
      AffineMap::get(2, 0, {getAffineDimExpr(1, ctx), getAffineDimExpr(0, ctx)},
                     ctx));
  Value bias = copiedThrough(
      g.getDpsInitOperand(0)->get(),
      AffineMap::get(rank, 0, getAffineDimExpr(rank - 1, ctx), ctx));
  if (!w || !bias || !isStaticF32(w.getType(), 2) ||
      !isStaticF32(bias.getType(), 1))
    return false;

  OpBuilder b(g);
  Location loc = g.getLoc();
  int64_t n = yType.getShape().back();
  // M = B·L rows, dynamic when any of them is.
  int64_t m = 1;
  for (int64_t d : yType.getShape().drop_back())
    m = ShapedType::isDynamic(d) || ShapedType::isDynamic(m)
            ? ShapedType::kDynamic
            : m * d;
  SmallVector<ReassociationIndices> rows;
  ReassociationIndices lead;
  for (unsigned d = 0; d + 1 < rank; ++d)
    lead.push_back(d);
  rows.push_back(lead);
  rows.push_back({static_cast<int64_t>(rank - 1)});
  Value x = g.getDpsInputs()[0];
  Type f32 = b.getF32Type();
  // The rows' runtime sizes, to expand them back.
  SmallVector<OpFoldResult> rowSizes =
      tensor::getMixedSizes(b, loc, g.getDpsInputs()[0]);
  rowSizes.back() = b.getIndexAttr(n);
  if (rank > 2)
    x = tensor::CollapseShapeOp::create(b, loc, x, rows);
  auto mnType = RankedTensorType::get({m, n}, f32);
  Value zero = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0));
  Value accInit =
      linalg::FillOp::create(b, loc, zero, emptyRowsLike(b, loc, mnType, x))
          .getResult(0);
  AffineExpr mm = getAffineDimExpr(0, ctx), nn = getAffineDimExpr(1, ctx),
             kk = getAffineDimExpr(2, ctx);
  auto matmul = linalg::MatmulOp::create(
      b, loc, TypeRange{mnType}, ValueRange{x, w}, ValueRange{accInit});
  matmul.setIndexingMapsAttr(b.getAffineMapArrayAttr(
      {AffineMap::get(3, 0, {mm, kk}, ctx), AffineMap::get(3, 0, {nn, kk}, ctx),
       AffineMap::get(3, 0, {mm, nn}, ctx)}));
  AffineMap id2 = AffineMap::getMultiDimIdentityMap(2, ctx);
  AffineMap col = AffineMap::get(2, 0, getAffineDimExpr(1, ctx), ctx);
  // An elementwise consumer of the projection alone (the silu after the
  // mx projection) becomes part of the epilogue.
  linalg::GenericOp consumer = elementwiseConsumer(g);
  Value y = linalg::GenericOp::create(
                b, loc, TypeRange{mnType}, ValueRange{matmul.getResult(0), bias},
                ValueRange{emptyRowsLike(b, loc, mnType, x)},
                ArrayRef<AffineMap>{id2, col, id2},
                SmallVector<utils::IteratorType>(
                    2, utils::IteratorType::parallel),
                [&](OpBuilder &nb, Location nloc, ValueRange args) {
                  Value sum =
                      arith::AddFOp::create(nb, nloc, args[0], args[1]);
                  if (consumer) {
                    IRMapping mapping;
                    Block *cb = consumer.getBody();
                    mapping.map(cb->getArgument(0), sum);
                    for (Operation &op : cb->without_terminator())
                      nb.clone(op, mapping);
                    sum = mapping.lookup(cb->getTerminator()->getOperand(0));
                  }
                  linalg::YieldOp::create(nb, nloc, sum);
                })
                .getResult(0);
  if (rank > 2)
    y = tensor::ExpandShapeOp::create(b, loc, yType, y, rows, rowSizes);
  Operation *wT = g.getDpsInputs()[1].getDefiningOp();
  Operation *init = g.getDpsInitOperand(0)->get().getDefiningOp();
  SetVector<Operation *> dead;
  if (consumer) {
    consumer.getResult(0).replaceAllUsesWith(y);
    dead.insert(consumer);
    dead.insert(consumer.getDpsInits()[0].getDefiningOp());
  } else {
    g.getResult(0).replaceAllUsesWith(y);
  }
  dead.insert(g);
  for (Operation *op : {wT, init}) {
    dead.insert(op);
    dead.insert(cast<linalg::LinalgOp>(op).getDpsInits()[0].getDefiningOp());
  }
  eraseDead(dead);
  return true;
}

static bool isConversion(linalg::GenericOp g);

/// Moves the only consumer of a contraction kernel's result into its
/// epilogue when it is elementwise over the same elements (identity maps;
/// through an expand_shape of the rows: [M, N] -> [B, L, N]) and reads
/// other tensors of that shape, one-to-one (a residual `y + x`): the
/// epilogue then reads them too (collapsed to [M, N]) and computes the
/// consumer's body after its own, so the projection's result makes no HBM
/// round trip. One consumer per kernel.
static void absorbConsumer(ContractionKernel &kernel) {
  linalg::GenericOp epi = kernel.epilogue;
  if (epi.getNumDpsInputs() != 2 || !epi.getResult(0).hasOneUse())
    return;
  Operation *user = *epi.getResult(0).getUsers().begin();
  auto expand = dyn_cast<tensor::ExpandShapeOp>(user);
  Value read = epi.getResult(0);
  if (expand) {
    if (!expand.getResult().hasOneUse())
      return;
    user = *expand.getResult().getUsers().begin();
    read = expand.getResult();
  }
  auto g = dyn_cast<linalg::GenericOp>(user);
  // (In the same block: not into a loop the projection is outside of. Not
  // the extension of a result rounded under autocast: that is where the
  // result is stored rounded.)
  if (!g || g->getBlock() != epi->getBlock() || !g.hasPureTensorSemantics() ||
      isConversion(g) ||
      g.getNumDpsInits() != 1 ||
      g.getNumReductionLoops() != 0 ||
      g.payloadUsesValueFromOperand(g.getDpsInitOperand(0)) ||
      !llvm::all_of(g.getIndexingMapsArray(),
                    [](AffineMap m) { return m.isIdentity(); }) ||
      !allConstant(capturedValues(g)) || !hasScalarBody(g))
    return;
  auto shape = cast<RankedTensorType>(read.getType()).getShape();
  auto resultType = dyn_cast<RankedTensorType>(g.getResult(0).getType());
  if (!resultType || resultType.getShape() != shape ||
      !isRowsFloat(resultType, resultType.getRank()))
    return;
  int64_t readIndex = -1;
  for (OpOperand *in : g.getDpsInputOperands()) {
    if (in->get() == read) {
      if (readIndex >= 0)
        return;
      readIndex = in->getOperandNumber();
      continue;
    }
    auto t = dyn_cast<RankedTensorType>(in->get().getType());
    if (!t || t.getShape() != shape || !isRowsFloat(t, t.getRank()))
      return;
  }
  if (readIndex < 0)
    return;

  OpBuilder b(g);
  Location loc = g.getLoc();
  MLIRContext *ctx = g.getContext();
  SmallVector<Value> inputs(epi.getDpsInputs());
  for (OpOperand *in : g.getDpsInputOperands())
    if (in->get() != read)
      inputs.push_back(
          expand ? tensor::CollapseShapeOp::create(
                       b, loc, in->get(), expand.getReassociationIndices())
                       .getResult()
                 : in->get());
  auto mnType = cast<RankedTensorType>(epi.getResult(0).getType())
                    .clone(resultType.getElementType());
  Value init = emptyRowsLike(b, loc, mnType, epi.getDpsInputs()[0]);
  AffineMap id = AffineMap::getMultiDimIdentityMap(2, ctx);
  SmallVector<AffineMap> maps = epi.getIndexingMapsArray();
  maps.pop_back();
  maps.append(inputs.size() - 2, id);
  maps.push_back(id);
  auto fused = linalg::GenericOp::create(
      b, loc, TypeRange{mnType}, inputs, ValueRange{init}, maps,
      epi.getIteratorTypesArray(),
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        IRMapping mapping;
        Block *eb = epi.getBody();
        mapping.map(eb->getArgument(0), args[0]);
        mapping.map(eb->getArgument(1), args[1]);
        for (Operation &op : eb->without_terminator())
          nb.clone(op, mapping);
        Value v = mapping.lookup(eb->getTerminator()->getOperand(0));
        Block *gb = g.getBody();
        unsigned next = 2;
        for (OpOperand *in : g.getDpsInputOperands())
          mapping.map(gb->getArgument(in->getOperandNumber()),
                      in->getOperandNumber() == readIndex ? v : args[next++]);
        for (Operation &op : gb->without_terminator())
          nb.clone(op, mapping);
        linalg::YieldOp::create(
            nb, nloc, mapping.lookup(gb->getTerminator()->getOperand(0)));
      });
  Value result = fused.getResult(0);
  if (expand)
    result = tensor::ExpandShapeOp::create(
        b, loc, resultType, result, expand.getReassociationIndices(),
        expand.getMixedOutputShape());
  g.getResult(0).replaceAllUsesWith(result);
  SetVector<Operation *> dead;
  dead.insert(g.getDpsInits()[0].getDefiningOp());
  g->erase();
  if (expand)
    expand->erase();
  dead.insert(epi.getDpsInits()[0].getDefiningOp());
  epi->erase();
  eraseDead(dead);
  kernel.epilogue = fused;
}

/// Whether `g` converts its one input elementwise (identity maps, a body of
/// one `arith.extf` or `arith.truncf` of it, yielded).
static bool isConversion(linalg::GenericOp g) {
  if (g.getNumDpsInputs() != 1 || g.getNumDpsInits() != 1 ||
      g.getNumReductionLoops() != 0 ||
      !llvm::all_of(g.getIndexingMapsArray(),
                    [](AffineMap m) { return m.isIdentity(); }))
    return false;
  Block *body = g.getBody();
  Operation &op = body->front();
  return body->getOperations().size() == 2 &&
         isa<arith::ExtFOp, arith::TruncFOp>(op) &&
         op.getOperand(0) == body->getArgument(0) &&
         body->getTerminator()->getOperands() == op.getResults();
}

/// The 16-bit (f16, bf16) tensor whose exact extension to f32 `v` is (a
/// conversion generic whose body is one `arith.extf`), or null.
static Value extendedFrom(Value v) {
  auto g = v.getDefiningOp<linalg::GenericOp>();
  if (!g || !g.hasPureTensorSemantics() || !isConversion(g) ||
      !isa<arith::ExtFOp>(g.getBody()->front()) ||
      !getElementTypeOrSelf(v.getType()).isF32())
    return {};
  Type from = getElementTypeOrSelf(g.getDpsInputs()[0].getType());
  return from.isF16() || from.isBF16() ? g.getDpsInputs()[0] : Value();
}


/// `source` (f32) rounded to the 16-bit `half`: an existing rounding of it
/// (a conversion generic) or a new one right after its definition, so that
/// every reader it may serve is after it.
static Value roundedTo(Value source, Type half, Operation *reader) {
  DominanceInfo dominance(reader->getParentOfType<func::FuncOp>());
  for (Operation *user : source.getUsers()) {
    auto g = dyn_cast<linalg::GenericOp>(user);
    if (!g || !g.hasPureTensorSemantics() || g.getDpsInputs().size() != 1 ||
        g.getDpsInputs()[0] != source || !isConversion(g) ||
        getElementTypeOrSelf(g.getResult(0).getType()) != half ||
        !dominance.properlyDominates(g.getOperation(), reader))
      continue;
    auto trunc = dyn_cast<arith::TruncFOp>(g.getBody()->front());
    if (trunc && !trunc.getRoundingmodeAttr())
      return g.getResult(0);
  }
  OpBuilder b(source.getContext());
  if (Operation *def = source.getDefiningOp())
    b.setInsertionPointAfter(def);
  else
    b.setInsertionPointToStart(cast<BlockArgument>(source).getOwner());
  return convertFloatTensor(b, source.getLoc(), source, half);
}

/// The float constant `v` as a `half` attribute, if `v` is one and its
/// value is exact in `half`; null otherwise.
static FloatAttr exactConstantIn(Value v, Type half) {
  FloatAttr c;
  if (!matchPattern(v, m_Constant(&c)))
    return {};
  bool lost = false;
  APFloat value = c.getValue();
  value.convert(cast<FloatType>(half).getFloatSemantics(),
                APFloat::rmNearestTiesToEven, &lost);
  return lost ? FloatAttr() : FloatAttr::get(half, value);
}

/// Whether `v`, in the body of `g`, only moves values of f32 tensors `g`
/// reads through `tensor.extract` (collected in `extracts`), selected
/// between them and constants exact in `half` (`selects`): rounding its
/// result is then the same as reading rounded tensors.
static bool onlyMoves(Value v, linalg::GenericOp g, Type half,
                      SetVector<Operation *> &extracts,
                      SetVector<Operation *> &selects) {
  Operation *def = v.getDefiningOp();
  if (!def || def->getParentOp() != g || !v.hasOneUse())
    return false;
  if (auto extract = dyn_cast<tensor::ExtractOp>(def)) {
    Value t = extract.getTensor();
    if (!extract.getType().isF32() || isa<BlockArgument>(t) ||
        !isStaticTensor(t.getType()) || g->isAncestor(t.getDefiningOp()))
      return false;
    extracts.insert(def);
    return true;
  }
  if (auto select = dyn_cast<arith::SelectOp>(def)) {
    for (Value operand : {select.getTrueValue(), select.getFalseValue()}) {
      if (matchPattern(operand, m_Constant())) {
        if (!exactConstantIn(operand, half))
          return false;
        continue;
      }
      if (!onlyMoves(operand, g, half, extracts, selects))
        return false;
    }
    selects.insert(def);
    return true;
  }
  return false;
}

/// `g` rounded to `half`, if its result only moves values of f32 tensors it
/// reads through `tensor.extract` (a gather of rows): the same generic
/// reading those tensors rounded (each rounded once, shared with their other
/// readers); null otherwise.
static Value roundThroughGather(linalg::GenericOp g, Type half) {
  if (!g.hasPureTensorSemantics() || g->getNumResults() != 1 ||
      g.getNumDpsInits() != 1 || g.getNumReductionLoops() != 0 ||
      !g->hasOneUse() || !getElementTypeOrSelf(g.getResult(0).getType()).isF32() ||
      g.payloadUsesValueFromOperand(g.getDpsInitOperand(0)))
    return {};
  auto yield = cast<linalg::YieldOp>(g.getBody()->getTerminator());
  SetVector<Operation *> extracts, selects;
  if (!onlyMoves(yield.getOperand(0), g, half, extracts, selects))
    return {};
  // The rounded tensors (for the extracts only) and the body's clone.
  IRMapping rounded, mapping;
  for (Operation *op : extracts) {
    Value t = cast<tensor::ExtractOp>(op).getTensor();
    if (!rounded.contains(t))
      rounded.map(t, roundedTo(t, half, g));
  }
  OpBuilder b(g);
  Location loc = g.getLoc();
  auto type = cast<RankedTensorType>(g.getResult(0).getType());
  auto result = linalg::GenericOp::create(
      b, loc, TypeRange{type.clone(half)}, g.getDpsInputs(),
      ValueRange{tensor::EmptyOp::create(b, loc, type.getShape(), half)
                     .getResult()},
      g.getIndexingMapsArray(), g.getIteratorTypesArray(),
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        Block *old = g.getBody();
        for (auto [from, to] : llvm::zip(old->getArguments(), args))
          mapping.map(from, to);
        for (Operation &op : old->without_terminator()) {
          if (extracts.contains(&op)) {
            auto extract = cast<tensor::ExtractOp>(op);
            mapping.map(extract.getResult(),
                        tensor::ExtractOp::create(
                            nb, nloc, rounded.lookup(extract.getTensor()),
                            llvm::map_to_vector(extract.getIndices(),
                                                [&](Value i) {
                                                  return mapping.lookupOrDefault(i);
                                                })));
          } else if (selects.contains(&op)) {
            auto select = cast<arith::SelectOp>(op);
            auto moved = [&](Value v) -> Value {
              if (FloatAttr c = exactConstantIn(v, half))
                return arith::ConstantOp::create(nb, nloc, c);
              return mapping.lookup(v);
            };
            mapping.map(select.getResult(),
                        arith::SelectOp::create(
                            nb, nloc, mapping.lookupOrDefault(select.getCondition()),
                            moved(select.getTrueValue()),
                            moved(select.getFalseValue())));
          } else {
            nb.clone(op, mapping);
          }
        }
        linalg::YieldOp::create(nb, nloc, mapping.lookup(yield.getOperand(0)));
      });
  return result.getResult(0);
}

/// An empty tensor of `init`'s shape and sizes with elements of `elt`: the
/// sizes of `init` itself if it is empty (so that it can go), else its dims.
static Value emptyWithElements(OpBuilder &b, Location loc, Value init,
                               Type elt) {
  if (auto empty = init.getDefiningOp<tensor::EmptyOp>())
    return tensor::EmptyOp::create(b, loc, empty.getType().getShape(), elt,
                                   empty.getDynamicSizes());
  return tensor::EmptyOp::create(b, loc, tensor::getMixedSizes(b, loc, init),
                                 elt);
}

/// `g` (one result, an empty init it does not read) storing its values
/// rounded to `half` (one `arith.truncf` before its yield), in its place:
/// its uses are left to the caller, which then erases `g` (eraseWithInit).
static linalg::GenericOp roundedGeneric(OpBuilder &b, linalg::GenericOp g,
                                        Type half) {
  Location loc = g.getLoc();
  auto type = cast<RankedTensorType>(g.getResult(0).getType());
  auto rounded = linalg::GenericOp::create(
      b, loc, TypeRange{type.clone(half)}, g.getDpsInputs(),
      ValueRange{emptyWithElements(b, loc, g.getDpsInits()[0], half)},
      g.getIndexingMapsArray(), g.getIteratorTypesArray(),
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        IRMapping mapping;
        Block *old = g.getBody();
        mapping.map(old->getArguments(), args);
        for (Operation &op : old->without_terminator())
          nb.clone(op, mapping);
        linalg::YieldOp::create(
            nb, nloc,
            Value(arith::TruncFOp::create(
                nb, nloc, half,
                mapping.lookup(old->getTerminator()->getOperand(0)))));
      });
  rounded->setDiscardableAttrs(g->getDiscardableAttrDictionary());
  return rounded;
}

/// Erases `g`, which nothing reads (roundedGeneric replaced it, or a kernel
/// took it along), and its init if nothing else reads that.
static void eraseWithInit(linalg::GenericOp g) {
  Operation *init = g.getDpsInits()[0].getDefiningOp();
  g->erase();
  if (init && init->use_empty())
    init->erase();
}

/// Moves the extension `ext` of a 16-bit tensor below the reshapes and
/// slices that read it (`slice(ext(t))` -> `ext(slice(t))`, the same for
/// `expand_shape`), so that each reader of a part of a 16-bit result reads
/// that part extended: a producer its kernel takes along, reading the part
/// in 16 bits (readNarrowInputs), instead of a kernel of its own that
/// writes the whole extension.
static void pushExtensionDown(Value ext) {
  SmallVector<Value> worklist{ext};
  while (!worklist.empty()) {
    Value e = worklist.pop_back_val();
    Value narrow = extendedFrom(e);
    if (!narrow)
      continue;
    for (Operation *user : llvm::to_vector(e.getUsers())) {
      OpBuilder b(user);
      Location loc = user->getLoc();
      Type half = getElementTypeOrSelf(narrow.getType());
      Value moved;
      if (auto expand = dyn_cast<tensor::ExpandShapeOp>(user)) {
        moved = tensor::ExpandShapeOp::create(
            b, loc, expand.getResultType().clone(half), narrow,
            expand.getReassociationIndices(), expand.getMixedOutputShape());
      } else if (auto slice = dyn_cast<tensor::ExtractSliceOp>(user)) {
        moved = tensor::ExtractSliceOp::create(
            b, loc, slice.getResultType().clone(half), narrow,
            slice.getMixedOffsets(), slice.getMixedSizes(),
            slice.getMixedStrides());
      } else {
        continue;
      }
      Value wide = convertFloatTensor(b, loc, moved, b.getF32Type());
      user->getResult(0).replaceAllUsesWith(wide);
      user->erase();
      worklist.push_back(wide);
    }
    if (e.use_empty())
      eraseWithInit(e.getDefiningOp<linalg::GenericOp>());
  }
}

static Value roundedInKernel(Value source, Type half, Operation *reader,
                             SymbolTable &symbols);

/// Erases the caller's view of a kernel's f32 result once nothing reads it
/// (roundedInKernel gave the kernel a 16-bit buffer instead), and the
/// buffer once nothing else uses it.
static void eraseUnreadResult(Operation *toTensor) {
  if (!toTensor->use_empty())
    return;
  Operation *buffer =
      cast<bufferization::ToTensorOp>(toTensor).getBuffer().getDefiningOp();
  toTensor->erase();
  if (buffer && buffer->use_empty())
    buffer->erase();
}

/// Each rounding to 16 bits of a scan kernel's f32 result (a conversion
/// generic, its only reader: a 16-bit op's result computed in f32) done by
/// the kernel itself (roundedInKernel): one kernel and one HBM round trip
/// of the f32 result fewer.
static void roundScanResults(func::FuncOp caller, SymbolTable &symbols) {
  SmallVector<linalg::GenericOp> roundings;
  caller.walk([&](linalg::GenericOp g) {
    if (g.hasPureTensorSemantics() && isConversion(g) &&
        isa<arith::TruncFOp>(g.getBody()->front()) &&
        !cast<arith::TruncFOp>(g.getBody()->front()).getRoundingmodeAttr() &&
        g.getDpsInputs()[0].getDefiningOp<bufferization::ToTensorOp>())
      roundings.push_back(g);
  });
  for (linalg::GenericOp g : roundings) {
    Value source = g.getDpsInputs()[0];
    Type half = getElementTypeOrSelf(g.getResult(0).getType());
    Value rounded = roundedInKernel(source, half, g, symbols);
    if (!rounded)
      continue;
    g.getResult(0).replaceAllUsesWith(rounded);
    Operation *stale = source.getDefiningOp();
    eraseWithInit(g);
    eraseUnreadResult(stale);
  }
}

/// Each element a `linalg.generic` of `caller` reads with `tensor.extract`
/// from the extension of a 16-bit tensor (a gather of rows, the scatter
/// read as a gather) read from that tensor and extended: the same value,
/// and the extension is no kernel of its own.
static void readNarrowExtracts(func::FuncOp caller) {
  SmallVector<tensor::ExtractOp> extracts;
  caller.walk([&](tensor::ExtractOp extract) {
    if (extract->getParentOfType<linalg::GenericOp>() &&
        extendedFrom(extract.getTensor()))
      extracts.push_back(extract);
  });
  SetVector<Operation *> dead;
  for (tensor::ExtractOp extract : extracts) {
    Value wide = extract.getTensor();
    OpBuilder b(extract);
    Location loc = extract.getLoc();
    Value narrow = tensor::ExtractOp::create(b, loc, extendedFrom(wide),
                                             extract.getIndices());
    extract.replaceAllUsesWith(
        arith::ExtFOp::create(b, loc, b.getF32Type(), narrow).getResult());
    extract->erase();
    if (wide.use_empty())
      dead.insert(wide.getDefiningOp());
  }
  for (Operation *op : llvm::to_vector(dead))
    dead.insert(cast<linalg::LinalgOp>(op).getDpsInits()[0].getDefiningOp());
  eraseDead(dead);
}

/// Under autocast, a projection on 16-bit weights (W the extension of a
/// 16-bit tensor of `half`) rounds its result to `half` where a PyTorch
/// autocast model rounds an `nn.Linear`'s output: the epilogue (bias and
/// what it absorbed) computes in f32 and stores `half`, and its readers
/// read that result extended (pushed below the reshapes and slices they
/// read it through). The kernel writes half the bytes, and the kernels
/// after it read them.
static void roundContractionResult(ContractionKernel &kernel, Type half) {
  linalg::GenericOp epi = kernel.epilogue;
  Value w16 = extendedFrom(kernel.matmul.getDpsInputs()[1]);
  if (!w16 || getElementTypeOrSelf(w16.getType()) != half ||
      !getElementTypeOrSelf(epi.getResult(0).getType()).isF32())
    return;
  OpBuilder b(epi);
  linalg::GenericOp rounded = roundedGeneric(b, epi, half);
  Value wide = convertFloatTensor(b, epi.getLoc(), rounded.getResult(0), b.getF32Type());
  epi.getResult(0).replaceAllUsesWith(wide);
  eraseWithInit(epi);
  kernel.epilogue = rounded;
  pushExtensionDown(wide);
}

/// `source` rounded to `half` by the scan kernel that computes it, when it
/// is the result of one (a call's fresh buffer, read by nothing else than
/// `reader`): the kernel then stores its last elementwise op's values
/// rounded (or rounds them in an epilogue of its own) into a `half` buffer,
/// instead of a kernel after it reading the f32 result to round it (the
/// attention's gated output the h projection reads under autocast). Null
/// when `source` is not such a result.
static Value roundedInKernel(Value source, Type half, Operation *reader,
                             SymbolTable &symbols) {
  auto toTensor = source.getDefiningOp<bufferization::ToTensorOp>();
  if (!toTensor || !source.hasOneUse() ||
      *source.getUsers().begin() != reader)
    return {};
  auto alloc = toTensor.getBuffer().getDefiningOp<memref::AllocOp>();
  if (!alloc)
    return {};
  func::CallOp call;
  for (Operation *user : alloc->getUsers()) {
    if (user == toTensor)
      continue;
    if (call || !isa<func::CallOp>(user))
      return {};
    call = cast<func::CallOp>(user);
  }
  auto kind = call ? call->getAttrOfType<StringAttr>(kKernelKindAttr)
                   : StringAttr();
  auto fn = kind && kind.getValue() == "scan"
                ? symbols.lookup<func::FuncOp>(call.getCallee())
                : func::FuncOp();
  auto module = fn ? fn->getParentOfType<ModuleOp>() : ModuleOp();
  if (!fn || fn.isExternal() ||
      !llvm::hasSingleElement(*SymbolTable::getSymbolUses(fn, module)))
    return {};
  unsigned index = 0;
  while (call.getOperand(index) != alloc.getResult())
    ++index;
  BlockArgument arg = fn.getArgument(index);
  if (!arg.hasOneUse())
    return {};
  auto store =
      dyn_cast<bufferization::MaterializeInDestinationOp>(*arg.getUsers().begin());
  if (!store || store.getDest() != arg)
    return {};

  // The kernel: its result buffer becomes `half`.
  auto argType = cast<MemRefType>(arg.getType());
  MemRefType narrowType = MemRefType::Builder(argType).setElementType(half);
  arg.setType(narrowType);
  SmallVector<Type> argTypes(fn.getArgumentTypes());
  argTypes[index] = narrowType;
  fn.setFunctionType(FunctionType::get(fn.getContext(), argTypes, {}));
  Value value = store.getSource();
  OpBuilder b(store);
  auto last = value.getDefiningOp<linalg::GenericOp>();
  if (last && last->getNumResults() == 1 && value.hasOneUse() &&
      last.getNumReductionLoops() == 0 &&
      last.getDpsInits()[0].getDefiningOp<tensor::EmptyOp>() &&
      !last.payloadUsesValueFromOperand(last.getDpsInitOperand(0))) {
    // Its last elementwise op stores rounded values.
    b.setInsertionPoint(last);
    linalg::GenericOp rounded = roundedGeneric(b, last, half);
    store.getSourceMutable().assign(rounded.getResult(0));
    eraseWithInit(last);
  } else {
    store.getSourceMutable().assign(roundedTo(value, half, store));
  }

  // The caller: a `half` buffer for it.
  b.setInsertionPoint(alloc);
  auto narrowAlloc = memref::AllocOp::create(
      b, alloc.getLoc(), narrowType, alloc.getDynamicSizes());
  call->setOperand(index, narrowAlloc.getResult());
  b.setInsertionPoint(toTensor);
  return bufferization::ToTensorOp::create(
      b, toTensor.getLoc(), cast<RankedTensorType>(source.getType()).clone(half),
      narrowAlloc.getResult(), /*restrict=*/true, /*writable=*/true);
}

/// A contraction's 16-bit operands read as they are:
/// - a bias that is the extension of a 16-bit tensor is read in that type
///   and extended in the epilogue (exact: the same values);
/// - with `autocast`, an f32 X multiplying a W that is the extension of a
///   16-bit W16 is rounded to W16's type (`arith.truncf`, to nearest even;
///   before a `collapse_shape` of its rows, so that its producer fuses into
///   the rounding) and the matmul reads X16 and W16 into its f32
///   accumulator: what a PyTorch autocast model computes, on 16-bit tensor
///   cores. Otherwise both stay f32.
/// The extensions are erased once nothing reads them.
static void readHalfOperands(ContractionKernel &kernel, bool autocast,
                             SymbolTable &symbols) {
  SetVector<Operation *> dead;
  linalg::GenericOp epi = kernel.epilogue;
  // The kernel's one 16-bit type, if any (X's, Y's, or under autocast the
  // 16-bit W's): a 16-bit bias or W of another type stays extended.
  Type half;
  for (Value v : {kernel.matmul.getDpsInputs()[0], epi.getResult(0)})
    if (getElementTypeOrSelf(v.getType()).getIntOrFloatBitWidth() == 16)
      half = getElementTypeOrSelf(v.getType());
  Value w16Candidate =
      autocast &&
              getElementTypeOrSelf(kernel.matmul.getDpsInputs()[0].getType())
                  .isF32()
          ? extendedFrom(kernel.matmul.getDpsInputs()[1])
          : Value();
  if (w16Candidate && half &&
      getElementTypeOrSelf(w16Candidate.getType()) != half)
    w16Candidate = Value();
  if (w16Candidate)
    half = getElementTypeOrSelf(w16Candidate.getType());
  Value bias16 = extendedFrom(epi.getDpsInputs()[1]);
  if (bias16 && half && getElementTypeOrSelf(bias16.getType()) != half)
    bias16 = Value();
  if (bias16) {
    OpBuilder b(epi);
    Location loc = epi.getLoc();
    dead.insert(epi.getDpsInputs()[1].getDefiningOp());
    SmallVector<Value> inputs(epi.getDpsInputs());
    inputs[1] = bias16;
    auto newEpi = linalg::GenericOp::create(
        b, loc, epi.getResultTypes(), inputs, epi.getDpsInits(),
        epi.getIndexingMapsArray(), epi.getIteratorTypesArray(),
        [&](OpBuilder &nb, Location nloc, ValueRange args) {
          IRMapping mapping;
          Block *old = epi.getBody();
          mapping.map(old->getArguments(), args);
          mapping.map(old->getArgument(1),
                      arith::ExtFOp::create(nb, nloc, nb.getF32Type(), args[1]));
          for (Operation &op : old->without_terminator())
            nb.clone(op, mapping);
          linalg::YieldOp::create(
              nb, nloc,
              mapping.lookup(old->getTerminator()->getOperand(0)));
        });
    epi.getResult(0).replaceAllUsesWith(newEpi.getResult(0));
    epi->erase();
    kernel.epilogue = newEpi;
  }

  linalg::MatmulOp mm = kernel.matmul;
  Value x = mm.getDpsInputs()[0], w = mm.getDpsInputs()[1];
  // The f32 result of a kernel that now rounds it itself (roundedInKernel).
  Operation *staleResult = nullptr;
  if (Value w16 = w16Candidate) {
    OpBuilder b(mm);
    Location loc = mm.getLoc();
    // Round where X's rows are still whole: before their collapse; a
    // gather of rows reads the rounded rows instead (rounded once for all
    // their readers: the EMA output both the hx projection and the gather
    // for the mx projection read).
    auto collapse = x.getDefiningOp<tensor::CollapseShapeOp>();
    Value source = collapse ? collapse.getSrc() : x;
    Value rounded;
    auto gather = source.getDefiningOp<linalg::GenericOp>();
    if (gather)
      rounded = roundThroughGather(gather, half);
    if (rounded) {
      dead.insert(gather);
    } else if (Value narrow = extendedFrom(source);
               narrow && getElementTypeOrSelf(narrow.getType()) == half) {
      // X is the extension of a tensor of `half`: rounding gives it back.
      rounded = narrow;
      dead.insert(source.getDefiningOp());
    } else if ((rounded = roundedInKernel(
                    source, half,
                    collapse ? collapse.getOperation() : mm.getOperation(),
                    symbols))) {
      staleResult = source.getDefiningOp();
    } else {
      rounded = roundedTo(source, half, mm);
    }
    if (collapse)
      rounded = tensor::CollapseShapeOp::create(
          b, loc, rounded, collapse.getReassociationIndices());
    auto matmul = linalg::MatmulOp::create(
        b, loc, mm.getResultTypes(), ValueRange{rounded, w16},
        mm.getDpsInits());
    matmul.setIndexingMapsAttr(mm.getIndexingMaps());
    // The matmul's tiles and knobs (seqboat-apply-tuning) stay with it.
    matmul->setDiscardableAttrs(mm->getDiscardableAttrDictionary());
    dead.insert(w.getDefiningOp());
    if (collapse)
      dead.insert(collapse);
    mm.getResult(0).replaceAllUsesWith(matmul.getResult(0));
    mm->erase();
    kernel.matmul = matmul;
  }
  for (Operation *op : llvm::to_vector(dead))
    if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
      dead.insert(linalgOp.getDpsInits()[0].getDefiningOp());
  // eraseDead skips what is not a linalg op or an empty tensor: the
  // collapses are taken out first, then erased.
  SmallVector<Operation *> collapses;
  for (Operation *op : dead)
    if (isa_and_nonnull<tensor::CollapseShapeOp>(op))
      collapses.push_back(op);
  for (Operation *op : collapses) {
    dead.remove(op);
    if (op->use_empty())
      op->erase();
  }
  eraseDead(dead);
  if (staleResult)
    eraseUnreadResult(staleResult);
}

/// Contraction roots of `caller`, in program order (the kernel numbering).
static SmallVector<ContractionKernel> contractionKernels(func::FuncOp caller) {
  SmallVector<ContractionKernel> kernels;
  caller.walk([&](linalg::MatmulOp mm) {
    if (std::optional<ContractionKernel> k = matchContraction(mm))
      kernels.push_back(*k);
  });
  return kernels;
}

/// Raises `caller`'s projections (raiseProjection) one at a time: raising
/// one erases ops (its consumer) a list of candidates would still hold.
static void raiseProjections(func::FuncOp caller) {
  while (caller
             .walk([](linalg::GenericOp g) {
               return raiseProjection(g) ? WalkResult::interrupt()
                                         : WalkResult::advance();
             })
             .wasInterrupted()) {
  }
}

static std::string kernelName(func::FuncOp caller, unsigned index) {
  return (caller.getSymName() + "_contraction_" + Twine(index)).str();
}

std::string seqboat::getContractionKernelName(linalg::MatmulOp mm) {
  auto caller = mm->getParentOfType<func::FuncOp>();
  for (auto [i, kernel] : llvm::enumerate(contractionKernels(caller)))
    if (kernel.matmul == mm)
      return kernelName(caller, i);
  return "";
}

namespace {

/// The functions kernels are formed from: defined ones that are not kernels.
SmallVector<func::FuncOp> kernelCallers(ModuleOp module) {
  SmallVector<func::FuncOp> callers;
  for (auto fn : module.getOps<func::FuncOp>())
    if (!fn.isExternal() && !fn->hasAttr(kKernelKindAttr))
      callers.push_back(fn);
  return callers;
}

MemRefType bufferType(Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  return MemRefType::get(type.getShape(), type.getElementType());
}

/// The buffer a kernel of `kind` reads `tensor` from. Parallel and scan
/// kernels read element by element, so they take any view whose innermost
/// stride is 1 (a slice of a weight or of another buffer is passed as it is,
/// not copied into a buffer of its own first); contraction kernels stage
/// 16-byte rows with cp.async, so they take contiguous, freshly allocated
/// (aligned) buffers.
MemRefType inputBufferType(Value tensor, StringRef kind) {
  auto type = cast<RankedTensorType>(tensor.getType());
  if (kind == "contraction")
    return bufferType(tensor);
  SmallVector<int64_t> strides(type.getRank(), ShapedType::kDynamic);
  if (!strides.empty())
    strides.back() = 1;
  return MemRefType::get(
      type.getShape(), type.getElementType(),
      StridedLayoutAttr::get(tensor.getContext(), ShapedType::kDynamic,
                             strides));
}

/// A kernel function being built: its arguments are buffers of `inputs`
/// then of the results; the body maps each input tensor to a to_tensor of
/// its argument, and the builder's insertion point is in it.
struct KernelBody {
  func::FuncOp fn;
  IRMapping mapping;
  /// The caller's tensors passed as the kernel's arguments, in order (inputs,
  /// then results).
  SmallVector<Value> arguments;
};

/// The first of `candidates` (tensors of the caller) with a dim that equals
/// dim `dim` of the caller's `shaped` at run time (ValueBounds on the
/// caller's IR), and that dim.
std::optional<std::pair<unsigned, int64_t>>
findEqualDim(Value shaped, int64_t dim, ArrayRef<Value> candidates) {
  for (auto [i, c] : llvm::enumerate(candidates)) {
    auto type = cast<RankedTensorType>(c.getType());
    for (int64_t d = 0; d < type.getRank(); ++d) {
      if (!type.isDynamicDim(d))
        continue;
      if (c == shaped && d == dim)
        return std::make_pair(static_cast<unsigned>(i), d);
      FailureOr<bool> equal = ValueBoundsConstraintSet::areEqual(
          ValueBoundsConstraintSet::Variable(shaped, dim),
          ValueBoundsConstraintSet::Variable(c, d));
      if (succeeded(equal) && *equal)
        return std::make_pair(static_cast<unsigned>(i), d);
    }
  }
  return std::nullopt;
}

/// Whether every dynamic size of `shaped` (a tensor of the caller) is the
/// size of one of `candidates`, so a kernel taking them can rebuild it.
bool sizesKnownFrom(Value shaped, ArrayRef<Value> candidates) {
  auto type = cast<RankedTensorType>(shaped.getType());
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d) && !findEqualDim(shaped, d, candidates))
      return false;
  return true;
}

/// Inside `body`: an empty tensor of the type of the caller's `shaped`, its
/// dynamic sizes read from the kernel's arguments they equal.
Value emptyLike(OpBuilder &b, Location loc, Value shaped,
                KernelBody &body) {
  auto type = cast<RankedTensorType>(shaped.getType());
  SmallVector<Value> sizes;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    if (!type.isDynamicDim(d))
      continue;
    std::optional<std::pair<unsigned, int64_t>> equal =
        findEqualDim(shaped, d, body.arguments);
    // Formation checked it (sizesKnownFrom).
    assert(equal && "a kernel tensor whose size the kernel cannot read");
    sizes.push_back(memref::DimOp::create(b, loc,
                                          body.fn.getArgument(equal->first),
                                          equal->second));
  }
  return tensor::EmptyOp::create(b, loc, type, sizes);
}

KernelBody beginKernel(OpBuilder &b, Location loc, func::FuncOp caller,
                       SymbolTable &symbols, StringRef name, StringRef kind,
                       ArrayRef<Value> inputs, ValueRange results,
                       Operation *root) {
  SmallVector<Type> argTypes;
  for (Value v : inputs)
    argTypes.push_back(inputBufferType(v, kind));
  for (Value v : results)
    argTypes.push_back(bufferType(v));
  b.setInsertionPoint(caller);
  auto fn = func::FuncOp::create(b, loc, name, b.getFunctionType(argTypes, {}));
  fn.setPrivate();
  fn->setAttr(kKernelKindAttr, b.getStringAttr(kind));
  // The strategy knobs of the op the kernel is made of travel with it.
  if (Attribute knobs = root->getAttr(kKnobsAttr))
    fn->setAttr(kKnobsAttr, knobs);
  symbols.insert(fn);
  KernelBody kernel{fn, {}, SmallVector<Value>(inputs)};
  llvm::append_range(kernel.arguments, results);
  b.setInsertionPointToStart(fn.addEntryBlock());
  for (auto [tensor, arg] : llvm::zip(inputs, fn.getArguments()))
    kernel.mapping.map(tensor, bufferization::ToTensorOp::create(
                                   b, loc, tensor.getType(), arg,
                                   /*restrict=*/true));
  return kernel;
}

/// Ends the kernel body: `values` go to the result arguments.
void endKernel(OpBuilder &b, Location loc, func::FuncOp fn,
               ValueRange values) {
  for (auto [value, arg] : llvm::zip(
           values, fn.getArguments().take_back(values.size()))) {
    auto store =
        bufferization::MaterializeInDestinationOp::create(b, loc, value, arg);
    store.setRestrict(true);
    store.setWritable(true);
  }
  func::ReturnOp::create(b, loc);
}

/// The runtime sizes of `result`'s dynamic dims (B, L), computed at the
/// builder's insertion point from what its op reads (the op's reified
/// shape).
SmallVector<Value> dynamicResultSizes(OpBuilder &b, Location loc,
                                      Value result) {
  auto type = cast<RankedTensorType>(result.getType());
  if (type.hasStaticShape())
    return {};
  auto r = cast<OpResult>(result);
  ReifiedRankedShapedTypeDims shapes;
  // Formation outlines only ops that reify their shapes (reifiesResults).
  LogicalResult reified = reifyResultShapes(b, r.getOwner(), shapes);
  assert(succeeded(reified) && "kernel root without a reified shape");
  (void)reified;
  SmallVector<Value> sizes;
  for (auto [d, size] : llvm::enumerate(shapes[r.getResultNumber()]))
    if (type.isDynamicDim(d))
      sizes.push_back(getValueOrCreateConstantIndexOp(b, loc, size));
  return sizes;
}

/// Rewrites the `tensor.dim`s of `op`'s results (a size an epilogue's init
/// or a later op reads) into sizes computed from what `op` reads (its
/// reified shape), so that `op` can move into a kernel.
void resolveDimsOf(Operation *op) {
  SmallVector<tensor::DimOp> dims;
  for (Value r : op->getResults())
    for (Operation *user : r.getUsers())
      if (auto dim = dyn_cast<tensor::DimOp>(user))
        dims.push_back(dim);
  if (dims.empty())
    return;
  OpBuilder b(op);
  ReifiedRankedShapedTypeDims shapes;
  if (failed(reifyResultShapes(b, op, shapes)))
    return;
  for (tensor::DimOp dim : dims) {
    std::optional<int64_t> d = dim.getConstantIndex();
    if (!d)
      continue;
    auto r = cast<OpResult>(dim.getSource());
    dim.replaceAllUsesWith(getValueOrCreateConstantIndexOp(
        b, dim.getLoc(), shapes[r.getResultNumber()][*d]));
    dim->erase();
  }
}

/// Replaces `results` by a call of `fn` at the builder's insertion point: the
/// caller passes read-only views of `inputs` and a fresh buffer per result.
/// `resultSizes`, when given, are the dynamic sizes of the one result
/// (else they are reified from its op).
void callKernel(OpBuilder &b, Location loc, func::FuncOp fn, StringRef kind,
                ArrayRef<Value> inputs, ValueRange results,
                std::optional<SmallVector<Value>> resultSizes = std::nullopt) {
  SmallVector<Value> args;
  for (Value tensor : inputs)
    args.push_back(bufferization::ToBufferOp::create(
        b, loc, inputBufferType(tensor, kind), tensor, /*read_only=*/true));
  for (Value y : results)
    args.push_back(memref::AllocOp::create(
        b, loc, bufferType(y),
        resultSizes ? *resultSizes : dynamicResultSizes(b, loc, y)));
  auto call = func::CallOp::create(b, loc, fn, args);
  // Marks the call for the host-side mapping (its buffers must be visible
  // to the kernel).
  call->setAttr(kKernelKindAttr, b.getStringAttr(kind));
  for (auto [y, buffer] :
       llvm::zip(results, ArrayRef(args).take_back(results.size())))
    y.replaceAllUsesWith(bufferization::ToTensorOp::create(
        b, loc, y.getType(), buffer, /*restrict=*/true, /*writable=*/true));
}

/// Moves `kernel` into a new private function of `symbols` and calls it.
void outline(ContractionKernel kernel, func::FuncOp caller,
             SymbolTable &symbols, unsigned index) {
  Location loc = kernel.matmul.getLoc();
  Value x = kernel.matmul.getDpsInputs()[0];
  Value w = kernel.matmul.getDpsInputs()[1];
  Value bias = kernel.epilogue.getDpsInputs()[1];
  Value y = kernel.epilogue.getResult(0);
  // X, W, the bias, then what else the epilogue reads (a residual).
  SmallVector<Value> inputs = {x, w, bias};
  SmallVector<Value> epiInputs = kernel.epilogue.getDpsInputs();
  llvm::append_range(inputs, ArrayRef(epiInputs).drop_front(2));

  OpBuilder b(caller);
  KernelBody body = beginKernel(b, loc, caller, symbols,
                                kernelName(caller, index), "contraction",
                                inputs, y, kernel.matmul);
  // A tuned config (seqboat-apply-tuning) travels with the kernel.
  if (Attribute tiles = kernel.matmul->getAttr(kTilesAttr))
    body.fn->setAttr(kTilesAttr, tiles);
  IRMapping &mapping = body.mapping;
  SetVector<Value> constants = capturedValues(kernel.epilogue);
  constants.insert(kernel.fill.getDpsInputs()[0]);
  for (Value c : constants)
    b.clone(*c.getDefiningOp(), mapping);
  // A runtime M (B·L rows) is read from X in the kernel.
  auto yType = cast<RankedTensorType>(y.getType());
  Value accInit = kernel.fill.getDpsInitOperand(0)->get();
  mapping.map(accInit,
              emptyRowsLike(b, loc, cast<RankedTensorType>(accInit.getType()),
                            mapping.lookup(x)));
  b.clone(*kernel.fill, mapping);
  b.clone(*kernel.matmul, mapping);
  // The epilogue's init is never read: the kernel gives it a fresh empty
  // tensor, which the strategy then replaces by Y itself.
  mapping.map(kernel.epilogue.getDpsInitOperand(0)->get(),
              emptyRowsLike(b, loc, yType, mapping.lookup(x)));
  b.clone(*kernel.epilogue, mapping);
  endKernel(b, loc, body.fn, mapping.lookup(y));

  b.setInsertionPoint(kernel.epilogue);
  // Y has X's rows.
  SmallVector<Value> ySizes;
  if (yType.isDynamicDim(0))
    ySizes.push_back(tensor::DimOp::create(b, loc, x, 0));
  callKernel(b, loc, body.fn, "contraction", inputs, y, ySizes);

  // Both inits may be the same tensor.empty: erased once.
  SetVector<Operation *> dead;
  dead.insert(kernel.epilogue.getDpsInitOperand(0)->get().getDefiningOp());
  dead.insert(kernel.fill.getDpsInitOperand(0)->get().getDefiningOp());
  kernel.epilogue->erase();
  kernel.matmul->erase();
  kernel.fill->erase();
  eraseDead(dead);
}

/// A producer fused into a parallel kernel through one of the root's (or
/// another fused producer's) inputs, with the producers of its own inits.
struct FusedProducer {
  linalg::LinalgOp op;
  SmallVector<linalg::LinalgOp> initProducers;
};

/// A parallel kernel: one linalg op (the root) computing kernel tensors,
/// with the producers of its inits that the strategy fuses into its tiles.
struct ParallelKernel {
  linalg::LinalgOp root;
  /// Producers of inputs computed inside the kernel, in program order: each
  /// is read one-to-one by its consumer's tile (no element computed twice),
  /// so fusing it saves the HBM round trip of its result.
  SmallVector<FusedProducer> producers;
  /// Per init: the linalg op producing it (a constant fill, a broadcast
  /// bias), fused; or null.
  SmallVector<linalg::LinalgOp> initProducers;
  /// Per init: whether the root reads an init computed elsewhere (an
  /// accumulator carried by a host loop), which the kernel then copies to
  /// its output tile by tile before updating it.
  SmallVector<bool> copiedInits;
  /// Tensors the kernel reads: the inputs of the root and of the fused
  /// producers, and tensors their bodies capture (tensor.extract).
  SetVector<Value> inputs;
  /// Constants they capture or take as scalar operands (cloned).
  SetVector<Value> constants;
  /// Runtime scalars they use, each a `tensor.extract` of a static tensor
  /// at constant indices (a decay passed as tensor<f32>) or a `tensor.dim`
  /// of a kernel tensor (a runtime length): the tensor is an input and the
  /// op is cloned into the kernel.
  SetVector<Value> scalars;
};

/// A runtime scalar a kernel can take: an element of a static tensor at
/// constant indices, or a size of a kernel tensor (a runtime B or L), whose
/// tensor becomes a kernel input.
bool isExtractedScalar(Value v) {
  if (auto dim = v.getDefiningOp<tensor::DimOp>())
    return isKernelTensor(dim.getSource().getType()) &&
           matchPattern(dim.getIndex(), m_Constant());
  auto extract = v.getDefiningOp<tensor::ExtractOp>();
  return extract && isStaticTensor(extract.getTensor().getType()) &&
         llvm::all_of(extract.getIndices(), [](Value i) {
           return matchPattern(i, m_Constant());
         });
}

/// Adds what `op` reads (besides its inits) to `kernel`; false when it reads
/// something a kernel cannot take (a dynamic tensor, a runtime scalar).
bool collectReads(linalg::LinalgOp op, ParallelKernel &kernel) {
  if (!op.hasPureTensorSemantics())
    return false;
  std::function<bool(Value, unsigned)> addScalar = [&](Value v,
                                                      unsigned depth) {
    if (matchPattern(v, m_Constant())) {
      kernel.constants.insert(v);
      return true;
    }
    // Index arithmetic on runtime sizes (L - 1 - t of a reversed read, the
    // chunk count ceil(L / C) + 1 of the compaction):
    // its operands first, then the op, cloned into the kernel in order.
    Operation *def = v.getDefiningOp();
    if (def && depth > 0 && v.getType().isIndex() &&
        isa<arith::ArithDialect, affine::AffineDialect>(def->getDialect()) &&
        def->getNumRegions() == 0 && def->getNumResults() == 1 &&
        isPure(def) && def->getNumOperands() > 0) {
      for (Value operand : def->getOperands())
        if (!addScalar(operand, depth - 1))
          return false;
      kernel.scalars.insert(v);
      return true;
    }
    if (!isExtractedScalar(v))
      return false; // another runtime scalar: not passed yet
    // The tensor is an input; the indices are constants.
    kernel.inputs.insert(def->getOperand(0));
    for (Value i : def->getOperands().drop_front())
      kernel.constants.insert(i);
    kernel.scalars.insert(v);
    return true;
  };
  for (Value v : capturedValues(op)) {
    if (isKernelTensor(v.getType()))
      kernel.inputs.insert(v);
    else if (!addScalar(v, 4))
      return false;
  }
  for (Value v : op.getDpsInputs()) {
    if (isa<RankedTensorType>(v.getType())) {
      if (!isKernelTensor(v.getType()))
        return false;
      kernel.inputs.insert(v);
    } else if (!addScalar(v, 4)) {
      return false;
    }
  }
  return true;
}

/// A linalg op computing `init` for one consumer, from an empty tensor (a
/// fill, a broadcast), which the kernel can compute in its tiles.
linalg::LinalgOp matchInitProducer(Value init) {
  auto op = init.getDefiningOp<linalg::LinalgOp>();
  if (!op || !op->hasOneUse() || op->getNumResults() != 1 ||
      !op.hasPureTensorSemantics())
    return {};
  for (OpOperand &own : op.getDpsInitsMutable())
    if (!own.get().getDefiningOp<tensor::EmptyOp>() &&
        op.payloadUsesValueFromOperand(&own))
      return {};
  return op;
}

/// Whether `consumer` reads `operand` one-to-one over its parallel loops:
/// the operand's indexing map is a permutation of exactly those loops, so
/// a thread's tile reads each element of it once and no other thread does.
bool readsOneToOne(linalg::LinalgOp consumer, OpOperand &operand) {
  AffineMap map = consumer.getMatchingIndexingMap(&operand);
  if (!map.isProjectedPermutation() ||
      map.getNumResults() != consumer.getNumParallelLoops())
    return false;
  SmallVector<utils::IteratorType> iterators =
      consumer.getIteratorTypesArray();
  return llvm::all_of(map.getResults(), [&](AffineExpr e) {
    return iterators[cast<AffineDimExpr>(e).getPosition()] ==
           utils::IteratorType::parallel;
  });
}

/// Whether `op` only moves data: all loops parallel, every indexing map a
/// projected permutation, and a body of index arithmetic, element reads and
/// selects (the gather form of a constant pad). Recomputing an element of it
/// costs a load and a few integer ops, less than its HBM round trip, so it
/// is fused into consumers that read it through any map.
bool isDataMovement(linalg::LinalgOp op) {
  if (op.getNumReductionLoops() != 0 ||
      !llvm::all_of(op.getIndexingMapsArray(),
                    [](AffineMap m) { return m.isProjectedPermutation(); }))
    return false;
  return llvm::all_of(op.getBlock()->without_terminator(), [](Operation &o) {
    if (isa<linalg::IndexOp, tensor::ExtractOp, tensor::DimOp,
            arith::SelectOp, arith::ConstantOp>(o))
      return true;
    // Integer and index arithmetic only.
    return isa<arith::ArithDialect>(o.getDialect()) &&
           llvm::all_of(o.getResultTypes(),
                        [](Type t) { return t.isIntOrIndex(); });
  });
}

/// Most scalar ops in the body of a producer recomputed by its consumers.
constexpr int64_t kCheapBodyOps = 16;
/// Most times a cheap producer's element is recomputed, on average, by one
/// consumer (the consumer's iteration space over the producer's elements).
constexpr int64_t kCheapRecompute = 64;

/// Whether `op` is cheap enough to be computed again by every kernel that
/// reads it, instead of being a kernel of its own: a static, elementwise-style
/// op (all loops parallel, projected-permutation maps, inits not read) whose
/// body is at most kCheapBodyOps scalar arith/math ops and loop indices.
/// The transforms of small parameters are such ops: the EMA's sigmoids and
/// products of its [dirs·D, N] parameters, its decay powers per chunk
/// position, a weight's transpose.
bool isCheapElementwise(linalg::LinalgOp op) {
  auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
  if (!generic || !generic.hasPureTensorSemantics() ||
      generic->getNumResults() != 1 ||
      !isStaticTensor(generic->getResult(0).getType()) ||
      generic.getNumReductionLoops() != 0 ||
      !llvm::all_of(generic.getIndexingMapsArray(),
                    [](AffineMap m) { return m.isProjectedPermutation(); }))
    return false;
  for (OpOperand &init : generic.getDpsInitsMutable())
    if (generic.payloadUsesValueFromOperand(&init))
      return false;
  // Scalar arith/math ops and the loop indices (which tiling offsets).
  if (!llvm::all_of(generic.getBody()->without_terminator(), [](Operation &o) {
        return isa<linalg::IndexOp>(o) ||
               (o.getNumRegions() == 0 &&
                isa<arith::ArithDialect, math::MathDialect>(o.getDialect()));
      }))
    return false;
  return static_cast<int64_t>(
             llvm::range_size(generic.getBody()->without_terminator())) <=
         kCheapBodyOps;
}

/// Whether the all-parallel `consumer` reads `operand` broadcast along some
/// of its loops: a projected permutation of fewer than all of them.
bool readsBroadcast(linalg::LinalgOp consumer, OpOperand &operand) {
  AffineMap map = consumer.getMatchingIndexingMap(&operand);
  return consumer.getNumReductionLoops() == 0 &&
         map.isProjectedPermutation() &&
         map.getNumResults() < consumer.getNumLoops();
}

/// Whether the loops along which `consumer` reads `operand` broadcast have
/// static extents (a thread then takes whole rows along them).
bool broadcastAlongStaticLoops(linalg::LinalgOp consumer, OpOperand &operand) {
  AffineMap map = consumer.getMatchingIndexingMap(&operand);
  SmallVector<int64_t> ranges = consumer.getStaticLoopRanges();
  for (unsigned d = 0; d < ranges.size(); ++d)
    if (!map.isFunctionOfDim(d) && ShapedType::isDynamic(ranges[d]))
      return false;
  return true;
}

/// isRowStatistic, looking at most `depth` elementwise ops up.
bool isRowStatistic(Operation *op, unsigned depth) {
  auto linalgOp = dyn_cast_or_null<linalg::LinalgOp>(op);
  if (!linalgOp || !linalgOp.hasPureTensorSemantics() ||
      op->getNumResults() != 1 || !isStaticTensor(op->getResult(0).getType()))
    return false;
  if (linalgOp.getNumReductionLoops() != 0)
    return llvm::all_of(linalgOp.getDpsInitsMutable(), [&](OpOperand &init) {
      return linalgOp.getMatchingIndexingMap(&init).isProjectedPermutation();
    });
  return depth > 0 && isCheapElementwise(linalgOp) &&
         llvm::any_of(linalgOp.getDpsInputs(), [&](Value v) {
           return isRowStatistic(v.getDefiningOp(), depth - 1);
         });
}

/// Whether every use of `op`'s results is by `root` or by a single-result
/// linalg op that itself feeds only `root` (looking at most `depth` ops
/// down): fused into root's kernel, `op` is then not needed anywhere else.
bool feedsOnly(Operation *op, Operation *root, unsigned depth) {
  return llvm::all_of(op->getUsers(), [&](Operation *user) {
    return user == root ||
           (depth > 0 && isa<linalg::LinalgOp>(user) &&
            user->getNumResults() == 1 && feedsOnly(user, root, depth - 1));
  });
}

/// Whether `consumer` may recompute the cheap producer of `operand` in its
/// tiles: it reads it through a projected permutation (a broadcast, a
/// transpose), at most kCheapRecompute times per element on average (a
/// lone conversion whatever the ratio), and every other user of the
/// producer is a linalg op on the host (each fuses or outlines its own
/// copy; none is a kernel call already).
bool mayRecompute(linalg::LinalgOp consumer, OpOperand &operand,
                  linalg::LinalgOp producer) {
  if (!isCheapElementwise(producer) ||
      !consumer.getMatchingIndexingMap(&operand).isProjectedPermutation() ||
      !llvm::all_of(producer->getUsers(), [](Operation *user) {
        return isa<linalg::LinalgOp>(user) &&
               !user->getParentOfType<scf::ForallOp>();
      }))
    return false;
  // A lone conversion (a 16-bit parameter extended to f32) costs no more
  // than the load it replaces: recomputed whatever the ratio, instead of a
  // kernel of its own.
  auto body = producer.getBlock()->without_terminator();
  if (llvm::range_size(body) == 1 && isa<CastOpInterface>(*body.begin()))
    return true;
  int64_t points = 1;
  for (int64_t extent : consumer.getStaticLoopRanges()) {
    if (ShapedType::isDynamic(extent))
      return false;
    points *= extent;
  }
  int64_t elements =
      cast<RankedTensorType>(producer->getResult(0).getType()).getNumElements();
  return points <= kCheapRecompute * elements;
}

/// Fuses into `kernel` the producers of `consumer`'s inputs that it reads
/// one-to-one (elementwise ops, row reductions feeding a row-wise
/// consumer), that only move data, or that are cheap to recompute,
/// recursively, producers first. Each must have a static result and inits
/// it does not read or that a fusable init producer computes; one read
/// one-to-one has no other user, data movement no other user than
/// `consumer`, and a cheap producer other users that compute it again
/// themselves. Below a producer that is `recomputed` (read more than once
/// per element), only cheap producers and data movement are fused: a
/// reduction fused there would be computed again for every read.
void fuseInputProducers(linalg::LinalgOp consumer, ParallelKernel &kernel,
                        DenseSet<Operation *> &taken, bool recomputed) {
  for (OpOperand *operand : consumer.getDpsInputOperands()) {
    auto producer = operand->get().getDefiningOp<linalg::LinalgOp>();
    if (!producer || taken.contains(producer) ||
        !producer.hasPureTensorSemantics() ||
        producer->getNumResults() != 1 ||
        !isKernelTensor(producer->getResult(0).getType()) ||
        producer->getParentOfType<scf::ForallOp>())
      continue;
    // One use read one-to-one; or data movement read only by this consumer
    // (a pad read at two offsets by a bidirectional convolution).
    bool oneToOne =
        producer->hasOneUse() && readsOneToOne(consumer, *operand);
    // Data movement read only by this consumer. (Gathering it again in
    // each of several readers saved the EMA's chunked input a kernel, but
    // made ptxas spill in the causal chunk-input kernel, which reads it
    // along its reduction: a kernel of its own for now.)
    bool gather = isDataMovement(producer) &&
                  llvm::all_of(producer->getUsers(), [&](Operation *user) {
                    return user == consumer.getOperation();
                  });
    if (recomputed && oneToOne && !isCheapElementwise(producer))
      oneToOne = false;
    // A row statistic the root reads broadcast: the strategy gives a thread
    // whole rows, so the thread computes it once (getThreadGrains).
    bool row = !oneToOne && !gather && !recomputed &&
               consumer == kernel.root &&
               readsBroadcast(consumer, *operand) &&
               broadcastAlongStaticLoops(consumer, *operand) &&
               seqboat::isRowStatistic(producer) &&
               feedsOnly(producer, consumer, /*depth=*/4);
    bool recompute = !oneToOne && !gather && !row &&
                     mayRecompute(consumer, *operand, producer);
    if (!oneToOne && !gather && !row && !recompute)
      continue;
    if (auto mm = dyn_cast<linalg::MatmulOp>(producer.getOperation());
        mm && getContractionEpilogue(mm))
      continue;
    FusedProducer fused{producer, {}};
    bool ok = true;
    for (OpOperand &init : producer.getDpsInitsMutable()) {
      linalg::LinalgOp initProducer = matchInitProducer(init.get());
      if (!producer.payloadUsesValueFromOperand(&init)) {
        // Not read: a fresh tensor in the kernel.
        fused.initProducers.push_back({});
        continue;
      }
      if (!initProducer) {
        ok = false;
        break;
      }
      fused.initProducers.push_back(initProducer);
    }
    // What it reads goes to a copy first: a producer that reads something
    // the kernel cannot take is not fused.
    ParallelKernel reads = kernel;
    ok = ok && collectReads(producer, reads);
    for (linalg::LinalgOp ip : fused.initProducers)
      ok = ok && (!ip || collectReads(ip, reads));
    if (!ok)
      continue;
    kernel.inputs = reads.inputs;
    kernel.constants = reads.constants;
    kernel.scalars = reads.scalars;
    taken.insert(producer);
    fuseInputProducers(producer, kernel, taken, recomputed || recompute);
    kernel.producers.push_back(std::move(fused));
  }
}

} // namespace

bool seqboat::isRowStatistic(Operation *op) {
  // A norm's chain: sum, mean, centred square sum, variance, rsqrt.
  return ::isRowStatistic(op, /*depth=*/4);
}

namespace {

/// Whether `op` is a parallel-kernel root, filling in its producers.
std::optional<ParallelKernel> matchParallel(linalg::LinalgOp op) {
  if (!op.hasPureTensorSemantics() || op->getNumResults() == 0 ||
      op.getNumDpsInits() != op->getNumResults() ||
      op.getNumParallelLoops() == 0 ||
      !llvm::all_of(op->getResultTypes(), isKernelTensor) ||
      !reifiesResults(op))
    return std::nullopt;
  if (auto mm = dyn_cast<linalg::MatmulOp>(op.getOperation());
      mm && getContractionEpilogue(mm))
    return std::nullopt;
  // Inside a kernel already (a block or thread forall): not a host op.
  if (op->getParentOfType<scf::ForallOp>())
    return std::nullopt;
  ParallelKernel kernel;
  kernel.root = op;
  if (!collectReads(op, kernel))
    return std::nullopt;
  for (OpOperand &init : op.getDpsInitsMutable()) {
    linalg::LinalgOp producer = matchInitProducer(init.get());
    if (producer && !collectReads(producer, kernel))
      producer = {};
    kernel.initProducers.push_back(producer);
    bool copied = !producer && op.payloadUsesValueFromOperand(&init) &&
                  !init.get().getDefiningOp<tensor::EmptyOp>();
    // An accumulator carried by a host loop is updated in place there; a
    // kernel would need its result buffer to be the carried one (the scan
    // strategy's job): not formed yet.
    if (copied && (!isKernelTensor(init.get().getType()) ||
                   isa<BlockArgument>(init.get())))
      return std::nullopt;
    if (copied)
      kernel.inputs.insert(init.get());
    kernel.copiedInits.push_back(copied);
  }
  DenseSet<Operation *> taken;
  fuseInputProducers(op, kernel, taken, /*recomputed=*/false);
  // Results of fused producers are computed inside, not read.
  for (const FusedProducer &fused : kernel.producers)
    kernel.inputs.remove(fused.op->getResult(0));
  // The kernel makes the inits of the ops it computes: their dynamic sizes
  // must be sizes of its arguments. And what moves in must not be asked
  // its sizes in a way resolveDimsOf cannot rewrite.
  SmallVector<Value> arguments(kernel.inputs.begin(), kernel.inputs.end());
  llvm::append_range(arguments, op->getResults());
  for (Value init : op.getDpsInits())
    if (!sizesKnownFrom(init, arguments))
      return std::nullopt;
  if (!dimUsesResolvable(op))
    return std::nullopt;
  for (FusedProducer &fused : kernel.producers) {
    if (!dimUsesResolvable(fused.op))
      return std::nullopt;
    for (Value init : fused.op.getDpsInits())
      if (!sizesKnownFrom(init, arguments))
        return std::nullopt;
  }
  return kernel;
}

/// `tensor.pad` of a static tensor by a constant, as a linalg.generic that
/// reads the source through tensor.extract (in bounds) or yields the
/// padding value: a parallel kernel of its own.
void padToGeneric(tensor::PadOp pad) {
  Value padValue = pad.getConstantPaddingValue();
  auto srcType = dyn_cast<RankedTensorType>(pad.getSource().getType());
  auto resultType = pad.getResultType();
  // Static low pads; the high ones and the sizes may be runtime values (a
  // sequence padded to a multiple of a chunk).
  if (!padValue || !matchPattern(padValue, m_Constant()) || !srcType ||
      !isKernelTensor(srcType) || !isKernelTensor(resultType) ||
      !pad.getLow().empty())
    return;
  OpBuilder b(pad);
  Location loc = pad.getLoc();
  int64_t rank = resultType.getRank();
  SmallVector<int64_t> low(pad.getStaticLow());
  SmallVector<Value> sizes;
  if (!resultType.hasStaticShape()) {
    ReifiedRankedShapedTypeDims shapes;
    if (failed(reifyResultShapes(b, pad, shapes)))
      return;
    for (int64_t d = 0; d < rank; ++d)
      if (resultType.isDynamicDim(d))
        sizes.push_back(getValueOrCreateConstantIndexOp(b, loc, shapes[0][d]));
  }
  Value empty = tensor::EmptyOp::create(b, loc, resultType, sizes);
  Value source = pad.getSource();
  auto generic = linalg::GenericOp::create(
      b, loc, resultType, ValueRange{}, ValueRange{empty},
      ArrayRef<AffineMap>{AffineMap::getMultiDimIdentityMap(rank,
                                                            b.getContext())},
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      [&](OpBuilder &nb, Location nloc, ValueRange) {
        Value inBounds;
        SmallVector<Value> indices;
        for (int64_t d = 0; d < rank; ++d) {
          Value i = linalg::IndexOp::create(nb, nloc, d);
          Value shifted = arith::SubIOp::create(
              nb, nloc, i, arith::ConstantIndexOp::create(nb, nloc, low[d]));
          Value zero = arith::ConstantIndexOp::create(nb, nloc, 0);
          Value size =
              srcType.isDynamicDim(d)
                  ? tensor::DimOp::create(nb, nloc, source, d).getResult()
                  : arith::ConstantIndexOp::create(nb, nloc,
                                                   srcType.getDimSize(d))
                        .getResult();
          Value ok = arith::AndIOp::create(
              nb, nloc,
              arith::CmpIOp::create(nb, nloc, arith::CmpIPredicate::sge,
                                    shifted, zero),
              arith::CmpIOp::create(nb, nloc, arith::CmpIPredicate::slt,
                                    shifted, size));
          inBounds =
              inBounds ? arith::AndIOp::create(nb, nloc, inBounds, ok) : ok;
          // Clamped, so the read stays in bounds when masked off.
          indices.push_back(arith::SelectOp::create(nb, nloc, ok, shifted, zero));
        }
        Value element = tensor::ExtractOp::create(nb, nloc, source, indices);
        Value value =
            arith::SelectOp::create(nb, nloc, inBounds, element,
                                    nb.clone(*padValue.getDefiningOp())
                                        ->getResult(0));
        linalg::YieldOp::create(nb, nloc, value);
      });
  if (Attribute knobs = pad->getAttr(kKnobsAttr))
    generic->setAttr(kKnobsAttr, knobs);
  pad.replaceAllUsesWith(generic->getResult(0));
  pad->erase();
}


/// Fuses into the body of a linalg.generic that reads it (upstream
/// elementwise fusion):
/// - each cheap elementwise op with a rank-0 result (a scalar parameter
///   converted to f32: a 16-bit log_temp): tiling has no slice of a rank-0
///   tensor to fuse it through, so it would otherwise stay outside the
///   threads' loops, on the host;
/// - each conversion read by a generic with reductions (a 16-bit x under a
///   norm's row statistics): fused through tiling, it would be computed as
///   a whole row in the thread's local memory before the reduction walks
///   it; in the body, one value at a time;
/// - each conversion read through a map that is not a projected
///   permutation (a row of the 16-bit qk_gamma read at a constant index),
///   which tiling cannot fuse: it would be a kernel of its own.
/// The producer goes when nothing else reads it.
void inlineScalarProducers(func::FuncOp caller) {
  IRRewriter rewriter(caller.getContext());
  for (bool changed = true; changed;) {
    changed = false;
    caller.walk([&](linalg::GenericOp consumer) {
      if (consumer->getParentOfType<scf::ForallOp>() ||
          !consumer.hasPureTensorSemantics())
        return WalkResult::advance();
      for (OpOperand *operand : consumer.getDpsInputOperands()) {
        auto producer = operand->get().getDefiningOp<linalg::GenericOp>();
        if (!producer || !isCheapElementwise(producer) ||
            !(cast<RankedTensorType>(producer->getResult(0).getType())
                      .getRank() == 0 ||
              (isConversion(producer) &&
               (consumer.getNumReductionLoops() > 0 ||
                !consumer.getMatchingIndexingMap(operand)
                     .isProjectedPermutation()))) ||
            !linalg::areElementwiseOpsFusable(operand))
          continue;
        // A conversion others read too is fused as a copy of its own:
        // fusing it would make the fused op also yield (and a kernel
        // store) the converted tensor for them.
        Value original = producer->getResult(0);
        if (isConversion(producer) && !producer->hasOneUse()) {
          rewriter.setInsertionPoint(producer);
          Operation *copy = rewriter.clone(*producer);
          rewriter.modifyOpInPlace(
              consumer, [&] { operand->set(copy->getResult(0)); });
          producer = cast<linalg::GenericOp>(copy);
        }
        rewriter.setInsertionPoint(consumer);
        FailureOr<linalg::ElementwiseOpFusionResult> fused =
            linalg::fuseElementwiseOps(rewriter, operand);
        if (failed(fused)) {
          // A copy made for this consumer goes back.
          if (producer->getResult(0) != original) {
            rewriter.modifyOpInPlace(consumer, [&] { operand->set(original); });
            rewriter.eraseOp(producer);
          }
          continue;
        }
        // The fused op's results: the producer's still used elsewhere,
        // then the consumer's.
        unsigned first =
            fused->fusedOp->getNumResults() - consumer->getNumResults();
        rewriter.replaceOp(consumer,
                           fused->fusedOp->getResults().drop_front(first));
        for (unsigned i = 0; i < first; ++i)
          rewriter.replaceUsesWithIf(
              producer->getResult(i), fused->fusedOp->getResult(i),
              [&](OpOperand &use) { return use.getOwner() != fused->fusedOp; });
        if (producer->use_empty())
          rewriter.eraseOp(producer);
        changed = true;
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
  }
}

/// Replaces each `tensor.extract_slice` of a cheap producer by the producer
/// computing just the slice (its tile, through TilingInterface), so that
/// the slice's readers can recompute it: the per-direction halves of the
/// EMA's parameter transforms. The producer goes when nothing else reads it.
void sliceCheapProducers(func::FuncOp caller) {
  SmallVector<tensor::ExtractSliceOp> slices;
  caller.walk([&](tensor::ExtractSliceOp slice) {
    auto producer = slice.getSource().getDefiningOp<linalg::LinalgOp>();
    // Read by linalg ops, which may recompute it (not by kernels formed
    // already: a slice per kernel would then be one more kernel).
    bool readByLinalg = llvm::all_of(slice->getUsers(), [](Operation *user) {
      return isa<linalg::LinalgOp>(user);
    });
    if (producer && isCheapElementwise(producer) && slice.hasUnitStride() &&
        !slice->getParentOfType<scf::ForallOp>() &&
        isStaticTensor(slice.getType()) && readByLinalg)
      slices.push_back(slice);
  });
  for (tensor::ExtractSliceOp slice : slices) {
    auto producer = cast<OpResult>(slice.getSource());
    Operation *producerOp = producer.getOwner();
    OpBuilder b(slice);
    FailureOr<TilingResult> tiled =
        tensor::replaceExtractSliceWithTiledProducer(b, slice, producer);
    if (failed(tiled) || tiled->tiledValues.size() != 1 ||
        tiled->tiledValues[0].getType() != slice.getType())
      continue;
    slice.replaceAllUsesWith(tiled->tiledValues[0]);
    slice->erase();
    if (producerOp->use_empty()) {
      SetVector<Operation *> dead;
      dead.insert(producerOp);
      for (Value init : linalg::LinalgOp(producerOp).getDpsInits())
        dead.insert(init.getDefiningOp());
      eraseDead(dead);
    }
  }
}

/// Parallel roots of `caller` in program order: every linalg op left after
/// contraction formation except the fills fused into another root.
SmallVector<ParallelKernel, 0> parallelKernels(func::FuncOp caller) {
  SmallVector<ParallelKernel, 0> kernels;
  DenseSet<Operation *> fused;
  caller.walk([&](linalg::LinalgOp op) {
    if (std::optional<ParallelKernel> k = matchParallel(op)) {
      for (linalg::LinalgOp producer : k->initProducers)
        if (producer)
          fused.insert(producer);
      for (const FusedProducer &producer : k->producers) {
        fused.insert(producer.op);
        for (linalg::LinalgOp ip : producer.initProducers)
          if (ip)
            fused.insert(ip);
      }
      kernels.push_back(std::move(*k));
    }
  });
  llvm::erase_if(kernels, [&](const ParallelKernel &k) {
    return fused.contains(k.root);
  });
  return kernels;
}

/// A fresh init in the kernel body for `init` of a fused op: an empty tensor,
/// holding a copy of the caller's `init` when `copied`, computed by its
/// fused `producer` when there is one.
Value freshInit(OpBuilder &b, Location loc, Value init,
                linalg::LinalgOp producer, bool copied,
                const IRMapping &mapping, KernelBody &body) {
  Value fresh = emptyLike(b, loc, init, body);
  if (copied)
    fresh = linalg::CopyOp::create(b, loc, mapping.lookup(init), fresh)
                ->getResult(0);
  if (!producer)
    return fresh;
  IRMapping producerMapping = mapping;
  for (OpOperand &own : producer.getDpsInitsMutable())
    producerMapping.map(own.get(), fresh);
  return b.clone(*producer, producerMapping)->getResult(0);
}

/// Adds to `dead` what defined `inits` and, for the fused init producers,
/// what defined theirs.
void addInitDefs(SetVector<Operation *> &dead, ValueRange inits,
                 ArrayRef<linalg::LinalgOp> producers) {
  for (auto [init, producer] : llvm::zip(inits, producers)) {
    dead.insert(init.getDefiningOp());
    if (producer)
      for (Value own : linalg::LinalgOp(producer).getDpsInits())
        dead.insert(own.getDefiningOp());
  }
}

/// Moves `kernel` into a new private function `@<caller>_parallel_<index>`
/// (inputs..., results...) and calls it.
void outline(ParallelKernel kernel, func::FuncOp caller, SymbolTable &symbols,
             unsigned index) {
  linalg::LinalgOp root = kernel.root;
  Location loc = root.getLoc();
  SmallVector<Value> inputs(kernel.inputs.begin(), kernel.inputs.end());
  // Sizes read from what moves into the kernel (consumers first: each
  // producer's sizes may read an earlier one's).
  resolveDimsOf(root);
  for (const FusedProducer &fused : llvm::reverse(kernel.producers))
    resolveDimsOf(fused.op);

  OpBuilder b(caller);
  KernelBody body = beginKernel(
      b, loc, caller, symbols,
      (caller.getSymName() + "_parallel_" + Twine(index)).str(), "parallel",
      inputs, root->getResults(), root);
  IRMapping &mapping = body.mapping;
  for (Value c : kernel.constants)
    b.clone(*c.getDefiningOp(), mapping);
  for (Value v : kernel.scalars)
    b.clone(*v.getDefiningOp(), mapping);
  // Fused producers, producers first, each on fresh inits (computed by its
  // init producer where it reads them).
  for (const FusedProducer &fused : kernel.producers) {
    IRMapping producerMapping = mapping;
    linalg::LinalgOp op = fused.op;
    for (auto [init, initProducer] :
         llvm::zip(op.getDpsInits(), fused.initProducers))
      producerMapping.map(init, freshInit(b, loc, init, initProducer,
                                          /*copied=*/false, mapping, body));
    Operation *clone = b.clone(*fused.op, producerMapping);
    mapping.map(fused.op->getResult(0), clone->getResult(0));
  }
  // Each init is a fresh empty tensor (computed by its producer if that was
  // fused), which the strategy replaces by the output argument.
  for (auto [init, producer, copied] :
       llvm::zip(root.getDpsInits(), kernel.initProducers, kernel.copiedInits))
    mapping.map(init,
                freshInit(b, loc, init, producer, copied, mapping, body));
  endKernel(b, loc, body.fn, b.clone(*root, mapping)->getResults());

  b.setInsertionPoint(root);
  callKernel(b, loc, body.fn, "parallel", inputs, root->getResults());
  for (const FusedProducer &fused : llvm::reverse(kernel.producers))
    resolveDimsOf(fused.op);
  SmallVector<Value> rootInits(root.getDpsInits());

  // The fused producers (consumers first), what they and their init
  // producers filled, then the root's inits and what its producers filled.
  // One list: an empty tensor may feed several of them (erased once, after
  // its users).
  root->erase();
  SetVector<Operation *> dead;
  for (const FusedProducer &fused : llvm::reverse(kernel.producers)) {
    linalg::LinalgOp op = fused.op;
    dead.insert(op);
    addInitDefs(dead, op.getDpsInits(), fused.initProducers);
  }
  addInitDefs(dead, rootInits, kernel.initProducers);
  // The call's result sizes may read what is erased now (the root's reified
  // shape is its init's, a fill's): read from what those ops read instead.
  for (Operation *op : dead)
    if (op)
      resolveDimsOf(op);
  eraseDead(dead);
  for (Value v : kernel.scalars)
    if (v.use_empty())
      v.getDefiningOp()->erase();
}

/// Renames the kernels `@<caller><infix><i>` that `caller` calls so that
/// their numbers, and the order of their definitions, follow the order of
/// the calls.
void numberInCallOrder(func::FuncOp caller, SymbolTable &symbols,
                       StringRef infix) {
  std::string prefix = (caller.getSymName() + infix).str();
  SmallVector<func::FuncOp> kernels;
  caller.walk([&](func::CallOp call) {
    if (!call.getCallee().starts_with(prefix))
      return;
    auto fn = symbols.lookup<func::FuncOp>(call.getCallee());
    if (fn && fn->hasAttr(kKernelKindAttr) && !llvm::is_contained(kernels, fn))
      kernels.push_back(fn);
  });
  // Through temporary names: the new names may be taken until all moved.
  ModuleOp module = caller->getParentOfType<ModuleOp>();
  for (unsigned pass = 0; pass < 2; ++pass)
    for (auto [i, fn] : llvm::enumerate(kernels)) {
      std::string name = prefix + (pass == 0 ? "renumbered_" : "") +
                         std::to_string(i);
      auto attr = StringAttr::get(caller.getContext(), name);
      if (failed(SymbolTable::replaceAllSymbolUses(fn, attr, module)))
        continue;
      symbols.remove(fn);
      fn.setSymName(name);
      symbols.insert(fn);
    }
  // Defined in that order too, before the caller.
  for (func::FuncOp fn : kernels)
    fn->moveBefore(caller);
}

/// The type an autocast model of `caller` computes in: the one 16-bit float
/// type of its tensor arguments; null when they have none or two.
static Type autocastType(func::FuncOp caller) {
  Type half;
  for (Type type : caller.getArgumentTypes()) {
    Type et = getElementTypeOrSelf(type);
    if (!isa<TensorType>(type) || !(et.isF16() || et.isBF16()))
      continue;
    if (half && half != et)
      return {};
    half = et;
  }
  return half;
}

/// Marks the local attentions in `root` `seqboat.autocast = half` (an
/// attention that has the attribute keeps its own).
static void markAutocastAttentions(Operation *root, Type half) {
  root->walk([&](seqboat::LocalAttentionOp op) {
    if (!op->hasAttr(seqboat::kAutocastAttr))
      op->setAttr(seqboat::kAutocastAttr, TypeAttr::get(half));
  });
}

/// Under autocast, the local attentions of `caller`'s scan kernels multiply
/// in the model's 16-bit type: the one 16-bit float type of `caller`'s
/// tensor arguments (seqboat.autocast; an attention that has one keeps
/// it). An autocast model's 16-bit projections hand 16-bit q, k and v to
/// its attention, which rounds its weights P to that type for P·V; the
/// decomposed layer keeps q, k and v in f32, so the attention rounds them
/// as it reads them.
static void autocastAttention(func::FuncOp caller, SymbolTable &symbols) {
  Type half = autocastType(caller);
  if (!half)
    return;
  caller.walk([&](func::CallOp call) {
    auto kernel = symbols.lookup<func::FuncOp>(call.getCallee());
    auto kind = kernel ? kernel->getAttrOfType<StringAttr>(kKernelKindAttr)
                       : StringAttr();
    if (!kind || kind.getValue() != "scan")
      return;
    markAutocastAttentions(kernel, half);
  });
}

struct SeqBoatFormKernels
    : public seqboat::impl::SeqBoatFormKernelsBase<SeqBoatFormKernels> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> callers = kernelCallers(module);
    for (func::FuncOp caller : callers) {
      if (autocast)
        autocastAttention(caller, symbols);
      raiseProjections(caller);
      for (auto [i, kernel] : llvm::enumerate(contractionKernels(caller))) {
        absorbConsumer(kernel);
        readHalfOperands(kernel, autocast, symbols);
        outline(kernel, caller, symbols, i);
      }
      if (!parallel)
        continue;
      readNarrowExtracts(caller);
      roundScanResults(caller, symbols);
      SmallVector<tensor::PadOp> pads;
      caller.walk([&](tensor::PadOp pad) { pads.push_back(pad); });
      for (tensor::PadOp pad : pads)
        padToGeneric(pad);
      inlineScalarProducers(caller);
      sliceCheapProducers(caller);
      // Matched again one at a time: outlining a kernel replaces the values
      // later kernels read.
      SmallVector<Operation *> roots;
      for (const ParallelKernel &kernel : parallelKernels(caller))
        roots.push_back(kernel.root);
      unsigned index = 0;
      for (Operation *root : roots)
        if (std::optional<ParallelKernel> kernel =
                matchParallel(cast<linalg::LinalgOp>(root)))
          outline(*kernel, caller, symbols, index++);
      // What is still read of a cheap producer that some of its users
      // recomputed and others did not (too many recomputations there), and
      // of the producers a recomputed one could not take along (a row's
      // sum under its mean): kernels of their own, matched last to first
      // so that each takes its own producers.
      for (bool formed = true; formed;) {
        formed = false;
        caller.walk<WalkOrder::PostOrder, ReverseIterator>(
            [&](linalg::LinalgOp op) {
          if (op->getParentOfType<scf::ForallOp>())
            return WalkResult::advance();
          std::optional<ParallelKernel> kernel = matchParallel(op);
          if (!kernel)
            return WalkResult::advance();
          outline(*kernel, caller, symbols, index++);
          formed = true;
          return WalkResult::interrupt();
        });
      }
      // Numbered in the order the caller runs them.
      numberInCallOrder(caller, symbols, "_parallel_");
      // Slices of the inits of producers computed by slice, left unread.
      caller.walk<WalkOrder::PostOrder, ReverseIterator>([&](Operation *op) {
        if (isa<tensor::ExtractSliceOp, tensor::EmptyOp>(op) &&
            isOpTriviallyDead(op))
          op->erase();
      });
    }
  }
};

/// The first i in [0, n) for which `right(i)` holds, or n when none does,
/// for a predicate false then true along i: a binary search of
/// ceil(log2(n + 1)) fixed steps (no data-dependent trip count, so every
/// thread of a warp runs the same loop), each halving [lo, hi].
Value lowerBound(OpBuilder &b, Location loc, OpFoldResult size,
                 function_ref<Value(OpBuilder &, Location, Value)> right) {
  auto index = [&](OpBuilder &ib, int64_t v) {
    return arith::ConstantIndexOp::create(ib, loc, v).getResult();
  };
  Value steps, n = getValueOrCreateConstantIndexOp(b, loc, size);
  if (std::optional<int64_t> c = getConstantIntValue(size)) {
    steps = index(b, llvm::Log2_64_Ceil(static_cast<uint64_t>(*c) + 1));
  } else {
    // A runtime n: ceil(log2(n + 1)) = 64 - clz(n), the same for every
    // thread of a row.
    Value n64 = arith::IndexCastUIOp::create(b, loc, b.getI64Type(), n);
    Value bits = arith::SubIOp::create(
        b, loc, arith::ConstantIntOp::create(b, loc, 64, 64),
        math::CountLeadingZerosOp::create(b, loc, n64));
    steps = arith::IndexCastUIOp::create(b, loc, b.getIndexType(), bits);
  }
  Value last = arith::SubIOp::create(b, loc, n, index(b, 1));
  auto search = scf::ForOp::create(
      b, loc, index(b, 0), steps, index(b, 1), ValueRange{index(b, 0), n},
      [&](OpBuilder &ib, Location il, Value, ValueRange range) {
        Value lo = range[0], hi = range[1];
        Value open =
            arith::CmpIOp::create(ib, il, arith::CmpIPredicate::ult, lo, hi);
        Value mid = arith::ShRUIOp::create(
            ib, il, arith::AddIOp::create(ib, il, lo, hi), index(ib, 1));
        // mid < n whenever the range is open; clamped for the closed ones.
        Value probe = arith::MinUIOp::create(ib, il, mid, last);
        Value isRight = right(ib, il, probe);
        Value down = arith::AndIOp::create(ib, il, open, isRight);
        Value up = arith::AndIOp::create(
            ib, il, open,
            arith::XOrIOp::create(ib, il, isRight,
                                  arith::ConstantIntOp::create(ib, il, 1, 1)));
        Value newHi = arith::SelectOp::create(ib, il, down, mid, hi);
        Value newLo = arith::SelectOp::create(
            ib, il, up, arith::AddIOp::create(ib, il, mid, index(ib, 1)), lo);
        scf::YieldOp::create(ib, il, ValueRange{newLo, newHi});
      });
  return search.getResult(0);
}

/// seqboat::parallelGeneric computing `type` from nothing but its loop
/// indices, which `body` receives.
Value indexGeneric(OpBuilder &b, Location loc, RankedTensorType type,
                   function_ref<Value(OpBuilder &, Location, ValueRange)> body,
                   ArrayRef<OpFoldResult> sizes = {}) {
  SmallVector<OpFoldResult> shape(sizes);
  if (shape.empty())
    shape = getAsIndexOpFoldResult(b.getContext(), type.getShape());
  return parallelGeneric(
      b, loc, shape, type.getElementType(), ValueRange{},
      ArrayRef<AffineMap>{}, [&](OpBuilder &nb, Location l, ValueRange) {
        SmallVector<Value> indices;
        for (int64_t d = 0; d < type.getRank(); ++d)
          indices.push_back(linalg::IndexOp::create(nb, l, d));
        return body(nb, l, indices);
      });
}

/// `seqboat.scatter` of the rows `compact_index` compacted, as a parallel
/// gather: `pos` then holds increasing positions in its first `count`
/// slots and -1 after them, so output row t is row i of xc for the first
/// slot i with pos[i] < 0 or pos[i] >= t (lowerBound) when pos[i] == t, and
/// 0 otherwise. Every element of the output is then one thread's, where the
/// scatter's scan kernel gave a thread a whole column of the output.
/// B and L may be runtime sizes; scatters of other positions stay scan
/// kernels.
void scatterAsGather(OpBuilder &b, ScatterOp op) {
  auto compact = op.getPos().getDefiningOp<CompactIndexOp>();
  auto xcType = cast<RankedTensorType>(op.getXc().getType());
  auto outType = cast<RankedTensorType>(op.getType());
  if (!compact || op.getPos() != compact->getResult(0) ||
      !isKernelTensor(xcType) || !isKernelTensor(outType) ||
      !isKernelTensor(op.getPos().getType()))
    return;
  Type et = outType.getElementType();
  Value xc = op.getXc(), pos = op.getPos();
  // B and L may be runtime sizes: those of the op's reified shape.
  ReifiedRankedShapedTypeDims shapes;
  if (failed(reifyResultShapes(b, op, shapes)))
    return;
  Value out = indexGeneric(
      b, op.getLoc(), outType, [&](OpBuilder &nb, Location l, ValueRange ix) {
        Value bi = ix[0], t = ix[1], f = ix[2];
        Value t32 = arith::IndexCastOp::create(nb, l, nb.getI32Type(), t);
        Value zero32 = arith::ConstantIntOp::create(nb, l, 0, 32);
        // The compacted slots S (a runtime size: read from xc).
        OpFoldResult slots =
            xcType.isDynamicDim(1)
                ? OpFoldResult(tensor::DimOp::create(nb, l, xc, 1).getResult())
                : OpFoldResult(nb.getIndexAttr(xcType.getDimSize(1)));
        Value slotsV = getValueOrCreateConstantIndexOp(nb, l, slots);
        Value last = arith::SubIOp::create(
            nb, l, slotsV, arith::ConstantIndexOp::create(nb, l, 1));
        auto posAt = [&](OpBuilder &ib, Location il, Value i) {
          return tensor::ExtractOp::create(ib, il, pos, ValueRange{bi, i})
              .getResult();
        };
        Value i = lowerBound(nb, l, slots, [&](OpBuilder &ib, Location il,
                                              Value probe) {
          Value p = posAt(ib, il, probe);
          return arith::OrIOp::create(
                     ib, il,
                     arith::CmpIOp::create(ib, il, arith::CmpIPredicate::slt,
                                           p, zero32),
                     arith::CmpIOp::create(ib, il, arith::CmpIPredicate::sge,
                                           p, t32))
              .getResult();
        });
        Value row = arith::MinUIOp::create(nb, l, i, last);
        Value inSlots = arith::CmpIOp::create(
            nb, l, arith::CmpIPredicate::ult, i, slotsV);
        Value hit = arith::AndIOp::create(
            nb, l, inSlots,
            arith::CmpIOp::create(nb, l, arith::CmpIPredicate::eq,
                                  posAt(nb, l, row), t32));
        Value v = tensor::ExtractOp::create(nb, l, xc, ValueRange{bi, row, f});
        Value zero = arith::ConstantOp::create(nb, l, et, nb.getZeroAttr(et));
        return arith::SelectOp::create(nb, l, hit, v, zero).getResult();
      },
      shapes[0]);
  op.replaceAllUsesWith(out);
  op->erase();
}

/// Tokens per chunk of the parallel compaction.
constexpr int64_t kCompactChunk = 64;

/// `seqboat.compact_index` as a parallel prefix count in three kernels
/// and a gather, instead of a scan kernel with a thread per batch row
/// walking the sequence. With chunks of C tokens (C = min(L, 64), NC =
/// ceil(L / C), the last chunk masked):
///   start[b, c]     = #active tokens before chunk c      (B·NC threads)
///   prefix[b, c, i] = start[b, c] + #active in chunk c up to i (B·NC·C)
///   pos[b, s]       = first t with prefix[b, t] >= s + 1 if t < L, else -1
///                     (lowerBound over the row: the prefix count is
///                     monotone; padded positions hold the row's count)
///   count[b]        = start[b, NC]
/// Every step is a linalg op the parallel strategy compiles (the active
/// flags and the prefix are read by index, masked at the ends).
void compactAsParallelScan(OpBuilder &b, CompactIndexOp op) {
  auto activeType = cast<RankedTensorType>(op.getActive().getType());
  auto posType = cast<RankedTensorType>(op.getPos().getType());
  auto countType = cast<RankedTensorType>(op.getCount().getType());
  if (!isKernelTensor(activeType) || !isKernelTensor(posType) ||
      !isKernelTensor(countType))
    return;
  Location loc = op.getLoc();
  MLIRContext *ctx = b.getContext();
  // B, L and S may be runtime sizes (the op's reified shape).
  ReifiedRankedShapedTypeDims shapes;
  if (failed(reifyResultShapes(b, op, shapes)))
    return;
  Value active = op.getActive();
  OpFoldResult bsz = tensor::getMixedSize(b, loc, active, 0);
  OpFoldResult len = tensor::getMixedSize(b, loc, active, 1);
  std::optional<int64_t> staticLen = getConstantIntValue(len);
  int64_t chunk =
      staticLen ? std::min<int64_t>(*staticLen, kCompactChunk) : kCompactChunk;
  AffineExpr s0;
  bindSymbols(ctx, s0);
  OpFoldResult chunks = affine::makeComposedFoldedAffineApply(
      b, loc, s0.ceilDiv(chunk), {len});
  OpFoldResult chunksPlusOne =
      affine::makeComposedFoldedAffineApply(b, loc, s0 + 1, {chunks});
  OpFoldResult padded =
      affine::makeComposedFoldedAffineApply(b, loc, s0 * chunk, {chunks});
  // Sizes read inside a body: a constant, or the dim of a tensor the body
  // captures (a runtime size).
  auto sizeIn = [](OpBuilder &nb, Location l, OpFoldResult size, Value of,
                   int64_t dim) -> Value {
    if (std::optional<int64_t> c = getConstantIntValue(size))
      return arith::ConstantIndexOp::create(nb, l, *c);
    return tensor::DimOp::create(nb, l, of, dim);
  };
  Type i32 = b.getI32Type();
  // start[b, c] = sum over t < c·C of active[b, t]: loops (b, c, t), for
  // c up to NC, whose start is the row's count.
  Value starts = reductionGeneric(
      b, loc, ArrayRef<OpFoldResult>{bsz, chunksPlusOne},
      /*numReductionDims=*/1, ValueRange{active},
      ArrayRef<AffineMap>{dimsMap(ctx, 3, {0, 2})},
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value c = linalg::IndexOp::create(nb, l, 1);
        Value t = linalg::IndexOp::create(nb, l, 2);
        Value before = arith::CmpIOp::create(
            nb, l, arith::CmpIPredicate::ult, t,
            arith::MulIOp::create(
                nb, l, c, arith::ConstantIndexOp::create(nb, l, chunk)));
        Value on = arith::AndIOp::create(nb, l, before, args[0]);
        return arith::ExtUIOp::create(nb, l, i32, on).getResult();
      },
      filledTensor(b, loc, ArrayRef<OpFoldResult>{bsz, chunksPlusOne}, i32,
                   0));
  Value start = tensor::ExtractSliceOp::create(
      b, loc, starts,
      ArrayRef<OpFoldResult>{b.getIndexAttr(0), b.getIndexAttr(0)},
      ArrayRef<OpFoldResult>{bsz, chunks},
      ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
  // The flags as 0/1 in [B, NC, C] chunks, 0 past L: data movement, fused
  // into the prefix kernel (each thread reads its chunk's flags).
  SmallVector<OpFoldResult> flagSizes = {bsz, chunks, b.getIndexAttr(chunk)};
  SmallVector<int64_t> flagShape;
  SmallVector<Value> unusedDynamic;
  dispatchIndexOpFoldResults(flagSizes, unusedDynamic, flagShape);
  Value flags = indexGeneric(
      b, loc, RankedTensorType::get(flagShape, i32),
      [&](OpBuilder &nb, Location l, ValueRange ix) {
        Value t = arith::AddIOp::create(
            nb, l,
            arith::MulIOp::create(
                nb, l, ix[1], arith::ConstantIndexOp::create(nb, l, chunk)),
            ix[2]);
        Value inRange = arith::CmpIOp::create(
            nb, l, arith::CmpIPredicate::ult, t, sizeIn(nb, l, len, active, 1));
        Value clamped = arith::SelectOp::create(
            nb, l, inRange, t, arith::ConstantIndexOp::create(nb, l, 0));
        Value a =
            tensor::ExtractOp::create(nb, l, active, ValueRange{ix[0], clamped});
        Value on = arith::AndIOp::create(nb, l, inRange, a);
        return arith::ExtUIOp::create(nb, l, i32, on).getResult();
      },
      flagSizes);
  // prefix[b, c, i] = start[b, c] + sum over j <= i of flags[b, c, j]:
  // loops (b, c, i, j).
  Value prefix = reductionGeneric(
      b, loc, ArrayRef<OpFoldResult>(flagSizes), /*numReductionDims=*/1,
      ValueRange{start, flags},
      ArrayRef<AffineMap>{dimsMap(ctx, 4, {0, 1}), dimsMap(ctx, 4, {0, 1, 3})},
      [&](OpBuilder &nb, Location l, ValueRange args) {
        Value i = linalg::IndexOp::create(nb, l, 2);
        Value j = linalg::IndexOp::create(nb, l, 3);
        Value zero = arith::ConstantIntOp::create(nb, l, 0, 32);
        Value upTo =
            arith::CmpIOp::create(nb, l, arith::CmpIPredicate::ule, j, i);
        Value add = arith::SelectOp::create(nb, l, upTo, args[1], zero);
        Value first = arith::CmpIOp::create(
            nb, l, arith::CmpIPredicate::eq, j,
            arith::ConstantIndexOp::create(nb, l, 0));
        Value base = arith::SelectOp::create(nb, l, first, args[0], zero);
        return arith::AddIOp::create(nb, l, add, base).getResult();
      },
      filledTensor(b, loc, ArrayRef<OpFoldResult>(flagSizes), i32, 0));
  Value flat = tensor::CollapseShapeOp::create(
      b, loc, prefix, ArrayRef<ReassociationIndices>{{0}, {1, 2}});
  auto prefixAt = [&](OpBuilder &nb, Location l, Value bi, Value t) {
    return tensor::ExtractOp::create(nb, l, flat, ValueRange{bi, t})
        .getResult();
  };
  Value pos = indexGeneric(
      b, loc, posType,
      [&](OpBuilder &nb, Location l, ValueRange ix) {
        Value bi = ix[0];
        Value want = arith::AddIOp::create(
            nb, l, arith::IndexCastOp::create(nb, l, i32, ix[1]),
            arith::ConstantIntOp::create(nb, l, 1, 32));
        OpFoldResult searched =
            getConstantIntValue(padded)
                ? padded
                : OpFoldResult(tensor::DimOp::create(nb, l, flat, 1).getResult());
        Value t = lowerBound(nb, l, searched,
                             [&](OpBuilder &ib, Location il, Value probe) {
                               return arith::CmpIOp::create(
                                          ib, il, arith::CmpIPredicate::sge,
                                          prefixAt(ib, il, bi, probe), want)
                                   .getResult();
                             });
        Value found = arith::CmpIOp::create(
            nb, l, arith::CmpIPredicate::ult, t, sizeIn(nb, l, len, active, 1));
        return arith::SelectOp::create(
                   nb, l, found, arith::IndexCastOp::create(nb, l, i32, t),
                   arith::ConstantIntOp::create(nb, l, -1, 32))
            .getResult();
      },
      shapes[0]);
  Value count = indexGeneric(
      b, loc, countType,
      [&](OpBuilder &nb, Location l, ValueRange ix) {
        // Column NC of the starts: the last one.
        Value last = arith::SubIOp::create(
            nb, l, sizeIn(nb, l, chunksPlusOne, starts, 1),
            arith::ConstantIndexOp::create(nb, l, 1));
        return tensor::ExtractOp::create(nb, l, starts,
                                         ValueRange{ix[0], last})
            .getResult();
      },
      shapes[1]);
  op.getPos().replaceAllUsesWith(pos);
  op.getCount().replaceAllUsesWith(count);
  op->erase();
}

/// Calls `rewrite` on every `OpT` of `caller` outside a kernel's forall,
/// collected first (a rewrite may erase its op), with a builder at the op.
template <typename OpT>
void rewriteHostOps(func::FuncOp caller,
                    function_ref<void(OpBuilder &, OpT)> rewrite) {
  SmallVector<OpT> ops;
  caller.walk([&](OpT op) {
    if (!op->template getParentOfType<scf::ForallOp>())
      ops.push_back(op);
  });
  // The linalg ops a rewrite creates (not those in their bodies) take the
  // rewritten op's strategy knobs, as they do in convert-seqboat-to-linalg.
  struct KnobsListener : OpBuilder::Listener {
    void notifyOperationInserted(Operation *op,
                                 OpBuilder::InsertPoint) override {
      if (knobs && isa<linalg::LinalgOp>(op) && !op->hasAttr(kKnobsAttr) &&
          !op->getParentOfType<linalg::LinalgOp>())
        op->setAttr(kKnobsAttr, knobs);
    }
    DictionaryAttr knobs;
  } listener;
  for (OpT op : ops) {
    listener.knobs = op->template getAttrOfType<DictionaryAttr>(kKnobsAttr);
    OpBuilder b(op, &listener);
    rewrite(b, op);
  }
}

/// Ops whose lowering has a sequential part (the ScanKernelRoot trait) and
/// that can be tiled, on kernel tensors (isKernelTensor: B and L may be
/// dynamic): the roots of scan kernels.
bool isScanRoot(Operation *op) {
  return isScanKernelRoot(op) && isa<TilingInterface>(op) &&
         llvm::all_of(op->getOperandTypes(), isKernelTensor) &&
         llvm::all_of(op->getResultTypes(), isKernelTensor) &&
         reifiesResults(op) && dimUsesResolvable(op);
}

/// The elementwise epilogue a scan kernel computes after its root: the only
/// user of the root's single result, an all-parallel linalg.generic with
/// one static result of the same type that reads the root's result through
/// the identity map, its init (an empty tensor) not at all, and anything
/// else through static tensors, with a body of scalar arith/math ops on
/// constants (the attention's output gated by r). Each thread then applies
/// it to the tile of the root it computed, saving the result's HBM round
/// trip and a kernel. Null when there is none.
linalg::GenericOp matchScanEpilogue(Operation *root) {
  if (root->getNumResults() != 1 || !root->hasOneUse())
    return {};
  auto epi = dyn_cast<linalg::GenericOp>(*root->getUsers().begin());
  Value result = root->getResult(0);
  if (!epi || !epi.hasPureTensorSemantics() || epi->getNumResults() != 1 ||
      epi.getNumDpsInits() != 1 ||
      epi.getNumParallelLoops() != epi.getNumLoops() ||
      epi->getResult(0).getType() != result.getType() || !hasScalarBody(epi) ||
      !allConstant(capturedValues(epi)) ||
      !epi.getDpsInitOperand(0)->get().getDefiningOp<tensor::EmptyOp>() ||
      epi.payloadUsesValueFromOperand(epi.getDpsInitOperand(0)) ||
      epi->getParentOfType<scf::ForallOp>())
    return {};
  bool readsRoot = false;
  for (OpOperand *in : epi.getDpsInputOperands()) {
    if (in->get() == result) {
      if (!epi.getMatchingIndexingMap(in).isIdentity())
        return {};
      readsRoot = true;
    } else if (!isKernelTensor(in->get().getType())) {
      return {};
    }
  }
  // The kernel makes the epilogue's init from the sizes of its result.
  if (!sizesKnownFrom(epi.getDpsInitOperand(0)->get(),
                      SmallVector<Value>(epi->getResults())))
    return {};
  return readsRoot ? epi : linalg::GenericOp();
}

/// The elementwise producer of a scan op's operand that its kernel can
/// compute where it reads an element (a local attention's q, k, v or
/// rel_bias in the attention strategy's gathers, LocalAttentionFlash,
/// seqboat::getElementwiseProducer; a state scan's decay in its threads'
/// tiles) and take along: its init an empty tensor, its body on constants,
/// every input a kernel tensor. Null when there is none.
linalg::GenericOp matchOperandProducer(Value operand) {
  linalg::GenericOp pro = getElementwiseProducer(operand);
  if (!pro || !allConstant(capturedValues(pro)) ||
      !pro.getDpsInitOperand(0)->get().getDefiningOp<tensor::EmptyOp>() ||
      pro->getParentOfType<scf::ForallOp>() ||
      !llvm::all_of(pro.getDpsInputs(), [](Value in) {
        return isKernelTensor(in.getType());
      }))
    return {};
  // The kernel makes the producer's init from the sizes of its inputs.
  if (!sizesKnownFrom(pro.getDpsInitOperand(0)->get(),
                      SmallVector<Value>(pro.getDpsInputs())))
    return {};
  return pro;
}

/// `pro` reading each input that is the extension of a 16-bit tensor as
/// that tensor, extended in its body (the same values; the kernel then
/// reads the 16-bit tensor instead of a copy another kernel extends). `pro`
/// itself when it has no such input.
linalg::GenericOp readNarrowInputs(linalg::GenericOp pro) {
  SmallVector<Value> inputs(pro.getDpsInputs());
  SmallVector<bool> narrow;
  for (Value &in : inputs) {
    Value source = extendedFrom(in);
    narrow.push_back(static_cast<bool>(source));
    if (source)
      in = source;
  }
  if (llvm::none_of(narrow, [](bool n) { return n; }))
    return pro;
  OpBuilder b(pro);
  auto wide = linalg::GenericOp::create(
      b, pro.getLoc(), pro->getResultTypes(), inputs, pro.getDpsInits(),
      pro.getIndexingMapsArray(), pro.getIteratorTypesArray(),
      [&](OpBuilder &nb, Location nloc, ValueRange args) {
        IRMapping mapping;
        Block *old = pro.getBody();
        mapping.map(old->getArguments(), args);
        for (auto [i, isNarrow] : llvm::enumerate(narrow))
          if (isNarrow)
            mapping.map(old->getArgument(i),
                        arith::ExtFOp::create(nb, nloc, nb.getF32Type(),
                                              args[i]));
        for (Operation &op : old->without_terminator())
          nb.clone(op, mapping);
        linalg::YieldOp::create(
            nb, nloc, mapping.lookup(old->getTerminator()->getOperand(0)));
      });
  // The extensions it read, erased once nothing else reads them.
  SetVector<Operation *> dead;
  for (auto [i, isNarrow] : llvm::enumerate(narrow))
    if (isNarrow) {
      auto ext = pro.getDpsInputs()[i].getDefiningOp<linalg::GenericOp>();
      dead.insert(ext);
      dead.insert(ext.getDpsInits()[0].getDefiningOp());
    }
  pro.getResult(0).replaceAllUsesWith(wide.getResult(0));
  pro->erase();
  eraseDead(dead);
  return wide;
}

/// Moves `op` (and its elementwise epilogue, matchScanEpilogue, and for a
/// local attention on the attention strategy the elementwise producers of
/// its q, k, v and rel_bias, matchOperandProducer) into a new private function
/// `@<caller>_scan_<index>` (inputs..., results...) and calls it.
void outlineScan(Operation *op, func::FuncOp caller, SymbolTable &symbols,
                 unsigned index, int64_t attentionKeyBlock) {
  Location loc = op->getLoc();
  resolveDimsOf(op);
  linalg::GenericOp epi = matchScanEpilogue(op);
  // (Reading a 16-bit tensor it extends as it is: the attention's gate r
  // from a projection rounded under autocast.)
  if (epi)
    epi = readNarrowInputs(epi);
  SmallVector<linalg::GenericOp> prologues;
  if (auto attention = dyn_cast<LocalAttentionOp>(op)) {
    int64_t keyBlock = attentionKeyBlock;
    if (auto knobs = op->getAttrOfType<DictionaryAttr>(kKnobsAttr))
      if (auto kb = knobs.getAs<IntegerAttr>("key_block"))
        keyBlock = kb.getInt();
    // The query tile is gathered once per block: it takes any such
    // producer. Key and value tiles are gathered once per key tile, inside
    // the loop: there a producer that reads more than one tensor (the
    // layer's k = z·γ₁ + β₁) stays a kernel of its own, as its extra loads
    // and their addresses would stay live across the loop (ptxas spilled
    // the example layer's attention kernel with k's).
    // (rel_bias, read per score, like a key tile.) Each operand is read
    // from the op again: readNarrowInputs replaces the producer it
    // rewrites, which another operand may also read.
    auto gathered = [&](unsigned i) -> Value {
      switch (i) {
      case 0:
        return attention.getQ();
      case 1:
        return attention.getK();
      case 2:
        return attention.getV();
      default:
        return attention.getRelBias();
      }
    };
    // Under seqboat.autocast = T the strategy rounds the key and value
    // tiles to T as it gathers them: a producer of k or v that stays a
    // kernel of its own (reading more than one tensor) and that nothing
    // else reads then stores its result rounded to T, which the gathers
    // read in 16 bits and round again to the same values.
    auto autocastType = op->getAttrOfType<TypeAttr>(kAutocastAttr);
    for (unsigned i = 1; keyBlock > 0 && autocastType && i < 3; ++i) {
      Value operand = gathered(i);
      linalg::GenericOp pro = matchOperandProducer(operand);
      if (!pro || pro.getNumDpsInputs() == 1 || !operand.hasOneUse() ||
          !getElementTypeOrSelf(operand.getType()).isF32())
        continue;
      OpBuilder b(pro);
      linalg::GenericOp rounded =
          roundedGeneric(b, pro, autocastType.getValue());
      op->setOperand(i, convertFloatTensor(b, pro.getLoc(), rounded.getResult(0),
                                        b.getF32Type()));
      eraseWithInit(pro);
    }
    for (unsigned i = 0; keyBlock > 0 && i < 4; ++i)
      if (Value operand = gathered(i))
        if (linalg::GenericOp pro = matchOperandProducer(operand))
          if (!llvm::is_contained(prologues, pro) &&
              (i == 0 || pro.getNumDpsInputs() == 1))
            prologues.push_back(readNarrowInputs(pro));
  } else {
    // Any other scan op takes the elementwise producers of its operands
    // that read nothing but the caller's arguments (the decay of a state
    // scan, computed from the model's parameters): each thread computes
    // the elements of its tile, so the parameters are read, not a tensor a
    // kernel of its own wrote.
    // (Through chains of such producers: the decay exp(T·log q) of q's
    // logarithm, itself computed from the parameters.)
    std::function<bool(Value)> fromParameters = [&](Value v) -> bool {
      Value source = extendedFrom(v);
      if (auto arg = dyn_cast<BlockArgument>(source ? source : v))
        return arg.getOwner() == &caller.getBody().front();
      linalg::GenericOp pro = matchOperandProducer(v);
      return pro && llvm::all_of(pro.getDpsInputs(), fromParameters);
    };
    std::function<void(Value)> take = [&](Value v) {
      linalg::GenericOp pro = matchOperandProducer(v);
      if (!pro || extendedFrom(v) || llvm::is_contained(prologues, pro))
        return;
      for (Value in : pro.getDpsInputs())
        take(in);
      // (Its inputs' producers were replaced in place: read it again.)
      prologues.push_back(
          readNarrowInputs(v.getDefiningOp<linalg::GenericOp>()));
    };
    for (Value operand : op->getOperands())
      if (matchOperandProducer(operand) && fromParameters(operand))
        take(operand);
  }
  // The kernel's inputs: the op's operands, but for those its producers
  // compute, what they read (but for each other's results).
  auto isPrologue = [&](Value v) {
    auto pro = v.getDefiningOp<linalg::GenericOp>();
    return pro && llvm::is_contained(prologues, pro);
  };
  SetVector<Value> unique;
  std::function<void(Value)> addInput = [&](Value v) {
    if (!isPrologue(v)) {
      unique.insert(v);
      return;
    }
    for (Value in : v.getDefiningOp<linalg::GenericOp>().getDpsInputs())
      addInput(in);
  };
  for (Value operand : op->getOperands())
    addInput(operand);
  if (epi)
    for (Value v : epi.getDpsInputs())
      if (v.getDefiningOp() != op)
        unique.insert(v);
  SmallVector<Value> inputs(unique.begin(), unique.end());
  ValueRange results = epi ? epi->getResults() : op->getResults();
  OpBuilder b(caller);
  KernelBody body = beginKernel(
      b, loc, caller, symbols,
      (caller.getSymName() + "_scan_" + Twine(index)).str(), "scan", inputs,
      results, op);
  for (linalg::GenericOp pro : prologues) {
    Value init = pro.getDpsInitOperand(0)->get();
    body.mapping.map(init, emptyLike(b, loc, init, body));
    for (Value v : capturedValues(pro))
      if (!body.mapping.contains(v))
        body.mapping.map(v, b.clone(*v.getDefiningOp())->getResult(0));
    b.clone(*pro, body.mapping);
  }
  Operation *kernelOp = b.clone(*op, body.mapping);
  if (epi) {
    Value init = epi.getDpsInitOperand(0)->get();
    body.mapping.map(init, emptyLike(b, loc, init, body));
    SetVector<Value> captured = capturedValues(epi);
    for (Value v : captured)
      body.mapping.map(v, b.clone(*v.getDefiningOp())->getResult(0));
    kernelOp = b.clone(*epi, body.mapping);
  }
  endKernel(b, loc, body.fn, kernelOp->getResults());
  b.setInsertionPoint(epi ? epi.getOperation() : op);
  callKernel(b, loc, body.fn, "scan", inputs, results);
  // The result sizes of the call may read op's (the epilogue's shape).
  resolveDimsOf(op);
  if (epi)
    epi->erase();
  op->erase();
  // (A producer that something else reads stays, for that reader; a chain
  // is erased from its last producer.)
  for (linalg::GenericOp pro : llvm::reverse(prologues))
    if (pro->use_empty())
      eraseWithInit(pro);
}

struct SeqBoatFormScanKernels
    : public seqboat::impl::SeqBoatFormScanKernelsBase<SeqBoatFormScanKernels> {
  using Base::Base;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> callers = kernelCallers(module);
    for (func::FuncOp caller : callers) {
      // Under autocast, the projections on 16-bit weights store their
      // results rounded, before the kernels that read them are formed.
      if (Type half = autocast ? autocastType(caller) : Type()) {
        // (Its attentions multiply in `half`, as kernel formation marks
        // them; marked here so that their kernels read k and v rounded.)
        markAutocastAttentions(caller, half);
        // (With runtime B and L, a projection whose result's sizes a later
        // op reads keeps its elementwise consumer, and a bias broadcast
        // whose sizes it read is still a copy, only once those sizes are
        // read from what the ops were sized by instead: the tensor.dims of
        // linalg and empty tensors' results resolved until there is none.)
        for (bool resolved = true; resolved;) {
          resolved = false;
          SetVector<Operation *> sized;
          caller.walk([&](tensor::DimOp dim) {
            Operation *def = dim.getSource().getDefiningOp();
            if (isa_and_nonnull<linalg::LinalgOp, tensor::EmptyOp>(def) &&
                dim.getConstantIndex())
              sized.insert(def);
          });
          for (Operation *op : sized) {
            resolveDimsOf(op);
            // (Progress only where its dims went: one that reifies no
            // shape keeps them.)
            resolved |= llvm::none_of(op->getUsers(), [](Operation *user) {
              return isa<tensor::DimOp>(user);
            });
          }
        }
        raiseProjections(caller);
        for (ContractionKernel kernel : contractionKernels(caller)) {
          absorbConsumer(kernel);
          roundContractionResult(kernel, half);
        }
      }
      rewriteHostOps<ScatterOp>(caller, scatterAsGather);
      // After the scatters: they look for the compact_index they read.
      rewriteHostOps<CompactIndexOp>(caller, compactAsParallelScan);
      SmallVector<Operation *> roots;
      caller.walk([&](Operation *op) {
        if (isScanRoot(op) && !op->getParentOfType<scf::ForallOp>())
          roots.push_back(op);
      });
      // Numbered after the caller's scan kernels formed earlier (the
      // pipeline forms them again after the linalg lowering made more).
      unsigned first = 0;
      while (symbols.lookup(
          (caller.getSymName() + "_scan_" + Twine(first)).str()))
        ++first;
      for (auto [i, op] : llvm::enumerate(roots))
        outlineScan(op, caller, symbols, first + i, attentionKeyBlock);
    }
  }
};

} // namespace
