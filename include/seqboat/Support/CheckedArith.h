//===- CheckedArith.h - overflow-checked int64 size arithmetic --*- C++ -*-===//
//
// The one place where shapes, sizes and attribute products are multiplied
// and added. Every verifier, lowering, the tuning space and the .npy code use
// these instead of raw `*` and `+`: int64 overflow is undefined behaviour,
// and a wrapped size silently turns a huge tensor into a small (or negative)
// one. Header-only and dependency-free so that tools that do not link LLVM
// (seqboat-exec, the .npy reader) share it. It lives in mlir::seqboat like
// the rest of the compiler (a second top-level `seqboat` would make the name
// ambiguous under `using namespace mlir`), but needs no MLIR header.
//
//===----------------------------------------------------------------------===//

#ifndef SEQBOAT_SUPPORT_CHECKEDARITH_H
#define SEQBOAT_SUPPORT_CHECKEDARITH_H

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string_view>

namespace mlir::seqboat {

/// a * b, or nullopt when the product does not fit int64.
inline std::optional<int64_t> checkedMul(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r))
    return std::nullopt;
  return r;
}

/// a + b, or nullopt when the sum does not fit int64.
inline std::optional<int64_t> checkedAdd(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r))
    return std::nullopt;
  return r;
}

/// The product of `factors` (1 for none), or nullopt on overflow. Iterates
/// over any range of integers (shapes as std::vector, llvm::ArrayRef, ...).
template <typename Range>
std::optional<int64_t> checkedProduct(const Range &factors) {
  int64_t r = 1;
  for (int64_t f : factors) {
    std::optional<int64_t> next = checkedMul(r, f);
    if (!next)
      return std::nullopt;
    r = *next;
  }
  return r;
}

inline std::optional<int64_t>
checkedProduct(std::initializer_list<int64_t> factors) {
  return checkedProduct<std::initializer_list<int64_t>>(factors);
}

/// The largest byte size any tensor, buffer or .npy payload may have: the
/// product of a shape and 8 bytes (the widest element the lowerings use for
/// indices) must fit int64, so that every size the lowerings derive from it
/// (B*L, B*L*D, byte offsets) fits too.
inline constexpr int64_t kMaxElementBytes = 8;

/// The element count of `shape` when it and its size at kMaxElementBytes per
/// element fit int64, otherwise nullopt.
template <typename Range>
std::optional<int64_t> checkedNumElements(const Range &shape) {
  std::optional<int64_t> n = checkedProduct(shape);
  if (!n || !checkedMul(*n, kMaxElementBytes))
    return std::nullopt;
  return n;
}

/// The value of a non-empty string of decimal digits, or nullopt when it has
/// another character or does not fit int64 (strtoll would clamp silently).
inline std::optional<int64_t> parseDecimal(std::string_view digits) {
  if (digits.empty())
    return std::nullopt;
  int64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9')
      return std::nullopt;
    std::optional<int64_t> next = checkedMul(value, 10);
    next = next ? checkedAdd(*next, c - '0') : std::nullopt;
    if (!next)
      return std::nullopt;
    value = *next;
  }
  return value;
}

} // namespace mlir::seqboat

#endif // SEQBOAT_SUPPORT_CHECKEDARITH_H
