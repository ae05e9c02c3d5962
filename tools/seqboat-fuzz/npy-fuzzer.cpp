//===- npy-fuzzer.cpp - libFuzzer target for the .npy reader --------------===//
//
// The bytes are a whole .npy file. parseNpy is readNpy's in-memory half (the
// same header, shape and size checks); either it fails with a message or the
// array it returns is consistent with its shape.
//
//===----------------------------------------------------------------------===//

#include "seqboat/Support/Npy.h"

#include <cstdlib>
#include <string>

using namespace seqboat::support;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  NpyArray array;
  std::string error;
  std::string_view bytes(reinterpret_cast<const char *>(data), size);
  if (!parseNpy("fuzz.npy", bytes, array, error)) {
    if (error.empty())
      std::abort(); // Every failure must say why.
    return 0;
  }
  int64_t n = array.numElements();
  if (n < 0 || size_t(n) * npyElementSize(array.dtype) != array.data.size())
    std::abort();
  return 0;
}
