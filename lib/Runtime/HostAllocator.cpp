//===- HostAllocator.cpp - caching allocator for seqboat's CPU code -------===//
//
// Each block carries a 16-byte header with its size (so the block itself
// keeps malloc's 16-byte alignment; the compiled code aligns further within
// the over-allocation finalize-memref-to-llvm asks for). Freed blocks go to
// a free list per size while the cache stays under its limit.
//
//===----------------------------------------------------------------------===//

#include "seqboat/Runtime/HostAllocator.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace {

constexpr size_t kHeader = 16;

struct Cache {
  std::mutex mutex;
  std::unordered_map<size_t, std::vector<void *>> free;
  size_t bytes = 0;
  size_t limit = 0;

  Cache() {
    size_t megabytes = 4096;
    if (const char *env = std::getenv("SEQBOAT_HOST_CACHE_MB")) {
      // Decimal digits only (strtoull would take "-1" as a huge number);
      // more megabytes than size_t holds means no limit.
      bool digits = *env != '\0';
      size_t value = 0;
      for (const char *c = env; *c && digits; ++c) {
        digits = *c >= '0' && *c <= '9';
        value = value > (SIZE_MAX - 9) / 10 ? SIZE_MAX : value * 10 + (*c - '0');
      }
      if (digits)
        megabytes = value;
      else
        std::fprintf(stderr,
                     "seqboat-runtime: warning: SEQBOAT_HOST_CACHE_MB='%s' is "
                     "not a number of megabytes; using %zu\n",
                     env, megabytes);
    }
    limit = megabytes > SIZE_MAX / (1u << 20) ? SIZE_MAX : megabytes << 20;
  }

  void releaseAll() {
    std::lock_guard<std::mutex> lock(mutex);
    for (auto &entry : free)
      for (void *block : entry.second)
        std::free(block);
    free.clear();
    bytes = 0;
  }

  ~Cache() { releaseAll(); }
};

Cache &cache() {
  static Cache *instance = new Cache(); // Outlives static destructors.
  return *instance;
}

} // namespace

extern "C" void *seqboat_host_alloc(size_t size) {
  if (size > SIZE_MAX - kHeader)
    return nullptr;
  Cache &c = cache();
  void *block = nullptr;
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    auto it = c.free.find(size);
    if (it != c.free.end() && !it->second.empty()) {
      block = it->second.back();
      it->second.pop_back();
      c.bytes -= size;
    }
  }
  if (!block)
    block = std::malloc(size + kHeader);
  if (!block)
    return nullptr;
  *static_cast<size_t *>(block) = size;
  return static_cast<char *>(block) + kHeader;
}

extern "C" void seqboat_host_free(void *ptr) {
  if (!ptr)
    return;
  void *block = static_cast<char *>(ptr) - kHeader;
  size_t size = *static_cast<size_t *>(block);
  Cache &c = cache();
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    if (size <= c.limit && c.bytes <= c.limit - size) {
      c.free[size].push_back(block);
      c.bytes += size;
      return;
    }
  }
  std::free(block);
}

extern "C" size_t seqboat_host_cached_bytes(void) {
  Cache &c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  return c.bytes;
}

extern "C" void seqboat_host_release_cache(void) { cache().releaseAll(); }

// The names MLIR's memref lowering calls with use-generic-functions.
extern "C" __attribute__((visibility("default"))) void *
_mlir_memref_to_llvm_alloc(size_t size) {
  return seqboat_host_alloc(size);
}
extern "C" __attribute__((visibility("default"))) void
_mlir_memref_to_llvm_free(void *ptr) {
  seqboat_host_free(ptr);
}
