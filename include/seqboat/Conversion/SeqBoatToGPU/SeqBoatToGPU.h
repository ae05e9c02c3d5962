//===- SeqBoatToGPU.h - the fused-kernel GPU strategy -----------*- C++ -*-===//

#ifndef SEQBOAT_CONVERSION_SEQBOATTOGPU_SEQBOATTOGPU_H
#define SEQBOAT_CONVERSION_SEQBOATTOGPU_SEQBOATTOGPU_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Pass/Pass.h"

namespace mlir::seqboat {

#define GEN_PASS_DECL_CONVERTSEQBOATLAYERTOKERNELS
#define GEN_PASS_DECL_SEQBOATMAPKERNELSTOGPU
#include "seqboat/Conversion/Passes.h.inc"

/// Name of the string attribute naming each kernel's block forall.
inline constexpr llvm::StringLiteral kKernelNameAttr = "seqboat.kernel";

/// The gpu.module every kernel is outlined into (one gpu.binary per layer).
inline constexpr llvm::StringLiteral kKernelModule = "seqboat_kernels";

} // namespace mlir::seqboat

#endif // SEQBOAT_CONVERSION_SEQBOATTOGPU_SEQBOATTOGPU_H
