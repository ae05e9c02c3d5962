//===- Npy.cpp - NumPy .npy files without LLVM ----------------------------===//
//
// A dependency-free twin of tools/seqboat-run/Npy.cpp: the same checks in the
// same order, with the same messages.
//
//===----------------------------------------------------------------------===//

#include "seqboat/Support/Npy.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string_view>

namespace seqboat::support {

size_t npyElementSize(NpyDType type) { return type == NpyDType::Bool ? 1 : 4; }

const char *npyDTypeName(NpyDType type) {
  switch (type) {
  case NpyDType::F32:
    return "float32";
  case NpyDType::I32:
    return "int32";
  case NpyDType::Bool:
    return "bool";
  }
  return "unknown";
}

int64_t NpyArray::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::string formatShape(const std::vector<int64_t> &shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1)
    s += ",";
  return s + ")";
}

namespace {

const char *const kWhitespace = " \t\n\v\f\r";

std::string_view ltrim(std::string_view s, const char *chars = kWhitespace) {
  size_t at = s.find_first_not_of(chars);
  return at == std::string_view::npos ? std::string_view() : s.substr(at);
}

std::string_view rtrim(std::string_view s, const char *chars = kWhitespace) {
  size_t at = s.find_last_not_of(chars);
  return at == std::string_view::npos ? std::string_view()
                                      : s.substr(0, at + 1);
}

std::string_view trim(std::string_view s, const char *chars = kWhitespace) {
  return rtrim(ltrim(s, chars), chars);
}

/// A whole base-10 integer with an optional '-', without overflow.
bool parseInteger(std::string_view text, int64_t &value) {
  bool negative = !text.empty() && text.front() == '-';
  if (negative)
    text.remove_prefix(1);
  if (text.empty())
    return false;
  uint64_t magnitude = 0;
  for (char c : text) {
    if (c < '0' || c > '9')
      return false;
    uint64_t next = magnitude * 10 + uint64_t(c - '0');
    if (next / 10 != magnitude)
      return false;
    magnitude = next;
  }
  const uint64_t max = uint64_t(std::numeric_limits<int64_t>::max());
  if (magnitude > max + (negative ? 1 : 0))
    return false;
  value = negative ? int64_t(0 - magnitude) : int64_t(magnitude);
  return true;
}

bool malformed(const std::string &path, const std::string &why,
               std::string &error) {
  error = "'" + path + "' is not a valid .npy file: " + why;
  return false;
}

/// The value text of `key` in the header dictionary, e.g. "'<f4'" or "(2, 3)".
bool headerValue(std::string_view header, const std::string &key,
                 std::string_view &value) {
  std::string quoted = "'" + key + "'";
  size_t at = header.find(quoted);
  if (at == std::string_view::npos)
    return false;
  std::string_view rest = ltrim(header.substr(at + quoted.size()));
  if (rest.empty() || rest.front() != ':')
    return false;
  rest = ltrim(rest.substr(1));
  if (!rest.empty() && rest.front() == '(') {
    size_t close = rest.find(')');
    if (close == std::string_view::npos)
      return false;
    value = rest.substr(0, close + 1);
    return true;
  }
  value = rtrim(rest.substr(0, rest.find_first_of(",}")));
  return true;
}

bool readFile(const std::string &path, std::string &bytes, std::string &error) {
  std::FILE *file = std::fopen(path.c_str(), "rb");
  if (!file) {
    error = "cannot read '" + path + "': " + std::strerror(errno);
    return false;
  }
  char buffer[1 << 16];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), file)) > 0)
    bytes.append(buffer, n);
  // fopen accepts a directory; reading it fails with EISDIR.
  int readErrno = std::ferror(file) ? errno : 0;
  std::fclose(file);
  if (readErrno) {
    error = "cannot read '" + path + "': " + std::strerror(readErrno);
    return false;
  }
  return true;
}

} // namespace

bool readNpy(const std::string &path, NpyArray &out, std::string &error) {
  std::string file;
  if (!readFile(path, file, error))
    return false;
  std::string_view bytes = file;
  if (bytes.substr(0, 6) != "\x93NUMPY" || bytes.size() < 10)
    return malformed(path, "missing the \\x93NUMPY magic", error);
  uint8_t major = uint8_t(bytes[6]);
  size_t headerLen, headerStart;
  if (major == 1) {
    headerLen = uint8_t(bytes[8]) | (size_t(uint8_t(bytes[9])) << 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return malformed(path, "truncated header", error);
    headerLen = 0;
    for (int i = 0; i < 4; ++i)
      headerLen |= size_t(uint8_t(bytes[8 + i])) << (8 * i);
    headerStart = 12;
  } else {
    return malformed(path,
                     "unsupported format version " + std::to_string(major),
                     error);
  }
  if (bytes.size() < headerStart + headerLen)
    return malformed(path, "truncated header", error);
  std::string_view header = bytes.substr(headerStart, headerLen);

  NpyArray array;
  std::string_view descr;
  if (!headerValue(header, "descr", descr))
    return malformed(path, "header has no 'descr'", error);
  std::string_view d = trim(descr, "'\"");
  if (d == "<f4")
    array.dtype = NpyDType::F32;
  else if (d == "<i4")
    array.dtype = NpyDType::I32;
  else if (d == "|b1")
    array.dtype = NpyDType::Bool;
  else
    return malformed(path,
                     "unsupported dtype '" + std::string(d) +
                         "' (expected '<f4', '<i4' or '|b1')",
                     error);

  std::string_view fortran;
  if (!headerValue(header, "fortran_order", fortran) || fortran != "False")
    return malformed(path, "only C-order arrays are supported", error);

  std::string_view shape;
  if (!headerValue(header, "shape", shape))
    return malformed(path, "header has no 'shape'", error);
  std::string_view dims = trim(shape, "()");
  while (!dims.empty()) {
    size_t comma = dims.find(',');
    std::string_view dim = trim(dims.substr(0, comma));
    dims = comma == std::string_view::npos ? std::string_view()
                                           : dims.substr(comma + 1);
    if (dim.empty())
      continue;
    int64_t value;
    if (!parseInteger(dim, value) || value < 0)
      return malformed(path, "bad shape " + std::string(shape), error);
    array.shape.push_back(value);
  }

  size_t expected = array.numElements() * npyElementSize(array.dtype);
  std::string_view payload = bytes.substr(headerStart + headerLen);
  if (payload.size() != expected)
    return malformed(path,
                     "holds " + std::to_string(payload.size()) +
                         " data bytes, but shape " + formatShape(array.shape) +
                         " of " + npyDTypeName(array.dtype) + " needs " +
                         std::to_string(expected),
                     error);
  array.data.assign(payload.begin(), payload.end());
  out = std::move(array);
  return true;
}

bool writeNpy(const std::string &path, const NpyArray &array,
              std::string &error) {
  const char *descr = array.dtype == NpyDType::F32   ? "<f4"
                      : array.dtype == NpyDType::I32 ? "<i4"
                                                     : "|b1";
  std::string header = std::string("{'descr': '") + descr +
                       "', 'fortran_order': False, 'shape': " +
                       formatShape(array.shape) + ", }";
  // Magic (6) + version (2) + length (2) + header, padded to 64 with '\n'.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');

  // Like LLVM's raw_fd_ostream, "-" means standard output.
  bool toStdout = path == "-";
  std::FILE *file = toStdout ? stdout : std::fopen(path.c_str(), "wb");
  if (!file) {
    error = "cannot write '" + path + "': " + std::strerror(errno);
    return false;
  }
  std::string prefix = "\x93NUMPY";
  prefix += char(1);
  prefix += char(0);
  prefix += char(header.size() & 0xff);
  prefix += char(header.size() >> 8);
  bool ok = std::fwrite(prefix.data(), 1, prefix.size(), file) == prefix.size();
  ok = ok && std::fwrite(header.data(), 1, header.size(), file) == header.size();
  ok = ok && std::fwrite(array.data.data(), 1, array.data.size(), file) ==
                 array.data.size();
  ok = (toStdout ? std::fflush(file) : std::fclose(file)) == 0 && ok;
  if (!ok) {
    error = "cannot write '" + path + "'";
    return false;
  }
  return true;
}

} // namespace seqboat::support
