//===- MapKernelsToGPU.cpp - block/thread foralls to gpu.launch -----------===//
//
// A kernel of seqboat-layer-to-kernels is
//   scf.forall (%blk) in (G) { ... scf.forall (%t) in (E) {...} ... }
//     {mapping = [#gpu.block<x>]}     (inner: [#gpu.thread<x>])
// Each becomes gpu.launch blocks(G) threads(T): the block id replaces %blk,
// every thread forall becomes `scf.for %t = tid to E step T` followed by a
// gpu.barrier (the phases' synchronisation), allocas of the block body become
// workgroup memory, and allocas of thread bodies are hoisted to the kernel
// entry (private, promotable to registers).
//
//===----------------------------------------------------------------------===//

#include "seqboat/Conversion/SeqBoatToGPU/SeqBoatToGPU.h"

#include "KernelBuilder.h"

#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::seqboat {
#define GEN_PASS_DEF_SEQBOATMAPKERNELSTOGPU
#include "seqboat/Conversion/Passes.h.inc"
} // namespace mlir::seqboat

using namespace mlir;
using namespace mlir::seqboat;

namespace {

bool hasMapping(scf::ForallOp forall, bool block) {
  std::optional<ArrayAttr> mapping = forall.getMapping();
  if (!mapping || mapping->empty())
    return false;
  return block ? isa<gpu::GPUBlockMappingAttr>((*mapping)[0])
               : isa<gpu::GPUThreadMappingAttr>((*mapping)[0]);
}

/// Only 1-D foralls mapped to the x dimension are supported.
LogicalResult checkMapping(scf::ForallOp forall) {
  ArrayAttr mapping = *forall.getMapping();
  auto x = [](Attribute a) {
    if (auto b = dyn_cast<gpu::GPUBlockMappingAttr>(a))
      return b.getBlock() == gpu::MappingId::DimX;
    if (auto t = dyn_cast<gpu::GPUThreadMappingAttr>(a))
      return t.getThread() == gpu::MappingId::DimX;
    return false;
  };
  if (mapping.size() != 1 || !x(mapping[0]))
    return forall.emitOpError("only 1-D foralls mapped to #gpu.block<x> or "
                              "#gpu.thread<x> are supported, got ")
           << mapping;
  return success();
}

/// Extent of a normalised 1-D forall: a constant, or a value computed before
/// the forall (a grid or phase size known only at run time).
FailureOr<OpFoldResult> extentOf(scf::ForallOp forall) {
  if (forall.getRank() != 1 || !forall.isNormalized())
    return failure();
  return forall.getMixedUpperBound()[0];
}

/// Moves the ops of `block` (but its terminator) before `dest`.
void inlineBefore(Block &block, Operation *dest) {
  Operation *terminator = block.getTerminator();
  for (Operation &op : llvm::make_early_inc_range(block))
    if (&op != terminator)
      op.moveBefore(dest);
}

LogicalResult mapKernel(IRRewriter &rewriter, scf::ForallOp kernel,
                        int64_t threads) {
  if (failed(checkMapping(kernel)))
    return failure();
  FailureOr<OpFoldResult> grid = extentOf(kernel);
  if (failed(grid))
    return kernel.emitOpError("a block-mapped kernel must be a normalised 1-D "
                              "scf.forall (from 0 by 1)");
  Location loc = kernel.getLoc();
  // The strategy records each kernel's block size; the option is the
  // fallback for hand-written kernels.
  if (auto attr = kernel->getAttrOfType<IntegerAttr>(kThreadsAttrName))
    threads = attr.getInt();
  if (threads <= 0 || threads > 1024)
    return kernel.emitOpError("threads per block must be in [1, 1024], got ")
           << threads;
  rewriter.setInsertionPoint(kernel);
  Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
  Value gridSize = getValueOrCreateConstantIndexOp(rewriter, loc, *grid);
  Value blockSize = arith::ConstantIndexOp::create(rewriter, loc, threads);
  FlatSymbolRefAttr name;
  if (auto attr = kernel->getAttrOfType<StringAttr>(kKernelNameAttr))
    name = FlatSymbolRefAttr::get(attr);
  auto launch = gpu::LaunchOp::create(
      rewriter, loc, gridSize, one, one, blockSize, one, one,
      /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
      /*asyncDependencies=*/{}, /*workgroupAttributions=*/{},
      /*privateAttributions=*/{}, nullptr, nullptr, nullptr,
      /*module=*/FlatSymbolRefAttr::get(rewriter.getContext(), kKernelModule),
      /*function=*/name);
  Block &body = launch.getBody().front();
  rewriter.setInsertionPointToEnd(&body);
  auto terminator = gpu::TerminatorOp::create(rewriter, loc);

  kernel.getInductionVar(0).replaceAllUsesWith(launch.getBlockIds().x);
  inlineBefore(*kernel.getBody(), terminator);
  rewriter.eraseOp(kernel);

  // Shared (block-level) and private (thread-level) scratch memory.
  SmallVector<memref::AllocaOp> allocas;
  launch.walk([&](memref::AllocaOp alloca) { allocas.push_back(alloca); });
  auto workgroup = gpu::AddressSpaceAttr::get(rewriter.getContext(),
                                              gpu::AddressSpace::Workgroup);
  for (memref::AllocaOp alloca : allocas) {
    bool inThread = false;
    for (Operation *p = alloca->getParentOp(); p != launch; p = p->getParentOp())
      if (auto forall = dyn_cast<scf::ForallOp>(p))
        inThread |= hasMapping(forall, /*block=*/false);
    if (inThread) {
      alloca->moveBefore(&body, body.begin());
      continue;
    }
    MemRefType type = alloca.getType();
    auto shared = MemRefType::get(type.getShape(), type.getElementType(),
                                  MemRefLayoutAttrInterface(), workgroup);
    BlockArgument arg = launch.addWorkgroupAttribution(shared, alloca.getLoc());
    alloca.getResult().replaceAllUsesWith(arg);
    rewriter.eraseOp(alloca);
  }

  // Thread phases: strided loops over the phase extent, then a barrier.
  SmallVector<scf::ForallOp> phases;
  launch.walk([&](scf::ForallOp forall) {
    if (hasMapping(forall, /*block=*/false))
      phases.push_back(forall);
  });
  for (scf::ForallOp phase : phases) {
    if (failed(checkMapping(phase)))
      return failure();
    // A barrier inside an outer thread loop would not be reached by every
    // thread the same number of times.
    if (auto outer = phase->getParentOfType<scf::ForallOp>();
        outer && hasMapping(outer, /*block=*/false))
      return phase.emitOpError("thread-mapped phases cannot be nested in "
                               "another thread-mapped phase");
    FailureOr<OpFoldResult> extent = extentOf(phase);
    if (failed(extent))
      return phase.emitOpError("a thread-mapped phase must be a normalised "
                               "1-D scf.forall (from 0 by 1)");
    rewriter.setInsertionPoint(phase);
    Location ploc = phase.getLoc();
    auto loop = scf::ForOp::create(
        rewriter, ploc, launch.getThreadIds().x,
        getValueOrCreateConstantIndexOp(rewriter, ploc, *extent),
        arith::ConstantIndexOp::create(rewriter, ploc, threads));
    phase.getInductionVar(0).replaceAllUsesWith(loop.getInductionVar());
    inlineBefore(*phase.getBody(), loop.getBody()->getTerminator());
    rewriter.setInsertionPointAfter(loop);
    gpu::BarrierOp::create(rewriter, ploc);
    rewriter.eraseOp(phase);
  }
  return success();
}

/// A host copy involving a strided buffer (a slice bufferization copies into
/// a kernel's operand) cannot be one contiguous GPU copy: it becomes a copy
/// kernel, one element per thread, over the row-major index space.
scf::ForallOp copyAsKernel(OpBuilder &b, memref::CopyOp copy, StringRef name,
                           int64_t threads) {
  Location loc = copy.getLoc();
  b.setInsertionPoint(copy);
  Value source = copy.getSource(), target = copy.getTarget();
  SmallVector<OpFoldResult> sizes = memref::getMixedSizes(b, loc, source);
  KernelBuilder kb(b, loc, b.getF32Type(), threads);
  Value count = kb.idx(1);
  for (OpFoldResult size : sizes)
    count = kb.mul(count, getValueOrCreateConstantIndexOp(b, loc, size));
  Value blocks = kb.div(kb.add(count, kb.idx(threads - 1)), kb.idx(threads));
  kb.kernel(name, blocks, [&](Value block) {
    kb.threads(threads, [&](Value thread) {
      Value linear = kb.add(kb.mul(block, kb.idx(threads)), thread);
      kb.ifThen(kb.lt(linear, count), [&] {
        SmallVector<Value> indices;
        if (!sizes.empty())
          indices = affine::AffineDelinearizeIndexOp::create(
                        b, loc, linear, sizes, /*hasOuterBound=*/true)
                        .getResults();
        Value value = memref::LoadOp::create(b, loc, source, indices);
        memref::StoreOp::create(b, loc, value, target, indices);
      });
    });
  });
  auto kernel = cast<scf::ForallOp>(copy->getPrevNode());
  copy.erase();
  return kernel;
}

/// A strategy may hoist a loop-invariant scalar read out of its tiles, so it
/// ends up in host code right before the launch that uses it (the decay of a
/// linear attention, `memref<f32>`). The host cannot read device memory, and
/// the read would force a synchronisation: it moves into each launch that
/// uses it, where it reads the same value (nothing between the read and the
/// launch writes memory).
void sinkHostLoads(IRRewriter &rewriter, func::FuncOp func) {
  SmallVector<memref::LoadOp> loads;
  func.walk([&](memref::LoadOp load) {
    if (!load->getParentOfType<gpu::LaunchOp>())
      loads.push_back(load);
  });
  for (memref::LoadOp load : loads) {
    SmallVector<gpu::LaunchOp> launches;
    bool sinkable = !load->use_empty();
    for (Operation *user : load->getUsers()) {
      auto launch = user->getParentOfType<gpu::LaunchOp>();
      if (!launch || launch->getBlock() != load->getBlock() ||
          !load->isBeforeInBlock(launch)) {
        sinkable = false;
        break;
      }
      if (!llvm::is_contained(launches, launch))
        launches.push_back(launch);
    }
    // Only pure ops between the read and each launch.
    for (gpu::LaunchOp launch : launches)
      for (Operation *op = load->getNextNode(); sinkable && op != launch;
           op = op->getNextNode())
        sinkable = isPure(op);
    if (!sinkable)
      continue;
    for (gpu::LaunchOp launch : launches) {
      rewriter.setInsertionPointToStart(&launch.getBody().front());
      Operation *copy = rewriter.clone(*load);
      rewriter.replaceUsesWithIf(load.getResult(), copy->getResult(0),
                                 [&](OpOperand &use) {
                                   return launch->isProperAncestor(
                                       use.getOwner());
                                 });
    }
    rewriter.eraseOp(load);
  }
}

/// Host buffers live in device memory: a scratch buffer or result is only
/// ever touched by kernels and GPU copies. Everything is emitted in the
/// synchronous form; gpu-async-region chains it on the function's stream
/// after outlining.
void mapHostBuffers(IRRewriter &rewriter, func::FuncOp func) {
  // Constants (memref.get_global) live in host memory: kernels get a device
  // copy, released before returning.
  SmallVector<memref::GetGlobalOp> globals;
  func.walk([&](memref::GetGlobalOp global) {
    if (!global->getParentOfType<gpu::LaunchOp>() &&
        llvm::any_of(global->getUsers(), [](Operation *user) {
          return user->getParentOfType<gpu::LaunchOp>() != nullptr;
        }))
      globals.push_back(global);
  });
  for (memref::GetGlobalOp global : globals) {
    rewriter.setInsertionPointAfter(global);
    Location loc = global.getLoc();
    Value copy = memref::AllocOp::create(rewriter, loc, global.getType());
    memref::CopyOp::create(rewriter, loc, global.getResult(), copy);
    rewriter.replaceUsesWithIf(global.getResult(), copy, [](OpOperand &use) {
      return use.getOwner()->getParentOfType<gpu::LaunchOp>() != nullptr;
    });
    func.walk([&](func::ReturnOp ret) {
      rewriter.setInsertionPoint(ret);
      memref::DeallocOp::create(rewriter, loc, copy);
    });
  }

  SmallVector<Operation *> hostOps;
  func.walk([&](Operation *op) {
    if (op->getParentOfType<gpu::LaunchOp>())
      return;
    if (isa<memref::AllocOp, memref::DeallocOp, memref::CopyOp>(op))
      hostOps.push_back(op);
  });
  for (Operation *op : hostOps) {
    rewriter.setInsertionPoint(op);
    Location loc = op->getLoc();
    if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
      auto device = gpu::AllocOp::create(
          rewriter, loc, alloc.getType(), /*asyncToken=*/Type(), ValueRange{},
          alloc.getDynamicSizes(), alloc.getSymbolOperands(),
          /*hostShared=*/false);
      rewriter.replaceOp(alloc, device.getMemref());
    } else if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
      gpu::DeallocOp::create(rewriter, loc, /*asyncToken=*/Type(),
                             ValueRange{}, dealloc.getMemref());
      rewriter.eraseOp(dealloc);
    } else {
      // Copies between host-side buffers (bufferization's copies, the
      // constants' uploads): GPU copies of contiguous memrefs. (Strided ones became copy kernels before.)
      auto copy = cast<memref::CopyOp>(op);
      gpu::MemcpyOp::create(rewriter, loc, /*asyncToken=*/Type(),
                            ValueRange{}, copy.getTarget(), copy.getSource());
      rewriter.eraseOp(copy);
    }
  }
}

struct SeqBoatMapKernelsToGPUPass
    : public seqboat::impl::SeqBoatMapKernelsToGPUBase<
          SeqBoatMapKernelsToGPUPass> {
  using Base::Base;

  void runOnOperation() override {
    if (threads <= 0 || threads > 1024) {
      emitError(getOperation()->getLoc(),
                "option 'threads' must be in [1, 1024], got ")
          << static_cast<int64_t>(threads);
      return signalPassFailure();
    }
    func::FuncOp func = getOperation();
    SmallVector<scf::ForallOp> kernels;
    func.walk([&](scf::ForallOp forall) {
      if (hasMapping(forall, /*block=*/true) &&
          !forall->getParentOfType<scf::ForallOp>())
        kernels.push_back(forall);
    });
    // Calls of kernel functions (seqboat-form-kernels) and launches made by
    // strategies read host buffers too.
    bool launches = func.walk([](Operation *op) {
                          return isa<gpu::LaunchOp>(op) ||
                                         (isa<func::CallOp>(op) &&
                                          op->hasAttr(kKernelKindAttr))
                                     ? WalkResult::interrupt()
                                     : WalkResult::advance();
                        }).wasInterrupted();
    if (kernels.empty() && !launches)
      return;
    // Strided host copies become copy kernels (contiguous ones become
    // gpu.memcpy below).
    SmallVector<memref::CopyOp> strided;
    func.walk([&](memref::CopyOp copy) {
      if (copy->getParentOfType<gpu::LaunchOp>() ||
          copy->getParentOfType<scf::ForallOp>())
        return;
      if (!cast<MemRefType>(copy.getSource().getType()).getLayout().isIdentity() ||
          !cast<MemRefType>(copy.getTarget().getType()).getLayout().isIdentity())
        strided.push_back(copy);
    });
    OpBuilder builder(&getContext());
    for (auto [i, copy] : llvm::enumerate(strided))
      kernels.push_back(copyAsKernel(
          builder, copy, (func.getSymName() + "_copy_" + Twine(i)).str(),
          static_cast<int64_t>(threads)));
    IRRewriter rewriter(&getContext());
    for (scf::ForallOp kernel : kernels)
      if (failed(mapKernel(rewriter, kernel, static_cast<int64_t>(threads))))
        return signalPassFailure();
    // Launches a strategy generated join the one kernel module, named after
    // their function.
    func.walk([&](gpu::LaunchOp launch) {
      if (launch.getModuleAttr())
        return;
      launch.setModuleAttr(FlatSymbolRefAttr::get(&getContext(), kKernelModule));
      launch.setFunctionAttr(FlatSymbolRefAttr::get(
          &getContext(), (func.getSymName() + "_kernel").str()));
    });
    sinkHostLoads(rewriter, func);
    mapHostBuffers(rewriter, func);
    // The host cannot read or write device memory: a strided copy left in
    // host code has no GPU form yet (a contiguous one became a gpu.memcpy)
    // host; nor can it read or write an element of one.
    WalkResult hostAccess = func.walk([&](Operation *op) {
      if (!isa<memref::CopyOp, memref::LoadOp, memref::StoreOp>(op) ||
          op->getParentOfType<gpu::LaunchOp>())
        return WalkResult::advance();
      if (isa<memref::CopyOp>(op))
        op->emitError("a copy between strided buffers in host code is not "
                      "supported by the GPU pipeline (its buffers live in "
                      "device memory)");
      else
        op->emitError("host code of the GPU pipeline cannot access an "
                      "element of a buffer: buffers live in device memory");
      return WalkResult::interrupt();
    });
    if (hostAccess.wasInterrupted())
      return signalPassFailure();
  }
};

} // namespace
