//===- Tuning.cpp - the tunable space of the GPU strategy -----------------===//
//
// The one description of what can be tuned: getTuningSpace lists the knobs of
// #seqboat.config with their legal values for a given op, the query pass
// prints it for tools, and seqboat-apply-tuning attaches configs from a
// database keyed by the same op key.
//
//===----------------------------------------------------------------------===//

#include <limits>

#include "seqboat/Conversion/SeqBoatToGPU/SeqBoatToGPU.h"
#include "seqboat/Dialect/SeqBoat/IR/SeqBoatOps.h"
#include "seqboat/Support/CheckedArith.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/xxhash.h"
#include <map>

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

/// The contraction strategy's tiles: tile_m and tile_n keep the values that
/// fit their dimension (a remainder is peeled into parallel kernels), tile_k
/// the values that divide K; combinations the strategy cannot compile (copy
/// grid, shared memory) are rejected when the tuner compiles them.
static FailureOr<TuningSpace> getContractionSpace(linalg::MatmulOp mm) {
  linalg::GenericOp epilogue = getContractionEpilogue(mm);
  if (!epilogue)
    return failure();
  TuningSpace space;
  {
    // The epilogue's body changes register pressure: it is part of the key,
    // as a stable hash of its generic form.
    std::string body;
    llvm::raw_string_ostream bodyOs(body);
    epilogue.getRegion().front().walk([&](Operation *op) {
      bodyOs << op->getName() << ";";
    });
    llvm::raw_string_ostream os(space.key);
    os << mm->getName() << "(";
    llvm::interleaveComma(mm->getOperandTypes(), os);
    os << ") epilogue " << llvm::format_hex(llvm::xxh3_64bits(body), 18);
  }
  auto dims = cast<RankedTensorType>(mm->getResult(0).getType()).getShape();
  int64_t m = dims[0], n = dims[1],
          k = cast<RankedTensorType>(mm->getOperand(0).getType()).getDimSize(1);
  auto knob = [](StringRef name, ArrayRef<int64_t> candidates, int64_t extent,
                 int64_t preferred, bool peeled) {
    TuningKnob knob{name.str(), {}, preferred};
    for (int64_t v : candidates)
      if (peeled ? v <= extent : extent % v == 0)
        knob.values.push_back(v);
    if (knob.values.empty())
      knob.values.push_back(candidates.front());
    if (!llvm::is_contained(knob.values, preferred))
      knob.defaultValue = knob.values.front();
    return knob;
  };
  // 16-bit X and W: mma k = 16, 8 values per 16-byte copy, 128 rows by
  // default (the strategy's rules for them).
  bool half = getElementTypeOrSelf(mm->getOperand(0).getType())
                  .getIntOrFloatBitWidth() == 16;
  int64_t bytes = half ? 2 : 4;
  // A runtime M (B·L rows) takes any tile_m: the rows past the last whole
  // tile are peeled at run time.
  bool dynamicM = ShapedType::isDynamic(m);
  space.knobs.push_back(knob("tile_m", {32, 64, 128},
                             dynamicM ? std::numeric_limits<int64_t>::max() : m,
                             half ? 128 : 64, true));
  space.knobs.push_back(knob("tile_n", {16, 32, 64, 128}, n, 64, true));
  space.knobs.push_back(knob("tile_k", half ? ArrayRef<int64_t>{16, 32, 64}
                                            : ArrayRef<int64_t>{8, 16, 32},
                             k, 16, false));
  space.constraints.push_back(
      "tile_m <= M and tile_n <= N (M = " +
      (dynamicM ? std::string("? (B·L rows at run time, split at run time)")
                : std::to_string(m)) +
      ", N = " + std::to_string(n) +
      "; rows and columns past the last whole tile are peeled into parallel "
      "kernels); tile_k divides K (K = " +
      std::to_string(k) + ")");
  space.constraints.push_back(
      "tile_m and tile_n are multiples of 128 / (tile_k * " +
      std::to_string(bytes) + " / 16) (copy grid)");
  space.constraints.push_back(
      "4 * tile_m * tile_n + 2 * " + std::to_string(bytes) +
      " * tile_k * (tile_m + tile_n) + 4 * tile_n bytes <= 49152 (shared "
      "memory)");
  return space;
}

/// The key of a seqboat op in tuning databases: its name, operand types and
/// inherent attributes (not a config or knobs, which are discardable).
static std::string opKey(Operation *op) {
  std::string key;
  llvm::raw_string_ostream os(key);
  os << op->getName() << "(";
  llvm::interleaveComma(op->getOperandTypes(), os);
  os << ")" << op->getPropertiesAsAttribute();
  return key;
}

/// Whether `op` is a primitive seqboat op the generic GPU path compiles
/// into parallel and scan kernels (static shapes), so that seqboat.knobs
/// tunes it.
static bool isKnobTunable(Operation *op) {
  if (!isa_and_present<SeqBoatDialect>(op->getDialect()) || isa<LayerOp>(op))
    return false;
  auto isStatic = [](Type t) {
    auto ranked = dyn_cast<RankedTensorType>(t);
    return !ranked || ranked.hasStaticShape();
  };
  return llvm::all_of(op->getOperandTypes(), isStatic) &&
         llvm::all_of(op->getResultTypes(), isStatic);
}

/// The parallel and scan strategies' knobs for the kernels of one primitive
/// op: threads per block, and for ema_conv the EMA chunk (tokens a thread
/// scans at a time, and the chunk of its parallel decomposition).
static TuningSpace getKnobSpace(Operation *op) {
  TuningSpace space;
  space.key = opKey(op);
  space.knobs.push_back({"threads", {32, 64, 128, 256, 512}, 128});
  space.constraints.push_back(
      "threads per block of every parallel and scan kernel of the op; the "
      "block tile is the largest divisor of each distributed loop that fits "
      "(threads may be idle)");
  if (auto ema = dyn_cast<EmaConvOp>(op)) {
    int64_t len = cast<RankedTensorType>(ema.getX().getType()).getDimSize(1);
    TuningKnob chunk{"scan_chunk", {}, 16};
    for (int64_t c : {16, 32, 64, 128, 256}) {
      chunk.values.push_back(c);
      if (c >= len)
        break;
    }
    space.knobs.push_back(chunk);
    space.constraints.push_back("scan_chunk values past the first one >= L "
                                "are dropped (a single chunk either way)");
  }
  if (isa<LocalAttentionOp>(op)) {
    // The attention strategy's defaults (attention-threads, -query-block,
    // -key-block).
    space.knobs.front().defaultValue = 256;
    space.knobs.push_back({"query_block", {16, 32, 64, 128}, 64});
    space.knobs.push_back({"key_block", {0, 8, 16, 32, 64}, 32});
    space.constraints.push_back(
        "query_block x key_block: the attention strategy's block (query "
        "slots) and key tile; key_block = 0 is the scan strategy (a thread "
        "per query); the block's f32 tiles (QB·Z + KB·Z + KB·HB + QB·HB + "
        "2·QB·KB + 3·QB, v's features HB shrinking to fit) must fit 227 KiB "
        "of dynamic shared memory");
  }
  return space;
}

FailureOr<TuningSpace> seqboat::getTuningSpace(Operation *op) {
  if (auto mm = dyn_cast<linalg::MatmulOp>(op))
    return getContractionSpace(mm);
  if (isKnobTunable(op))
    return getKnobSpace(op);
  auto layer = dyn_cast<LayerOp>(op);
  if (!layer)
    return failure();
  TuningSpace space;
  space.key = opKey(op);
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

LogicalResult seqboat::writeJsonFile(Operation *op, StringRef path,
                                     StringRef what, llvm::json::Value doc) {
  std::string error;
  std::unique_ptr<llvm::ToolOutputFile> file = openOutputFile(path, &error);
  if (!file)
    return op->emitError("cannot write ") << what << ": " << error;
  file->os() << llvm::formatv("{0:2}", doc) << "\n";
  file->keep();
  return success();
}

static std::optional<int64_t> shapeSymbol(LayerOp op, unsigned operand,
                                          unsigned dim) {
  auto type = cast<RankedTensorType>(op->getOperand(operand).getType());
  if (dim >= type.getRank() || type.isDynamicDim(dim))
    return std::nullopt;
  return type.getDimSize(dim);
}

/// The knobs of a space as the JSON seqboat-tune reads.
static llvm::json::Array knobsJson(const TuningSpace &space) {
  llvm::json::Array knobs;
  for (const TuningKnob &knob : space.knobs)
    knobs.push_back(llvm::json::Object{{"name", knob.name},
                                       {"values", llvm::json::Array(knob.values)},
                                       {"default", knob.defaultValue}});
  return knobs;
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
      llvm::json::Array knobs = knobsJson(*space);
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
          {"kind", "layer"},
          {"loc", loc},
          {"key", space->key},
          {"shape", std::move(shape)},
          {"window", static_cast<int64_t>(layer.getWindow())},
          {"bidirectional", layer.getBidirectional()},
          {"knobs", std::move(knobs)},
          {"constraints", llvm::json::Array(space->constraints)}});
    });
    getOperation()->walk([&](Operation *op) {
      if (!isKnobTunable(op))
        return;
      TuningSpace space = getKnobSpace(op);
      llvm::json::Object shape;
      for (auto [i, type] : llvm::enumerate(op->getOperandTypes()))
        if (auto ranked = dyn_cast<RankedTensorType>(type))
          shape["operand" + std::to_string(i)] =
              llvm::json::Array(ranked.getShape());
      std::string loc;
      llvm::raw_string_ostream(loc) << op->getLoc();
      ops.push_back(llvm::json::Object{
          {"op", op->getName().getStringRef()},
          {"kind", "op"},
          {"loc", loc},
          {"key", space.key},
          {"shape", std::move(shape)},
          {"knobs", knobsJson(space)},
          {"constraints", llvm::json::Array(space.constraints)}});
    });
    getOperation()->walk([&](linalg::MatmulOp mm) {
      FailureOr<TuningSpace> space = getTuningSpace(mm);
      if (failed(space))
        return;
      llvm::json::Array knobs = knobsJson(*space);
      auto dims = cast<RankedTensorType>(mm->getResult(0).getType()).getShape();
      llvm::json::Object shape{
          {"N", dims[1]},
          {"K", cast<RankedTensorType>(mm->getOperand(0).getType())
                    .getDimSize(1)}};
      // A runtime M is left out: the tuner binds it (--size).
      if (!ShapedType::isDynamic(dims[0]))
        shape["M"] = dims[0];
      std::string loc;
      llvm::raw_string_ostream(loc) << mm.getLoc();
      ops.push_back(llvm::json::Object{
          {"op", mm->getName().getStringRef()},
          {"kind", "contraction"},
          {"kernel", getContractionKernelName(mm) + "_kernel"},
          {"loc", loc},
          {"key", space->key},
          {"shape", std::move(shape)},
          {"knobs", std::move(knobs)},
          {"constraints", llvm::json::Array(space->constraints)}});
    });
    llvm::json::Object doc{{"compiler", getCompilerVersion()},
                           {"ops", std::move(ops)}};

    if (failed(writeJsonFile(getOperation(), output, "the tuning space",
                             std::move(doc))))
      return signalPassFailure();
    markAllAnalysesPreserved();
  }
};

struct SeqBoatApplyTuningPass
    : public seqboat::impl::SeqBoatApplyTuningBase<SeqBoatApplyTuningPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (precision != "tf32" && precision != "ieee" && precision != "autocast") {
      module.emitError("seqboat-apply-tuning: unknown precision '")
          << precision << "' (expected tf32, ieee or autocast)";
      return signalPassFailure();
    }
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

    // Layers take a #seqboat.config; contraction roots take seqboat.tiles,
    // which seqboat-form-kernels carries to the kernel function.
    WalkResult result = module.walk([&](Operation *op) {
      if (!isa<LayerOp, linalg::MatmulOp>(op) && !isKnobTunable(op))
        return WalkResult::advance();
      FailureOr<TuningSpace> space = getTuningSpace(op);
      if (failed(space))
        return WalkResult::advance();
      bool isLayer = isa<LayerOp>(op);
      bool isKnobs = isKnobTunable(op);
      StringRef attrName = isLayer   ? StringRef(kConfigAttrName)
                           : isKnobs ? StringRef(kKnobsAttr)
                                     : StringRef(kTilesAttr);
      std::string key =
          space->key + "|" + chip + "|" + getCompilerVersion().str();
      // (Configs tuned under another precision than the default are kept
      // apart: the kernels they were measured on differ.)
      if (precision != "tf32")
        key += "|precision=" + precision;

      // One value per knob of the space, in its order. A layer's knobs past
      // threads and rows_per_block came later and take their defaults when
      // an older database lacks them; every knob a config names must belong
      // to the space, with one of its values.
      auto configOf = [&](const TunedConfig &best) -> FailureOr<Attribute> {
        SmallVector<int64_t> values;
        for (auto [i, knob] : llvm::enumerate(space->knobs)) {
          auto it = best.find(knob.name);
          // (As the attention knobs of local_attention, past threads.)
          if (it == best.end() && !(isLayer && i >= 2) &&
              !(isa<LocalAttentionOp>(op) && i >= 1))
            return op->emitError("tuning database '")
                   << database << "' has a config without the knob '"
                   << knob.name << "' for this op";
          int64_t v = it == best.end() ? knob.defaultValue : it->second;
          if (!llvm::is_contained(knob.values, v))
            return op->emitError("tuning database '")
                   << database << "' holds a config outside this op's tuning "
                   << "space: " << knob.name << " = " << v;
          values.push_back(v);
        }
        for (const auto &entry : best)
          if (llvm::none_of(space->knobs, [&](const TuningKnob &knob) {
                return knob.name == entry.getKey();
              }))
            return op->emitError("tuning database '")
                   << database << "' holds a config outside this op's tuning "
                   << "space: it has no knob '" << entry.getKey() << "'";
        if (isLayer)
          return Attribute(ConfigAttr::get(&getContext(), values[0],
                                           values[1], values[2], values[3],
                                           values[4]));
        if (isKnobs) {
          Builder b(&getContext());
          SmallVector<NamedAttribute> entries;
          for (auto [knob, v] : llvm::zip(space->knobs, values))
            entries.push_back(b.getNamedAttr(knob.name, b.getI64IntegerAttr(v)));
          return Attribute(b.getDictionaryAttr(entries));
        }
        return Attribute(DenseI64ArrayAttr::get(&getContext(), values));
      };

      // A layer with a dynamic L tuned at several lengths: one config per
      // length bucket (`KEY|L<=N` entries), chosen by L at run time.
      auto layer = dyn_cast<LayerOp>(op);
      if (layer && cast<RankedTensorType>(layer.getX().getType())
                       .isDynamicDim(1)) {
        std::string prefix = key + "|L<=";
        std::map<int64_t, const TunedConfig *> byBound;
        for (const auto &entry : *db) {
          StringRef rest = entry.getKey();
          if (!rest.consume_front(prefix))
            continue;
          std::optional<int64_t> bound = parseDecimal(rest);
          if (!bound || *bound < 1) {
            op->emitError("tuning database '")
                << database << "' has an entry '" << entry.getKey()
                << "' whose length bucket is not a positive integer";
            return WalkResult::interrupt();
          }
          byBound[*bound] = &entry.getValue();
        }
        if (!byBound.empty()) {
          SmallVector<int64_t> bounds;
          SmallVector<Attribute> configs;
          for (auto [bound, best] : byBound) {
            FailureOr<Attribute> attr = configOf(*best);
            if (failed(attr))
              return WalkResult::interrupt();
            bounds.push_back(bound);
            configs.push_back(*attr);
          }
          op->removeAttr(kConfigAttrName);
          op->setAttr(kBucketMaxLAttr,
                      DenseI64ArrayAttr::get(&getContext(), bounds));
          op->setAttr(kBucketConfigsAttr, ArrayAttr::get(&getContext(),
                                                         configs));
          InFlightDiagnostic remark = op->emitRemark(
              "seqboat-apply-tuning: using per-length configs for ");
          remark << chip << ":";
          for (auto [bound, config] : llvm::zip(bounds, configs))
            remark << " L <= " << bound << ": " << config << ";";
          remark << " longer L: the last";
          return WalkResult::advance();
        }
      }

      auto found = db->find(key);
      if (found == db->end()) {
        op->removeAttr(attrName);
        op->emitRemark("seqboat-apply-tuning: no tuned config for ")
            << chip << " in '" << database << "'; using the defaults";
        return WalkResult::advance();
      }
      FailureOr<Attribute> attr = configOf(found->second);
      if (failed(attr))
        return WalkResult::interrupt();
      op->setAttr(attrName, *attr);
      op->emitRemark("seqboat-apply-tuning: using ")
          << (isLayer ? "" : isKnobs ? "knobs " : "tiles ") << *attr
          << " for " << chip;
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
