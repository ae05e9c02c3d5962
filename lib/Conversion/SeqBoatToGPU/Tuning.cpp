//===- Tuning.cpp - the tunable space of the GPU strategy -----------------===//
//
// The one description of what can be tuned: getTuningSpace lists the knobs of
// #seqboat.config with their legal values for a given op, the query pass
// prints it for tools, and seqboat-apply-tuning attaches configs from a
// database keyed by the same op key.
//
//===----------------------------------------------------------------------===//

#include "seqboat/Conversion/SeqBoatToGPU/SeqBoatToGPU.h"
#include "seqboat/Dialect/SeqBoat/IR/SeqBoatOps.h"
#include "seqboat/Support/CheckedArith.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"

namespace mlir::seqboat {
#define GEN_PASS_DEF_SEQBOATPRINTTUNINGSPACE
#define GEN_PASS_DEF_SEQBOATAPPLYTUNING
#include "seqboat/Conversion/Passes.h.inc"
} // namespace mlir::seqboat

using namespace mlir;
using namespace mlir::seqboat;

StringRef seqboat::getCompilerVersion() {
  return "seqboat " SEQBOAT_VERSION " (MLIR " SEQBOAT_MLIR_VERSION ")";
}

/// Projection kernels keep rows_per_block x D floats of shared memory; stay
/// within the 48 KiB every CUDA device gives a block without opt-in.
static constexpr int64_t kSharedBytes = 48 * 1024;

/// A tile of `bytes` (nullopt: its size overflowed int64) fits kSharedBytes.
static bool fitsShared(std::optional<int64_t> bytes) {
  return bytes && *bytes <= kSharedBytes;
}

FailureOr<TuningSpace> seqboat::getTuningSpace(Operation *op) {
  auto layer = dyn_cast<LayerOp>(op);
  if (!layer)
    return failure();
  TuningSpace space;
  {
    llvm::raw_string_ostream os(space.key);
    os << op->getName() << "(";
    llvm::interleaveComma(op->getOperandTypes(), os);
    os << ")";
    // Inherent attributes only; the config itself is not part of the key.
    os << op->getPropertiesAsAttribute();
  }
  int64_t d = cast<RankedTensorType>(layer.getX().getType()).getDimSize(2);
  space.knobs.push_back({"threads", {32, 64, 128, 256, 512, 1024}, 128});
  TuningKnob rows{"rows_per_block", {}, 8};
  for (int64_t r : {1, 2, 4, 8, 16, 32})
    if (ShapedType::isDynamic(d) ||
        fitsShared(checkedProduct({r, d, 4})))
      rows.values.push_back(r);
  if (!llvm::is_contained(rows.values, rows.defaultValue))
    rows.defaultValue = rows.values.back();
  space.knobs.push_back(rows);
  space.knobs.push_back({"unroll", {1, 2, 4, 8}, 1});
  // Chunks at least as long as the sequence are all the same single chunk:
  // keep the first of them.
  int64_t len = cast<RankedTensorType>(layer.getX().getType()).getDimSize(1);
  TuningKnob chunk{"ema_chunk", {}, 64};
  for (int64_t c : {16, 32, 64, 128, 256}) {
    chunk.values.push_back(c);
    if (!ShapedType::isDynamic(len) && c >= len)
      break;
  }
  if (!llvm::is_contained(chunk.values, chunk.defaultValue))
    chunk.defaultValue = chunk.values.back();
  space.knobs.push_back(chunk);
  // The attention kernel keeps queries x (queries + window span) scores. A
  // window of L or more reaches as far as L does; with a dynamic L, any span
  // past the 48 KiB tile is as bad as another, so it is capped there.
  int64_t w = windowReach(layer.getWindow(),
                          ShapedType::isDynamic(len) ? kSharedBytes : len);
  // An empty layer (B = 0) may have any L, so even the clamped reach is
  // multiplied with overflow checks.
  std::optional<int64_t> reach =
      layer.getBidirectional() ? checkedMul(2, w) : w;
  TuningKnob queries{"attn_queries", {}, 1};
  for (int64_t q : {1, 2, 4, 8, 16}) {
    std::optional<int64_t> span =
        reach ? checkedAdd(q, *reach) : std::nullopt;
    if (span && !ShapedType::isDynamic(len))
      span = std::min(*span, len);
    if (q == 1 || (span && fitsShared(checkedProduct({q, *span, 4}))))
      queries.values.push_back(q);
  }
  space.knobs.push_back(queries);
  space.constraints.push_back("threads is a multiple of the warp size (32) "
                              "and at most 1024");
  space.constraints.push_back("ema_chunk values past the first one >= L "
                              "are dropped (a single chunk either way)");
  space.constraints.push_back("attn_queries * (attn_queries + window "
                              "reach) * 4 bytes <= 49152 (score tile)");
  space.constraints.push_back("rows_per_block * D * 4 bytes <= 49152 "
                              "(shared tile of hx_route and mx_proj), D = " +
                              std::to_string(d));
  return space;
}

static std::optional<int64_t> shapeSymbol(LayerOp op, unsigned operand,
                                          unsigned dim) {
  auto type = cast<RankedTensorType>(op->getOperand(operand).getType());
  if (dim >= type.getRank() || type.isDynamicDim(dim))
    return std::nullopt;
  return type.getDimSize(dim);
}

namespace {

struct SeqBoatPrintTuningSpacePass
    : public seqboat::impl::SeqBoatPrintTuningSpaceBase<
          SeqBoatPrintTuningSpacePass> {
  using Base::Base;

  void runOnOperation() override {
    llvm::json::Array ops;
    getOperation()->walk([&](LayerOp layer) {
      FailureOr<TuningSpace> space = getTuningSpace(layer);
      if (failed(space))
        return;
      llvm::json::Array knobs;
      for (const TuningKnob &knob : space->knobs)
        knobs.push_back(llvm::json::Object{
            {"name", knob.name},
            {"values", llvm::json::Array(knob.values)},
            {"default", knob.defaultValue}});
      llvm::json::Object shape;
      auto put = [&](StringRef name, unsigned operand, unsigned dim) {
        if (std::optional<int64_t> v = shapeSymbol(layer, operand, dim))
          shape[name] = *v;
      };
      put("B", 0, 0);
      put("L", 0, 1);
      put("D", 0, 2);
      put("N", 3, 1);
      put("Z", 13, 1);
      put("H", 16, 1);
      put("M2", 15, 0);
      std::string loc;
      llvm::raw_string_ostream(loc) << layer.getLoc();
      ops.push_back(llvm::json::Object{
          {"op", layer->getName().getStringRef()},
          {"loc", loc},
          {"key", space->key},
          {"shape", std::move(shape)},
          {"window", static_cast<int64_t>(layer.getWindow())},
          {"bidirectional", layer.getBidirectional()},
          {"knobs", std::move(knobs)},
          {"constraints", llvm::json::Array(space->constraints)}});
    });
    llvm::json::Object doc{{"compiler", getCompilerVersion()},
                           {"ops", std::move(ops)}};

    std::string error;
    std::unique_ptr<llvm::ToolOutputFile> file =
        openOutputFile(output, &error);
    if (!file) {
      getOperation()->emitError("cannot write the tuning space: ") << error;
      return signalPassFailure();
    }
    file->os() << llvm::formatv("{0:2}", llvm::json::Value(std::move(doc)))
               << "\n";
    file->keep();
    markAllAnalysesPreserved();
  }
};

struct SeqBoatApplyTuningPass
    : public seqboat::impl::SeqBoatApplyTuningBase<SeqBoatApplyTuningPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (database.empty()) {
      module.emitError("seqboat-apply-tuning needs a database: db=PATH");
      return signalPassFailure();
    }
    auto buffer = llvm::MemoryBuffer::getFile(database);
    if (!buffer) {
      module.emitError("cannot read tuning database '")
          << database << "': " << buffer.getError().message();
      return signalPassFailure();
    }
    std::string error;
    FailureOr<TuningDatabase> db =
        parseTuningDatabase((*buffer)->getBuffer(), error);
    if (failed(db)) {
      module.emitError("tuning database '") << database << "' " << error;
      return signalPassFailure();
    }

    WalkResult result = module.walk([&](LayerOp layer) {
      FailureOr<TuningSpace> space = getTuningSpace(layer);
      if (failed(space))
        return WalkResult::advance();
      std::string key =
          space->key + "|" + chip + "|" + getCompilerVersion().str();
      auto found = db->find(key);
      if (found == db->end()) {
        layer->removeAttr(kConfigAttrName);
        layer.emitRemark("seqboat-apply-tuning: no tuned config for ")
            << chip << " in '" << database << "'; using the defaults";
        return WalkResult::advance();
      }
      const TunedConfig &best = found->second;
      std::optional<int64_t> threads = best.threads, rows = best.rowsPerBlock;
      std::optional<int64_t> unroll = best.unroll.value_or(1);
      std::optional<int64_t> chunk = best.emaChunk.value_or(64);
      std::optional<int64_t> queries = best.attnQueries.value_or(1);
      auto legal = [&](StringRef name, std::optional<int64_t> v) {
        for (const TuningKnob &knob : space->knobs)
          if (knob.name == name)
            return v && llvm::is_contained(knob.values, *v);
        return false;
      };
      if (!legal("threads", threads) || !legal("rows_per_block", rows) ||
          !legal("unroll", unroll) || !legal("ema_chunk", chunk) ||
          !legal("attn_queries", queries)) {
        layer.emitError("tuning database '")
            << database << "' holds a config outside this op's tuning space";
        return WalkResult::interrupt();
      }
      auto config = ConfigAttr::get(&getContext(), *threads, *rows, *unroll,
                                    *chunk, *queries);
      layer->setAttr(kConfigAttrName, config);
      layer.emitRemark("seqboat-apply-tuning: using ")
          << config << " for " << chip;
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
