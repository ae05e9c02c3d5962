//===- LaunchesToLoops.cpp - gpu.launch as CPU loops ----------------------===//
//
// Runs the GPU mapping of parallel and scan kernels on the CPU: each
// gpu.launch becomes loops over its grid and its block, with the block and
// thread ids the loops' induction variables. Valid for launches whose
// threads do not communicate (no workgroup memory, no barrier but the last
// one): the threads of a block then run in any order, one after the other.
// This is how the block and thread indices, the guards of partial tiles and
// the runtime grids of the GPU strategies are checked without a GPU.
//
//===----------------------------------------------------------------------===//

#include "seqboat/Conversion/SeqBoatToGPU/SeqBoatToGPU.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::seqboat {
#define GEN_PASS_DEF_SEQBOATLAUNCHESTOLOOPS
#include "seqboat/Conversion/Passes.h.inc"
} // namespace mlir::seqboat

using namespace mlir;

namespace {

/// Why `launch` cannot run as loops, or empty.
std::string whyNotSequential(gpu::LaunchOp launch) {
  if (!launch.getWorkgroupAttributions().empty() ||
      !launch.getPrivateAttributions().empty())
    return "it has memory attributions";
  if (launch.getAsyncToken() || !launch.getAsyncDependencies().empty())
    return "it is asynchronous";
  std::string why;
  Block &body = launch.getBody().front();
  launch.getBody().walk([&](Operation *op) {
    if (auto barrier = dyn_cast<gpu::BarrierOp>(op)) {
      Operation *next = barrier->getNextNode();
      if (barrier->getBlock() != &body || !next ||
          !isa<gpu::TerminatorOp>(next))
        why = "its threads synchronise before the end (gpu.barrier)";
      return;
    }
    if (isa<gpu::ShuffleOp, gpu::SubgroupReduceOp, gpu::AllReduceOp,
            gpu::LaneIdOp, gpu::SubgroupIdOp>(op))
      why = "its threads communicate (" + op->getName().getStringRef().str() +
            ")";
    if (op->getDialect() &&
        op->getDialect()->getNamespace() == "nvgpu")
      why = "it uses the device's own operations (" +
            op->getName().getStringRef().str() + ")";
    for (Type t : op->getResultTypes())
      if (auto m = dyn_cast<MemRefType>(t))
        if (auto space = dyn_cast_or_null<gpu::AddressSpaceAttr>(
                m.getMemorySpace());
            space && space.getValue() == gpu::AddressSpace::Workgroup)
          why = "it uses workgroup memory";
  });
  return why;
}

void launchToLoops(RewriterBase &rewriter, gpu::LaunchOp launch) {
  Location loc = launch.getLoc();
  rewriter.setInsertionPoint(launch);
  Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
  Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
  gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
  gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
  Value gridV[3] = {grid.x, grid.y, grid.z};
  Value blockV[3] = {block.x, block.y, block.z};
  // Blocks z, y, x, then threads z, y, x (x innermost).
  SmallVector<Value> ivs(6);
  Block *inner = nullptr;
  OpBuilder::InsertionGuard guard(rewriter);
  for (int level = 0; level < 6; ++level) {
    int dim = 2 - level % 3;
    Value ub = level < 3 ? gridV[dim] : blockV[dim];
    auto loop = scf::ForOp::create(rewriter, loc, zero, ub, one);
    ivs[level] = loop.getInductionVar();
    rewriter.setInsertionPointToStart(loop.getBody());
    inner = loop.getBody();
  }
  Block &body = launch.getBody().front();
  // The body's ids and sizes are block arguments, in the order block ids,
  // thread ids, grid size, block size (x, y, z each).
  SmallVector<Value> args = {ivs[2], ivs[1], ivs[0],   // block x, y, z
                             ivs[5], ivs[4], ivs[3],   // thread x, y, z
                             gridV[0], gridV[1], gridV[2],
                             blockV[0], blockV[1], blockV[2]};
  // Ops that read the ids again (gpu.thread_id, gpu.block_id, ...).
  SmallVector<Operation *> idOps;
  body.walk([&](Operation *op) {
    if (isa<gpu::ThreadIdOp, gpu::BlockIdOp, gpu::BlockDimOp, gpu::GridDimOp>(
            op))
      idOps.push_back(op);
  });
  // Drop the trailing barrier and the terminator; move the rest in.
  Operation *terminator = body.getTerminator();
  if (auto barrier = dyn_cast_or_null<gpu::BarrierOp>(terminator->getPrevNode()))
    rewriter.eraseOp(barrier);
  rewriter.eraseOp(terminator);
  rewriter.inlineBlockBefore(&body, inner->getTerminator(), args);
  auto dimIndex = [](gpu::Dimension d) {
    return static_cast<unsigned>(d);
  };
  for (Operation *op : idOps) {
    Value replacement;
    if (auto id = dyn_cast<gpu::ThreadIdOp>(op))
      replacement = args[3 + dimIndex(id.getDimension())];
    else if (auto id = dyn_cast<gpu::BlockIdOp>(op))
      replacement = args[dimIndex(id.getDimension())];
    else if (auto d = dyn_cast<gpu::GridDimOp>(op))
      replacement = args[6 + dimIndex(d.getDimension())];
    else
      replacement = args[9 + dimIndex(cast<gpu::BlockDimOp>(op).getDimension())];
    rewriter.replaceOp(op, replacement);
  }
  rewriter.eraseOp(launch);
}

struct SeqBoatLaunchesToLoops
    : public seqboat::impl::SeqBoatLaunchesToLoopsBase<SeqBoatLaunchesToLoops> {
  void runOnOperation() override {
    SmallVector<gpu::LaunchOp> launches;
    getOperation()->walk([&](gpu::LaunchOp launch) {
      launches.push_back(launch);
    });
    IRRewriter rewriter(&getContext());
    for (gpu::LaunchOp launch : launches) {
      std::string why = whyNotSequential(launch);
      if (!why.empty()) {
        launch.emitOpError("cannot run as CPU loops: ") << why;
        return signalPassFailure();
      }
      launchToLoops(rewriter, launch);
    }
  }
};

} // namespace
