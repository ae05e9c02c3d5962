//===- FormKernels.cpp - outline contraction kernels ----------------------===//
//
// Kernel formation of the generic GPU path: a contraction root, the fill of
// its accumulator and its elementwise epilogue become one private function
// with a memref ABI, which seqboat-apply-strategies then compiles with the
// contraction strategy. Keeping the kernel in its own function is what lets a
// transform-dialect strategy match its ops by name and bufferize it on its
// own, and it makes the partition visible (and testable) in the IR.
//
//===----------------------------------------------------------------------===//

#include "seqboat/Conversion/SeqBoatToGPU/SeqBoatToGPU.h"

#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Transforms/RegionUtils.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::seqboat {
#define GEN_PASS_DEF_SEQBOATFORMKERNELS
#define GEN_PASS_DEF_SEQBOATFREEKERNELRESULTS
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

/// A non-empty static f32 tensor of `rank` (empty kernels have nothing to
/// tile).
bool isStaticF32(Type type, int64_t rank) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.hasStaticShape() && tensor.getRank() == rank &&
         tensor.getElementType().isF32() &&
         llvm::all_of(tensor.getShape(), [](int64_t d) { return d > 0; });
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
/// reading the accumulator (input 0, identity) and a bias [N] (input 1,
/// broadcast along rows), not reading its init, with a body of scalar
/// arith/math ops.
bool isBiasEpilogue(linalg::GenericOp epi, Value acc) {
  MLIRContext *ctx = epi.getContext();
  if (!epi.hasPureTensorSemantics() || epi.getNumDpsInputs() != 2 ||
      epi.getNumDpsInits() != 1 || epi.getNumLoops() != 2 ||
      epi.getNumParallelLoops() != 2 || epi.getDpsInputs()[0] != acc ||
      !isStaticF32(epi.getDpsInputs()[1].getType(), 1) ||
      epi.getResult(0).getType() != acc.getType() ||
      epi.payloadUsesValueFromOperand(epi.getDpsInitOperand(0)) ||
      !allConstant(capturedValues(epi)))
    return false;
  AffineMap identity = AffineMap::getMultiDimIdentityMap(2, ctx);
  AffineMap columns = AffineMap::get(2, 0, getAffineDimExpr(1, ctx), ctx);
  SmallVector<AffineMap> maps = epi.getIndexingMapsArray();
  if (maps[0] != identity || maps[1] != columns || maps[2] != identity)
    return false;
  return llvm::all_of(epi.getBody()->without_terminator(), [](Operation &op) {
    return op.getNumRegions() == 0 &&
           isa<arith::ArithDialect, math::MathDialect>(op.getDialect());
  });
}

std::optional<ContractionKernel> matchContraction(linalg::MatmulOp mm) {
  MLIRContext *ctx = mm.getContext();
  if (!mm.hasPureTensorSemantics() || mm.getNumDpsInputs() != 2 ||
      !isStaticF32(mm.getDpsInputs()[0].getType(), 2) ||
      !isStaticF32(mm.getDpsInputs()[1].getType(), 2) ||
      !isStaticF32(mm.getResult(0).getType(), 2) || !mm->hasOneUse())
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
  return ContractionKernel{fill, mm, epi};
}

} // namespace

linalg::GenericOp seqboat::getContractionEpilogue(linalg::MatmulOp mm) {
  std::optional<ContractionKernel> kernel = matchContraction(mm);
  return kernel ? kernel->epilogue : linalg::GenericOp();
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

MemRefType bufferType(Value tensor) {
  auto type = cast<RankedTensorType>(tensor.getType());
  return MemRefType::get(type.getShape(), type.getElementType());
}

/// Moves `kernel` into a new private function of `symbols` and calls it.
void outline(ContractionKernel kernel, func::FuncOp caller,
             SymbolTable &symbols, unsigned index) {
  Location loc = kernel.matmul.getLoc();
  Value x = kernel.matmul.getDpsInputs()[0];
  Value w = kernel.matmul.getDpsInputs()[1];
  Value bias = kernel.epilogue.getDpsInputs()[1];
  Value y = kernel.epilogue.getResult(0);
  SmallVector<Value> operands = {x, w, bias, y};
  SmallVector<Type> argTypes;
  for (Value v : operands)
    argTypes.push_back(bufferType(v));

  OpBuilder b(caller);
  auto fn = func::FuncOp::create(b, loc, kernelName(caller, index),
                                 b.getFunctionType(argTypes, {}));
  fn.setPrivate();
  fn->setAttr(kKernelKindAttr, b.getStringAttr("contraction"));
  // A tuned config (seqboat-apply-tuning) travels with the kernel.
  if (Attribute tiles = kernel.matmul->getAttr(kTilesAttr))
    fn->setAttr(kTilesAttr, tiles);
  symbols.insert(fn);

  Block *entry = fn.addEntryBlock();
  b.setInsertionPointToStart(entry);
  IRMapping mapping;
  for (auto [tensor, arg] : llvm::zip(ArrayRef(operands).drop_back(),
                                      entry->getArguments().drop_back()))
    mapping.map(tensor, bufferization::ToTensorOp::create(
                            b, loc, tensor.getType(), arg, /*restrict=*/true));
  SetVector<Value> constants = capturedValues(kernel.epilogue);
  constants.insert(kernel.fill.getDpsInputs()[0]);
  for (Value c : constants)
    b.clone(*c.getDefiningOp(), mapping);
  b.clone(*kernel.fill.getDpsInitOperand(0)->get().getDefiningOp(), mapping);
  b.clone(*kernel.fill, mapping);
  b.clone(*kernel.matmul, mapping);
  // The epilogue's init is never read: the kernel gives it a fresh empty
  // tensor, which the strategy then replaces by Y itself.
  auto yType = cast<RankedTensorType>(y.getType());
  mapping.map(kernel.epilogue.getDpsInitOperand(0)->get(),
              tensor::EmptyOp::create(b, loc, yType.getShape(),
                                      yType.getElementType()));
  b.clone(*kernel.epilogue, mapping);
  auto store = bufferization::MaterializeInDestinationOp::create(
      b, loc, mapping.lookup(y), entry->getArguments().back());
  store.setRestrict(true);
  store.setWritable(true);
  func::ReturnOp::create(b, loc);

  // The caller passes views of its tensors and a fresh result buffer.
  b.setInsertionPoint(kernel.epilogue);
  SmallVector<Value> args;
  for (auto [tensor, type] : llvm::zip(ArrayRef(operands).drop_back(),
                                       ArrayRef(argTypes).drop_back()))
    args.push_back(bufferization::ToBufferOp::create(b, loc, type, tensor,
                                                     /*read_only=*/true));
  auto resultBuffer =
      memref::AllocOp::create(b, loc, cast<MemRefType>(argTypes.back()));
  resultBuffer->setAttr(kKernelResultAttr, b.getUnitAttr());
  args.push_back(resultBuffer);
  auto call = func::CallOp::create(b, loc, fn, args);
  // Marks the call for the host-side mapping (its buffers must be visible
  // to the kernel).
  call->setAttr(kKernelKindAttr, b.getStringAttr("contraction"));
  Value result = bufferization::ToTensorOp::create(
      b, loc, y.getType(), args.back(), /*restrict=*/true, /*writable=*/true);
  kernel.epilogue.getResult(0).replaceAllUsesWith(result);

  Operation *epiInit = kernel.epilogue.getDpsInitOperand(0)->get().getDefiningOp();
  Operation *fillInit = kernel.fill.getDpsInitOperand(0)->get().getDefiningOp();
  kernel.epilogue->erase();
  kernel.matmul->erase();
  kernel.fill->erase();
  // Both inits may be the same tensor.empty: erase it once.
  if (fillInit == epiInit)
    fillInit = nullptr;
  for (Operation *op : {epiInit, fillInit})
    if (op && isa<tensor::EmptyOp>(op) && op->use_empty())
      op->erase();
}

struct SeqBoatFormKernels
    : public seqboat::impl::SeqBoatFormKernelsBase<SeqBoatFormKernels> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> callers;
    for (auto fn : module.getOps<func::FuncOp>())
      if (!fn.isExternal() && !fn->hasAttr(kKernelKindAttr))
        callers.push_back(fn);
    for (func::FuncOp caller : callers)
      for (auto [i, kernel] : llvm::enumerate(contractionKernels(caller)))
        outline(kernel, caller, symbols, i);
  }
};

/// Whether `user` only reads or writes `buffer` in place (calls of kernel
/// functions, linalg ops, loads, stores into it, copies, views handled by
/// the caller); anything else may let it escape.
bool keepsInPlace(Operation *user) {
  if (auto store = dyn_cast<memref::StoreOp>(user))
    return store.getValueToStore().getType() != store.getMemRefType();
  if (auto call = dyn_cast<func::CallOp>(user))
    return call->hasAttr(kKernelKindAttr);
  if (isa<linalg::LinalgOp, memref::LoadOp, memref::CopyOp,
          vector::TransferReadOp, vector::TransferWriteOp>(user))
    return user->getNumResults() == 0 ||
           llvm::none_of(user->getResultTypes(), llvm::IsaPred<MemRefType>);
  return false;
}

struct SeqBoatFreeKernelResults
    : public seqboat::impl::SeqBoatFreeKernelResultsBase<
          SeqBoatFreeKernelResults> {
  void runOnOperation() override {
    SmallVector<memref::AllocOp> allocs;
    getOperation().walk([&](memref::AllocOp alloc) {
      if (alloc->hasAttr(kKernelResultAttr))
        allocs.push_back(alloc);
    });
    for (memref::AllocOp alloc : allocs) {
      Block *block = alloc->getBlock();
      Operation *last = alloc;
      bool escapes = false;
      SmallVector<Value> worklist = {alloc.getResult()};
      while (!worklist.empty() && !escapes) {
        Value value = worklist.pop_back_val();
        for (Operation *user : value.getUsers()) {
          if (isa<ViewLikeOpInterface>(user)) {
            for (Value result : user->getResults())
              worklist.push_back(result);
          } else if (!keepsInPlace(user)) {
            escapes = true;
            break;
          }
          Operation *ancestor = block->findAncestorOpInBlock(*user);
          if (!ancestor) {
            escapes = true;
            break;
          }
          if (last->isBeforeInBlock(ancestor))
            last = ancestor;
        }
      }
      alloc->removeAttr(kKernelResultAttr);
      if (escapes || last->hasTrait<OpTrait::IsTerminator>())
        continue;
      OpBuilder b(last->getContext());
      b.setInsertionPointAfter(last);
      memref::DeallocOp::create(b, alloc.getLoc(), alloc.getResult());
    }
  }
};

} // namespace
