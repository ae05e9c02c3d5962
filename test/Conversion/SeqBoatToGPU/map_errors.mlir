// RUN: seqboat-opt %s --seqboat-map-kernels-to-gpu --split-input-file --verify-diagnostics

func.func @offset_grid(%n: index, %m: memref<?xf32>) {
  // expected-error @+1 {{a block-mapped kernel must be a normalised 1-D scf.forall (from 0 by 1)}}
  scf.forall (%i) = (1) to (%n) step (1) {
    %c = arith.constant 1.0 : f32
    memref.store %c, %m[%i] : memref<?xf32>
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

func.func @strided_phase(%n: index, %m: memref<4xf32>) {
  scf.forall (%i) in (4) {
    // expected-error @+1 {{a thread-mapped phase must be a normalised 1-D scf.forall (from 0 by 1)}}
    scf.forall (%t) = (0) to (%n) step (2) {
      %c = arith.constant 1.0 : f32
      memref.store %c, %m[%i] : memref<4xf32>
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

func.func @too_many_threads(%m: memref<4xf32>) {
  // expected-error @+1 {{threads per block must be in [1, 1024], got 2048}}
  scf.forall (%i) in (4) {
    %c = arith.constant 1.0 : f32
    memref.store %c, %m[%i] : memref<4xf32>
  } {mapping = [#gpu.block<x>], seqboat.threads = 2048 : i64}
  return
}

// -----

func.func @nested_phase(%m: memref<4xf32>) {
  scf.forall (%i) in (4) {
    scf.forall (%t) in (8) {
      // expected-error @+1 {{thread-mapped phases cannot be nested in another thread-mapped phase}}
      scf.forall (%u) in (2) {
        %c = arith.constant 1.0 : f32
        memref.store %c, %m[%i] : memref<4xf32>
      } {mapping = [#gpu.thread<x>]}
    } {mapping = [#gpu.thread<x>]}
  } {mapping = [#gpu.block<x>]}
  return
}

// -----

func.func @y_mapping(%m: memref<4xf32>) {
  // expected-error @+1 {{only 1-D foralls mapped to #gpu.block<x> or #gpu.thread<x> are supported, got [#gpu.block<y>]}}
  scf.forall (%i) in (4) {
    %c = arith.constant 1.0 : f32
    memref.store %c, %m[%i] : memref<4xf32>
  } {mapping = [#gpu.block<y>]}
  return
}
