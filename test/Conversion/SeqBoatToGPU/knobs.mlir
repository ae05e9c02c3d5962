// seqboat.knobs on an op sets the block size of every kernel made of it
// (seqboat-apply-strategies tiles to it and the library maps the thread
// foralls on a block that size); ops without knobs take the pipeline's
// parallel-threads (default 128).
// RUN: seqboat-opt %s --convert-seqboat-to-linalg=skip-kernels --seqboat-form-kernels | FileCheck %s --check-prefix=FORM
// RUN: seqboat-opt %s --convert-seqboat-to-linalg=skip-kernels --seqboat-form-kernels --seqboat-apply-strategies | FileCheck %s
// RUN: seqboat-opt %s --convert-seqboat-to-linalg=skip-kernels --seqboat-form-kernels --seqboat-apply-strategies=parallel-threads=256 | FileCheck %s --check-prefix=WIDE

// RUN: not seqboat-opt %s --convert-seqboat-to-linalg=skip-kernels --seqboat-form-kernels --seqboat-apply-strategies=parallel-threads=48 -o /dev/null 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: error: threads per block of a parallel or scan kernel must be a multiple of 32 in [32, 1024], got 48

// FORM-LABEL: func.func private @conv_parallel_0
// FORM-SAME:    seqboat.kernel_kind = "parallel", seqboat.knobs = {threads = 64 : i64}
// FORM-LABEL: func.func private @conv_parallel_1
// FORM-NOT:     seqboat.knobs
// FORM-SAME:    {seqboat.kernel_kind = "parallel"}

// The short convolution over 2 x 37 x 16 points with 64 threads: the block
// tile takes the largest divisors that fit, innermost first (16 features,
// 1 of the 37 tokens, both batch rows), so 37 blocks of which 32 threads
// have work.
// CHECK-LABEL: func.func private @conv_parallel_0
// CHECK:         gpu.launch blocks({{[^)]*}}) in ({{[^)]*}} = %c1, {{[^)]*}} = %c37, {{[^)]*}} = %c1) threads({{[^)]*}}) in ({{[^)]*}} = %c64, {{[^)]*}} = %c1, {{[^)]*}} = %c1)
// The EMA kernel has no knobs: 128 threads.
// CHECK-LABEL: func.func private @conv_parallel_1
// CHECK:         gpu.launch blocks({{[^)]*}}) in ({{[^)]*}}) threads({{[^)]*}}) in ({{[^)]*}} = %c128, {{[^)]*}} = %c1, {{[^)]*}} = %c1)

// WIDE-LABEL: func.func private @conv_parallel_0
// WIDE:         threads({{[^)]*}}) in ({{[^)]*}} = %c64,
// WIDE-LABEL: func.func private @conv_parallel_1
// WIDE:         threads({{[^)]*}}) in ({{[^)]*}} = %c256,

func.func @conv(%x: tensor<2x37x16xf32>, %w: tensor<16x4xf32>, %b: tensor<16xf32>,
                %d: tensor<16x4xf32>, %a: tensor<16x4xf32>, %bt: tensor<16x4xf32>, %g: tensor<16x4xf32>)
    -> (tensor<2x37x16xf32>, tensor<16x37xf32>) {
  %y = "seqboat.short_conv"(%x, %w, %b) {seqboat.knobs = {threads = 64 : i64}}
      : (tensor<2x37x16xf32>, tensor<16x4xf32>, tensor<16xf32>) -> tensor<2x37x16xf32>
  %k = "seqboat.ema_kernel"(%d, %a, %bt, %g) <{length = 37 : i64}>
      : (tensor<16x4xf32>, tensor<16x4xf32>, tensor<16x4xf32>, tensor<16x4xf32>) -> tensor<16x37xf32>
  return %y, %k : tensor<2x37x16xf32>, tensor<16x37xf32>
}
