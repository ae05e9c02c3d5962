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
#include "llvm/ADT/StringMap.h"

namespace mlir::seqboat {

#define GEN_PASS_DECL_CONVERTSEQBOATLAYERTOKERNELS
#define GEN_PASS_DECL_SEQBOATMAPKERNELSTOGPU
#define GEN_PASS_DECL_SEQBOATPRINTTUNINGSPACE
#define GEN_PASS_DECL_SEQBOATAPPLYTUNING
#include "seqboat/Conversion/Passes.h.inc"

/// Name of the string attribute naming each kernel's block forall.
inline constexpr llvm::StringLiteral kKernelNameAttr = "seqboat.kernel";

/// Discardable attribute of a seqboat.layer holding its #seqboat.config.
inline constexpr llvm::StringLiteral kConfigAttrName = "seqboat.config";

/// Marks the reduction loops the `unroll` knob applies to.
inline constexpr llvm::StringLiteral kUnrollAttrName = "seqboat.unroll";

/// Threads per block of one kernel (on its block-mapped forall).
inline constexpr llvm::StringLiteral kThreadsAttrName = "seqboat.threads";

/// The gpu.module every kernel is outlined into (one gpu.binary per layer).
inline constexpr llvm::StringLiteral kKernelModule = "seqboat_kernels";

/// One tunable knob: its name (as in #seqboat.config) and legal values.
struct TuningKnob {
  std::string name;
  SmallVector<int64_t> values;
  int64_t defaultValue;
};

/// The tuning space of one op under the fused-kernel strategy.
struct TuningSpace {
  /// Stable identity of the op for tuning databases: op name, operand types
  /// and inherent attributes (not the config).
  std::string key;
  SmallVector<TuningKnob> knobs;
  /// Human-readable constraints already applied to `knobs`.
  SmallVector<std::string> constraints;
};

/// The space of a seqboat.layer (the only op the GPU strategy maps), or
/// failure for ops without one.
FailureOr<TuningSpace> getTuningSpace(Operation *op);

/// The knobs of one tuned config as a database gives them; the ones other
/// than threads and rows_per_block may be absent (defaults apply).
struct TunedConfig {
  std::optional<int64_t> threads, rowsPerBlock, unroll, emaChunk, attnQueries;
};

/// The best config of every database key that has one.
using TuningDatabase = llvm::StringMap<TunedConfig>;

/// Largest tuning database read (seqboat-tune writes a few hundred KB).
inline constexpr size_t kMaxTuningDbBytes = 64 << 20;
/// Deepest JSON nesting read (seqboat-tune writes 5 levels).
inline constexpr size_t kMaxTuningDbDepth = 32;

/// Parses the JSON text of a tuning database and checks its schema: an
/// object with an 'entries' object whose values are objects, each with an
/// optional 'best' object of integer knobs. Texts over kMaxTuningDbBytes or
/// nesting deeper than kMaxTuningDbDepth are refused before parsing. On
/// failure, `error` is one line to follow "tuning database 'PATH' ".
FailureOr<TuningDatabase> parseTuningDatabase(StringRef text,
                                              std::string &error);

/// "seqboat <version> (MLIR <version>)", part of every tuning database key.
StringRef getCompilerVersion();

} // namespace mlir::seqboat

#endif // SEQBOAT_CONVERSION_SEQBOATTOGPU_SEQBOATTOGPU_H
