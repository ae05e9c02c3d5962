//===- KernelWork.cpp - the work of every formed kernel, as JSON ----------===//
//
// What a per-kernel performance model needs from the compiler, read off the
// kernels seqboat-form-kernels and seqboat-form-scan-kernels formed (before
// their strategies run): each kernel's kind, the bytes of its buffers (its
// compulsory HBM traffic: every input read once, every result written once),
// its floating-point operations and, for parallel and scan kernels, the
// number of points the strategy distributes over threads (the extents of the
// up to three innermost parallel loops of its root). bench/kernel_model.py
// turns them into a roofline per kernel with ptxas's resource report.
//
//===----------------------------------------------------------------------===//

#include "seqboat/Conversion/SeqBoatToGPU/SeqBoatToGPU.h"
#include "seqboat/Dialect/SeqBoat/IR/SeqBoatOps.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/ToolOutputFile.h"

namespace mlir::seqboat {
#define GEN_PASS_DEF_SEQBOATPRINTKERNELWORK
#include "seqboat/Conversion/Passes.h.inc"
} // namespace mlir::seqboat

using namespace mlir;
using namespace mlir::seqboat;

namespace {

int64_t dim(Value v, unsigned i) {
  return cast<ShapedType>(v.getType()).getDimSize(i);
}

/// Floating-point operations of one seqboat op (a scan kernel's root), with
/// every slot active where the work follows `count`.
double seqboatFlops(Operation *op, int64_t emaChunk) {
  return llvm::TypeSwitch<Operation *, double>(op)
      .Case([&](EmaConvOp o) {
        // Per token, channel and state: the chunk's Toeplitz product (C
        // multiply-adds) and the carried state's update and read-out.
        double dirs = o.getBidirectional() ? 2 : 1;
        int64_t len = dim(o.getX(), 1);
        double c = static_cast<double>(std::min(emaChunk, len));
        return 2.0 * dim(o.getX(), 0) * len * dim(o.getX(), 2) *
               dim(o.getDelta(), 1) * dirs * (c + 2);
      })
      .Case([](LocalAttentionOp o) {
        int64_t s = dim(o.getQ(), 1);
        int64_t w = windowReach(o.getWindow(), s);
        double span = std::min<int64_t>(s, o.getBidirectional() ? 2 * w + 1
                                                                : w + 1);
        return 2.0 * dim(o.getQ(), 0) * s * span *
               (dim(o.getQ(), 2) + dim(o.getV(), 2));
      })
      .Case([](LinearAttentionOp o) {
        // Intra-chunk products (C keys per query, over Z and H) and the
        // state's update and read-out (Z x H per token).
        double b = dim(o.getQ(), 0), l = dim(o.getQ(), 1), z = dim(o.getQ(), 2),
               h = dim(o.getV(), 2);
        double c = std::min<int64_t>(o.getChunk(), dim(o.getQ(), 1));
        return 2.0 * b * l * (c * (z + h) + 2 * z * h);
      })
      .Case([](StateScanOp o) {
        // A multiply-add per chunk and state element.
        auto u = cast<ShapedType>(o.getU().getType());
        return 2.0 * u.getNumElements();
      })
      .Case([](CompactIndexOp o) {
        return static_cast<double>(dim(o.getActive(), 0)) *
               dim(o.getActive(), 1);
      })
      .Default([](Operation *) { return 0.0; });
}

/// Floating-point operations of a linalg op: its iterations times the float
/// arith/math ops of its body.
double linalgFlops(linalg::LinalgOp op) {
  double iterations = 1;
  for (int64_t r : op.getStaticLoopRanges()) {
    if (ShapedType::isDynamic(r))
      return 0;
    iterations *= r;
  }
  int64_t perIteration = 0;
  for (Operation &o : op.getBlock()->without_terminator())
    if (isa<arith::ArithDialect, math::MathDialect>(o.getDialect()) &&
        llvm::any_of(o.getResultTypes(),
                     [](Type t) { return isa<FloatType>(t); }) &&
        !isa<arith::ConstantOp, arith::SelectOp>(o))
      ++perIteration;
  return iterations * perIteration;
}

/// The points a parallel or scan kernel's strategy distributes over threads:
/// the product of the extents of up to three innermost parallel loops (with
/// more than one iteration) of the op whose result the kernel stores.
int64_t distributedPoints(func::FuncOp kernel) {
  TilingInterface root;
  kernel.walk([&](bufferization::MaterializeInDestinationOp store) {
    if (Operation *def = store.getSource().getDefiningOp())
      root = dyn_cast<TilingInterface>(def);
  });
  if (!root)
    return 1;
  OpBuilder b(root);
  SmallVector<Range> domain = root.getIterationDomain(b);
  SmallVector<utils::IteratorType> iterators = root.getLoopIteratorTypes();
  int64_t points = 1, taken = 0;
  for (int64_t i = static_cast<int64_t>(domain.size()) - 1; i >= 0 && taken < 3;
       --i) {
    std::optional<int64_t> size = getConstantIntValue(domain[i].size);
    if (iterators[i] != utils::IteratorType::parallel || !size || *size <= 1)
      continue;
    points *= *size;
    ++taken;
  }
  return points;
}

struct SeqBoatPrintKernelWorkPass
    : public seqboat::impl::SeqBoatPrintKernelWorkBase<
          SeqBoatPrintKernelWorkPass> {
  using Base::Base;

  void runOnOperation() override {
    llvm::json::Array kernels;
    for (auto kernel : getOperation().getOps<func::FuncOp>()) {
      auto kind = kernel->getAttrOfType<StringAttr>(kKernelKindAttr);
      if (!kind)
        continue;
      double bytes = 0;
      for (Type t : kernel.getArgumentTypes())
        if (auto m = dyn_cast<MemRefType>(t); m && m.hasStaticShape())
          bytes += static_cast<double>(m.getNumElements()) *
                   ((m.getElementTypeBitWidth() + 7) / 8);
      double flops = 0;
      kernel.walk([&](Operation *op) {
        if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
          flops += linalgFlops(linalgOp);
        else if (isa_and_present<SeqBoatDialect>(op->getDialect()))
          flops += seqboatFlops(op, scanChunk);
      });
      llvm::json::Object entry{{"name", (kernel.getSymName() + "_kernel").str()},
                               {"kind", kind.getValue()},
                               {"bytes", bytes},
                               {"flops", flops}};
      ArrayRef<Type> args = kernel.getArgumentTypes();
      auto x = args.size() == 4 ? dyn_cast<MemRefType>(args[0]) : MemRefType();
      auto w = args.size() == 4 ? dyn_cast<MemRefType>(args[1]) : MemRefType();
      if (kind.getValue() == "contraction" && x && w && x.getRank() == 2 &&
          w.getRank() == 2 && x.hasStaticShape() && w.hasStaticShape()) {
        entry["shape"] = llvm::json::Object{{"M", x.getDimSize(0)},
                                            {"N", w.getDimSize(0)},
                                            {"K", x.getDimSize(1)}};
        if (auto tiles = kernel->getAttrOfType<DenseI64ArrayAttr>(kTilesAttr))
          entry["tiles"] = llvm::json::Array(tiles.asArrayRef());
      } else {
        entry["points"] = distributedPoints(kernel);
      }
      kernels.push_back(std::move(entry));
    }
    std::string error;
    std::unique_ptr<llvm::ToolOutputFile> file = openOutputFile(output, &error);
    if (!file) {
      getOperation().emitError("cannot write the kernel work: ") << error;
      return signalPassFailure();
    }
    file->os() << llvm::formatv(
                      "{0:2}",
                      llvm::json::Value(llvm::json::Object{
                          {"compiler", getCompilerVersion()},
                          {"kernels", std::move(kernels)}}))
               << "\n";
    file->keep();
    markAllAnalysesPreserved();
  }
};

} // namespace
