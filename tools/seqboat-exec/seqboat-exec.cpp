//===- seqboat-exec.cpp - Run an AOT-compiled seqboat GPU library ---------===//
//
//   seqboat-exec LIB.so --entry NAME --input a.npy [--input ...]
//                --output out0.npy [--output ...] [--repeat N] [--time]
//                [--stream]
//
// LIB.so is a shared library built ahead of time from a seqboat module for the
// GPU, linked with the seqboat CUDA runtime (lib/Runtime). For each public
// function NAME it defines
//   - `_mlir_ciface_NAME`, MLIR's C interface of the function, and
//   - `__seqboat_abi_NAME`, a NUL-terminated char array holding the function's
//     tensor signature as an MLIR function type, e.g.
//     "(tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>".
// Inputs bind to the arguments in order and are checked against that
// signature (shape and dtype) before anything runs; outputs are written only
// after a successful run. The messages follow seqboat-run's.
//
// This tool links neither LLVM nor CUDA: everything GPU-related is reached
// through the seqboat_rt_* functions that LIB.so exports.
//
//===----------------------------------------------------------------------===//

#include "seqboat/Runtime/CudaRuntime.h"
#include "seqboat/Support/CheckedArith.h"
#include "seqboat/Support/Npy.h"

#include <algorithm>
#include <array>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <dlfcn.h>
#include <unistd.h>

using mlir::seqboat::checkedNumElements;
using mlir::seqboat::parseDecimal;
using seqboat::support::NpyArray;
using seqboat::support::NpyDType;
namespace npy = seqboat::support;

namespace {

const char *const kUsage =
    "OVERVIEW: run a function of an ahead-of-time compiled seqboat GPU "
    "library\n"
    "\n"
    "USAGE: seqboat-exec LIB.so --entry NAME [--input FILE.npy]... "
    "[--output FILE.npy]...\n"
    "                    [--repeat N] [--time] [--stream]\n"
    "\n"
    "OPTIONS:\n"
    "  --entry NAME     Function to run (LIB.so must define _mlir_ciface_NAME\n"
    "                   and __seqboat_abi_NAME)\n"
    "  --input FILE     An argument, as .npy (once per argument, in order)\n"
    "  --output FILE    Where a result goes, as .npy (once per result)\n"
    "  --repeat N       Number of timed runs (default 1)\n"
    "  --time           Print the median GPU time of the runs, after one "
    "untimed\n"
    "                   warm-up run, and what the host code did per call\n"
    "  --stream         Lend the library a stream (seqboat_rt_set_stream), as\n"
    "                   a program embedding it would: each call queues its\n"
    "                   work there and returns; seqboat-exec waits for it\n"
    "  --help           Print this help\n"
    "  --version        Print the seqboat and LLVM versions\n"
    "\n"
    "Options may also be written --opt=value, or with a single dash.\n";

[[noreturn]] void fail(const std::string &message) {
  std::fflush(stdout);
  std::fprintf(stderr, "seqboat-exec: error: %s\n", message.c_str());
  std::exit(1);
}

/// A failed run-time check of the compiled code (`cf.assert`, e.g. an empty
/// dynamic batch, docs/dialect.md) prints its message with `puts` and calls
/// `abort`: the run then ends with an error and exit status 1, no output
/// written, as in seqboat-run.
extern "C" void onRunTimeCheckAbort(int) {
  std::fflush(stdout);
  static const char message[] =
      "seqboat-exec: error: run-time check failed (the compiled function's "
      "message is above)\n";
  (void)!write(STDERR_FILENO, message, sizeof(message) - 1);
  _exit(1);
}

//===----------------------------------------------------------------------===//
// Command line
//===----------------------------------------------------------------------===//

struct Options {
  std::string library;
  std::string entry;
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  unsigned repeat = 1;
  bool time = false;
  bool stream = false;
};

Options parseCommandLine(int argc, char **argv) {
  Options options;
  bool haveLibrary = false, haveEntry = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.size() < 2 || arg[0] != '-') {
      if (haveLibrary)
        fail("more than one library given ('" + options.library + "' and '" +
             arg + "')");
      options.library = arg;
      haveLibrary = true;
      continue;
    }
    // Accept -opt and --opt, each with the value attached after '=' or as
    // the next argument, as LLVM's command line parser does.
    std::string name = arg.substr(arg[1] == '-' ? 2 : 1);
    std::string value;
    bool haveValue = false;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
      haveValue = true;
    }
    auto takeValue = [&]() -> std::string {
      if (haveValue)
        return value;
      if (i + 1 >= argc)
        fail("option '--" + name + "' needs a value");
      return argv[++i];
    };
    if (name == "help" || name == "h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (name == "version") {
      // The LLVM version is the one the library's compiler (seqboat-opt) was
      // built with; this tool itself links no LLVM.
      std::puts("seqboat-exec (seqboat " SEQBOAT_VERSION ", LLVM " SEQBOAT_LLVM_VERSION ")");
      std::exit(0);
    } else if (name == "entry") {
      options.entry = takeValue();
      haveEntry = true;
    } else if (name == "input") {
      options.inputs.push_back(takeValue());
    } else if (name == "output") {
      options.outputs.push_back(takeValue());
    } else if (name == "repeat") {
      std::string text = takeValue();
      char *end = nullptr;
      unsigned long n = std::strtoul(text.c_str(), &end, 10);
      if (text.empty() || *end || text[0] == '-' || n > 1000000000ul)
        fail("invalid --repeat value '" + text + "'");
      if (n == 0)
        fail("--repeat must be at least 1");
      options.repeat = unsigned(n);
    } else if (name == "time" || name == "stream") {
      bool &flag = name == "time" ? options.time : options.stream;
      if (haveValue && value != "true" && value != "1") {
        if (value != "false" && value != "0")
          fail("invalid --" + name + " value '" + value + "'");
        flag = false;
      } else {
        flag = true;
      }
    } else {
      fail("unknown option '" + arg + "' (see seqboat-exec --help)");
    }
  }
  if (!haveLibrary)
    fail("no library given (see seqboat-exec --help)");
  if (!haveEntry)
    fail("no --entry given (see seqboat-exec --help)");
  return options;
}

//===----------------------------------------------------------------------===//
// Signature
//===----------------------------------------------------------------------===//

/// An argument or result of the entry function as seen by the C interface.
struct Slot {
  NpyDType dtype;
  /// kDynamic for a `?` dimension (sized by the bound file, or, for a
  /// result, by the returned descriptor).
  std::vector<int64_t> shape;
};

/// MLIR's ShapedType::kDynamic.
constexpr int64_t kDynamic = INT64_MIN;

/// Descriptor of a ranked memref: {allocated, aligned, offset, sizes[r],
/// strides[r]}, every field 8 bytes wide.
size_t descriptorWords(size_t rank) { return 3 + 2 * rank; }

std::string_view trim(std::string_view s) {
  size_t begin = s.find_first_not_of(" \t\n\r");
  if (begin == std::string_view::npos)
    return {};
  size_t end = s.find_last_not_of(" \t\n\r");
  return s.substr(begin, end - begin + 1);
}

bool isOpen(char c) { return c == '<' || c == '(' || c == '[' || c == '{'; }
bool isClose(char c) { return c == '>' || c == ')' || c == ']' || c == '}'; }

/// The position of the bracket closing the one at `open`, or npos.
size_t matchingClose(std::string_view s, size_t open) {
  int depth = 0;
  for (size_t i = open; i < s.size(); ++i) {
    if (s.compare(i, 2, "->") == 0) { // Not a closing '>'.
      ++i;
      continue;
    }
    if (isOpen(s[i]))
      ++depth;
    else if (isClose(s[i]) && --depth == 0)
      return i;
  }
  return std::string_view::npos;
}

/// Splits "a, b<c, d>, e" at its top-level commas. False on an empty item.
bool splitTypes(std::string_view list, std::vector<std::string> &types) {
  list = trim(list);
  if (list.empty())
    return true;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i <= list.size(); ++i) {
    if (i < list.size() && list.compare(i, 2, "->") == 0) {
      ++i;
      continue;
    }
    if (i == list.size() || (depth == 0 && list[i] == ',')) {
      std::string_view item = trim(list.substr(start, i - start));
      if (item.empty())
        return false;
      types.emplace_back(item);
      start = i + 1;
    } else if (isOpen(list[i])) {
      ++depth;
    } else if (isClose(list[i])) {
      --depth;
    }
  }
  return depth == 0;
}

struct Signature {
  std::vector<std::string> inputs, results;
};

/// Parses an MLIR function type such as "(tensor<4xi1>) -> (tensor<4xi32>,
/// tensor<4xf32>)" into the texts of its argument and result types.
bool parseSignature(std::string_view text, Signature &signature,
                    std::string &why) {
  text = trim(text);
  if (text.empty() || text.front() != '(') {
    why = "expected '(' at the start";
    return false;
  }
  size_t close = matchingClose(text, 0);
  if (close == std::string_view::npos) {
    why = "the argument list has no closing ')'";
    return false;
  }
  if (!splitTypes(text.substr(1, close - 1), signature.inputs)) {
    why = "malformed argument list";
    return false;
  }
  std::string_view rest = trim(text.substr(close + 1));
  if (rest.compare(0, 2, "->") != 0) {
    why = "expected '->' after the argument list";
    return false;
  }
  rest = trim(rest.substr(2));
  if (rest.empty()) {
    why = "expected result types after '->'";
    return false;
  }
  if (rest.front() == '(') {
    size_t end = matchingClose(rest, 0);
    if (end != rest.size() - 1) {
      why = "malformed result list";
      return false;
    }
    if (!splitTypes(rest.substr(1, end - 1), signature.results)) {
      why = "malformed result list";
      return false;
    }
    return true;
  }
  std::vector<std::string> single;
  if (!splitTypes(rest, single) || single.size() != 1) {
    why = "several results must be in parentheses";
    return false;
  }
  signature.results = std::move(single);
  return true;
}

/// Reads a type such as "tensor<2x3xf32>", "tensor<?x3xf32>" or
/// "tensor<i1>" as a slot;
/// otherwise sets `error` the way seqboat-run words it.
bool slotOf(const std::string &type, const std::string &what, Slot &slot,
            std::string &error) {
  auto unsupported = [&]() {
    error = what + " has type " + type +
            ", but only ranked tensors can be bound to .npy files";
    return false;
  };
  std::string_view body;
  for (std::string_view prefix : {"tensor<", "memref<"}) {
    if (type.compare(0, prefix.size(), prefix) == 0 && type.back() == '>' &&
        matchingClose(type, prefix.size() - 1) == type.size() - 1)
      body = std::string_view(type).substr(prefix.size(),
                                           type.size() - prefix.size() - 1);
  }
  if (body.empty())
    return unsupported();
  slot.shape.clear();
  while (!body.empty() &&
         ((body.front() >= '0' && body.front() <= '9') || body.front() == '?' ||
          body.front() == '*')) {
    if (body.front() == '*')
      return unsupported(); // Unranked.
    if (body.front() == '?') {
      if (body.size() < 2 || body[1] != 'x')
        return unsupported();
      slot.shape.push_back(kDynamic);
      body.remove_prefix(2);
      continue;
    }
    size_t digits = body.find_first_not_of("0123456789");
    if (digits == std::string_view::npos || body[digits] != 'x')
      return unsupported();
    std::optional<int64_t> dim = parseDecimal(body.substr(0, digits));
    if (!dim) {
      error = what + " has type " + type + ", whose dimension " +
              std::string(body.substr(0, digits)) + " does not fit int64";
      return false;
    }
    slot.shape.push_back(*dim);
    body.remove_prefix(digits + 1);
  }
  std::vector<int64_t> staticSizes;
  for (int64_t d : slot.shape)
    if (d != kDynamic)
      staticSizes.push_back(d);
  if (!checkedNumElements(staticSizes)) {
    error = what + " has type " + type + ", whose size overflows int64";
    return false;
  }
  // An encoding, layout or memory space follows a top-level comma.
  std::vector<std::string> parts;
  if (!splitTypes(body, parts) || parts.empty())
    return unsupported();
  if (parts.size() != 1) {
    error = what + " has type " + type +
            ", but tensors with an encoding (memrefs with a layout or memory "
            "space) cannot be bound to .npy files";
    return false;
  }
  const std::string &element = parts[0];
  if (element == "f32")
    slot.dtype = NpyDType::F32;
  else if (element == "f16")
    slot.dtype = NpyDType::F16;
  else if (element == "bf16")
    slot.dtype = NpyDType::BF16;
  else if (element == "i32")
    slot.dtype = NpyDType::I32;
  else if (element == "i1")
    slot.dtype = NpyDType::Bool;
  else {
    error = what + " has element type " + element +
            "; supported are f32, f16, bf16, i32 and i1";
    return false;
  }
  return true;
}

//===----------------------------------------------------------------------===//
// The library
//===----------------------------------------------------------------------===//

/// The seqboat_rt_* functions of the loaded library.
struct Runtime {
  decltype(&seqboat_rt_init) init;
  decltype(&seqboat_rt_device_name) deviceName;
  decltype(&seqboat_rt_alloc_shared) allocShared;
  decltype(&seqboat_rt_free) free;
  decltype(&seqboat_rt_event_create) eventCreate;
  decltype(&seqboat_rt_event_record) eventRecord;
  decltype(&seqboat_rt_event_elapsed_ms) eventElapsedMs;
  decltype(&seqboat_rt_event_destroy) eventDestroy;
  decltype(&seqboat_rt_synchronize) synchronize;
  // Optional: without them every result is taken to be managed memory.
  decltype(&seqboat_rt_pointer_kind) pointerKind;
  decltype(&seqboat_rt_copy) copy;
  decltype(&seqboat_rt_get_counters) counters;
  decltype(&seqboat_rt_set_stream) setStream;
  decltype(&seqboat_rt_stream_create) streamCreate;
  decltype(&seqboat_rt_stream_synchronize) streamSynchronize;
  decltype(&seqboat_rt_stream_destroy) streamDestroy;
};

template <typename T>
void lookup(void *library, const std::string &path, const char *name, T &fn,
            bool required = true) {
  fn = reinterpret_cast<T>(dlsym(library, name));
  if (!fn && required)
    fail("'" + path + "' does not define " + name +
         "; link it with the seqboat CUDA runtime (whole archive)");
}

Runtime loadRuntime(void *library, const std::string &path) {
  Runtime rt;
  lookup(library, path, "seqboat_rt_init", rt.init);
  lookup(library, path, "seqboat_rt_device_name", rt.deviceName);
  lookup(library, path, "seqboat_rt_alloc_shared", rt.allocShared);
  lookup(library, path, "seqboat_rt_free", rt.free);
  lookup(library, path, "seqboat_rt_event_create", rt.eventCreate);
  lookup(library, path, "seqboat_rt_event_record", rt.eventRecord);
  lookup(library, path, "seqboat_rt_event_elapsed_ms", rt.eventElapsedMs);
  lookup(library, path, "seqboat_rt_event_destroy", rt.eventDestroy);
  lookup(library, path, "seqboat_rt_synchronize", rt.synchronize);
  lookup(library, path, "seqboat_rt_pointer_kind", rt.pointerKind, false);
  lookup(library, path, "seqboat_rt_copy", rt.copy, false);
  lookup(library, path, "seqboat_rt_get_counters", rt.counters, false);
  lookup(library, path, "seqboat_rt_set_stream", rt.setStream, false);
  lookup(library, path, "seqboat_rt_stream_create", rt.streamCreate, false);
  lookup(library, path, "seqboat_rt_stream_synchronize", rt.streamSynchronize,
         false);
  lookup(library, path, "seqboat_rt_stream_destroy", rt.streamDestroy, false);
  return rt;
}

/// Calls `fn` with exactly `pointers.size()` void* parameters. The C
/// interface of a function has one parameter per argument (plus one for the
/// results), so its type is only known at run time; each supported count gets
/// its own non-variadic function pointer type.
constexpr size_t kMaxPointers = 24;

template <size_t... I>
void callWith(void *fn, void **pointers, std::index_sequence<I...>) {
  using Fn = void (*)(decltype((void)I, static_cast<void *>(nullptr))...);
  reinterpret_cast<Fn>(fn)(pointers[I]...);
  (void)pointers; // Unused when there are no parameters.
}

template <size_t N> void callFixed(void *fn, void **pointers) {
  callWith(fn, pointers, std::make_index_sequence<N>());
}

template <size_t... N>
constexpr std::array<void (*)(void *, void **), sizeof...(N)>
makeCallTable(std::index_sequence<N...>) {
  return {&callFixed<N>...};
}

void callEntry(void *fn, std::vector<void *> &pointers) {
  static constexpr auto table =
      makeCallTable(std::make_index_sequence<kMaxPointers + 1>());
  table[pointers.size()](fn, pointers.data());
}

/// MLIR's marker for memrefs that own no allocation (memref.get_global).
const uintptr_t kNotAllocated = 0xdeadbeef;

/// Copies a (possibly strided) result memref into a C-order array, staging
/// device-only memory through the host first; its shape is the descriptor's
/// (the slot's where that is static).
NpyArray readResult(const Runtime &rt, const Slot &slot, const int64_t *desc) {
  NpyArray array;
  array.dtype = slot.dtype;
  size_t rank = slot.shape.size();
  array.shape.assign(desc + 3, desc + 3 + rank);
  for (size_t d = 0; d < rank; ++d)
    if (array.shape[d] < 0 ||
        (slot.shape[d] != kDynamic && array.shape[d] != slot.shape[d]))
      fail("the function returned a result of shape " +
           npy::formatShape(array.shape) + " for " +
           npy::formatShape(slot.shape));
  size_t elem = npy::npyElementSize(slot.dtype);
  int64_t n = array.numElements();
  if (n < 0)
    fail("the function returned a result of shape " +
         npy::formatShape(array.shape) + ", whose size overflows int64");
  array.data.resize(n * elem);
  if (n == 0)
    return array;
  const auto *base = reinterpret_cast<const uint8_t *>(desc[1]);
  int64_t offset = desc[2];
  const int64_t *strides = desc + 3 + rank;

  // Element offsets the memref reaches, relative to `base`.
  int64_t low = offset, high = offset;
  for (size_t d = 0; d < rank; ++d) {
    int64_t reach = (array.shape[d] - 1) * strides[d];
    (reach < 0 ? low : high) += reach;
  }
  std::vector<uint8_t> staged;
  if (rt.pointerKind && rt.copy &&
      rt.pointerKind(base + low * int64_t(elem)) == SEQBOAT_RT_DEVICE_MEMORY) {
    staged.resize(size_t(high - low + 1) * elem);
    rt.copy(staged.data(), base + low * int64_t(elem), staged.size());
    base = staged.data() - low * int64_t(elem);
  }

  std::vector<int64_t> index(rank, 0);
  for (int64_t linear = 0; linear < n; ++linear) {
    int64_t at = offset;
    for (size_t d = 0; d < rank; ++d)
      at += index[d] * strides[d];
    std::memcpy(array.data.data() + linear * elem, base + at * int64_t(elem),
                elem);
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < array.shape[d])
        break;
      index[d] = 0;
    }
  }
  return array;
}

std::string formatMs(double ms) {
  char text[64];
  std::snprintf(text, sizeof(text), "%.3f", ms);
  return text;
}

} // namespace

int main(int argc, char **argv) {
  // Past a file-size limit (ulimit -f) a write should fail with EFBIG and a
  // message, not kill the process with SIGXFSZ.
  std::signal(SIGXFSZ, SIG_IGN);
  Options options = parseCommandLine(argc, argv);
  const std::string &name = options.entry;

  // dlopen searches the library path for names without a slash; a file in
  // the current directory is what is meant.
  std::string libraryPath = options.library;
  if (libraryPath.find('/') == std::string::npos)
    libraryPath = "./" + libraryPath;
  void *library = dlopen(libraryPath.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    const char *why = dlerror();
    fail("cannot load '" + options.library + "': " +
         (why ? why : "unknown reason"));
  }
  Runtime rt = loadRuntime(library, options.library);

  // The entry and its signature.
  std::string abiSymbol = "__seqboat_abi_" + name;
  const char *abi = static_cast<const char *>(dlsym(library, abiSymbol.c_str()));
  if (!abi)
    fail("no function named '" + name + "' in " + options.library + " (no " +
         abiSymbol + " symbol)");
  std::string cifaceSymbol = "_mlir_ciface_" + name;
  void *entry = dlsym(library, cifaceSymbol.c_str());
  if (!entry)
    fail("'" + options.library + "' has " + abiSymbol + " but no " +
         cifaceSymbol);
  Signature signature;
  std::string why;
  if (!parseSignature(abi, signature, why))
    fail("cannot parse the signature of '" + name + "' ('" + abi +
         "'): " + why);

  if (signature.inputs.size() != options.inputs.size())
    fail("function '" + name + "' takes " +
         std::to_string(signature.inputs.size()) + " arguments, but " +
         std::to_string(options.inputs.size()) + " --input files were given");
  if (signature.results.size() != options.outputs.size())
    fail("function '" + name + "' returns " +
         std::to_string(signature.results.size()) + " results, but " +
         std::to_string(options.outputs.size()) +
         " --output files were given");
  size_t pointerCount =
      signature.inputs.size() + (signature.results.empty() ? 0 : 1);
  if (pointerCount > kMaxPointers)
    fail("function '" + name + "' needs " + std::to_string(pointerCount) +
         " descriptor pointers, but seqboat-exec supports at most " +
         std::to_string(kMaxPointers));

  // Load and check every input before running anything.
  std::string error;
  std::vector<NpyArray> args;
  std::vector<Slot> argSlots, resultSlots;
  for (size_t i = 0; i < signature.inputs.size(); ++i) {
    Slot slot;
    if (!slotOf(signature.inputs[i], "argument #" + std::to_string(i), slot,
                error))
      fail(error);
    NpyArray array;
    if (!npy::readNpy(options.inputs[i], array, error))
      fail(error);
    if (array.dtype != slot.dtype || !npy::fitsShape(array.shape, slot.shape))
      fail("'" + options.inputs[i] + "' holds " +
           npy::npyDTypeName(array.dtype) + " " +
           npy::formatShape(array.shape) + ", but argument #" +
           std::to_string(i) + " of '" + name + "' is " +
           npy::npyDTypeName(slot.dtype) + " " + npy::formatShape(slot.shape));
    // The file sizes the dynamic dimensions: the compiled function checks
    // that they agree with each other (a failed check is reported below).
    slot.shape = array.shape;
    args.push_back(std::move(array));
    argSlots.push_back(std::move(slot));
  }
  for (size_t i = 0; i < signature.results.size(); ++i) {
    Slot slot;
    if (!slotOf(signature.results[i], "result #" + std::to_string(i), slot,
                error))
      fail(error);
    resultSlots.push_back(std::move(slot));
  }

  // Only now the GPU: bad input is reported the same with or without one.
  char initError[512] = {};
  if (rt.init(initError, sizeof(initError)) != 0)
    fail(initError[0] ? initError : "the GPU runtime failed to initialise");

  // Arguments live in managed memory, described as contiguous memrefs.
  std::vector<void *> buffers;
  std::vector<std::vector<int64_t>> argDescs;
  for (size_t i = 0; i < args.size(); ++i) {
    const Slot &slot = argSlots[i];
    size_t rank = slot.shape.size();
    void *data = rt.allocShared(args[i].data.size());
    std::memcpy(data, args[i].data.data(), args[i].data.size());
    buffers.push_back(data);
    std::vector<int64_t> desc(descriptorWords(rank), 0);
    desc[0] = desc[1] = int64_t(reinterpret_cast<uintptr_t>(data));
    int64_t stride = 1;
    for (size_t d = rank; d-- > 0;) {
      desc[3 + d] = slot.shape[d];
      desc[3 + rank + d] = stride;
      stride *= slot.shape[d];
    }
    argDescs.push_back(std::move(desc));
  }
  std::set<void *> inputBuffers(buffers.begin(), buffers.end());

  // Several results come back as a struct of descriptors, which, every field
  // being 8 bytes, lie one after the other.
  size_t resultWords = 0;
  for (const Slot &slot : resultSlots)
    resultWords += descriptorWords(slot.shape.size());
  std::vector<int64_t> resultStorage(std::max<size_t>(resultWords, 1), 0);

  // The C interface takes the result storage first (when there are results),
  // then one descriptor pointer per argument.
  std::vector<void *> pointers;
  if (!resultSlots.empty())
    pointers.push_back(resultStorage.data());
  for (std::vector<int64_t> &desc : argDescs)
    pointers.push_back(desc.data());

  // Results are owned by the caller: free each buffer once, never an input.
  // Generated code allocates results with gpu.alloc (CUDA memory) or, for
  // host-side buffers, malloc; the runtime tells them apart when it can.
  // A result that aliases an input may have written it: the inputs are then
  // restored before the next run.
  auto releaseResults = [&]() {
    std::set<void *> freed;
    bool aliasedInput = false;
    size_t at = 0;
    for (const Slot &slot : resultSlots) {
      void *allocated = reinterpret_cast<void *>(resultStorage[at]);
      at += descriptorWords(slot.shape.size());
      if (inputBuffers.count(allocated)) {
        aliasedInput = true;
        continue;
      }
      if (!allocated ||
          reinterpret_cast<uintptr_t>(allocated) == kNotAllocated ||
          !freed.insert(allocated).second)
        continue;
      if (rt.pointerKind && rt.pointerKind(allocated) == SEQBOAT_RT_HOST_MEMORY)
        std::free(allocated);
      else
        rt.free(allocated);
    }
    std::fill(resultStorage.begin(), resultStorage.end(), 0);
    if (aliasedInput)
      for (size_t i = 0; i < args.size(); ++i)
        std::memcpy(buffers[i], args[i].data.data(), args[i].data.size());
  };

  // A lent stream: every call queues its work on it and returns; the
  // results are read (and released) only after waiting for it.
  void *lent = nullptr;
  if (options.stream) {
    if (!rt.setStream || !rt.streamCreate || !rt.streamSynchronize ||
        !rt.streamDestroy)
      fail("'" + options.library + "' was linked with a seqboat runtime "
           "that cannot take a caller's stream (no seqboat_rt_set_stream)");
    lent = rt.streamCreate();
    rt.setStream(lent);
  }
  auto callEntryAndWait = [&]() {
    callEntry(entry, pointers);
    if (lent)
      rt.streamSynchronize(lent);
  };

  std::signal(SIGABRT, onRunTimeCheckAbort);
  std::vector<double> times;
  seqboat_rt_counters before = {}, afterWarmUp = {}, after = {};
  if (options.time) {
    if (rt.counters)
      rt.counters(&before);
    callEntryAndWait(); // Warm-up: loads kernels, migrates pages.
    releaseResults();
    if (rt.counters)
      rt.counters(&afterWarmUp);
    void *start = rt.eventCreate();
    void *stop = rt.eventCreate();
    for (unsigned run = 0; run < options.repeat; ++run) {
      if (run)
        releaseResults();
      rt.eventRecord(start);
      callEntry(entry, pointers);
      rt.eventRecord(stop);
      if (lent)
        rt.streamSynchronize(lent);
      times.push_back(rt.eventElapsedMs(start, stop));
    }
    rt.eventDestroy(start);
    rt.eventDestroy(stop);
    if (rt.counters)
      rt.counters(&after);
  } else {
    for (unsigned run = 0; run < options.repeat; ++run) {
      if (run)
        releaseResults();
      callEntryAndWait();
    }
  }
  rt.synchronize();
  std::signal(SIGABRT, SIG_DFL);

  // Read every result before writing any file.
  std::vector<NpyArray> results;
  size_t at = 0;
  for (const Slot &slot : resultSlots) {
    results.push_back(readResult(rt, slot, resultStorage.data() + at));
    at += descriptorWords(slot.shape.size());
  }
  releaseResults();
  for (void *buffer : buffers)
    rt.free(buffer);
  if (lent) {
    rt.setStream(nullptr);
    rt.streamDestroy(lent);
  }
  if (!npy::writeNpyFiles(options.outputs, results, error))
    fail(error);

  if (options.time) {
    std::sort(times.begin(), times.end());
    size_t half = times.size() / 2;
    double median = times.size() % 2 ? times[half]
                                     : 0.5 * (times[half - 1] + times[half]);
    std::printf("seqboat-exec: %s: median %s ms over %zu run(s) on %s\n",
                name.c_str(), formatMs(median).c_str(), times.size(),
                rt.deviceName());
    // What the host code does per call (the runtime's counters), after the
    // warm-up call and on it.
    if (rt.counters && !times.empty()) {
      auto perCall = [&](uint64_t seqboat_rt_counters::*field) {
        return double(after.*field - afterWarmUp.*field) / times.size();
      };
      std::printf("seqboat-exec: per call: %g kernel launches, %g streams "
                  "created, %g synchronisations, %g GPU allocations (%g "
                  "served by the pool), %g managed allocations\n",
                  perCall(&seqboat_rt_counters::launches),
                  perCall(&seqboat_rt_counters::streams_created),
                  perCall(&seqboat_rt_counters::stream_synchronizations),
                  perCall(&seqboat_rt_counters::device_allocations),
                  perCall(&seqboat_rt_counters::pool_reuses),
                  perCall(&seqboat_rt_counters::managed_allocations));
      std::printf("seqboat-exec: the first call: %llu GPU allocations "
                  "(%llu bytes)\n",
                  static_cast<unsigned long long>(
                      afterWarmUp.device_allocations -
                      before.device_allocations),
                  static_cast<unsigned long long>(afterWarmUp.device_bytes -
                                                  before.device_bytes));
    }
  }
  return 0;
}
