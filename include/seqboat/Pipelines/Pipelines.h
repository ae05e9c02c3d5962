//===- Pipelines.h - seqboat named pipelines --------------------*- C++ -*-===//

#ifndef SEQBOAT_PIPELINES_PIPELINES_H
#define SEQBOAT_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir::seqboat {

/// Options of `seqboat-to-llvm-cpu`, the whole way from seqboat to LLVM.
struct CpuCompileOptions : public PassPipelineOptions<CpuCompileOptions> {
  PassOptions::Option<int64_t> emaChunk{
      *this, "ema-chunk",
      llvm::cl::desc("Chunk length of the ema_conv scan"), llvm::cl::init(64)};
};

/// `seqboat-cpu-pipeline`: tensors (linalg/tensor/scf/arith/math) ->
/// bufferization -> loops -> LLVM dialect, with the C interface and the
/// `seqboat.abi` signature recorded on every public function.
void buildSeqBoatCpuPipeline(OpPassManager &pm);

/// `seqboat-to-llvm-cpu`: seqboat-decompose, convert-seqboat-to-linalg, then
/// seqboat-cpu-pipeline.
void buildSeqBoatToLLVMCpuPipeline(OpPassManager &pm,
                                   const CpuCompileOptions &options);

void registerSeqBoatPipelines();

} // namespace mlir::seqboat

#endif // SEQBOAT_PIPELINES_PIPELINES_H
