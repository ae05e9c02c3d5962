//===- Npy.cpp - NumPy .npy files without LLVM ----------------------------===//
//
// Dependency-free (no LLVM), for seqboat-run and seqboat-exec alike: the
// same checks in the same order, with the same messages.
//
//===----------------------------------------------------------------------===//

#include "seqboat/Support/Npy.h"

#include "seqboat/Support/CheckedArith.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <string_view>

#include <sys/stat.h>
#include <unistd.h>

namespace seqboat::support {

using mlir::seqboat::checkedMul;
using mlir::seqboat::checkedNumElements;
using mlir::seqboat::checkedProduct;

size_t npyElementSize(NpyDType type) {
  switch (type) {
  case NpyDType::Bool:
    return 1;
  case NpyDType::F16:
  case NpyDType::BF16:
    return 2;
  case NpyDType::F32:
  case NpyDType::I32:
    return 4;
  }
  return 4;
}

const char *npyDTypeName(NpyDType type) {
  switch (type) {
  case NpyDType::F32:
    return "float32";
  case NpyDType::I32:
    return "int32";
  case NpyDType::Bool:
    return "bool";
  case NpyDType::F16:
    return "float16";
  case NpyDType::BF16:
    return "bfloat16";
  }
  return "unknown";
}

int64_t NpyArray::numElements() const {
  // Arrays come from readNpy or from a verified tensor type, both of which
  // bound the element count; a wrap here would be a bug, not bad input.
  std::optional<int64_t> n = checkedProduct(shape);
  return n ? *n : -1;
}

bool fitsShape(const std::vector<int64_t> &shape,
               const std::vector<int64_t> &want) {
  if (shape.size() != want.size())
    return false;
  for (size_t d = 0; d < shape.size(); ++d)
    if (want[d] >= 0 && shape[d] != want[d])
      return false;
  return true;
}

std::string formatShape(const std::vector<int64_t> &shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      s += ", ";
    s += shape[i] < 0 ? std::string("?") : std::to_string(shape[i]);
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

/// What the prefix and header dictionary say about the payload.
struct Header {
  NpyDType dtype = NpyDType::F32;
  std::vector<int64_t> shape;
  /// Where the payload starts and how many bytes it must have.
  size_t dataOffset = 0;
  int64_t dataBytes = 0;
};

/// Bytes of the fixed prefix (magic, version, header length) of `major`.
size_t prefixSize(uint8_t major) { return major == 1 ? 10 : 12; }

/// Parses the prefix and header of a file of `fileSize` bytes whose first
/// bytes are `bytes`: the prefix when `bytes` holds only that (then
/// `header.dataOffset` says how much to read), or prefix and header. Checks
/// that the header and the payload it describes fit the file, with
/// overflow-checked sizes, before the caller allocates anything.
bool parseHeader(const std::string &path, std::string_view bytes,
                 uint64_t fileSize, Header &header, bool &needMore,
                 std::string &error) {
  needMore = false;
  if (bytes.size() < 10 || bytes.substr(0, 6) != "\x93NUMPY")
    return malformed(path, "missing the \\x93NUMPY magic", error);
  uint8_t major = uint8_t(bytes[6]);
  if (major < 1 || major > 3)
    return malformed(path,
                     "unsupported format version " + std::to_string(major),
                     error);
  size_t headerStart = prefixSize(major);
  if (fileSize < headerStart || bytes.size() < headerStart)
    return malformed(path, "truncated header", error);
  uint64_t headerLen = 0;
  for (size_t i = 8; i < headerStart; ++i)
    headerLen |= uint64_t(uint8_t(bytes[i])) << (8 * (i - 8));
  if (headerLen > kMaxNpyHeaderBytes)
    return malformed(path,
                     "header of " + std::to_string(headerLen) +
                         " bytes is longer than the limit of " +
                         std::to_string(kMaxNpyHeaderBytes),
                     error);
  if (fileSize - headerStart < headerLen)
    return malformed(path, "truncated header", error);
  header.dataOffset = headerStart + size_t(headerLen);
  if (bytes.size() < header.dataOffset) {
    needMore = true;
    return true;
  }
  std::string_view dict = bytes.substr(headerStart, headerLen);

  std::string_view descr;
  if (!headerValue(dict, "descr", descr))
    return malformed(path, "header has no 'descr'", error);
  std::string_view d = trim(descr, "'\"");
  if (d == "<f4")
    header.dtype = NpyDType::F32;
  else if (d == "<i4")
    header.dtype = NpyDType::I32;
  else if (d == "|b1")
    header.dtype = NpyDType::Bool;
  else if (d == "<f2")
    header.dtype = NpyDType::F16;
  else if (d == "<V2" || d == "|V2" || d == "bfloat16" || d == "<u2")
    // ml_dtypes' bfloat16 as np.save writes it ('<V2'), or its name, or the
    // raw bits viewed as uint16.
    header.dtype = NpyDType::BF16;
  else
    return malformed(path,
                     "unsupported dtype '" + std::string(d) +
                         "' (expected '<f4', '<f2', bfloat16 as '<V2' or "
                         "'<u2', '<i4' or '|b1')",
                     error);

  std::string_view fortran;
  if (!headerValue(dict, "fortran_order", fortran) || fortran != "False")
    return malformed(path, "only C-order arrays are supported", error);

  std::string_view shape;
  if (!headerValue(dict, "shape", shape))
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
    if (header.shape.size() == kMaxNpyRank)
      return malformed(path,
                       "shape " + std::string(shape) + " has more than " +
                           std::to_string(kMaxNpyRank) + " dimensions",
                       error);
    header.shape.push_back(value);
  }

  std::optional<int64_t> elements = checkedNumElements(header.shape);
  std::optional<int64_t> bytesNeeded =
      elements ? checkedMul(*elements, int64_t(npyElementSize(header.dtype)))
               : std::nullopt;
  if (!bytesNeeded)
    return malformed(path,
                     "shape " + formatShape(header.shape) +
                         " is too large (its size overflows int64)",
                     error);
  header.dataBytes = *bytesNeeded;
  uint64_t payload = fileSize - header.dataOffset;
  if (payload != uint64_t(header.dataBytes))
    return malformed(path,
                     "holds " + std::to_string(payload) +
                         " data bytes, but shape " + formatShape(header.shape) +
                         " of " + npyDTypeName(header.dtype) + " needs " +
                         std::to_string(header.dataBytes),
                     error);
  return true;
}

bool readError(const std::string &path, int err, std::string &error) {
  error = "cannot read '" + path + "': " + std::strerror(err);
  return false;
}

/// Closes a FILE on every path out of readNpy.
struct FileCloser {
  void operator()(std::FILE *file) const { std::fclose(file); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

/// Appends up to `n` bytes of `file` to `bytes`; false on a read error.
bool readSome(std::FILE *file, size_t n, std::string &bytes) {
  size_t old = bytes.size();
  bytes.resize(old + n);
  size_t got = std::fread(bytes.data() + old, 1, n, file);
  bytes.resize(old + got);
  return !std::ferror(file);
}

} // namespace

bool parseNpy(const std::string &name, std::string_view bytes, NpyArray &out,
              std::string &error) {
  Header header;
  bool needMore;
  if (!parseHeader(name, bytes, bytes.size(), header, needMore, error))
    return false;
  // The whole file is in `bytes`, so the header is too.
  NpyArray array;
  array.dtype = header.dtype;
  array.shape = std::move(header.shape);
  std::string_view payload = bytes.substr(header.dataOffset);
  array.data.assign(payload.begin(), payload.end());
  out = std::move(array);
  return true;
}

bool readNpy(const std::string &path, NpyArray &out, std::string &error) {
  FilePtr file(std::fopen(path.c_str(), "rb"));
  if (!file)
    return readError(path, errno, error);
  struct stat info;
  if (::fstat(::fileno(file.get()), &info) != 0)
    return readError(path, errno, error);
  if (S_ISDIR(info.st_mode))
    return readError(path, EISDIR, error);
  if (!S_ISREG(info.st_mode)) {
    // A pipe or device has no size to check against: read it all, then
    // check it like a file in memory.
    std::string bytes;
    while (readSome(file.get(), 1 << 16, bytes) && !std::feof(file.get()))
      ;
    if (std::ferror(file.get()))
      return readError(path, errno, error);
    return parseNpy(path, bytes, out, error);
  }
  uint64_t fileSize = uint64_t(info.st_size);

  // Prefix, then header, then (once both check out against the file size)
  // exactly the payload they describe.
  std::string bytes;
  if (!readSome(file.get(), 12, bytes))
    return readError(path, errno, error);
  Header header;
  bool needMore;
  if (!parseHeader(path, bytes, fileSize, header, needMore, error))
    return false;
  if (needMore) {
    if (!readSome(file.get(), header.dataOffset - bytes.size(), bytes))
      return readError(path, errno, error);
    if (!parseHeader(path, bytes, fileSize, header, needMore, error))
      return false;
    if (needMore)
      return malformed(path, "truncated header", error);
  }
  NpyArray array;
  array.dtype = header.dtype;
  array.shape = std::move(header.shape);
  // A file that shrank since fstat leaves stale bytes at the end of an
  // over-long 12-byte prefix read: keep only the payload part of it.
  std::string_view early = std::string_view(bytes).substr(
      std::min(bytes.size(), header.dataOffset));
  array.data.resize(size_t(header.dataBytes));
  size_t have = std::min(early.size(), array.data.size());
  std::memcpy(array.data.data(), early.data(), have);
  size_t got = have + std::fread(array.data.data() + have, 1,
                                 array.data.size() - have, file.get());
  if (std::ferror(file.get()))
    return readError(path, errno, error);
  if (got != array.data.size())
    return malformed(path,
                     "holds " + std::to_string(got) +
                         " data bytes, but shape " + formatShape(array.shape) +
                         " of " + npyDTypeName(array.dtype) + " needs " +
                         std::to_string(array.data.size()),
                     error);
  out = std::move(array);
  return true;
}

namespace {

/// The .npy bytes of `array` (version 1.0 header).
std::string encodeNpy(const NpyArray &array) {
  const char *descr = "|b1";
  switch (array.dtype) {
  case NpyDType::F32:
    descr = "<f4";
    break;
  case NpyDType::F16:
    descr = "<f2";
    break;
  case NpyDType::BF16:
    descr = "<V2"; // what np.save writes for ml_dtypes.bfloat16
    break;
  case NpyDType::I32:
    descr = "<i4";
    break;
  case NpyDType::Bool:
    break;
  }
  std::string header = std::string("{'descr': '") + descr +
                       "', 'fortran_order': False, 'shape': " +
                       formatShape(array.shape) + ", }";
  // Magic (6) + version (2) + length (2) + header, padded to 64 with '\n'.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  std::string bytes = "\x93NUMPY";
  bytes += char(1);
  bytes += char(0);
  bytes += char(header.size() & 0xff);
  bytes += char(header.size() >> 8);
  bytes += header;
  return bytes;
}

/// Writes all of `data` to `fd`, retrying short writes.
bool writeAll(int fd, const void *data, size_t size) {
  const auto *at = static_cast<const uint8_t *>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, at, size);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    at += n;
    size -= size_t(n);
  }
  return true;
}

bool writeError(const std::string &path, int err, std::string &error) {
  error = "cannot write '" + path + "': " + std::strerror(err);
  return false;
}

/// Writes `array` to the open `fd`; false with errno set on failure.
bool writeTo(int fd, const NpyArray &array) {
  std::string head = encodeNpy(array);
  return writeAll(fd, head.data(), head.size()) &&
         writeAll(fd, array.data.data(), array.data.size());
}

} // namespace

bool writeNpy(const std::string &path, const NpyArray &array,
              std::string &error) {
  return writeNpyFiles({path}, {array}, error);
}

bool writeNpyFiles(const std::vector<std::string> &paths,
                   const std::vector<NpyArray> &arrays, std::string &error) {
  // One temporary per output, created next to it so that the rename stays on
  // one file system (and is therefore atomic).
  std::vector<std::string> temps(paths.size());
  auto removeTemps = [&] {
    for (const std::string &temp : temps)
      if (!temp.empty())
        ::unlink(temp.c_str());
  };
  for (size_t i = 0; i < paths.size(); ++i) {
    // Like LLVM's raw_fd_ostream, "-" means standard output; it is written
    // last, once every file is in place.
    if (paths[i] == "-")
      continue;
    std::string temp = paths[i] + ".tmp-XXXXXX";
    int fd = ::mkstemp(temp.data());
    if (fd < 0) {
      int err = errno;
      removeTemps();
      return writeError(paths[i], err, error);
    }
    temps[i] = temp;
    // mkstemp creates the file 0600; give it the mode a plain create would
    // have (0666 less the umask; the tools are single-threaded here, so
    // reading the umask by setting it is safe).
    mode_t mask = ::umask(0);
    ::umask(mask);
    bool ok = ::fchmod(fd, 0666 & ~mask) == 0 && writeTo(fd, arrays[i]);
    int err = ok ? 0 : errno;
    // close reports deferred write errors (NFS, quota) too.
    if (::close(fd) != 0 && ok) {
      ok = false;
      err = errno;
    }
    if (!ok) {
      removeTemps();
      return writeError(paths[i], err ? err : EIO, error);
    }
  }
  for (size_t i = 0; i < paths.size(); ++i) {
    if (temps[i].empty())
      continue;
    if (::rename(temps[i].c_str(), paths[i].c_str()) != 0) {
      int err = errno;
      removeTemps();
      return writeError(paths[i], err, error);
    }
    temps[i].clear();
  }
  for (size_t i = 0; i < paths.size(); ++i) {
    if (paths[i] != "-")
      continue;
    bool ok = writeTo(::fileno(stdout), arrays[i]);
    if (!ok)
      return writeError(paths[i], errno, error);
  }
  return true;
}

} // namespace seqboat::support
