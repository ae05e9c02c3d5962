//===- mlir-fuzzer.cpp - libFuzzer target: parse, verify, lower -----------===//
//
// The bytes are an .mlir file of at most kMaxInputBytes. It is parsed with
// only the dialects seqboat inputs use (builtin, func, arith, tensor,
// seqboat) -- the target is seqboat's verifiers and lowerings, not every
// upstream dialect's parser -- and, when it verifies, run through each
// pipeline up to LLVM on a fresh copy: seqboat-to-llvm-cpu (linalg path),
// seqboat-kernels-cpu-pipeline (fused kernels as CPU loops) and
// seqboat-gpu-pipeline with format=llvm (kernels to NVVM, LLVM IR in the
// gpu.binary; no PTX codegen, which would dominate the run time). A pipeline
// may fail with a diagnostic; it must not crash, hang or trip a sanitizer.
//
//===----------------------------------------------------------------------===//

#include "seqboat/Dialect/SeqBoat/IR/SeqBoatDialect.h"
#include "seqboat/InitAllSeqBoat.h"
#include "seqboat/Pipelines/Pipelines.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/TargetSelect.h"

#include <functional>

using namespace mlir;

/// Inputs are bounded so that each run stays within libFuzzer's time limit;
/// the interesting structure of a seqboat module fits in a few KiB.
static constexpr size_t kMaxInputBytes = 4096;

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  // gpu-module-to-binary needs the NVPTX target for format=llvm too.
  llvm::InitializeAllTargets();
  llvm::InitializeAllTargetMCs();
  llvm::InitializeAllAsmPrinters();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > kMaxInputBytes)
    return 0;
  DialectRegistry inputDialects;
  inputDialects.insert<arith::ArithDialect, func::FuncDialect,
                       tensor::TensorDialect, seqboat::SeqBoatDialect>();
  MLIRContext context(inputDialects, MLIRContext::Threading::DISABLED);
  // Diagnostics are expected (that is the point); keep them quiet.
  ScopedDiagnosticHandler quiet(&context, [](Diagnostic &) { return success(); });

  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, &context);
  if (!module)
    return 0;

  // The pipelines create ops of many more dialects.
  DialectRegistry all;
  seqboat::registerAllSeqBoatDialects(all);
  context.appendDialectRegistry(all);

  std::function<void(OpPassManager &)> pipelines[] = {
      [](OpPassManager &pm) {
        seqboat::buildSeqBoatToLLVMCpuPipeline(pm, seqboat::CpuCompileOptions());
      },
      [](OpPassManager &pm) {
        seqboat::buildSeqBoatKernelsCpuPipeline(
            pm, seqboat::KernelStrategyOptions());
      },
      [](OpPassManager &pm) {
        seqboat::GpuPipelineOptions options;
        options.format = "llvm";
        seqboat::buildSeqBoatGpuPipeline(pm, options);
      },
  };
  for (auto &build : pipelines) {
    OwningOpRef<ModuleOp> copy = cast<ModuleOp>((*module)->clone());
    PassManager pm(&context, ModuleOp::getOperationName());
    build(pm);
    (void)pm.run(*copy);
  }
  return 0;
}
