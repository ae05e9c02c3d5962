//===- Passes.h - seqboat dialect transforms --------------------*- C++ -*-===//

#ifndef SEQBOAT_DIALECT_SEQBOAT_TRANSFORMS_PASSES_H
#define SEQBOAT_DIALECT_SEQBOAT_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::seqboat {

/// Name of the attribute holding a function's original tensor signature.
inline constexpr llvm::StringLiteral kAbiAttrName = "seqboat.abi";
/// Prefix of the C string global holding that signature in object code.
inline constexpr llvm::StringLiteral kAbiSymbolPrefix = "__seqboat_abi_";

#define GEN_PASS_DECL
#include "seqboat/Dialect/SeqBoat/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "seqboat/Dialect/SeqBoat/Transforms/Passes.h.inc"

} // namespace mlir::seqboat

#endif // SEQBOAT_DIALECT_SEQBOAT_TRANSFORMS_PASSES_H
