/*===- HostAllocator.h - seqboat's caching allocator for CPU code --*- C -*-===//
//
// The allocation functions that code compiled by seqboat's CPU pipelines
// calls (finalize-memref-to-llvm with `use-generic-functions`):
//
//   void *_mlir_memref_to_llvm_alloc(size_t size);
//   void  _mlir_memref_to_llvm_free(void *ptr);
//
// seqboat-run binds them to seqboat_host_alloc/seqboat_host_free; code
// linked ahead of time links this library (libseqboat_host_runtime.a),
// which defines both names.
//
// A freed block is kept, by size, for the next allocation of the same size
// instead of going back to the C library: a compiled function allocates the
// same static-shaped buffers on every call, and large blocks handed back to
// the kernel (glibc returns blocks over its mmap threshold with munmap) are
// page-faulted in again, zero-filled, on the next call. The cache holds at
// most SEQBOAT_HOST_CACHE_MB megabytes (environment, read once; default
// 4096; 0 turns caching off; anything but decimal digits is reported on
// stderr and the default kept). Thread-safe. Buffers a compiled function
// returns are allocated here: release them with seqboat_host_free.
//
//===----------------------------------------------------------------------===*/

#ifndef SEQBOAT_RUNTIME_HOSTALLOCATOR_H
#define SEQBOAT_RUNTIME_HOSTALLOCATOR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A block of at least `size` bytes aligned to 16 (as malloc), or NULL.
void *seqboat_host_alloc(size_t size);
/// Releases a block of seqboat_host_alloc (NULL is ignored).
void seqboat_host_free(void *ptr);
/// Bytes held by the cache (freed blocks kept for reuse).
size_t seqboat_host_cached_bytes(void);
/// Returns every cached block to the C library.
void seqboat_host_release_cache(void);

#ifdef __cplusplus
}
#endif

#endif /* SEQBOAT_RUNTIME_HOSTALLOCATOR_H */
