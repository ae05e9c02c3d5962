//===- SeqBoatDialect.cpp - seqboat dialect -------------------------------===//

#include "seqboat/Dialect/SeqBoat/IR/SeqBoatDialect.h"
#include "seqboat/Dialect/SeqBoat/IR/SeqBoatOps.h"
#include "seqboat/Dialect/SeqBoat/IR/SeqBoatTiling.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::seqboat;

#include "seqboat/Dialect/SeqBoat/IR/SeqBoatDialect.cpp.inc"
#include "seqboat/Dialect/SeqBoat/IR/SeqBoatEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "seqboat/Dialect/SeqBoat/IR/SeqBoatAttrs.cpp.inc"

void SeqBoatDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "seqboat/Dialect/SeqBoat/IR/SeqBoatAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "seqboat/Dialect/SeqBoat/IR/SeqBoatOps.cpp.inc"
      >();
  attachTilingInterfaces(getContext());
}

LogicalResult SeqBoatDialect::verifyOperationAttribute(Operation *op,
                                                      NamedAttribute attr) {
  if (attr.getName() == kAutocastAttr) {
    if (!isa<LocalAttentionOp>(op))
      return op->emitError("'") << kAutocastAttr
                                << "' applies to seqboat.local_attention only";
    auto type = dyn_cast<TypeAttr>(attr.getValue());
    if (!type || !(type.getValue().isF16() || type.getValue().isBF16()))
      return op->emitError("'") << kAutocastAttr
                                << "' must be the type f16 or bf16, got "
                                << attr.getValue();
    return success();
  }
  if (attr.getName() != kKnobsAttr)
    return success();
  auto dict = dyn_cast<DictionaryAttr>(attr.getValue());
  if (!dict)
    return op->emitError("'") << kKnobsAttr << "' must be a dictionary, got "
                              << attr.getValue();
  for (NamedAttribute entry : dict) {
    StringRef name = entry.getName().getValue();
    auto value = dyn_cast<IntegerAttr>(entry.getValue());
    if (name != "threads" && name != "scan_chunk" && name != "query_block" &&
        name != "key_block")
      return op->emitError("'")
             << kKnobsAttr << "' has no knob '" << name
             << "' (it takes 'threads', 'scan_chunk', 'query_block' and "
                "'key_block')";
    if (!value)
      return op->emitError("'") << kKnobsAttr << "' knob '" << name
                                << "' must be an integer, got "
                                << entry.getValue();
    if (std::optional<std::string> error = checkKnob(name, value.getInt()))
      return op->emitError("'")
             << kKnobsAttr << "' knob '" << name << "' " << *error;
  }
  return success();
}

std::optional<std::string> seqboat::checkKnob(StringRef name, int64_t value) {
  if (name == "threads") {
    if (value < 32 || value > 1024 || value % 32 != 0)
      return "must be a multiple of 32 in [32, 1024], got " +
             std::to_string(value);
    return std::nullopt;
  }
  if (name == "query_block") {
    if (value < 1 || value > 1024)
      return "must be in [1, 1024], got " + std::to_string(value);
    return std::nullopt;
  }
  if (name == "key_block") {
    if (value < 0 || value > 1024)
      return "must be in [0, 1024] (0: the scan strategy), got " +
             std::to_string(value);
    return std::nullopt;
  }
  assert(name == "scan_chunk" && "not a knob of seqboat.knobs");
  if (value < 1)
    return "must be positive, got " + std::to_string(value);
  return std::nullopt;
}

LogicalResult
ConfigAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                   int64_t threads, int64_t rowsPerBlock, int64_t unroll,
                   int64_t emaChunk, int64_t attnQueries) {
  if (threads < 1 || threads > 1024)
    return emitError() << "#seqboat.config 'threads' must be in [1, 1024], "
                          "but got "
                       << threads;
  if (rowsPerBlock < 1)
    return emitError()
           << "#seqboat.config 'rows_per_block' must be positive, but got "
           << rowsPerBlock;
  if (unroll < 1)
    return emitError() << "#seqboat.config 'unroll' must be positive, but got "
                       << unroll;
  if (emaChunk < 1)
    return emitError()
           << "#seqboat.config 'ema_chunk' must be positive, but got "
           << emaChunk;
  if (attnQueries < 1)
    return emitError()
           << "#seqboat.config 'attn_queries' must be positive, but got "
           << attnQueries;
  return success();
}
