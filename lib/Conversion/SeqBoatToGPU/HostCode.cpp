//===- HostCode.cpp - the host side of the GPU pipeline -------------------===//
//
// Two module passes that shape the host code around the kernels:
//
//  - seqboat-deallocate-host-buffers: upstream's ownership-based buffer
//    deallocation on the host functions only (kernel functions hold
//    gpu.launch bodies the analysis cannot see through);
//  - seqboat-inline-kernel-calls: the calls of kernel functions replaced by
//    their bodies, so that each host function's launches, allocations and
//    copies lie in one block, where gpu-async-region chains them on one
//    stream and synchronises once, at the end.
//
//===----------------------------------------------------------------------===//

#include "seqboat/Conversion/SeqBoatToGPU/SeqBoatToGPU.h"

#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

namespace mlir::seqboat {
#define GEN_PASS_DEF_SEQBOATDEALLOCATEHOSTBUFFERS
#define GEN_PASS_DEF_SEQBOATINLINEKERNELCALLS
#include "seqboat/Conversion/Passes.h.inc"
} // namespace mlir::seqboat

using namespace mlir;
using namespace mlir::seqboat;

namespace {

bool isKernelFunction(func::FuncOp func) {
  return func->hasAttr(kKernelKindAttr);
}

struct SeqBoatDeallocateHostBuffersPass
    : public seqboat::impl::SeqBoatDeallocateHostBuffersBase<
          SeqBoatDeallocateHostBuffersPass> {
  using Base::Base;

  /// The function-level part of upstream's buffer-deallocation-pipeline
  /// (its module-level lowering of bufferization.dealloc runs after this
  /// pass, on the whole module).
  static void buildPipeline(OpPassManager &pm) {
    memref::ExpandReallocPassOptions realloc;
    realloc.emitDeallocs = false;
    pm.addPass(memref::createExpandReallocPass(realloc));
    pm.addPass(createCanonicalizerPass());
    pm.addPass(bufferization::createOwnershipBasedBufferDeallocationPass());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(bufferization::createBufferDeallocationSimplificationPass());
  }

  void getDependentDialects(DialectRegistry &registry) const override {
    Base::getDependentDialects(registry);
    OpPassManager pm(func::FuncOp::getOperationName());
    buildPipeline(pm);
    pm.getDependentDialects(registry);
  }

  void runOnOperation() override {
    OpPassManager pm(func::FuncOp::getOperationName());
    buildPipeline(pm);
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isExternal() || isKernelFunction(func))
        continue;
      if (failed(runPipeline(pm, func)))
        return signalPassFailure();
    }
  }
};

struct SeqBoatInlineKernelCallsPass
    : public seqboat::impl::SeqBoatInlineKernelCallsBase<
          SeqBoatInlineKernelCallsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::CallOp> calls;
    module.walk([&](func::CallOp call) {
      if (call->hasAttr(kKernelKindAttr))
        calls.push_back(call);
    });
    llvm::SetVector<func::FuncOp> inlined;
    for (func::CallOp call : calls) {
      auto callee = symbols.lookup<func::FuncOp>(call.getCallee());
      // A kernel function is one block ending in a return of nothing.
      if (!callee || callee.isExternal() ||
          !llvm::hasSingleElement(callee.getBody()) ||
          call.getNumResults() != 0) {
        call.emitError("cannot inline the kernel call: its callee is not a "
                       "single-block function without results");
        return signalPassFailure();
      }
      Block &body = callee.getBody().front();
      IRMapping mapping;
      mapping.map(body.getArguments(), call.getOperands());
      OpBuilder b(call);
      for (Operation &op : body.without_terminator())
        b.clone(op, mapping);
      call.erase();
      inlined.insert(callee);
    }
    for (func::FuncOp callee : inlined)
      if (callee.isPrivate() &&
          SymbolTable::symbolKnownUseEmpty(callee, module))
        callee.erase();
  }
};

} // namespace
