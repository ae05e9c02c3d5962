//===- CpuPipeline.cpp - seqboat to LLVM on the CPU -----------------------===//

#include "seqboat/Pipelines/Pipelines.h"

#include "seqboat/Conversion/SeqBoatToLinalg/SeqBoatToLinalg.h"
#include "seqboat/Dialect/SeqBoat/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void seqboat::buildSeqBoatCpuPipeline(OpPassManager &pm) {
  pm.addPass(createSeqBoatExportAbi());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createSeqBoatFuseElementwise());
  pm.addPass(createCSEPass());

  bufferization::OneShotBufferizePassOptions bufferization;
  bufferization.bufferizeFunctionBoundaries = true;
  // Plain descriptors at function boundaries: what the C interface and
  // seqboat-run's .npy binding expect.
  bufferization.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferization));
  bufferization::buildBufferDeallocationPipeline(pm);

  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertMathToLLVMPass());
  // What LLVM has no intrinsic for (erf) becomes a libm call.
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void seqboat::buildSeqBoatToLLVMCpuPipeline(OpPassManager &pm,
                                            const CpuCompileOptions &options) {
  pm.addPass(createSeqBoatDecompose());
  ConvertSeqBoatToLinalgOptions lowering;
  lowering.emaChunk = options.emaChunk;
  pm.addPass(createConvertSeqBoatToLinalg(lowering));
  buildSeqBoatCpuPipeline(pm);
}

void seqboat::registerSeqBoatPipelines() {
  PassPipelineRegistration<>(
      "seqboat-cpu-pipeline",
      "Bufferize seqboat's tensor-level lowering and lower it to the LLVM "
      "dialect for CPU execution (seqboat-run)",
      [](OpPassManager &pm) { buildSeqBoatCpuPipeline(pm); });
  PassPipelineRegistration<CpuCompileOptions>(
      "seqboat-to-llvm-cpu",
      "seqboat-decompose, convert-seqboat-to-linalg and seqboat-cpu-pipeline",
      buildSeqBoatToLLVMCpuPipeline);
}
