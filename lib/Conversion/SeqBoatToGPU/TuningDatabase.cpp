//===- TuningDatabase.cpp - reading seqboat-tune's database ---------------===//
//
// The database is a file anyone can hand to the compiler, so it is read as
// hostile input: bounded in size and nesting before the JSON parser sees it
// (llvm::json::parse recurses once per level, and a file of a few hundred KB
// of '[' overflows the stack), then checked against the schema seqboat-tune
// writes, with one error line naming what is wrong.
//
//===----------------------------------------------------------------------===//

#include "seqboat/Conversion/SeqBoatToGPU/SeqBoatToGPU.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/JSON.h"

using namespace mlir;
using namespace mlir::seqboat;

/// Every knob name a tuning space has (getTuningSpace): the fused layer's
/// and the contraction strategy's.
static constexpr StringLiteral kKnobNames[] = {
    "threads", "rows_per_block", "unroll", "ema_chunk", "attn_queries",
    "tile_m",  "tile_n",         "tile_k", "scan_chunk", "query_block",
    "key_block"};

ArrayRef<StringLiteral> mlir::seqboat::getTuningKnobNames() {
  return kKnobNames;
}

/// The deepest '[' / '{' nesting outside strings, stopping early once it
/// passes `limit`.
static size_t jsonDepth(StringRef text, size_t limit) {
  size_t depth = 0, deepest = 0;
  bool inString = false, escaped = false;
  for (char c : text) {
    if (inString) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        inString = false;
      continue;
    }
    if (c == '"') {
      inString = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
      if (deepest > limit)
        return deepest;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

/// A key as it appears in a message: quoted, cut short when long, and with
/// unprintable bytes escaped (\0A), so that the message stays one line.
static std::string quoteKey(StringRef key) {
  constexpr size_t kShown = 80;
  std::string text = "'";
  llvm::raw_string_ostream os(text);
  llvm::printEscapedString(key.take_front(kShown), os);
  os << (key.size() > kShown ? "...'" : "'");
  return text;
}

FailureOr<TuningDatabase> seqboat::parseTuningDatabase(StringRef text,
                                                       std::string &error) {
  if (text.size() > kMaxTuningDbBytes) {
    error = ("is " + Twine(text.size()) + " bytes, more than the limit of " +
             Twine(kMaxTuningDbBytes))
                .str();
    return failure();
  }
  if (jsonDepth(text, kMaxTuningDbDepth) > kMaxTuningDbDepth) {
    error = ("nests deeper than " + Twine(kMaxTuningDbDepth) + " levels")
                .str();
    return failure();
  }
  llvm::Expected<llvm::json::Value> json = llvm::json::parse(text);
  if (!json) {
    error = "is not valid JSON: " + llvm::toString(json.takeError());
    return failure();
  }
  const llvm::json::Object *root = json->getAsObject();
  const llvm::json::Object *entries =
      root ? root->getObject("entries") : nullptr;
  if (!entries) {
    error = "has no 'entries' object";
    return failure();
  }

  TuningDatabase db;
  for (const auto &[key, value] : *entries) {
    const llvm::json::Object *entry = value.getAsObject();
    if (!entry) {
      error = "entry " + quoteKey(key) + " is not an object";
      return failure();
    }
    const llvm::json::Value *bestValue = entry->get("best");
    if (!bestValue)
      continue;
    const llvm::json::Object *best = bestValue->getAsObject();
    if (!best) {
      error = "entry " + quoteKey(key) + ": 'best' is not an object";
      return failure();
    }
    TunedConfig config;
    for (const auto &[knob, knobValue] : *best) {
      if (!llvm::is_contained(kKnobNames, StringRef(knob))) {
        error = "entry " + quoteKey(key) + ": 'best' has an unknown knob " +
                quoteKey(knob);
        return failure();
      }
      std::optional<int64_t> v = knobValue.getAsInteger();
      if (!v) {
        error = "entry " + quoteKey(key) + ": knob " + quoteKey(knob) +
                " of 'best' is not an integer";
        return failure();
      }
      config[knob] = *v;
    }
    db[key] = config;
  }
  return db;
}
