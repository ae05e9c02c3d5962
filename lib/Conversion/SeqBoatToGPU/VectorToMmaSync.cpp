//===- VectorToMmaSync.cpp - vector.contract to mma.sync, bf16 included ---===//
//
// Upstream's vector-to-nvgpu conversion (convert-vector-to-gpu{use-nvgpu})
// maps warp-level vector.contract tiles to nvgpu.mma.sync and their reads to
// ldmatrix for f32, f16, f64 and integers, but not bf16: its fragment table
// (nvgpu::getMmaSyncRegisterType) has no bf16 entry, and convert-nvgpu-to-nvvm
// cannot deduce the PTX type of a bf16 nvgpu.mma.sync. A bf16 fragment has
// exactly the register layout of an f16 one (two 16-bit values per 32-bit
// register, the same lane and register maps). So this pass converts a bf16
// function through upstream's f16 path: it reinterprets every bf16 type and
// constant of the function as f16 (bit for bit), runs the conversion, then
// reinterprets f16 back as bf16, and finally lowers each bf16 nvgpu.mma.sync
// to nvvm.mma.sync m16n8k16 bf16 -> f32, unpacked and repacked the way
// convert-nvgpu-to-nvvm does for f16.
//
//===----------------------------------------------------------------------===//

#include "seqboat/Conversion/SeqBoatToGPU/SeqBoatToGPU.h"

#include "mlir/Conversion/VectorToGPU/VectorToGPU.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/Vector/Transforms/VectorTransforms.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::seqboat {
#define GEN_PASS_DEF_SEQBOATVECTORTOMMASYNC
#include "seqboat/Conversion/Passes.h.inc"
} // namespace mlir::seqboat

using namespace mlir;

namespace {

/// `type` with every `from` element (scalar, vector, memref, tensor) made
/// `to`; other types unchanged.
Type swapElementType(Type type, Type from, Type to) {
  if (type == from)
    return to;
  if (auto vec = dyn_cast<VectorType>(type))
    return vec.getElementType() == from ? vec.clone(to) : type;
  if (auto mem = dyn_cast<MemRefType>(type))
    return mem.getElementType() == from ? mem.clone(to) : type;
  if (auto ten = dyn_cast<RankedTensorType>(type))
    return ten.getElementType() == from ? ten.clone(to) : type;
  if (auto fn = dyn_cast<FunctionType>(type)) {
    auto swap = [&](TypeRange types) {
      return llvm::map_to_vector(
          types, [&](Type t) { return swapElementType(t, from, to); });
    };
    return FunctionType::get(type.getContext(), swap(fn.getInputs()),
                             swap(fn.getResults()));
  }
  return type;
}

/// `attr` with its `from` float values reinterpreted bit for bit as `to`.
Attribute swapAttribute(Attribute attr, Type from, Type to) {
  auto toFloat = cast<FloatType>(to);
  if (auto f = dyn_cast<FloatAttr>(attr); f && f.getType() == from)
    return FloatAttr::get(
        to, APFloat(toFloat.getFloatSemantics(), f.getValue().bitcastToAPInt()));
  if (auto d = dyn_cast<DenseFPElementsAttr>(attr);
      d && d.getElementType() == from) {
    auto type = cast<ShapedType>(swapElementType(d.getType(), from, to));
    return d.bitcast(to).reshape(type);
  }
  if (auto t = dyn_cast<TypeAttr>(attr))
    return TypeAttr::get(swapElementType(t.getValue(), from, to));
  return attr;
}

/// Reinterprets every `from` value, block argument and attribute of `fn` as
/// `to` (both 16-bit float types).
void swapFloatType(func::FuncOp fn, Type from, Type to) {
  fn.walk([&](Operation *op) {
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (BlockArgument arg : block.getArguments())
          arg.setType(swapElementType(arg.getType(), from, to));
    for (OpResult result : op->getResults())
      result.setType(swapElementType(result.getType(), from, to));
    for (NamedAttribute named : op->getAttrs()) {
      Attribute swapped = swapAttribute(named.getValue(), from, to);
      if (swapped != named.getValue())
        op->setAttr(named.getName(), swapped);
    }
  });
}

/// Whether anything in `fn` has element type `type`.
bool mentions(func::FuncOp fn, Type type) {
  auto has = [&](Type t) { return getElementTypeOrSelf(t) == type; };
  bool found = llvm::any_of(fn.getArgumentTypes(), has);
  fn.walk([&](Operation *op) {
    for (Region &region : op->getRegions())
      for (Block &block : region)
        found |= llvm::any_of(block.getArgumentTypes(), has);
    found |= llvm::any_of(op->getResultTypes(), has);
  });
  return found;
}

/// nvgpu.mma.sync m16n8k16 on bf16 A/B and f32 C as nvvm.mma.sync: A
/// (vector<4x2xbf16>) and B (vector<2x2xbf16>) as one i32 register per row,
/// C and the result (vector<2x2xf32>) as four f32 in row-major order.
struct MmaSyncBF16ToNVVM : OpRewritePattern<nvgpu::MmaSyncOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(nvgpu::MmaSyncOp op,
                                PatternRewriter &rewriter) const override {
    auto aType = cast<VectorType>(op.getMatrixA().getType());
    auto bType = cast<VectorType>(op.getMatrixB().getType());
    auto cType = cast<VectorType>(op.getMatrixC().getType());
    if (!aType.getElementType().isBF16())
      return failure();
    SmallVector<int64_t> shape = llvm::to_vector(
        llvm::map_range(op.getMmaShape(), [](Attribute a) {
          return cast<IntegerAttr>(a).getInt();
        }));
    if (shape != SmallVector<int64_t>{16, 8, 16} ||
        aType.getShape() != ArrayRef<int64_t>{4, 2} ||
        !bType.getElementType().isBF16() ||
        bType.getShape() != ArrayRef<int64_t>{2, 2} ||
        !cType.getElementType().isF32() ||
        cType.getShape() != ArrayRef<int64_t>{2, 2})
      return rewriter.notifyMatchFailure(
          op, "bf16 mma.sync: only m16n8k16 with f32 accumulators");
    Location loc = op.getLoc();
    Type i32 = rewriter.getI32Type(), f32 = rewriter.getF32Type();
    auto registers = [&](Value v, int64_t rows) {
      SmallVector<Value> regs;
      for (int64_t r = 0; r < rows; ++r)
        regs.push_back(LLVM::BitcastOp::create(
            rewriter, loc, i32, vector::ExtractOp::create(rewriter, loc, v, r)));
      return regs;
    };
    SmallVector<Value> a = registers(op.getMatrixA(), 4);
    SmallVector<Value> b = registers(op.getMatrixB(), 2);
    SmallVector<Value> c;
    for (int64_t r = 0; r < 2; ++r)
      for (int64_t col = 0; col < 2; ++col)
        c.push_back(vector::ExtractOp::create(rewriter, loc, op.getMatrixC(),
                                              ArrayRef<int64_t>{r, col}));
    auto resultType = LLVM::LLVMStructType::getLiteral(
        rewriter.getContext(), SmallVector<Type>(4, f32));
    Value d = NVVM::MmaOp::create(
        rewriter, loc, resultType, a, b, c,
        /*shape=*/ArrayRef<int64_t>{16, 8, 16},
        /*b1Op=*/std::nullopt, /*intOverflow=*/std::nullopt,
        /*multiplicandPtxTypes=*/
        std::array<NVVM::MMATypes, 2>{NVVM::MMATypes::bf16,
                                      NVVM::MMATypes::bf16},
        /*multiplicandLayouts=*/
        std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                       NVVM::MMALayout::col});
    SmallVector<Value> elements;
    for (int64_t i = 0; i < 4; ++i)
      elements.push_back(LLVM::ExtractValueOp::create(rewriter, loc, d, i));
    rewriter.replaceOpWithNewOp<vector::FromElementsOp>(op, cType, elements);
    return success();
  }
};

struct SeqBoatVectorToMmaSync
    : public seqboat::impl::SeqBoatVectorToMmaSyncBase<SeqBoatVectorToMmaSync> {
  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    MLIRContext *ctx = &getContext();
    Type bf16 = BFloat16Type::get(ctx), f16 = Float16Type::get(ctx);
    bool carry = mentions(fn, bf16);
    if (carry && mentions(fn, f16)) {
      fn.emitError("seqboat-vector-to-mma-sync: a function holding both f16 "
                   "and bf16 values is not supported");
      return signalPassFailure();
    }
    if (carry)
      swapFloatType(fn, bf16, f16);
    RewritePatternSet prepare(ctx);
    populatePrepareVectorToMMAPatterns(prepare, /*useNvGpu=*/true);
    // While bf16 values pass for f16, nothing may be folded: a constant
    // would be evaluated with the wrong semantics.
    GreedyRewriteConfig config;
    if (carry)
      config.enableFolding(false)
          .enableConstantCSE(false)
          .setRegionSimplificationLevel(GreedySimplifyRegionLevel::Disabled);
    if (failed(applyPatternsGreedily(fn, std::move(prepare), config)))
      return signalPassFailure();
    // Upstream roots a conversion slice at every op it could convert on
    // fragments, scalar ones included (an index arith.subi), and then
    // fails on them. Where the contractions are warp tiles of a function
    // that also holds scalar code (the attention strategy's phases), each
    // warp forall is converted alone.
    auto hasContraction = [](Operation *op) {
      return op
          ->walk([](vector::ContractionOp) { return WalkResult::interrupt(); })
          .wasInterrupted();
    };
    SmallVector<Operation *> roots;
    fn.walk([&](scf::ForallOp forall) {
      std::optional<ArrayAttr> mapping = forall.getMapping();
      if (!mapping || mapping->empty() ||
          !llvm::all_of(*mapping, llvm::IsaPred<gpu::GPUWarpMappingAttr>))
        return WalkResult::advance();
      if (hasContraction(forall))
        roots.push_back(forall);
      return WalkResult::skip();
    });
    // Otherwise the function, where it holds contractions at all.
    if (roots.empty() && hasContraction(fn))
      roots.push_back(fn);
    IRRewriter rewriter(ctx);
    for (Operation *root : roots) {
      // A warp tile's accumulator written (a fill's zeros) and read back
      // by its product: the value is forwarded, so it becomes a constant
      // fragment instead of a round trip through shared memory.
      if (root != fn.getOperation())
        vector::transferOpflowOpt(rewriter, root);
      if (failed(convertVectorToNVVMCompatibleMMASync(rewriter, root)))
        return signalPassFailure();
    }
    if (carry)
      swapFloatType(fn, f16, bf16);
    // Also erases the reads the conversion replaced by ldmatrix and left
    // dead (the shared-memory pipelining cannot take transfers from
    // workgroup memory).
    RewritePatternSet lower(ctx);
    lower.add<MmaSyncBF16ToNVVM>(ctx);
    if (failed(applyPatternsGreedily(fn, std::move(lower))))
      return signalPassFailure();
    WalkResult left = fn.walk([](nvgpu::MmaSyncOp op) {
      if (getElementTypeOrSelf(op.getMatrixA().getType()).isBF16()) {
        op.emitError("seqboat-vector-to-mma-sync: no nvvm.mma.sync form "
                     "for this bf16 shape");
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (left.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
