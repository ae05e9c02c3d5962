//===- Npy.h - NumPy .npy files without LLVM --------------------*- C++ -*-===//
//
// Reads and writes NumPy .npy files ('<f4', '<f2', bfloat16, '<i4' and '|b1'
// data in C order)
// in plain C++17, for tools that do not link LLVM; seqboat-run and
// seqboat-exec share it.
//
//===----------------------------------------------------------------------===//

#ifndef SEQBOAT_SUPPORT_NPY_H
#define SEQBOAT_SUPPORT_NPY_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace seqboat::support {

/// BF16 is read from '<V2' (what np.save writes for an ml_dtypes.bfloat16
/// array), '|V2', 'bfloat16' or '<u2' (the bits viewed as uint16), and
/// written as '<V2'.
enum class NpyDType { F32, F16, BF16, I32, Bool };

/// Size in bytes of one element.
size_t npyElementSize(NpyDType type);
/// NumPy's (or ml_dtypes') name of the dtype ("float32", "bfloat16", ...).
const char *npyDTypeName(NpyDType type);

/// An array in C order.
struct NpyArray {
  NpyDType dtype = NpyDType::F32;
  std::vector<int64_t> shape;
  std::vector<uint8_t> data;

  /// The product of `shape`, or -1 when it overflows int64 (never for an
  /// array from readNpy, whose size is checked).
  int64_t numElements() const;
};

/// Longest header dictionary accepted (what a version 1.0 header can hold;
/// NumPy itself writes headers of about a hundred bytes).
inline constexpr uint64_t kMaxNpyHeaderBytes = 65535;
/// Most dimensions accepted (NumPy's own limit).
inline constexpr size_t kMaxNpyRank = 64;

/// Reads a version 1.0/2.0/3.0 .npy file holding any NpyDType's data
/// in C order into `out`. The header length, the shape (overflow-checked:
/// its size in bytes must fit int64) and the payload size against the file
/// size are all checked before the payload is allocated. On failure returns
/// false with `error` set to a message naming the file, e.g. "'x.npy' is not
/// a valid .npy file: truncated header".
bool readNpy(const std::string &path, NpyArray &out, std::string &error);

/// readNpy on the bytes of a whole file already in memory; `name` is used in
/// messages.
bool parseNpy(const std::string &name, std::string_view bytes, NpyArray &out,
              std::string &error);

/// Writes one version 1.0 .npy file, like writeNpyFiles.
bool writeNpy(const std::string &path, const NpyArray &array,
              std::string &error);

/// Writes `arrays[i]` to `paths[i]`, all or nothing: each array goes to a
/// fresh temporary file next to its path, and only after every one was
/// written completely are they renamed into place ("-" is standard output,
/// written after that). On failure every temporary is removed, files that
/// existed are left as they were, and `error` names the path.
bool writeNpyFiles(const std::vector<std::string> &paths,
                   const std::vector<NpyArray> &arrays, std::string &error);

/// "(2, 37, 16)", "(4,)", "()"; a negative dim (a dynamic one of a
/// signature, MLIR's kDynamic) is "?": "(?, ?, 16)".
std::string formatShape(const std::vector<int64_t> &shape);

/// Whether an array of `shape` can bind to a signature's `want`: equal
/// ranks, and equal sizes where `want`'s are static (a negative dim, MLIR's
/// kDynamic, takes any size).
bool fitsShape(const std::vector<int64_t> &shape,
               const std::vector<int64_t> &want);

} // namespace seqboat::support

#endif // SEQBOAT_SUPPORT_NPY_H
