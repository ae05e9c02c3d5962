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
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/JSON.h"

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
/// Bytes of one element of a shaped `type`.
double elementBytes(Type type) {
  return (getElementTypeOrSelf(type).getIntOrFloatBitWidth() + 7) / 8;
}

/// Bytes a kernel reads per element of `v`: its element's, or, when the
/// kernel computes `v` where it reads it (an elementwise producer), those of
/// the producer's inputs of `v`'s rank (the broadcast parameters stay
/// cached).
double readBytes(Value v) {
  auto pro = v.getDefiningOp<linalg::GenericOp>();
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!pro || !type)
    return elementBytes(v.getType());
  double bytes = 0;
  for (Value in : pro.getDpsInputs())
    if (auto t = dyn_cast<RankedTensorType>(in.getType());
        t && t.getRank() == type.getRank())
      bytes += readBytes(in);
  return bytes;
}

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
        // The scores are computed once per block of features of v a thread
        // takes (getThreadGrains).
        int64_t h = dim(o.getV(), 2);
        int64_t grain = getThreadGrains(
            cast<TilingInterface>(o.getOperation()),
            {dim(o.getQ(), 0), s, h})[2];
        double blocks = grain > 0 ? static_cast<double>(h) / grain : 1.0;
        return 2.0 * dim(o.getQ(), 0) * s * span *
               (dim(o.getQ(), 2) * blocks + h);
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

/// How a parallel or scan kernel's strategy spreads it over the GPU.
struct Distribution {
  int64_t points = 1; // points distributed over threads
  int64_t blocks = 1; // blocks of the grid
  int64_t lanes = 1;  // threads of a block that have a point
};

/// The points a parallel or scan kernel's strategy distributes over threads
/// (the product of the extents, in units of their grains, of up to three
/// innermost parallel loops with more than one unit of the op whose result
/// the kernel stores), and the grid and working threads per block as the
/// strategy tiles it with `threads` per block (getBlockUnits).
Distribution distributedPoints(func::FuncOp kernel, int64_t threads) {
  TilingInterface root = getKernelRoot(kernel);
  if (!root)
    return {};
  // (Work is modelled on static shapes: a runtime extent counts as 1.)
  SmallVector<int64_t> ranges = getIterationDomainSizes(root);
  for (int64_t &range : ranges)
    if (ShapedType::isDynamic(range))
      range = 1;
  // Along a loop with a grain, a thread takes a block of points.
  SmallVector<int64_t> grains = getThreadGrains(root, ranges);
  SmallVector<int64_t> units(ranges.size());
  for (auto [i, range] : llvm::enumerate(ranges))
    units[i] = range / grains[i];
  Distribution d;
  SmallVector<utils::IteratorType> iterators = root.getLoopIteratorTypes();
  SmallVector<int64_t> perBlock = getBlockUnits(iterators, units, threads);
  for (unsigned i : getDistributedLoops(iterators, units)) {
    d.points *= units[i];
    d.lanes *= perBlock[i];
    d.blocks *= units[i] / perBlock[i];
  }
  return d;
}

struct SeqBoatPrintKernelWorkPass
    : public seqboat::impl::SeqBoatPrintKernelWorkBase<
          SeqBoatPrintKernelWorkPass> {
  using Base::Base;

  void runOnOperation() override {
    // As seqboat-apply-strategies checks them (the model divides by them).
    if (precision != "tf32" && precision != "ieee" &&
        precision != "autocast") {
      emitError(getOperation().getLoc(),
                "seqboat-print-kernel-work: unknown precision '")
          << precision << "' (expected tf32, ieee or autocast)";
      return signalPassFailure();
    }
    if (attentionQueryBlock < 1 || attentionQueryBlock > 1024 ||
        attentionKeyBlock < 0 || attentionKeyBlock > 1024) {
      emitError(getOperation().getLoc(),
                "seqboat-print-kernel-work: attention-query-block must be in "
                "[1, 1024] and attention-key-block in [0, 1024], got ")
          << static_cast<int64_t>(attentionQueryBlock) << " and "
          << static_cast<int64_t>(attentionKeyBlock);
      return signalPassFailure();
    }
    llvm::json::Array kernels;
    for (auto kernel : getOperation().getOps<func::FuncOp>()) {
      auto kind = kernel->getAttrOfType<StringAttr>(kKernelKindAttr);
      if (!kind)
        continue;
      // The work of a kernel with runtime sizes depends on them.
      if (llvm::any_of(kernel.getArgumentTypes(), [](Type t) {
            auto m = dyn_cast<MemRefType>(t);
            return m && !m.hasStaticShape();
          })) {
        kernel.emitError("seqboat-print-kernel-work: kernel '")
            << kernel.getSymName()
            << "' has runtime sizes (a dynamic batch or length); its work "
               "is modelled on static shapes: compile a static "
               "specialisation (the sizes to model at)";
        return signalPassFailure();
      }
      double bytes = 0;
      for (Type t : kernel.getArgumentTypes())
        if (auto m = dyn_cast<MemRefType>(t); m && m.hasStaticShape())
          bytes += static_cast<double>(m.getNumElements()) * elementBytes(m);
      FailureOr<KernelKnobs> knobs =
          getKernelKnobs(kernel, {parallelThreads, scanChunk, attentionQueryBlock,
                                  attentionKeyBlock});
      if (failed(knobs))
        return signalPassFailure();
      double flops = 0;
      kernel.walk([&](Operation *op) {
        if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
          flops += linalgFlops(linalgOp);
        else if (isa_and_present<SeqBoatDialect>(op->getDialect()))
          flops += seqboatFlops(op, knobs->scanChunk);
      });
      llvm::json::Object entry{{"name", (kernel.getSymName() + "_kernel").str()},
                               {"kind", kind.getValue()},
                               {"bytes", bytes},
                               {"flops", flops}};
      // Which op the kernel is made of (its root's location).
      std::string loc;
      llvm::raw_string_ostream(loc) << kernel.getLoc();
      entry["loc"] = loc;
      std::optional<std::array<int64_t, 3>> mnk =
          getContractionKernelShape(kernel);
      if (kind.getValue() == "contraction" && mnk) {
        entry["shape"] = llvm::json::Object{
            {"M", (*mnk)[0]}, {"N", (*mnk)[1]}, {"K", (*mnk)[2]}};
        if (auto tiles = kernel->getAttrOfType<DenseI64ArrayAttr>(kTilesAttr))
          entry["tiles"] = llvm::json::Array(tiles.asArrayRef());
        // X and W element bytes (2: 16-bit tensor cores) and Y's.
        entry["operand_bytes"] = getContractionOperandBytes(kernel);
        entry["result_bytes"] = static_cast<int64_t>(
            elementBytes(kernel.getArgumentTypes().back()));
      } else if (FailureOr<AttentionBlock> block = getAttentionBlock(
                     kernel, knobs->queryBlock, knobs->keyBlock);
                 kind.getValue() == "scan" && succeeded(block) &&
                 block->keys > 0) {
        // The attention strategy's own default threads per block.
        knobs = getKernelKnobs(kernel, {attentionThreads, scanChunk,
                                        attentionQueryBlock,
                                        attentionKeyBlock});
        if (failed(knobs))
          return signalPassFailure();
        // The attention strategy: B·⌈S/QB⌉·(H/HB) blocks, each over the
        // key tiles of its queries' windows (every slot active).
        LocalAttentionOp op;
        kernel.walk([&](LocalAttentionOp a) { op = a; });
        double b = dim(op.getQ(), 0), s = dim(op.getQ(), 1);
        int64_t w = windowReach(op.getWindow(), dim(op.getQ(), 1));
        double qb = block->queries, kb = block->keys, hb = block->features,
               z = block->z, h = block->h;
        double span = std::min(s, qb + (op.getBidirectional() ? 2.0 : 1.0) * w);
        double keys = std::ceil(span / kb) * kb;
        double blocks = b * std::ceil(s / qb) * (h / hb);
        // Per key tile: the scores (QB·KB·Z multiply-adds), P·V (QB·KB·HB)
        // and the mask, exp and rescaling (~8 per score).
        double attentionFlops = blocks * keys * qb * (2 * z + 2 * hb + 8);
        flops = flops - seqboatFlops(op, knobs->scanChunk) + attentionFlops;
        entry["flops"] = flops;
        // The products on tensor cores, but under precision=ieee for f32
        // products; 16-bit ones (seqboat.autocast) always.
        bool mma = precision != "ieee" || block->halfProducts();
        entry["operand_bytes"] = block->halfProducts() ? 2 : 4;
        double tensorFlops = 0;
        if (mma && block->scoresFitMma())
          tensorFlops += blocks * keys * qb * 2 * z;
        if (mma && block->valuesFitMma())
          tensorFlops += blocks * keys * qb * 2 * hb;
        entry["tensor_flops"] = tensorFlops;
        entry["strategy"] = "attention";
        entry["points"] = static_cast<int64_t>(blocks) * knobs->threads;
        entry["threads"] = knobs->threads;
        entry["blocks"] = static_cast<int64_t>(blocks);
        entry["lanes"] = knobs->threads;
        // Bytes the blocks read through L2 (each block its queries, the key
        // and value rows of its tiles) and write: the re-reads the HBM
        // count above leaves out.
        // (At the width each is read in: a 16-bit tensor, or the
        // full-size inputs of the producer the kernel computes it from.)
        double qBytes = readBytes(op.getQ()), kBytes = readBytes(op.getK()),
               vBytes = readBytes(op.getV()),
               outBytes = elementBytes(kernel.getArgumentTypes().back());
        entry["l2_bytes"] =
            blocks * (qb * z * qBytes + keys * (z * kBytes + hb * vBytes) +
                      qb * hb * outBytes);
        entry["shared_bytes"] = block->sharedBytes;
      } else {
        Distribution d = distributedPoints(kernel, knobs->threads);
        if (kind.getValue() == "scan") {
          // A scan-strategy attention thread walks its query's window,
          // reading a key row and a value block per key through L2.
          kernel.walk([&](LocalAttentionOp op) {
            double s = dim(op.getQ(), 1), z = dim(op.getQ(), 2),
                   h = dim(op.getV(), 2);
            int64_t w = windowReach(op.getWindow(), dim(op.getQ(), 1));
            double span = std::min(s, (op.getBidirectional() ? 2.0 : 1.0) * w + 1);
            double grain = d.points > 0 ? h * dim(op.getQ(), 0) * s / d.points
                                        : h;
            entry["l2_bytes"] = 4.0 * d.points * span * (z + grain);
          });
        }
        entry["points"] = d.points;
        entry["threads"] = knobs->threads;
        entry["blocks"] = d.blocks;
        entry["lanes"] = d.lanes;
      }
      kernels.push_back(std::move(entry));
    }
    if (failed(writeJsonFile(getOperation(), output, "the kernel work",
                             llvm::json::Object{
                                 {"compiler", getCompilerVersion()},
                                 {"kernels", std::move(kernels)}})))
      return signalPassFailure();
    markAllAnalysesPreserved();
  }
};

} // namespace
