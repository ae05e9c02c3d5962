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
  for (const auto &entry : *db)
    for (const auto &knob : entry.second)
      if (!llvm::is_contained(mlir::seqboat::getTuningKnobNames(),
                               knob.first()))
        std::abort();
  return 0;
}
