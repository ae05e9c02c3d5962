//===- GpuPipeline.cpp - seqboat.layer to fused NVPTX kernels -------------===//
//
// The host/device split follows upstream's gpu-lower-to-nvvm-pipeline, with
// seqboat's strategy in front and the toolkit path exposed.
//
//===----------------------------------------------------------------------===//

#include "seqboat/Pipelines/Pipelines.h"

#include "seqboat/Conversion/SeqBoatToGPU/SeqBoatToGPU.h"
#include "seqboat/Dialect/SeqBoat/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void seqboat::buildSeqBoatGpuPipeline(OpPassManager &pm,
                                      const GpuPipelineOptions &options) {
  // Strategy and mapping.
  if (!options.tuningDb.empty()) {
    SeqBoatApplyTuningOptions tuning;
    tuning.database = options.tuningDb;
    tuning.chip = options.chip;
    tuning.precision = options.precision;
    pm.addPass(createSeqBoatApplyTuning(tuning));
  }
  // Scratch buffers and kernel results are freed by ownership-based
  // deallocation of the host functions, as on the CPU paths (the fused
  // layer's kernels free nothing themselves).
  ConvertSeqBoatLayerToKernelsOptions knobs = options.strategyKnobs();
  knobs.freeScratch = false;
  buildKernelStrategy(pm, knobs, options.strategyOptions("gpu"),
                      options.kernelWork);
  pm.addPass(createSeqBoatDeallocateHostBuffers());
  pm.addPass(bufferization::createLowerDeallocationsPass());
  pm.addPass(createCSEPass());
  pm.addPass(createCanonicalizerPass());
  SeqBoatMapKernelsToGPUOptions mapping;
  mapping.threads = options.threads;
  pm.addNestedPass<func::FuncOp>(createSeqBoatMapKernelsToGPU(mapping));
  // Kernels take what they compute from (index arithmetic, constants) with
  // them, not as arguments; the host copies of the shared-memory globals the
  // strategies made are dropped once the kernels hold theirs.
  pm.addPass(createGpuLaunchSinkIndexComputationsPass());
  pm.addPass(createGpuKernelOutliningPass());
  // One stream per call: each host function's launches, allocations, copies
  // and frees in one block, chained by async tokens, synchronised once
  // before it returns.
  pm.addPass(createSeqBoatInlineKernelCalls());
  pm.addPass(createSymbolDCEPass());
  pm.addNestedPass<func::FuncOp>(createGpuAsyncRegionPass());

  // Common lowering of host and device code.
  pm.addPass(createConvertNVGPUToNVVMPass());
  pm.addPass(createConvertVectorToSCFPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertNVVMToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  // ([B·L, F] buffers viewed as [B, L, F] at runtime B and L.)
  pm.addPass(createSeqBoatExpandShapesToCasts());
  pm.addPass(memref::createExpandStridedMetadataPass());
  // The offsets of subviews it expanded.
  pm.addPass(createLowerAffinePass());
  GpuNVVMAttachTargetOptions target;
  target.chip = options.chip;
  target.features = options.features;
  target.optLevel = options.optLevel;
  pm.addPass(createGpuNVVMAttachTarget(target));
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  // Device code.
  pm.addNestedPass<gpu::GPUModuleOp>(createStripDebugInfoPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createConvertGpuOpsToNVVMOps());
  pm.addNestedPass<gpu::GPUModuleOp>(createSeqBoatLoopAnnotations());
  pm.addNestedPass<gpu::GPUModuleOp>(createSeqBoatExternDynamicShared());
  pm.addNestedPass<gpu::GPUModuleOp>(LLVM::createNVVMOptimizeForTargetPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createCanonicalizerPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createCSEPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createReconcileUnrealizedCastsPass());

  // Host code and the binary.
  pm.addPass(createGpuToLLVMConversionPass());
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = options.format;
  binary.toolkitPath = options.toolkit;
  pm.addPass(createGpuModuleToBinaryPass(binary));
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}
