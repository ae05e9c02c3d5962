//===- tuning-db-fuzzer.cpp - libFuzzer target for tuning databases -------===//
//
// The bytes are a whole database file, read as seqboat-apply-tuning reads it.
// Either it is refused with one line, or every config holds only knob names
// that some tuning space has.
//
//===----------------------------------------------------------------------===//

#include "seqboat/Conversion/SeqBoatToGPU/SeqBoatToGPU.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string error;
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  llvm::FailureOr<mlir::seqboat::TuningDatabase> db =
      mlir::seqboat::parseTuningDatabase(text, error);
  if (llvm::failed(db)) {
    if (error.empty() || error.find('\n') != std::string::npos)
      std::abort(); // One line, always.
    return 0;
  }
  static const llvm::StringRef kKnobs[] = {
      "threads", "rows_per_block", "unroll", "ema_chunk", "attn_queries",
      "tile_m",  "tile_n",         "tile_k"};
  for (const auto &entry : *db)
    for (const auto &knob : entry.second)
      if (!llvm::is_contained(kKnobs, knob.first()))
        std::abort();
  return 0;
}
