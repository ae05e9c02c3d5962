//===- Npy.cpp - NumPy .npy files (little-endian, C order) ----------------===//

#include "Npy.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace mlir::seqboat {

size_t npyElementSize(NpyDType type) {
  return type == NpyDType::Bool ? 1 : 4;
}

StringRef npyDTypeName(NpyDType type) {
  switch (type) {
  case NpyDType::F32:
    return "float32";
  case NpyDType::I32:
    return "int32";
  case NpyDType::Bool:
    return "bool";
  }
  llvm_unreachable("unknown dtype");
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

Error malformed(StringRef path, const Twine &why) {
  return createStringError(inconvertibleErrorCode(),
                           "'" + path + "' is not a valid .npy file: " + why);
}

/// The value text of `key` in the header dictionary, e.g. "'<f4'" or "(2, 3)".
std::optional<StringRef> headerValue(StringRef header, StringRef key) {
  std::string quoted = ("'" + key + "'").str();
  size_t at = header.find(quoted);
  if (at == StringRef::npos)
    return std::nullopt;
  StringRef rest = header.drop_front(at + quoted.size()).ltrim();
  if (!rest.consume_front(":"))
    return std::nullopt;
  rest = rest.ltrim();
  if (rest.starts_with("(")) {
    size_t close = rest.find(')');
    if (close == StringRef::npos)
      return std::nullopt;
    return rest.take_front(close + 1);
  }
  size_t end = rest.find_first_of(",}");
  return rest.take_front(end).rtrim();
}

} // namespace

Expected<NpyArray> readNpy(StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> file = MemoryBuffer::getFile(path);
  if (!file)
    return createStringError(file.getError(), "cannot read '" + path +
                                                  "': " +
                                                  file.getError().message());
  StringRef bytes = (*file)->getBuffer();
  if (!bytes.starts_with("\x93NUMPY") || bytes.size() < 10)
    return malformed(path, "missing the \\x93NUMPY magic");
  uint8_t major = bytes[6];
  size_t headerLen, headerStart;
  if (major == 1) {
    headerLen = uint8_t(bytes[8]) | (size_t(uint8_t(bytes[9])) << 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return malformed(path, "truncated header");
    headerLen = 0;
    for (int i = 0; i < 4; ++i)
      headerLen |= size_t(uint8_t(bytes[8 + i])) << (8 * i);
    headerStart = 12;
  } else {
    return malformed(path, "unsupported format version " + Twine(major));
  }
  if (bytes.size() < headerStart + headerLen)
    return malformed(path, "truncated header");
  StringRef header = bytes.substr(headerStart, headerLen);

  NpyArray array;
  std::optional<StringRef> descr = headerValue(header, "descr");
  if (!descr)
    return malformed(path, "header has no 'descr'");
  StringRef d = descr->trim("'\"");
  if (d == "<f4")
    array.dtype = NpyDType::F32;
  else if (d == "<i4")
    array.dtype = NpyDType::I32;
  else if (d == "|b1")
    array.dtype = NpyDType::Bool;
  else
    return malformed(path, "unsupported dtype '" + d +
                               "' (expected '<f4', '<i4' or '|b1')");

  std::optional<StringRef> fortran = headerValue(header, "fortran_order");
  if (!fortran || *fortran != "False")
    return malformed(path, "only C-order arrays are supported");

  std::optional<StringRef> shape = headerValue(header, "shape");
  if (!shape)
    return malformed(path, "header has no 'shape'");
  SmallVector<StringRef> dims;
  shape->trim("()").split(dims, ',', -1, /*KeepEmpty=*/false);
  for (StringRef dim : dims) {
    dim = dim.trim();
    if (dim.empty())
      continue;
    int64_t value;
    if (dim.getAsInteger(10, value) || value < 0)
      return malformed(path, "bad shape " + *shape);
    array.shape.push_back(value);
  }

  size_t expected = array.numElements() * npyElementSize(array.dtype);
  StringRef payload = bytes.drop_front(headerStart + headerLen);
  if (payload.size() != expected)
    return malformed(path, "holds " + Twine(payload.size()) +
                               " data bytes, but shape " +
                               formatShape(array.shape) + " of " +
                               npyDTypeName(array.dtype) + " needs " +
                               Twine(expected));
  array.data.assign(payload.begin(), payload.end());
  return array;
}

Error writeNpy(StringRef path, const NpyArray &array) {
  StringRef descr = array.dtype == NpyDType::F32   ? "<f4"
                    : array.dtype == NpyDType::I32 ? "<i4"
                                                   : "|b1";
  std::string header = "{'descr': '" + descr.str() +
                       "', 'fortran_order': False, 'shape': " +
                       formatShape(array.shape) + ", }";
  // Magic (6) + version (2) + length (2) + header, padded to 64 with '\n'.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');

  std::error_code ec;
  raw_fd_ostream os(path, ec);
  if (ec)
    return createStringError(ec, "cannot write '" + path + "': " + ec.message());
  os << "\x93NUMPY" << char(1) << char(0) << char(header.size() & 0xff)
     << char(header.size() >> 8) << header;
  os.write(reinterpret_cast<const char *>(array.data.data()), array.data.size());
  os.close();
  if (os.has_error())
    return createStringError(os.error(), "cannot write '" + path + "'");
  return Error::success();
}

} // namespace mlir::seqboat
