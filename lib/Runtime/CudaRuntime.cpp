//===- CudaRuntime.cpp - mgpu* runtime over a dlopen'ed CUDA driver -------===//
//
// Implements the runtime ABI that MLIR 22's `gpu-to-llvm` lowering and the
// `#gpu.select_object` translation call into (see CudaRuntime.h), on top of
// the CUDA driver API.
//
// The driver is not linked: libcuda.so.1 is dlopen'ed on first use and every
// entry point is looked up by the versioned name that <cuda.h> maps it to
// (cuMemAlloc -> cuMemAlloc_v2, ...). <cuda.h> is used for types only. This
// keeps AOT-compiled libraries loadable on machines without a GPU, where
// seqboat_rt_init reports the problem instead of the dynamic loader.
//
// Contexts: every call makes the primary context of the default device
// (device 0, or the one given to mgpuSetDefaultDevice) current on the calling
// thread, retaining it the first time. Primary contexts are never released;
// they live as long as the process.
//
//===----------------------------------------------------------------------===//

// Per-thread default-stream builds map entry points to *_ptsz names; this
// runtime uses the legacy default stream, whose names it looks up below.
#undef CUDA_API_PER_THREAD_DEFAULT_STREAM
#include <cuda.h>

#include "seqboat/Runtime/CudaRuntime.h"

#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <unordered_map>

#include <dlfcn.h>

namespace {

//===----------------------------------------------------------------------===//
// The dynamically loaded driver
//===----------------------------------------------------------------------===//

// Every driver entry point this file calls. The type comes from the
// declaration in <cuda.h>; the symbol is the macro-expanded (versioned) name.
#define SEQBOAT_CUDA_REQUIRED(X)                                               \
  X(cuInit)                                                                    \
  X(cuGetErrorString)                                                          \
  X(cuDeviceGetCount)                                                          \
  X(cuDeviceGet)                                                               \
  X(cuDeviceGetName)                                                           \
  X(cuDevicePrimaryCtxRetain)                                                  \
  X(cuCtxGetCurrent)                                                           \
  X(cuCtxSetCurrent)                                                           \
  X(cuCtxSynchronize)                                                          \
  X(cuModuleLoadDataEx)                                                        \
  X(cuModuleUnload)                                                            \
  X(cuModuleGetFunction)                                                       \
  X(cuFuncSetAttribute)                                                        \
  X(cuLaunchKernel)                                                            \
  X(cuStreamCreate)                                                            \
  X(cuStreamDestroy)                                                           \
  X(cuStreamSynchronize)                                                       \
  X(cuStreamWaitEvent)                                                         \
  X(cuEventCreate)                                                             \
  X(cuEventDestroy)                                                            \
  X(cuEventRecord)                                                             \
  X(cuEventSynchronize)                                                        \
  X(cuMemAlloc)                                                                \
  X(cuMemAllocManaged)                                                         \
  X(cuMemFree)                                                                 \
  X(cuMemcpy)                                                                  \
  X(cuMemcpyAsync)                                                             \
  X(cuMemsetD16Async)                                                          \
  X(cuMemsetD32Async)                                                          \
  X(cuMemHostRegister)                                                         \
  X(cuMemHostUnregister)                                                       \
  X(cuPointerGetAttribute)

// Entry points that older drivers lack; callers check for null.
#define SEQBOAT_CUDA_OPTIONAL(X)                                               \
  X(cuEventElapsedTime) /* _v2 since 12.8; falls back to the 1st version */   \
  X(cuLaunchKernelEx)   /* since 11.8, for cluster launches */                 \
  X(cuFuncGetName)      /* since 12.3, for messages only */

#define SEQBOAT_STRINGIFY_EXPANDED(x) SEQBOAT_STRINGIFY(x)
#define SEQBOAT_STRINGIFY(x) #x

struct Driver {
#define SEQBOAT_DECLARE(name) decltype(&::name) name##_ = nullptr;
  SEQBOAT_CUDA_REQUIRED(SEQBOAT_DECLARE)
  SEQBOAT_CUDA_OPTIONAL(SEQBOAT_DECLARE)
#undef SEQBOAT_DECLARE
};

/// Process-wide state. It is allocated once and never destroyed: the
/// mgpuModuleUnload calls come from global destructors of the library this
/// runtime is linked into, which may run after C++ static destructors.
struct State {
  std::mutex lock;
  /// 0: not tried yet, 1: ready, 2: failed with `error`.
  std::atomic<int> status{0};
  char error[512] = {};
  Driver cu;

  std::atomic<int> defaultDevice{0};
  static constexpr int kMaxDevices = 64;
  /// Written once under `lock`; read without it on every call.
  std::atomic<CUcontext> primary[kMaxDevices] = {};
  char deviceName[256] = {};
};

State &state() {
  static State *s = new State;
  return *s;
}

const Driver &cu() { return state().cu; }

[[noreturn]] void fatal(const char *format, ...)
    __attribute__((format(printf, 1, 2)));

void fatal(const char *format, ...) {
  std::fflush(stdout);
  std::fputs("seqboat-runtime: error: ", stderr);
  va_list args;
  va_start(args, format);
  std::vfprintf(stderr, format, args);
  va_end(args);
  std::fputc('\n', stderr);
  std::exit(1);
}

const char *describe(CUresult result) {
  const char *text = nullptr;
  if (cu().cuGetErrorString_ &&
      cu().cuGetErrorString_(result, &text) == CUDA_SUCCESS && text)
    return text;
  // The driver cannot describe its own error (the stub library cannot).
  static thread_local char code[48];
  std::snprintf(code, sizeof(code), "CUDA error %d", int(result));
  return code;
}

/// Exits with "<what> failed: <CUDA's text>" unless `result` is success.
/// `what` is a printf format for the remaining arguments.
void check(CUresult result, const char *what, ...)
    __attribute__((format(printf, 2, 3)));

void check(CUresult result, const char *what, ...) {
  if (result == CUDA_SUCCESS)
    return;
  char action[256];
  va_list args;
  va_start(args, what);
  std::vsnprintf(action, sizeof(action), what, args);
  va_end(args);
  fatal("%s failed: %s", action, describe(result));
}

/// Fills `s.cu` and initialises CUDA. Returns false with `s.error` set.
bool loadDriver(State &s) {
  void *library = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    const char *why = dlerror();
    std::snprintf(s.error, sizeof(s.error),
                  "no CUDA driver: libcuda.so.1 not found (%s)",
                  why ? why : "unknown reason");
    return false;
  }
  Driver &d = s.cu;
#define SEQBOAT_RESOLVE(name)                                                  \
  d.name##_ = reinterpret_cast<decltype(d.name##_)>(                           \
      dlsym(library, SEQBOAT_STRINGIFY_EXPANDED(name)));                       \
  if (!d.name##_) {                                                            \
    std::snprintf(s.error, sizeof(s.error),                                    \
                  "CUDA driver too old: libcuda.so.1 lacks %s",                \
                  SEQBOAT_STRINGIFY_EXPANDED(name));                           \
    return false;                                                              \
  }
  SEQBOAT_CUDA_REQUIRED(SEQBOAT_RESOLVE)
#undef SEQBOAT_RESOLVE
#define SEQBOAT_RESOLVE(name)                                                  \
  d.name##_ = reinterpret_cast<decltype(d.name##_)>(                           \
      dlsym(library, SEQBOAT_STRINGIFY_EXPANDED(name)));
  SEQBOAT_CUDA_OPTIONAL(SEQBOAT_RESOLVE)
#undef SEQBOAT_RESOLVE
  // Drivers before 12.8 only have the first version, with the same signature.
  if (!d.cuEventElapsedTime_)
    d.cuEventElapsedTime_ = reinterpret_cast<decltype(d.cuEventElapsedTime_)>(
        dlsym(library, "cuEventElapsedTime"));

  CUresult result = d.cuInit_(0);
  if (result == CUDA_ERROR_STUB_LIBRARY) {
    std::snprintf(s.error, sizeof(s.error),
                  "no CUDA driver: libcuda.so.1 is the CUDA toolkit's stub "
                  "library, not a driver");
    return false;
  }
  if (result == CUDA_ERROR_NO_DEVICE) {
    std::snprintf(s.error, sizeof(s.error), "no CUDA device");
    return false;
  }
  if (result != CUDA_SUCCESS) {
    std::snprintf(s.error, sizeof(s.error),
                  "CUDA driver initialisation failed: %s", describe(result));
    return false;
  }
  int count = 0;
  result = d.cuDeviceGetCount_(&count);
  if (result != CUDA_SUCCESS || count == 0) {
    std::snprintf(s.error, sizeof(s.error), "no CUDA device");
    return false;
  }
  return true;
}

/// Loads the driver once; returns false (with state().error) if impossible.
bool ensureDriver() {
  State &s = state();
  int status = s.status.load(std::memory_order_acquire);
  if (status == 0) {
    std::lock_guard<std::mutex> guard(s.lock);
    status = s.status.load(std::memory_order_relaxed);
    if (status == 0) {
      status = loadDriver(s) ? 1 : 2;
      s.status.store(status, std::memory_order_release);
    }
  }
  return status == 1;
}

/// The primary context of `device`, retained on first use.
CUcontext primaryContext(int device) {
  State &s = state();
  if (device < 0 || device >= State::kMaxDevices)
    fatal("selecting CUDA device %d failed: device ordinal out of range",
          device);
  if (CUcontext context = s.primary[device].load(std::memory_order_acquire))
    return context;
  std::lock_guard<std::mutex> guard(s.lock);
  CUcontext context = s.primary[device].load(std::memory_order_relaxed);
  if (!context) {
    CUdevice handle;
    check(cu().cuDeviceGet_(&handle, device), "selecting CUDA device %d",
          device);
    check(cu().cuDevicePrimaryCtxRetain_(&context, handle),
          "creating the context of CUDA device %d", device);
    s.primary[device].store(context, std::memory_order_release);
  }
  return context;
}

/// Called on entry to every runtime function that talks to CUDA: loads the
/// driver (exiting with its error if that fails) and makes the default
/// device's primary context current on this thread.
void enter() {
  if (!ensureDriver())
    fatal("%s", state().error);
  CUcontext wanted = primaryContext(state().defaultDevice.load());
  CUcontext current = nullptr;
  check(cu().cuCtxGetCurrent_(&current), "querying the current CUDA context");
  if (current != wanted)
    check(cu().cuCtxSetCurrent_(wanted), "activating the CUDA context");
}

CUstream asStream(void *stream) { return static_cast<CUstream>(stream); }
CUevent asEvent(void *event) { return static_cast<CUevent>(event); }
CUdeviceptr asDevicePtr(const void *ptr) {
  return reinterpret_cast<CUdeviceptr>(ptr);
}

/// A kernel for messages: "kernel 'name'" where the driver can tell.
const char *kernelName(CUfunction function, char *buffer, size_t size) {
  const char *name = nullptr;
  if (cu().cuFuncGetName_ && cu().cuFuncGetName_(&name, function) == CUDA_SUCCESS &&
      name)
    std::snprintf(buffer, size, "kernel '%s'", name);
  else
    std::snprintf(buffer, size, "a kernel");
  return buffer;
}

unsigned launchDim(intptr_t value, const char *what) {
  if (value < 1 || value > intptr_t(UINT32_MAX))
    fatal("launching a kernel failed: %s %lld is out of range", what,
          static_cast<long long>(value));
  return static_cast<unsigned>(value);
}

/// Kernels using over 48 KiB of dynamic shared memory must opt in.
void allowSharedMemory(CUfunction function, unsigned bytes) {
  if (bytes <= 48 * 1024)
    return;
  char name[160];
  check(cu().cuFuncSetAttribute_(function,
                                 CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                                 int(bytes)),
        "allowing %u bytes of dynamic shared memory for %s", bytes,
        kernelName(function, name, sizeof(name)));
}

//===----------------------------------------------------------------------===//
// Modules
//===----------------------------------------------------------------------===//

/// What mgpuModuleLoad returns. MLIR calls mgpuModuleLoad from a global
/// constructor, i.e. while the library is being dlopen'ed and before a driver
/// could call seqboat_rt_init; so the image is only remembered here and handed
/// to CUDA when the first kernel is looked up.
struct LazyModule {
  const void *image;
  bool isPtx;
  int optLevel;
  std::mutex lock;
  CUmodule module = nullptr;
};

CUmodule load(LazyModule &lazy) {
  std::lock_guard<std::mutex> guard(lazy.lock);
  if (lazy.module)
    return lazy.module;
  char log[8192] = {};
  CUjit_option options[3] = {CU_JIT_ERROR_LOG_BUFFER,
                             CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES,
                             CU_JIT_OPTIMIZATION_LEVEL};
  void *values[3] = {log, reinterpret_cast<void *>(uintptr_t(sizeof(log))),
                     reinterpret_cast<void *>(uintptr_t(lazy.optLevel))};
  CUresult result = cu().cuModuleLoadDataEx_(&lazy.module, lazy.image,
                                             lazy.isPtx ? 3 : 2, options, values);
  if (result != CUDA_SUCCESS) {
    log[sizeof(log) - 1] = '\0';
    if (log[0])
      fatal("%s failed: %s\n%s",
            lazy.isPtx ? "JIT-compiling the GPU module (PTX)"
                       : "loading the GPU module",
            describe(result), log);
    check(result, "%s",
          lazy.isPtx ? "JIT-compiling the GPU module (PTX)"
                     : "loading the GPU module");
  }
  return lazy.module;
}

//===----------------------------------------------------------------------===//
// Device memory: a caching pool
//===----------------------------------------------------------------------===//

/// Device memory that generated code frees (mgpuMemFree) is kept for the next
/// allocation of the same size instead of going back to CUDA, so a function
/// called again with the same shapes allocates nothing: its scratch buffers
/// are the blocks its previous call released (a workspace, allocated once).
///
/// A freed block may still be in use by work queued on the stream it was
/// freed on. It is *pending* on that stream until the stream is synchronised
/// (mgpuStreamSynchronize, the end of every generated function unless the
/// caller lent its own stream); a pending block is reused only on the same
/// stream, whose order makes that safe. seqboat_rt_free (a caller's release
/// of a result it has waited for) makes a block ready at once.
struct Pool {
  std::mutex lock;
  struct Free {
    CUdeviceptr ptr;
    CUstream pending; // null: ready for any stream.
  };
  /// Free blocks by size.
  std::multimap<size_t, Free> free;
  /// The size of every block handed out by the pool.
  std::unordered_map<CUdeviceptr, size_t> live;
  seqboat_rt_counters counters = {};
};

Pool &pool() {
  static Pool *p = new Pool; // Never destroyed, like State.
  return *p;
}

/// Sizes are rounded up to 512 bytes (the alignment cuMemAlloc gives).
size_t poolSize(uint64_t bytes) { return ((bytes ? bytes : 1) + 511) & ~size_t(511); }

/// Returns every ready cached block to CUDA. Called with the pool locked.
void trimLocked(Pool &p) {
  for (auto it = p.free.begin(); it != p.free.end();) {
    if (it->second.pending) {
      ++it;
      continue;
    }
    check(cu().cuMemFree_(it->second.ptr), "freeing GPU memory");
    it = p.free.erase(it);
  }
}

CUdeviceptr poolAlloc(uint64_t sizeBytes, CUstream stream) {
  Pool &p = pool();
  size_t bytes = poolSize(sizeBytes);
  std::lock_guard<std::mutex> guard(p.lock);
  // The smallest usable cached block of at least `bytes` and at most twice
  // that (a call with a shorter sequence reuses a longer one's blocks, and at
  // most half of a block is wasted).
  for (auto it = p.free.lower_bound(bytes);
       it != p.free.end() && it->first <= 2 * bytes; ++it) {
    if (it->second.pending && it->second.pending != stream)
      continue;
    CUdeviceptr ptr = it->second.ptr;
    p.live[ptr] = it->first;
    p.free.erase(it);
    ++p.counters.pool_reuses;
    return ptr;
  }
  CUdeviceptr ptr = 0;
  CUresult result = cu().cuMemAlloc_(&ptr, bytes);
  if (result == CUDA_ERROR_OUT_OF_MEMORY && !p.free.empty()) {
    // The cache may hold what is missing: give it back and try again.
    trimLocked(p);
    result = cu().cuMemAlloc_(&ptr, bytes);
  }
  check(result, "allocating %llu bytes of GPU memory",
        static_cast<unsigned long long>(sizeBytes));
  p.live[ptr] = bytes;
  ++p.counters.device_allocations;
  p.counters.device_bytes += bytes;
  return ptr;
}

/// Takes back a block of the pool; false if `ptr` is not one.
bool poolFree(CUdeviceptr ptr, CUstream pendingOn) {
  Pool &p = pool();
  std::lock_guard<std::mutex> guard(p.lock);
  auto it = p.live.find(ptr);
  if (it == p.live.end())
    return false;
  p.free.insert({it->second, Pool::Free{ptr, pendingOn}});
  p.live.erase(it);
  return true;
}

/// The work on `stream` has finished: its pending blocks are ready (all of
/// them for a null stream, after a whole-context synchronisation).
void poolStreamDone(CUstream stream) {
  Pool &p = pool();
  std::lock_guard<std::mutex> guard(p.lock);
  for (auto &entry : p.free)
    if (!stream || entry.second.pending == stream)
      entry.second.pending = nullptr;
}

/// A stream lent by the caller (seqboat_rt_set_stream), per thread.
thread_local CUstream lentStream = nullptr;

} // namespace

//===----------------------------------------------------------------------===//
// seqboat_rt_* helpers
//===----------------------------------------------------------------------===//

extern "C" {

int seqboat_rt_init(char *err, size_t errlen) {
  if (!ensureDriver()) {
    if (err && errlen)
      std::snprintf(err, errlen, "%s", state().error);
    return 1;
  }
  enter();
  return 0;
}

const char *seqboat_rt_device_name(void) {
  enter();
  State &s = state();
  std::lock_guard<std::mutex> guard(s.lock);
  CUdevice device;
  int ordinal = s.defaultDevice.load();
  check(cu().cuDeviceGet_(&device, ordinal), "selecting CUDA device %d",
        ordinal);
  check(cu().cuDeviceGetName_(s.deviceName, sizeof(s.deviceName), device),
        "querying the name of CUDA device %d", ordinal);
  return s.deviceName;
}

void *seqboat_rt_alloc_shared(size_t bytes) {
  enter();
  CUdeviceptr ptr = 0;
  check(cu().cuMemAllocManaged_(&ptr, bytes ? bytes : 1, CU_MEM_ATTACH_GLOBAL),
        "allocating %zu bytes of managed memory", bytes);
  return reinterpret_cast<void *>(ptr);
}

void seqboat_rt_free(void *ptr) {
  if (!ptr)
    return;
  enter();
  // A block of the pool (a result of generated code) goes back to it, ready:
  // the caller has waited for the work that wrote it.
  if (poolFree(asDevicePtr(ptr), /*pendingOn=*/nullptr))
    return;
  check(cu().cuMemFree_(asDevicePtr(ptr)), "freeing GPU memory");
}

void *seqboat_rt_alloc_device(size_t bytes) {
  enter();
  return reinterpret_cast<void *>(poolAlloc(bytes, /*stream=*/nullptr));
}

void seqboat_rt_trim(void) {
  enter();
  Pool &p = pool();
  std::lock_guard<std::mutex> guard(p.lock);
  trimLocked(p);
}

void seqboat_rt_set_stream(void *stream) { lentStream = asStream(stream); }

void *seqboat_rt_stream_create(void) {
  enter();
  CUstream stream = nullptr;
  check(cu().cuStreamCreate_(&stream, CU_STREAM_DEFAULT), "creating a stream");
  return stream;
}

void seqboat_rt_stream_synchronize(void *stream) {
  enter();
  check(cu().cuStreamSynchronize_(asStream(stream)), "waiting for a stream");
  poolStreamDone(asStream(stream));
}

void seqboat_rt_stream_destroy(void *stream) {
  if (!stream)
    return;
  enter();
  seqboat_rt_stream_synchronize(stream);
  check(cu().cuStreamDestroy_(asStream(stream)), "destroying a stream");
}

void seqboat_rt_get_counters(seqboat_rt_counters *counters) {
  if (!counters)
    return;
  Pool &p = pool();
  std::lock_guard<std::mutex> guard(p.lock);
  *counters = p.counters;
}

int seqboat_rt_pointer_kind(const void *ptr) {
  if (!ptr)
    return SEQBOAT_RT_HOST_MEMORY;
  enter();
  unsigned managed = 0;
  CUresult result = cu().cuPointerGetAttribute_(
      &managed, CU_POINTER_ATTRIBUTE_IS_MANAGED, asDevicePtr(ptr));
  // Memory CUDA does not know (malloc, stack) is reported as invalid.
  if (result == CUDA_ERROR_INVALID_VALUE)
    return SEQBOAT_RT_HOST_MEMORY;
  check(result, "querying a pointer's memory type");
  if (managed)
    return SEQBOAT_RT_SHARED_MEMORY;
  CUmemorytype type = CU_MEMORYTYPE_HOST;
  check(cu().cuPointerGetAttribute_(&type, CU_POINTER_ATTRIBUTE_MEMORY_TYPE,
                                    asDevicePtr(ptr)),
        "querying a pointer's memory type");
  return type == CU_MEMORYTYPE_DEVICE ? SEQBOAT_RT_DEVICE_MEMORY
                                      : SEQBOAT_RT_HOST_MEMORY;
}

void seqboat_rt_copy(void *dst, const void *src, size_t bytes) {
  if (!bytes)
    return;
  enter();
  check(cu().cuMemcpy_(asDevicePtr(dst), asDevicePtr(src), bytes),
        "copying %zu bytes", bytes);
}

void *seqboat_rt_event_create(void) {
  enter();
  CUevent event = nullptr;
  check(cu().cuEventCreate_(&event, CU_EVENT_DEFAULT),
        "creating a timing event");
  return event;
}

void seqboat_rt_event_record(void *event) {
  enter();
  // Stream 0 is the legacy default stream: it waits for all work queued on
  // the (blocking) streams mgpuStreamCreate makes.
  check(cu().cuEventRecord_(asEvent(event), nullptr), "recording an event");
}

float seqboat_rt_event_elapsed_ms(void *start, void *stop) {
  enter();
  if (!cu().cuEventElapsedTime_)
    fatal("measuring time failed: libcuda.so.1 lacks cuEventElapsedTime");
  check(cu().cuEventSynchronize_(asEvent(stop)), "waiting for an event");
  float ms = 0;
  check(cu().cuEventElapsedTime_(&ms, asEvent(start), asEvent(stop)),
        "measuring the time between two events");
  return ms;
}

void seqboat_rt_event_destroy(void *event) {
  if (!event)
    return;
  enter();
  check(cu().cuEventDestroy_(asEvent(event)), "destroying an event");
}

void seqboat_rt_synchronize(void) {
  enter();
  check(cu().cuCtxSynchronize_(), "waiting for the GPU");
  poolStreamDone(nullptr);
}

//===----------------------------------------------------------------------===//
// mgpu* ABI
//===----------------------------------------------------------------------===//

void *mgpuModuleLoad(void *data, size_t /*size: images carry their own*/) {
  auto *lazy = new LazyModule;
  lazy->image = data;
  lazy->isPtx = false;
  lazy->optLevel = 0;
  return lazy;
}

void *mgpuModuleLoadJIT(void *data, int32_t optLevel) {
  auto *lazy = new LazyModule;
  lazy->image = data;
  lazy->isPtx = true;
  lazy->optLevel = optLevel < 0 ? 0 : optLevel > 4 ? 4 : optLevel;
  return lazy;
}

void mgpuModuleUnload(void *module) {
  auto *lazy = static_cast<LazyModule *>(module);
  if (!lazy)
    return;
  // This runs from a global destructor, possibly after CUDA has shut down at
  // process exit (CUDA_ERROR_DEINITIALIZED): failing here would only turn a
  // finished run into an error, so the result is ignored.
  if (lazy->module && cu().cuModuleUnload_)
    (void)cu().cuModuleUnload_(lazy->module);
  delete lazy;
}

void *mgpuModuleGetFunction(void *module, const char *name) {
  enter();
  CUmodule loaded = load(*static_cast<LazyModule *>(module));
  CUfunction function = nullptr;
  check(cu().cuModuleGetFunction_(&function, loaded, name),
        "looking up kernel '%s'", name);
  return function;
}

void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra,
                      size_t /*paramsCount: CUDA knows the kernel's*/) {
  enter();
  auto f = static_cast<CUfunction>(function);
  unsigned bytes = static_cast<uint32_t>(smem);
  allowSharedMemory(f, bytes);
  {
    std::lock_guard<std::mutex> guard(pool().lock);
    ++pool().counters.launches;
  }
  char name[160];
  check(cu().cuLaunchKernel_(f, launchDim(gridX, "grid size"),
                             launchDim(gridY, "grid size"),
                             launchDim(gridZ, "grid size"),
                             launchDim(blockX, "block size"),
                             launchDim(blockY, "block size"),
                             launchDim(blockZ, "block size"), bytes,
                             asStream(stream), params, extra),
        "launching %s", kernelName(f, name, sizeof(name)));
}

void mgpuLaunchClusterKernel(void *function, intptr_t clusterX,
                             intptr_t clusterY, intptr_t clusterZ,
                             intptr_t gridX, intptr_t gridY, intptr_t gridZ,
                             intptr_t blockX, intptr_t blockY, intptr_t blockZ,
                             int32_t smem, void *stream, void **params,
                             void **extra) {
  enter();
  if (!cu().cuLaunchKernelEx_)
    fatal("launching a kernel with clusters failed: libcuda.so.1 lacks "
          "cuLaunchKernelEx (CUDA 11.8 or newer is needed)");
  auto f = static_cast<CUfunction>(function);
  char name[160];
  unsigned bytes = static_cast<uint32_t>(smem);
  allowSharedMemory(f, bytes);

  CUlaunchAttribute cluster;
  std::memset(&cluster, 0, sizeof(cluster));
  cluster.id = CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION;
  cluster.value.clusterDim.x = launchDim(clusterX, "cluster size");
  cluster.value.clusterDim.y = launchDim(clusterY, "cluster size");
  cluster.value.clusterDim.z = launchDim(clusterZ, "cluster size");
  // Clusters of more than 8 blocks are "non-portable" and must be allowed.
  if (uint64_t(clusterX) * clusterY * clusterZ > 8)
    check(cu().cuFuncSetAttribute_(
              f, CU_FUNC_ATTRIBUTE_NON_PORTABLE_CLUSTER_SIZE_ALLOWED, 1),
          "allowing a non-portable cluster size for %s",
          kernelName(f, name, sizeof(name)));

  CUlaunchConfig config;
  std::memset(&config, 0, sizeof(config));
  config.gridDimX = launchDim(gridX, "grid size");
  config.gridDimY = launchDim(gridY, "grid size");
  config.gridDimZ = launchDim(gridZ, "grid size");
  config.blockDimX = launchDim(blockX, "block size");
  config.blockDimY = launchDim(blockY, "block size");
  config.blockDimZ = launchDim(blockZ, "block size");
  config.sharedMemBytes = bytes;
  config.hStream = asStream(stream);
  config.attrs = &cluster;
  config.numAttrs = 1;
  check(cu().cuLaunchKernelEx_(&config, f, params, extra),
        "launching %s with clusters", kernelName(f, name, sizeof(name)));
}

void *mgpuStreamCreate(void) {
  enter();
  // A caller that lent its stream gets all the work of the call on it.
  if (lentStream)
    return lentStream;
  {
    std::lock_guard<std::mutex> guard(pool().lock);
    ++pool().counters.streams_created;
  }
  CUstream stream = nullptr;
  // A blocking stream (not CU_STREAM_NON_BLOCKING) orders against the legacy
  // default stream, so events recorded there by the seqboat_rt_* helpers (and
  // cuMemFree) see all work queued by generated code.
  check(cu().cuStreamCreate_(&stream, CU_STREAM_DEFAULT), "creating a stream");
  return stream;
}

void mgpuStreamDestroy(void *stream) {
  if (stream && asStream(stream) == lentStream)
    return; // The caller's.
  enter();
  // Blocks freed on the stream must not stay tied to a handle CUDA may hand
  // out again: wait for its work first unless nothing is pending on it.
  bool pending = false;
  {
    std::lock_guard<std::mutex> guard(pool().lock);
    for (auto &entry : pool().free)
      pending |= entry.second.pending == asStream(stream);
  }
  if (pending)
    mgpuStreamSynchronize(stream);
  check(cu().cuStreamDestroy_(asStream(stream)), "destroying a stream");
}

void mgpuStreamSynchronize(void *stream) {
  // The caller's stream is the caller's to wait for: a call that runs on it
  // returns once its work is queued.
  if (stream && asStream(stream) == lentStream)
    return;
  enter();
  check(cu().cuStreamSynchronize_(asStream(stream)),
        "waiting for a stream (a kernel or copy in it)");
  {
    std::lock_guard<std::mutex> guard(pool().lock);
    ++pool().counters.stream_synchronizations;
  }
  poolStreamDone(asStream(stream));
}

void mgpuStreamWaitEvent(void *stream, void *event) {
  enter();
  check(cu().cuStreamWaitEvent_(asStream(stream), asEvent(event), 0),
        "making a stream wait for an event");
}

void *mgpuEventCreate(void) {
  enter();
  CUevent event = nullptr;
  // These events only order work; timing them would cost for nothing.
  check(cu().cuEventCreate_(&event, CU_EVENT_DISABLE_TIMING),
        "creating an event");
  return event;
}

void mgpuEventDestroy(void *event) {
  enter();
  check(cu().cuEventDestroy_(asEvent(event)), "destroying an event");
}

void mgpuEventSynchronize(void *event) {
  enter();
  check(cu().cuEventSynchronize_(asEvent(event)),
        "waiting for an event (a kernel or copy before it)");
}

void mgpuEventRecord(void *event, void *stream) {
  enter();
  check(cu().cuEventRecord_(asEvent(event), asStream(stream)),
        "recording an event");
}

void *mgpuMemAlloc(uint64_t sizeBytes, void *stream,
                   uint32_t isHostShared) {
  enter();
  // MLIR passes an i8 without zeroext: only the low byte is defined.
  bool shared = (isHostShared & 0xff) != 0;
  size_t bytes = sizeBytes ? sizeBytes : 1;
  CUdeviceptr ptr = 0;
  if (!shared)
    return reinterpret_cast<void *>(poolAlloc(sizeBytes, asStream(stream)));
  check(cu().cuMemAllocManaged_(&ptr, bytes, CU_MEM_ATTACH_GLOBAL),
        "allocating %llu bytes of managed memory",
        static_cast<unsigned long long>(sizeBytes));
  {
    std::lock_guard<std::mutex> guard(pool().lock);
    ++pool().counters.managed_allocations;
  }
  return reinterpret_cast<void *>(ptr);
}

void mgpuMemFree(void *ptr, void *stream) {
  if (!ptr)
    return;
  enter();
  // Device memory goes back to the pool, pending on `stream` (no wait).
  if (poolFree(asDevicePtr(ptr), asStream(stream)))
    return;
  // cuMemFree is not stream-ordered: let the work queued on `stream` (which
  // may still use the buffer) finish first.
  if (stream)
    check(cu().cuStreamSynchronize_(asStream(stream)),
          "waiting for a stream before freeing GPU memory");
  check(cu().cuMemFree_(asDevicePtr(ptr)), "freeing GPU memory");
}

void mgpuMemcpy(void *dst, void *src, size_t sizeBytes, void *stream) {
  if (!sizeBytes)
    return;
  enter();
  check(cu().cuMemcpyAsync_(asDevicePtr(dst), asDevicePtr(src), sizeBytes,
                            asStream(stream)),
        "copying %zu bytes", sizeBytes);
}

void mgpuMemset32(void *dst, uint32_t value, size_t count, void *stream) {
  if (!count)
    return;
  enter();
  check(cu().cuMemsetD32Async_(asDevicePtr(dst), value, count, asStream(stream)),
        "filling %zu 32-bit elements", count);
}

void mgpuMemset16(void *dst, uint32_t value, size_t count, void *stream) {
  if (!count)
    return;
  enter();
  // MLIR passes an i16 without zeroext: only the low 16 bits are defined.
  auto low = static_cast<unsigned short>(value & 0xffff);
  check(cu().cuMemsetD16Async_(asDevicePtr(dst), low, count, asStream(stream)),
        "filling %zu 16-bit elements", count);
}

} // extern "C"

namespace {

/// The host bytes a ranked memref descriptor {allocated, aligned, offset,
/// sizes[rank], strides[rank]} spans: [start, start + bytes).
void memrefExtent(int64_t rank, const void *descriptor, int64_t elementBytes,
                  char *&start, size_t &bytes) {
  const auto *words = static_cast<const int64_t *>(descriptor);
  char *aligned = reinterpret_cast<char *>(words[1]);
  int64_t offset = words[2];
  const int64_t *sizes = words + 3;
  const int64_t *strides = words + 3 + rank;
  int64_t low = 0, high = 0; // Element offsets relative to `offset`.
  for (int64_t d = 0; d < rank; ++d) {
    if (sizes[d] == 0) {
      start = nullptr;
      bytes = 0;
      return;
    }
    int64_t reach = (sizes[d] - 1) * strides[d];
    (reach < 0 ? low : high) += reach;
  }
  start = aligned + (offset + low) * elementBytes;
  bytes = size_t(high - low + 1) * size_t(elementBytes);
}

} // namespace

extern "C" {

void mgpuMemHostRegisterMemRef(int64_t rank, void *descriptor,
                               int64_t elementSizeBytes) {
  char *start;
  size_t bytes;
  memrefExtent(rank, descriptor, elementSizeBytes, start, bytes);
  if (!bytes)
    return;
  enter();
  CUresult result = cu().cuMemHostRegister_(start, bytes, 0);
  if (result == CUDA_ERROR_HOST_MEMORY_ALREADY_REGISTERED)
    return;
  check(result, "registering %zu bytes of host memory", bytes);
}

void mgpuMemHostUnregisterMemRef(int64_t rank, void *descriptor,
                                 int64_t elementSizeBytes) {
  char *start;
  size_t bytes;
  memrefExtent(rank, descriptor, elementSizeBytes, start, bytes);
  if (!bytes)
    return;
  enter();
  CUresult result = cu().cuMemHostUnregister_(start);
  if (result == CUDA_ERROR_HOST_MEMORY_NOT_REGISTERED)
    return;
  check(result, "unregistering host memory");
}

void mgpuSetDefaultDevice(int32_t device) {
  if (!ensureDriver())
    fatal("%s", state().error);
  primaryContext(device); // Validates the ordinal now, not at the next call.
  state().defaultDevice.store(device);
}

} // extern "C"
