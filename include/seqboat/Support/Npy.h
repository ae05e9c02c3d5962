//===- Npy.h - NumPy .npy files without LLVM --------------------*- C++ -*-===//
//
// Reads and writes NumPy .npy files ('<f4', '<i4' and '|b1' data in C order)
// in plain C++17, for tools that do not link LLVM. Behaviour and messages are
// those of tools/seqboat-run/Npy.h.
//
//===----------------------------------------------------------------------===//

#ifndef SEQBOAT_SUPPORT_NPY_H
#define SEQBOAT_SUPPORT_NPY_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace seqboat::support {

enum class NpyDType { F32, I32, Bool };

/// Size in bytes of one element.
size_t npyElementSize(NpyDType type);
/// NumPy's name of the dtype ("float32", "int32", "bool").
const char *npyDTypeName(NpyDType type);

/// An array in C order.
struct NpyArray {
  NpyDType dtype = NpyDType::F32;
  std::vector<int64_t> shape;
  std::vector<uint8_t> data;

  int64_t numElements() const;
};

/// Reads a version 1.0/2.0/3.0 .npy file holding '<f4', '<i4' or '|b1' data
/// in C order into `out`. On failure returns false with `error` set to a
/// message naming the file, e.g. "'x.npy' is not a valid .npy file: truncated
/// header".
bool readNpy(const std::string &path, NpyArray &out, std::string &error);

/// Writes a version 1.0 .npy file. On failure returns false with `error` set.
bool writeNpy(const std::string &path, const NpyArray &array,
              std::string &error);

/// "(2, 37, 16)", "(4,)", "()".
std::string formatShape(const std::vector<int64_t> &shape);

} // namespace seqboat::support

#endif // SEQBOAT_SUPPORT_NPY_H
