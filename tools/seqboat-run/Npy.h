//===- Npy.h - NumPy .npy files (little-endian, C order) --------*- C++ -*-===//

#ifndef SEQBOAT_TOOLS_SEQBOAT_RUN_NPY_H
#define SEQBOAT_TOOLS_SEQBOAT_RUN_NPY_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir::seqboat {

enum class NpyDType { F32, I32, Bool };

/// Size in bytes of one element.
size_t npyElementSize(NpyDType type);
/// NumPy's name of the dtype ("float32", "int32", "bool").
llvm::StringRef npyDTypeName(NpyDType type);

/// An array in C order.
struct NpyArray {
  NpyDType dtype = NpyDType::F32;
  std::vector<int64_t> shape;
  std::vector<uint8_t> data;

  int64_t numElements() const;
};

/// Reads a version 1.0/2.0/3.0 .npy file holding '<f4', '<i4' or '|b1' data
/// in C order. Every malformation is an error naming the file.
llvm::Expected<NpyArray> readNpy(llvm::StringRef path);

/// Writes a version 1.0 .npy file.
llvm::Error writeNpy(llvm::StringRef path, const NpyArray &array);

/// "(2, 37, 16)".
std::string formatShape(const std::vector<int64_t> &shape);

} // namespace mlir::seqboat

#endif // SEQBOAT_TOOLS_SEQBOAT_RUN_NPY_H
