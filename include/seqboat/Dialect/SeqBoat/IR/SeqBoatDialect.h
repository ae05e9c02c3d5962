//===- SeqBoatDialect.h - seqboat dialect -----------------------*- C++ -*-===//

#ifndef SEQBOAT_DIALECT_SEQBOAT_IR_SEQBOATDIALECT_H
#define SEQBOAT_DIALECT_SEQBOAT_IR_SEQBOATDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dialect.h"

#include <optional>
#include <string>

#include "seqboat/Dialect/SeqBoat/IR/SeqBoatDialect.h.inc"

namespace mlir::seqboat {
/// The knobs of the parallel and scan strategies for the kernels made of one
/// op: a dictionary on a seqboat op (or a linalg op), `{threads = T : i64,
/// scan_chunk = C : i64}`, either entry optional. T is a multiple of 32 in
/// [32, 1024] (threads per block), C is positive (the EMA chunk of a scan
/// kernel's thread and of ema_conv's chunked lowering). Lowering and kernel
/// formation carry it from the op to every kernel made of it; the dialect
/// verifies it (docs/tuning.md).
inline constexpr llvm::StringLiteral kKnobsAttr = "seqboat.knobs";

/// What is wrong with `value` for the knob `name` ("threads" or
/// "scan_chunk") of kKnobsAttr ("must be ..., got V"), or nullopt when it is
/// legal. The one rule for the attribute and for the pass options that
/// default it.
std::optional<std::string> checkKnob(llvm::StringRef name, int64_t value);

/// The 16-bit float type (f16 or bf16) in which a `seqboat.local_attention`
/// multiplies, as a PyTorch model under autocast does: its query, key and
/// value tiles and its attention weights are rounded to that type before
/// each product, which accumulates in f32 (docs/dialect.md, "Element
/// types"). Kernel formation sets it under `precision=autocast`; the
/// attention strategy reads it; the dialect verifies it.
inline constexpr llvm::StringLiteral kAutocastAttr = "seqboat.autocast";
} // namespace mlir::seqboat

#endif // SEQBOAT_DIALECT_SEQBOAT_IR_SEQBOATDIALECT_H
