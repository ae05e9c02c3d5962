// RUN: seqboat-opt %S/Inputs/layer_dynamic_buckets.mlir --seqboat-layer-to-kernels | FileCheck %s

// Per-length configs (seqboat.bucket_max_l / seqboat.bucket_configs, as
// seqboat-apply-tuning writes them): the six kernels are built once per
// bucket, in an scf.if on the runtime L; the result buffer is shared.

// CHECK-LABEL: func.func @seqboat_layer_dynamic
// CHECK: %[[L:.*]] = memref.dim %{{.*}}, %c1 : memref<?x?x16xf32>
// CHECK: cf.assert
// CHECK: %[[OUT:.*]] = memref.alloc(%{{.*}}, %[[L]]) : memref<?x?x16xf32>
// CHECK: %[[FITS:.*]] = arith.cmpi sle, %[[L]], %c64 : index
// CHECK: scf.if %[[FITS]] {
//   L <= 64: 64 threads, 4 queries per attention block (score tile 4 x 12).
// CHECK:   seqboat.kernel = "ema_chunks_l64", seqboat.threads = 64
// CHECK:   memref.alloca() : memref<4x12xf32>
// CHECK:   seqboat.kernel = "attention_l64", seqboat.threads = 64
// CHECK:   seqboat.kernel = "output_l64", seqboat.threads = 64
// CHECK:   memref.dealloc
// CHECK: } else {
//   Every longer L: 128 threads, 8 queries (score tile 8 x 16).
// CHECK:   seqboat.kernel = "ema_chunks_l512", seqboat.threads = 128
// CHECK:   memref.alloca() : memref<8x16xf32>
// CHECK:   seqboat.kernel = "attention_l512", seqboat.threads = 128
// CHECK:   seqboat.kernel = "output_l512", seqboat.threads = 128
// CHECK: }
// CHECK: bufferization.to_tensor %[[OUT]]
