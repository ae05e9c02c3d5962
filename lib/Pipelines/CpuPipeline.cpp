//===- CpuPipeline.cpp - seqboat to LLVM on the CPU -----------------------===//

#include "seqboat/Pipelines/Pipelines.h"

#include "seqboat/Conversion/SeqBoatToGPU/SeqBoatToGPU.h"
#include "seqboat/Conversion/SeqBoatToLinalg/SeqBoatToLinalg.h"
#include "seqboat/Dialect/SeqBoat/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

bufferization::OneShotBufferizePassOptions seqboat::boundaryBufferization() {
  bufferization::OneShotBufferizePassOptions options;
  options.bufferizeFunctionBoundaries = true;
  // Plain descriptors at function boundaries: what the C interface and
  // seqboat-run's .npy binding expect.
  options.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  return options;
}

void seqboat::buildSeqBoatCpuPipeline(OpPassManager &pm,
                                      const CpuCompileOptions &options) {
  pm.addPass(createSeqBoatExportAbi());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createSeqBoatFuseElementwise());
  pm.addPass(createCSEPass());
  // Dynamic B and L: ops of static shape inside loops, for the strategies.
  pm.addPass(createSeqBoatTileDynamicDims());

  pm.addPass(bufferization::createOneShotBufferizePass(boundaryBufferization()));
  bufferization::buildBufferDeallocationPipeline(pm);
  // Contractions as register-tiled vector FMAs, row-contiguous ops in
  // vectors (the host strategies).
  if (options.hostStrategies) {
    SeqBoatApplyHostStrategiesOptions host;
    host.tileM = options.hostTileM;
    host.tileN = options.hostTileN;
    host.regM = options.hostRegM;
    host.regN = options.hostRegN;
    host.tileK = options.hostTileK;
    pm.addPass(createSeqBoatApplyHostStrategies(host));
  }

  buildBuffersToLLVM(pm, options.hostLowering());
}

void seqboat::buildBuffersToLLVM(OpPassManager &pm,
                                 const HostLowering &lowering) {
  bool parallel = lowering.parallel;
  // Before anything scalarises the vectors the strategies made.
  if (lowering.approximateExp)
    pm.addPass(createSeqBoatApproximateMath());
  if (parallel) {
    // One parallel loop per loop nest (the tiles of a strategy, the blocks
    // of a kernel, the parallel dimensions of a linalg op) runs on OpenMP
    // threads; everything inside it runs in order.
    pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
    pm.addNestedPass<func::FuncOp>(createSeqBoatParallelizeOuterLoops());
    pm.addPass(createConvertSCFToOpenMPPass());
  } else {
    // Tiled code (scf.forall from TilingInterface users) runs as loops.
    pm.addNestedPass<func::FuncOp>(createForallToForLoopPass());
    pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  }
  pm.addNestedPass<func::FuncOp>(createSeqBoatHoistStaticAllocas());
  // What the contraction strategy leaves in vectors. n-D transfers become
  // loops over stack buffers placed where the transfer was: out of loops
  // with them, or the stack grows with every iteration.
  pm.addPass(createConvertVectorToSCFPass());
  pm.addNestedPass<func::FuncOp>(createSeqBoatHoistStaticAllocas());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  // ([B·L, F] buffers viewed as [B, L, F] at runtime B and L.)
  pm.addPass(createSeqBoatExpandShapesToCasts());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSeqBoatExpandBF16());
  // Math with an LLVM intrinsic first; what has none (erf) becomes libm
  // calls, one per lane of a vector (vector.extract/insert, lowered next).
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createConvertVectorToLLVMPass());
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  // Buffers from the caching allocator (HostAllocator.h), not malloc.
  memrefToLLVM.useGenericFunctions = lowering.cachingAllocator;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  if (parallel)
    pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCanonicalizerPass());
}

void seqboat::buildSeqBoatToLLVMCpuPipeline(OpPassManager &pm,
                                            const CpuCompileOptions &options) {
  pm.addPass(createSeqBoatComputeInF32());
  SeqBoatDecomposeOptions decompose;
  decompose.hostRowBlocks = true;
  pm.addPass(createSeqBoatDecompose(decompose));
  if (options.countBounded) {
    SeqBoatBoundByCountOptions bound;
    bound.rowBlock = options.rowBlock;
    pm.addPass(createSeqBoatBoundByCount(bound));
  }
  ConvertSeqBoatToLinalgOptions lowering;
  lowering.emaChunk = options.emaChunk;
  lowering.attentionBlock = options.attentionBlock;
  pm.addPass(createConvertSeqBoatToLinalg(lowering));
  buildSeqBoatCpuPipeline(pm, options);
}

void seqboat::buildKernelStrategy(
    OpPassManager &pm, const ConvertSeqBoatLayerToKernelsOptions &knobs,
    const SeqBoatApplyStrategiesOptions &strategies, StringRef kernelWork) {
  pm.addPass(createSeqBoatExportAbi());
  // The fused layer kernels take 16-bit operands as they are (extended on
  // load, rounded once at the result); other 16-bit ops compute in f32
  // between conversions.
  pm.addNestedPass<func::FuncOp>(createConvertSeqBoatLayerToKernels(knobs));
  pm.addPass(createSeqBoatComputeInF32());
  // Ops with a sequential part become scan kernels (lowered by their
  // strategy after tiling); every other seqboat op goes through linalg to
  // contraction and parallel kernels.
  // (Attention kernels on the attention strategy take their q, k, v
  // producers.)
  SeqBoatFormScanKernelsOptions scanFormation;
  scanFormation.attentionKeyBlock = strategies.attentionKeyBlock;
  // precision=autocast: the projections on 16-bit weights store their
  // results in 16 bits (rounded where an autocast model rounds them).
  scanFormation.autocast = strategies.precision == "autocast";
  pm.addPass(createSeqBoatFormScanKernels(scanFormation));
  ConvertSeqBoatToLinalgOptions lowering;
  lowering.skipKernels = true;
  // A bidirectional EMA's directions in one scan: half the kernels.
  lowering.fuseEmaDirections = true;
  // (A non-positive scan-chunk is seqboat-apply-strategies' error to report.)
  if (strategies.scanChunk > 0)
    lowering.emaChunk = strategies.scanChunk;
  pm.addPass(createConvertSeqBoatToLinalg(lowering));
  // The scan roots those lowerings made (ema_conv's state scan).
  pm.addPass(createSeqBoatFormScanKernels(scanFormation));
  pm.addPass(createCanonicalizerPass());
  SeqBoatFormKernelsOptions formation;
  // precision=autocast: GEMMs fed by 16-bit weights on 16-bit tensor cores,
  // their activations rounded (an IR change, so the CPU runs it too).
  formation.autocast = strategies.precision == "autocast";
  pm.addPass(createSeqBoatFormKernels(formation));
  if (!kernelWork.empty()) {
    SeqBoatPrintKernelWorkOptions work;
    work.output = kernelWork.str();
    work.scanChunk = strategies.scanChunk;
    work.parallelThreads = strategies.parallelThreads;
    work.attentionQueryBlock = strategies.attentionQueryBlock;
    work.attentionThreads = strategies.attentionThreads;
    work.attentionKeyBlock = strategies.attentionKeyBlock;
    work.precision = strategies.precision;
    pm.addPass(createSeqBoatPrintKernelWork(work));
  }
  pm.addPass(createSeqBoatApplyStrategies(strategies));
  pm.addPass(bufferization::createOneShotBufferizePass(boundaryBufferization()));
}

void seqboat::buildSeqBoatKernelsCpuPipeline(
    OpPassManager &pm, const KernelStrategyOptions &options) {
  ConvertSeqBoatLayerToKernelsOptions knobs = options.strategyKnobs();
  knobs.freeScratch = false;
  buildKernelStrategy(pm, knobs,
                      options.strategyOptions(options.gpuThreads ? "gpu-mapped"
                                                                 : "cpu"),
                      options.kernelWork);
  // The GPU mapping's launches, run as loops over blocks and threads.
  if (options.gpuThreads)
    pm.addPass(createSeqBoatLaunchesToLoops());
  // Kernel results, the layer's scratch, loop-carried buffers (kernels
  // called in a host scf.for): ownership-based deallocation, as on the
  // linalg path.
  bufferization::buildBufferDeallocationPipeline(pm);
  // The threads of a block run in order: each phase finishes before the
  // next, which is exactly the barrier semantics of the GPU mapping. Blocks
  // are independent and may run on OpenMP threads.
  buildBuffersToLLVM(pm, options.hostLowering());
}

void seqboat::registerSeqBoatPipelines() {
  PassPipelineRegistration<CpuCompileOptions>(
      "seqboat-cpu-pipeline",
      "Bufferize seqboat's tensor-level lowering and lower it to the LLVM "
      "dialect for CPU execution (seqboat-run); ema-chunk is unused here",
      [](OpPassManager &pm, const CpuCompileOptions &options) {
        buildSeqBoatCpuPipeline(pm, options);
      });
  PassPipelineRegistration<CpuCompileOptions>(
      "seqboat-to-llvm-cpu",
      "seqboat-decompose, convert-seqboat-to-linalg and seqboat-cpu-pipeline",
      buildSeqBoatToLLVMCpuPipeline);
  PassPipelineRegistration<KernelStrategyOptions>(
      "seqboat-kernels-cpu-pipeline",
      "The GPU kernels (seqboat.layer's fused kernels, every other op's "
      "formed kernels and strategies) run as CPU loops and lowered to LLVM "
      "(numerics of the GPU algorithm without a GPU)",
      buildSeqBoatKernelsCpuPipeline);
  PassPipelineRegistration<GpuPipelineOptions>(
      "seqboat-gpu-pipeline",
      "seqboat ops to NVPTX kernels in a gpu.binary (seqboat.layer: six fused "
      "kernels; other ops: kernel formation and the strategy library), host "
      "code to LLVM calling the mgpu runtime",
      buildSeqBoatGpuPipeline);
}
