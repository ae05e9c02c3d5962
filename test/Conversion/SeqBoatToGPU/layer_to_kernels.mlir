// RUN: seqboat-opt %seqboat_src/examples/seqboat_layer.mlir --seqboat-layer-to-kernels | FileCheck %s
// RUN: seqboat-opt %seqboat_src/examples/seqboat_layer.mlir --seqboat-layer-to-kernels="threads=64 rows-per-block=4 ema-chunk=16" | FileCheck %s --check-prefix=KNOBS

// The example layer (B=2, L=37, D=16, Z=8, H=32, w=4, bidirectional, pre-norm)
// becomes exactly six block-mapped kernels; the grid sizes follow from the
// shapes and rows-per-block (8 by default): ceil(2*37/8) = 10 row tiles.

// CHECK-LABEL: func.func @seqboat_layer
// CHECK-COUNT-17: memref.alloc()
// CHECK-NOT: memref.alloc()

//   1. ema_chunks: one block per (batch row, chunk); with the default chunk
//      of 64 >= L = 37 a row is one chunk. Norm statistics of the chunk's
//      37 tokens, then one thread per channel runs the recurrence over the
//      chunk in both directions, its N = 4 states in a private array
//      addressed with constants (registers after promotion).
// CHECK: scf.forall (%{{.*}}) in (2) {
// CHECK:   scf.forall (%{{.*}}) in (37) {
// CHECK:   scf.forall (%{{.*}}) in (16) {
// CHECK:     memref.alloca() : memref<4xf32>
// CHECK:     scf.for
// CHECK:     memref.store %{{.*}}, %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %c3{{.*}}] : memref<2x1x16x4xf32>
// CHECK: } {mapping = [#gpu.block<x>], seqboat.kernel = "ema_chunks", seqboat.threads = 128 : i64}

//   2. ema_hx_route: per chunk, entering states and the backward half (one
//      thread per channel), then for each tile of 8 rows: the forward pass
//      and silu into an 8x16 shared tile, D+2 = 18 hx columns, the router.
// CHECK: scf.forall (%{{.*}}) in (2) {
// CHECK:   memref.alloca() : memref<8x16xf32>
// CHECK:   scf.forall (%{{.*}}) in (16) {
// CHECK:   scf.for %{{.*}} = %c0{{.*}} to %c5{{.*}} step %c1
// CHECK:     scf.forall (%{{.*}}) in (16) {
// CHECK:     scf.forall (%{{.*}}) in (18) {
// CHECK:     scf.forall (%{{.*}}) in (8) {
// CHECK:       arith.cmpf ogt
// CHECK: } {mapping = [#gpu.block<x>], seqboat.kernel = "ema_hx_route", seqboat.threads = 128 : i64}

//   3. compact: chunk counts, one offset scan, chunk writes, -1 fill.
// CHECK: scf.forall (%{{.*}}) in (2) {
// CHECK:   memref.alloca() : memref<37xindex>
// CHECK:   scf.forall (%{{.*}}) in (37) {
// CHECK:   scf.forall (%{{.*}}) in (1) {
// CHECK:   scf.forall (%{{.*}}) in (37) {
// CHECK:   scf.forall (%{{.*}}) in (37) {
// CHECK: } {mapping = [#gpu.block<x>], seqboat.kernel = "compact", seqboat.threads = 128 : i64}

//   4. mx_proj: 2 x ceil(37/8) = 10 blocks; a block does nothing unless its
//      first slot is below count[b]; Z + 2H = 72 output columns.
// CHECK: scf.forall (%[[BLK:.*]]) in (10) {
// CHECK:   %[[COUNT:.*]] = arith.index_cast %{{.*}} : i32 to index
// CHECK:   %[[ACTIVE:.*]] = arith.cmpi slt, %{{.*}}, %[[COUNT]] : index
// CHECK:   scf.if %[[ACTIVE]] {
// CHECK:     memref.alloca() : memref<8x16xf32>
// CHECK:     scf.forall (%{{.*}}) in (72) {
// CHECK: } {mapping = [#gpu.block<x>], seqboat.kernel = "mx_proj", seqboat.threads = 128 : i64}

//   5. attention: one query slot per block (2 x 37), skipped past count;
//      2w+1 = 9 window scores in shared memory, softmax by one thread,
//      H = 32 outputs.
// CHECK: scf.forall (%{{.*}}) in (74) {
// CHECK:   scf.if %{{.*}} {
// CHECK:     memref.alloca() : memref<1x9xf32>
// CHECK:     scf.forall (%{{.*}}) in (9) {
// CHECK:     scf.forall (%{{.*}}) in (1) {
// CHECK:       math.exp
// CHECK:     scf.forall (%{{.*}}) in (32) {
// CHECK: } {mapping = [#gpu.block<x>], seqboat.kernel = "attention", seqboat.threads = 128 : i64}

//   6. output: an 8x32 tile of the attention rows of active tokens; the h
//      projection runs only on the active branch.
// CHECK: scf.forall (%{{.*}}) in (10) {
// CHECK:   memref.alloca() : memref<8x32xf32>
// CHECK:   scf.forall (%{{.*}}) in (256) {
// CHECK:   scf.forall (%{{.*}}) in (16) {
// CHECK:     scf.if %{{.*}} -> (f32) {
// CHECK: } {mapping = [#gpu.block<x>], seqboat.kernel = "output", seqboat.threads = 128 : i64}
// CHECK-NOT: seqboat.kernel
// CHECK-COUNT-16: memref.dealloc
// CHECK: bufferization.to_tensor

// Chunks of 16 tokens: ceil(37/16) = 3 chunks per row, 6 blocks; 4-row tiles.
// KNOBS: memref.alloc() : memref<2x3x16x4xf32>
// KNOBS: scf.forall (%{{.*}}) in (6) {
// KNOBS: seqboat.kernel = "ema_chunks", seqboat.threads = 64 : i64
// KNOBS: scf.forall (%{{.*}}) in (6) {
// KNOBS:   memref.alloca() : memref<4x16xf32>
// KNOBS:   scf.for %{{.*}} = %c0{{.*}} to %c4{{.*}} step %c1
// KNOBS: seqboat.kernel = "ema_hx_route"
// KNOBS:   memref.alloca() : memref<37xindex>
// KNOBS: seqboat.kernel = "compact"
// KNOBS: scf.forall (%{{.*}}) in (20) {
// KNOBS: seqboat.kernel = "mx_proj"
