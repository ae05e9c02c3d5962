/*===- CudaRuntime.h - seqboat's CUDA runtime for AOT GPU code -----*- C -*-===//
//
// The C functions that code lowered with MLIR's `gpu-to-llvm` and translated
// with the `#gpu.select_object` offloading handler calls (`mgpu*`), plus a
// few `seqboat_rt_*` helpers for drivers such as seqboat-exec.
//
// The implementation (lib/Runtime/CudaRuntime.cpp) loads the CUDA driver with
// dlopen("libcuda.so.1") the first time it is needed, so a library linked with
// it depends only on libc, libstdc++ and libdl, and loads on machines without
// a GPU. Every CUDA error in an mgpu* call prints
//   seqboat-runtime: error: <what> failed: <CUDA's description>
// to stderr and exits with status 1.
//
// This header uses no CUDA types: streams, events, modules and functions are
// opaque pointers (CUstream, CUevent, CUmodule-holder, CUfunction).
//
//===----------------------------------------------------------------------===*/

#ifndef SEQBOAT_RUNTIME_CUDARUNTIME_H
#define SEQBOAT_RUNTIME_CUDARUNTIME_H

#include <stddef.h>
#include <stdint.h>

#define SEQBOAT_RT_EXPORT __attribute__((visibility("default")))

#ifdef __cplusplus
extern "C" {
#endif

/*===----------------------------------------------------------------------===//
// Helpers for drivers
//===----------------------------------------------------------------------===*/

/// Loads the driver, initialises CUDA and makes the primary context of the
/// default device current. Returns 0 on success; otherwise writes a message
/// ("no CUDA driver: libcuda.so.1 not found (...)", "no CUDA device", ...) to
/// `err` (NUL-terminated, truncated to `errlen`) and returns non-zero. Safe to
/// call more than once.
SEQBOAT_RT_EXPORT int seqboat_rt_init(char *err, size_t errlen);

/// The name of the device in use, e.g. "NVIDIA H100 80GB HBM3".
SEQBOAT_RT_EXPORT const char *seqboat_rt_device_name(void);

/// Managed memory (cuMemAllocManaged) usable from host and device; at least
/// one byte is allocated, so every call returns a distinct pointer.
SEQBOAT_RT_EXPORT void *seqboat_rt_alloc_shared(size_t bytes);
/// Frees memory from seqboat_rt_alloc_shared, seqboat_rt_alloc_device or
/// mgpuMemAlloc (device memory goes back to the pool); null is a no-op. The
/// work using the memory must have finished.
SEQBOAT_RT_EXPORT void seqboat_rt_free(void *ptr);

/// Device memory from the runtime's caching pool (the one generated code
/// allocates its buffers from); release it with seqboat_rt_free.
SEQBOAT_RT_EXPORT void *seqboat_rt_alloc_device(size_t bytes);
/// Returns the pool's cached, unused blocks to CUDA.
SEQBOAT_RT_EXPORT void seqboat_rt_trim(void);

/// Lends the caller's stream (a CUstream) to the calls this thread makes
/// next: generated code queues all its work on it and returns without
/// waiting (the caller synchronises); null restores the default, a stream
/// per call, synchronised before the call returns. Results are then valid
/// once the stream's work is done; free them with seqboat_rt_free after
/// that.
SEQBOAT_RT_EXPORT void seqboat_rt_set_stream(void *stream);
/// A stream for drivers that link no CUDA (seqboat-exec --stream): created
/// blocking (ordered with the legacy default stream the timing events use),
/// waited for (which also readies the pool's blocks freed on it), destroyed
/// after waiting.
SEQBOAT_RT_EXPORT void *seqboat_rt_stream_create(void);
SEQBOAT_RT_EXPORT void seqboat_rt_stream_synchronize(void *stream);
SEQBOAT_RT_EXPORT void seqboat_rt_stream_destroy(void *stream);

/// What the runtime has done since the process started.
typedef struct seqboat_rt_counters {
  /// Kernel launches (mgpuLaunchKernel).
  uint64_t launches;
  /// Streams created (mgpuStreamCreate without a lent stream).
  uint64_t streams_created;
  /// Stream synchronisations (mgpuStreamSynchronize).
  uint64_t stream_synchronizations;
  /// cuMemAlloc calls: device memory the pool could not serve from its cache.
  uint64_t device_allocations;
  /// Bytes of those allocations.
  uint64_t device_bytes;
  /// Device allocations served from the cache.
  uint64_t pool_reuses;
  /// Managed allocations (gpu.alloc host_shared).
  uint64_t managed_allocations;
} seqboat_rt_counters;
SEQBOAT_RT_EXPORT void seqboat_rt_get_counters(seqboat_rt_counters *counters);

/// Where a pointer lives, as seen by CUDA.
enum {
  /// Not CUDA memory (malloc, the stack, ...), or registered/pinned host memory.
  SEQBOAT_RT_HOST_MEMORY = 0,
  /// Managed memory: readable and writable from the host.
  SEQBOAT_RT_SHARED_MEMORY = 1,
  /// Device memory: only reachable with seqboat_rt_copy.
  SEQBOAT_RT_DEVICE_MEMORY = 2,
};
SEQBOAT_RT_EXPORT int seqboat_rt_pointer_kind(const void *ptr);
/// Synchronous copy between any two pointers (unified addressing).
SEQBOAT_RT_EXPORT void seqboat_rt_copy(void *dst, const void *src,
                                       size_t bytes);

/// Timing events, recorded on the legacy default stream (which waits for the
/// streams mgpuStreamCreate makes).
SEQBOAT_RT_EXPORT void *seqboat_rt_event_create(void);
SEQBOAT_RT_EXPORT void seqboat_rt_event_record(void *event);
/// Waits for `stop`, then returns the time between the two events.
SEQBOAT_RT_EXPORT float seqboat_rt_event_elapsed_ms(void *start, void *stop);
SEQBOAT_RT_EXPORT void seqboat_rt_event_destroy(void *event);
/// Waits for all work in the current context.
SEQBOAT_RT_EXPORT void seqboat_rt_synchronize(void);

/*===----------------------------------------------------------------------===//
// The mgpu* ABI of MLIR 22
//
// Types follow the LLVM IR that MLIR emits on 64-bit targets (intptr_t = i64).
// Parameters that MLIR passes as i8/i16 without a zeroext attribute are taken
// as full 32-bit registers and masked, since their upper bits are undefined.
//===----------------------------------------------------------------------===*/

/// `ptr (ptr, i64)`: a cubin/fatbin image. Called from global constructors,
/// so it only records the image; CUDA loads it on first mgpuModuleGetFunction.
SEQBOAT_RT_EXPORT void *mgpuModuleLoad(void *data, size_t size);
/// `ptr (ptr, i32)`: NUL-terminated PTX, JIT-compiled at `optLevel` (0-4).
SEQBOAT_RT_EXPORT void *mgpuModuleLoadJIT(void *data, int32_t optLevel);
/// `void (ptr)`: called from global destructors; never fails.
SEQBOAT_RT_EXPORT void mgpuModuleUnload(void *module);
/// `ptr (ptr, ptr)`.
SEQBOAT_RT_EXPORT void *mgpuModuleGetFunction(void *module, const char *name);

/// `void (ptr, i64 x6, i32, ptr, ptr, ptr, i64)`.
SEQBOAT_RT_EXPORT void mgpuLaunchKernel(void *function, intptr_t gridX,
                                        intptr_t gridY, intptr_t gridZ,
                                        intptr_t blockX, intptr_t blockY,
                                        intptr_t blockZ, int32_t smem,
                                        void *stream, void **params,
                                        void **extra, size_t paramsCount);
/// `void (ptr, i64 x9, i32, ptr, ptr, ptr)`.
SEQBOAT_RT_EXPORT void
mgpuLaunchClusterKernel(void *function, intptr_t clusterX, intptr_t clusterY,
                        intptr_t clusterZ, intptr_t gridX, intptr_t gridY,
                        intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                        intptr_t blockZ, int32_t smem, void *stream,
                        void **params, void **extra);

/// `ptr ()`, `void (ptr)`, `void (ptr)`, `void (ptr stream, ptr event)`.
SEQBOAT_RT_EXPORT void *mgpuStreamCreate(void);
SEQBOAT_RT_EXPORT void mgpuStreamDestroy(void *stream);
SEQBOAT_RT_EXPORT void mgpuStreamSynchronize(void *stream);
SEQBOAT_RT_EXPORT void mgpuStreamWaitEvent(void *stream, void *event);

/// `ptr ()`, `void (ptr)`, `void (ptr)`, `void (ptr event, ptr stream)`.
SEQBOAT_RT_EXPORT void *mgpuEventCreate(void);
SEQBOAT_RT_EXPORT void mgpuEventDestroy(void *event);
SEQBOAT_RT_EXPORT void mgpuEventSynchronize(void *event);
SEQBOAT_RT_EXPORT void mgpuEventRecord(void *event, void *stream);

/// `ptr (i64, ptr, i8)`: managed memory when the low byte of `isHostShared`
/// is non-zero (gpu.alloc host_shared), device memory from the caching pool
/// otherwise.
SEQBOAT_RT_EXPORT void *mgpuMemAlloc(uint64_t sizeBytes, void *stream,
                                     uint32_t isHostShared);
/// `void (ptr, ptr)`: device memory goes back to the pool, reusable on
/// `stream` at once and on any stream once `stream` has been synchronised.
SEQBOAT_RT_EXPORT void mgpuMemFree(void *ptr, void *stream);
/// `void (ptr dst, ptr src, i64 bytes, ptr stream)`.
SEQBOAT_RT_EXPORT void mgpuMemcpy(void *dst, void *src, size_t sizeBytes,
                                  void *stream);
/// `void (ptr, i32, i64 count, ptr)`: `count` 32-bit elements.
SEQBOAT_RT_EXPORT void mgpuMemset32(void *dst, uint32_t value, size_t count,
                                    void *stream);
/// `void (ptr, i16, i64 count, ptr)`: `count` 16-bit elements; the low 16
/// bits of `value` are used.
SEQBOAT_RT_EXPORT void mgpuMemset16(void *dst, uint32_t value, size_t count,
                                    void *stream);
/// `void (i64 rank, ptr descriptor, i64 elementBytes)`: pins the host memory
/// a ranked memref descriptor spans (gpu.host_register / host_unregister).
SEQBOAT_RT_EXPORT void mgpuMemHostRegisterMemRef(int64_t rank, void *descriptor,
                                                 int64_t elementSizeBytes);
SEQBOAT_RT_EXPORT void mgpuMemHostUnregisterMemRef(int64_t rank,
                                                   void *descriptor,
                                                   int64_t elementSizeBytes);
/// `void (i32)`: later calls use the primary context of this device.
SEQBOAT_RT_EXPORT void mgpuSetDefaultDevice(int32_t device);

#ifdef __cplusplus
} // extern "C"
#endif

#endif /* SEQBOAT_RUNTIME_CUDARUNTIME_H */
