/* A recording stand-in for the CUDA driver (libcuda.so.1), for testing what
   the host code of a GPU library asks of the driver without a GPU. Memory is
   host memory, kernels do not run (their outputs are meaningless), streams
   and events are counters. Every call that matters for the host code's
   behaviour appends one line to the file named by SEQBOAT_DRIVER_LOG:
     launch <kernel>, stream-create, stream-sync, stream-destroy,
     mem-alloc <bytes>, mem-alloc-managed <bytes>, mem-free, memcpy <bytes>.
   Compiled against <cuda.h>, so each function gets its versioned symbol
   (cuMemAlloc -> cuMemAlloc_v2), exactly what the runtime looks up. */
#include <cuda.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void logLine(const char *format, ...) __attribute__((format(printf, 1, 2)));
#include <stdarg.h>
static void logLine(const char *format, ...) {
  const char *path = getenv("SEQBOAT_DRIVER_LOG");
  if (!path)
    return;
  FILE *f = fopen(path, "a");
  if (!f)
    return;
  va_list args;
  va_start(args, format);
  vfprintf(f, format, args);
  va_end(args);
  fputc('\n', f);
  fclose(f);
}

static int dummy;
#define HANDLE(T) ((T)(void *)&dummy)

CUresult cuInit(unsigned flags) { return CUDA_SUCCESS; }
CUresult cuGetErrorString(CUresult error, const char **text) {
  *text = "recorded driver error";
  return CUDA_SUCCESS;
}
CUresult cuDeviceGetCount(int *count) { *count = 1; return CUDA_SUCCESS; }
CUresult cuDeviceGet(CUdevice *device, int ordinal) {
  *device = ordinal;
  return CUDA_SUCCESS;
}
CUresult cuDeviceGetName(char *name, int len, CUdevice device) {
  snprintf(name, len, "recording driver");
  return CUDA_SUCCESS;
}
CUresult cuDevicePrimaryCtxRetain(CUcontext *ctx, CUdevice device) {
  *ctx = HANDLE(CUcontext);
  return CUDA_SUCCESS;
}
CUresult cuCtxGetCurrent(CUcontext *ctx) { *ctx = HANDLE(CUcontext); return CUDA_SUCCESS; }
CUresult cuCtxSetCurrent(CUcontext ctx) { return CUDA_SUCCESS; }
CUresult cuCtxSynchronize(void) { logLine("ctx-sync"); return CUDA_SUCCESS; }

CUresult cuModuleLoadDataEx(CUmodule *module, const void *image,
                            unsigned n, CUjit_option *options, void **values) {
  *module = HANDLE(CUmodule);
  return CUDA_SUCCESS;
}
CUresult cuModuleUnload(CUmodule module) { return CUDA_SUCCESS; }
/* A function handle is its name, kept in a table that lives as long as the
   process (reachable, so leak checkers stay quiet). */
#define MAX_FUNCTIONS 1024
static char *functionNames[MAX_FUNCTIONS];
static int numFunctions;
CUresult cuModuleGetFunction(CUfunction *function, CUmodule module,
                             const char *name) {
  for (int i = 0; i < numFunctions; ++i)
    if (strcmp(functionNames[i], name) == 0) {
      *function = (CUfunction)(void *)functionNames[i];
      return CUDA_SUCCESS;
    }
  if (numFunctions == MAX_FUNCTIONS)
    return CUDA_ERROR_OUT_OF_MEMORY;
  functionNames[numFunctions] = strdup(name);
  *function = (CUfunction)(void *)functionNames[numFunctions++];
  return CUDA_SUCCESS;
}
CUresult cuFuncSetAttribute(CUfunction f, CUfunction_attribute a, int v) {
  return CUDA_SUCCESS;
}
CUresult cuLaunchKernel(CUfunction f, unsigned gx, unsigned gy, unsigned gz,
                        unsigned bx, unsigned by, unsigned bz, unsigned smem,
                        CUstream stream, void **params, void **extra) {
  logLine("launch %s stream=%p", (const char *)(void *)f, (void *)stream);
  return CUDA_SUCCESS;
}

static uintptr_t nextStream = 0x1000;
CUresult cuStreamCreate(CUstream *stream, unsigned flags) {
  *stream = (CUstream)(void *)(nextStream += 0x10);
  logLine("stream-create");
  return CUDA_SUCCESS;
}
CUresult cuStreamDestroy(CUstream stream) { logLine("stream-destroy"); return CUDA_SUCCESS; }
CUresult cuStreamSynchronize(CUstream stream) { logLine("stream-sync"); return CUDA_SUCCESS; }
CUresult cuStreamWaitEvent(CUstream s, CUevent e, unsigned flags) {
  logLine("stream-wait-event");
  return CUDA_SUCCESS;
}
CUresult cuEventCreate(CUevent *event, unsigned flags) {
  *event = HANDLE(CUevent);
  return CUDA_SUCCESS;
}
CUresult cuEventDestroy(CUevent event) { return CUDA_SUCCESS; }
CUresult cuEventRecord(CUevent event, CUstream stream) { return CUDA_SUCCESS; }
CUresult cuEventSynchronize(CUevent event) { return CUDA_SUCCESS; }
CUresult cuEventElapsedTime(float *ms, CUevent start, CUevent stop) {
  *ms = 0.0f;
  return CUDA_SUCCESS;
}

CUresult cuMemAlloc(CUdeviceptr *ptr, size_t bytes) {
  *ptr = (CUdeviceptr)(uintptr_t)calloc(1, bytes);
  logLine("mem-alloc %zu", bytes);
  return CUDA_SUCCESS;
}
CUresult cuMemAllocManaged(CUdeviceptr *ptr, size_t bytes, unsigned flags) {
  *ptr = (CUdeviceptr)(uintptr_t)calloc(1, bytes);
  logLine("mem-alloc-managed %zu", bytes);
  return CUDA_SUCCESS;
}
CUresult cuMemFree(CUdeviceptr ptr) {
  free((void *)(uintptr_t)ptr);
  logLine("mem-free");
  return CUDA_SUCCESS;
}
CUresult cuMemcpy(CUdeviceptr dst, CUdeviceptr src, size_t bytes) {
  memcpy((void *)(uintptr_t)dst, (const void *)(uintptr_t)src, bytes);
  logLine("memcpy %zu", bytes);
  return CUDA_SUCCESS;
}
CUresult cuMemcpyAsync(CUdeviceptr dst, CUdeviceptr src, size_t bytes,
                       CUstream stream) {
  memcpy((void *)(uintptr_t)dst, (const void *)(uintptr_t)src, bytes);
  logLine("memcpy %zu", bytes);
  return CUDA_SUCCESS;
}
CUresult cuMemsetD16Async(CUdeviceptr dst, unsigned short v, size_t n,
                          CUstream stream) {
  return CUDA_SUCCESS;
}
CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned v, size_t n,
                          CUstream stream) {
  return CUDA_SUCCESS;
}
CUresult cuMemHostRegister(void *p, size_t bytes, unsigned flags) {
  return CUDA_SUCCESS;
}
CUresult cuMemHostUnregister(void *p) { return CUDA_SUCCESS; }
/* Every pointer is managed memory: the host reads results directly. */
CUresult cuPointerGetAttribute(void *data, CUpointer_attribute attribute,
                               CUdeviceptr ptr) {
  if (attribute == CU_POINTER_ATTRIBUTE_IS_MANAGED)
    *(unsigned *)data = 1;
  else if (attribute == CU_POINTER_ATTRIBUTE_MEMORY_TYPE)
    *(CUmemorytype *)data = CU_MEMORYTYPE_UNIFIED;
  else
    return CUDA_ERROR_INVALID_VALUE;
  return CUDA_SUCCESS;
}
