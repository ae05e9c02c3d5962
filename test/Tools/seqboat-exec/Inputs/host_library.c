/* A stand-in for an AOT library that runs on the host: the seqboat_rt_*
   functions over malloc, and one entry
     f : (tensor<?x3xf32>) -> tensor<?x3xf32>,   y = 2 * x
   compiled the way MLIR's C interface passes memrefs. Like a compiled
   cf.assert, a batch of 0 prints a message and aborts. It lets the tests
   run seqboat-exec's dynamic-shape handling without a GPU. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char __seqboat_abi_f[] = "(tensor<?x3xf32>) -> tensor<?x3xf32>";

struct Memref2 {
  float *allocated, *aligned;
  int64_t offset, sizes[2], strides[2];
};

void _mlir_ciface_f(struct Memref2 *result, struct Memref2 *x) {
  int64_t n = x->sizes[0];
  if (n < 1) {
    puts("'f': needs B >= 1");
    abort();
  }
  float *y = malloc(sizeof(float) * n * 3);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < 3; ++j)
      y[i * 3 + j] = 2.0f * x->aligned[x->offset + i * x->strides[0] +
                                        j * x->strides[1]];
  struct Memref2 r = {y, y, 0, {n, 3}, {3, 1}};
  *result = r;
}

int seqboat_rt_init(char *err, size_t len) { return 0; }
const char *seqboat_rt_device_name(void) { return "host stand-in"; }
void *seqboat_rt_alloc_shared(size_t bytes) { return malloc(bytes ? bytes : 1); }
void seqboat_rt_free(void *p) { free(p); }
int seqboat_rt_pointer_kind(const void *p) { return 0; /* host memory */ }
void *seqboat_rt_event_create(void) { return malloc(1); }
void seqboat_rt_event_record(void *e) {}
float seqboat_rt_event_elapsed_ms(void *a, void *b) { return 0.0f; }
void seqboat_rt_event_destroy(void *e) { free(e); }
void seqboat_rt_synchronize(void) {}
