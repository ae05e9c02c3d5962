// RUN: seqboat-opt %s --split-input-file --pass-pipeline="builtin.module(func.func(seqboat-vector-to-mma-sync))" --verify-diagnostics | FileCheck %s

// A warp's 16x8x16 bf16 tile: the reads become ldmatrix (as for f16), the
// contraction nvvm.mma.sync bf16 -> f32 on i32 registers (two bf16 each),
// its four f32 results repacked into the 2x2 accumulator fragment.
#lhs = affine_map<(m, n, k) -> (m, k)>
#rhs = affine_map<(m, n, k) -> (n, k)>
#acc = affine_map<(m, n, k) -> (m, n)>
// CHECK-LABEL: func.func @bf16_tile(
// A bf16 constant outside f16's range comes back bit for bit.
// CHECK:         %[[BIG:.*]] = arith.constant 1.000260e+30 : bf16
// CHECK:         nvgpu.ldmatrix {{.*}} : memref<16x16xbf16, #gpu.address_space<workgroup>> -> vector<4x2xbf16>
// CHECK:         nvgpu.ldmatrix {{.*}} : memref<8x16xbf16, #gpu.address_space<workgroup>> -> vector<2x2xbf16>
// CHECK-COUNT-6: llvm.bitcast {{.*}} : vector<2xbf16> to i32
// CHECK:         %[[D:.*]] = nvvm.mma.sync A[{{.*}}, {{.*}}, {{.*}}, {{.*}}] B[{{.*}}, {{.*}}] C[{{.*}}, {{.*}}, {{.*}}, {{.*}}] {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>} : (i32, i32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// CHECK-COUNT-4: llvm.extractvalue %[[D]]
// CHECK:         vector.from_elements {{.*}} : vector<2x2xf32>
// CHECK-NOT:     nvgpu.mma.sync
// CHECK-NOT:     vector.contract
// CHECK:         memref.store %[[BIG]]
func.func @bf16_tile(%a: memref<16x16xbf16, #gpu.address_space<workgroup>>,
                     %b: memref<8x16xbf16, #gpu.address_space<workgroup>>,
                     %c: memref<16x8xf32>) {
  %c0 = arith.constant 0 : index
  %pad = arith.constant 0.0 : bf16
  %zero = arith.constant dense<0.0> : vector<16x8xf32>
  %va = vector.transfer_read %a[%c0, %c0], %pad {in_bounds = [true, true]} : memref<16x16xbf16, #gpu.address_space<workgroup>>, vector<16x16xbf16>
  %vb = vector.transfer_read %b[%c0, %c0], %pad {in_bounds = [true, true]} : memref<8x16xbf16, #gpu.address_space<workgroup>>, vector<8x16xbf16>
  %d = vector.contract {indexing_maps = [#lhs, #rhs, #acc], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>}
      %va, %vb, %zero : vector<16x16xbf16>, vector<8x16xbf16> into vector<16x8xf32>
  vector.transfer_write %d, %c[%c0, %c0] {in_bounds = [true, true]} : vector<16x8xf32>, memref<16x8xf32>
  %big = arith.constant 1.0e+30 : bf16
  memref.store %big, %a[%c0, %c0] : memref<16x16xbf16, #gpu.address_space<workgroup>>
  return
}

// -----

// bf16 1/128 has the bits of f16 1.0: nothing is folded while bf16 passes
// for f16 (x * 1/128 is not x).
// CHECK-LABEL: func.func @bf16_constants(
// CHECK:         %[[EIGHTH:.*]] = arith.constant dense<7.812500e-03> : vector<4xbf16>
// CHECK:         %[[P:.*]] = arith.mulf %{{.*}}, %[[EIGHTH]] : vector<4xbf16>
// CHECK:         vector.store %[[P]]
func.func @bf16_constants(%x: vector<4xbf16>, %m: memref<4xbf16>) {
  %c0 = arith.constant 0 : index
  %eighth = arith.constant dense<7.812500e-03> : vector<4xbf16>
  %p = arith.mulf %x, %eighth : vector<4xbf16>
  vector.store %p, %m[%c0] : memref<4xbf16>, vector<4xbf16>
  return
}

// -----

// f16 is upstream's path: nvgpu.mma.sync, left for convert-nvgpu-to-nvvm.
#lhs = affine_map<(m, n, k) -> (m, k)>
#rhs = affine_map<(m, n, k) -> (n, k)>
#acc = affine_map<(m, n, k) -> (m, n)>
// CHECK-LABEL: func.func @f16_tile(
// CHECK:         nvgpu.mma.sync({{.*}}) {mmaShape = [16, 8, 16]} : (vector<4x2xf16>, vector<2x2xf16>, vector<2x2xf32>) -> vector<2x2xf32>
// CHECK-NOT:     nvvm.mma.sync
func.func @f16_tile(%a: memref<16x16xf16, #gpu.address_space<workgroup>>,
                    %b: memref<8x16xf16, #gpu.address_space<workgroup>>,
                    %c: memref<16x8xf32>) {
  %c0 = arith.constant 0 : index
  %pad = arith.constant 0.0 : f16
  %zero = arith.constant dense<0.0> : vector<16x8xf32>
  %va = vector.transfer_read %a[%c0, %c0], %pad {in_bounds = [true, true]} : memref<16x16xf16, #gpu.address_space<workgroup>>, vector<16x16xf16>
  %vb = vector.transfer_read %b[%c0, %c0], %pad {in_bounds = [true, true]} : memref<8x16xf16, #gpu.address_space<workgroup>>, vector<8x16xf16>
  %d = vector.contract {indexing_maps = [#lhs, #rhs, #acc], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>}
      %va, %vb, %zero : vector<16x16xf16>, vector<8x16xf16> into vector<16x8xf32>
  vector.transfer_write %d, %c[%c0, %c0] {in_bounds = [true, true]} : vector<16x8xf32>, memref<16x8xf32>
  return
}

// -----

// Both 16-bit types in one function cannot share the f16 path.
// expected-error @+1 {{seqboat-vector-to-mma-sync: a function holding both f16 and bf16 values is not supported}}
func.func @mixed(%a: memref<16x16xbf16>, %b: memref<16x16xf16>) {
  return
}

// -----

// A warp forall's f32 tile among scalar code (an index subtraction and a
// scalar product, which upstream's conversion would take as roots and fail
// on): the forall is converted on its own; its zero fill, written and read
// back, is forwarded into a constant accumulator (no load of it), and the
// scalar code is left alone.
// CHECK-LABEL: func.func @warp_tile_among_scalars(
// CHECK-SAME:      %[[A:[a-z0-9]+]]: memref<16x8xf32, #gpu.address_space<workgroup>>, %{{.*}}: memref<8x8xf32, #gpu.address_space<workgroup>>, %[[C:[a-z0-9]+]]: memref<16x8xf32, #gpu.address_space<workgroup>>
// CHECK:         %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : vector<2x2xf32>
// CHECK:         arith.subi {{.*}} : index
// CHECK:         scf.forall
// CHECK-NOT:       %[[C]][
// CHECK:           nvgpu.ldmatrix %[[A]]
// CHECK-NOT:       %[[C]][
// CHECK:           nvgpu.mma.sync(%{{.*}}, %{{.*}}, %[[ZERO]]) {mmaShape = [16, 8, 8]}
// CHECK-NOT:       vector.contract
// CHECK:           vector.store {{.*}}, %[[C]][
// CHECK:         } {mapping = [#gpu.warp<linear_dim_0>]}
// CHECK:         arith.mulf {{.*}} : f32
#lhs = affine_map<(m, n, k) -> (m, k)>
#rhs = affine_map<(m, n, k) -> (n, k)>
#acc = affine_map<(m, n, k) -> (m, n)>
func.func @warp_tile_among_scalars(%a: memref<16x8xf32, #gpu.address_space<workgroup>>,
                                   %b: memref<8x8xf32, #gpu.address_space<workgroup>>,
                                   %c: memref<16x8xf32, #gpu.address_space<workgroup>>,
                                   %i: index, %j: index, %x: f32, %out: memref<f32>) -> index {
  %d = arith.subi %i, %j : index
  scf.forall (%w) in (1) {
    %c0 = arith.constant 0 : index
    %pad = arith.constant 0.0 : f32
    %zero = arith.constant dense<0.0> : vector<16x8xf32>
    vector.transfer_write %zero, %c[%c0, %c0] {in_bounds = [true, true]} : vector<16x8xf32>, memref<16x8xf32, #gpu.address_space<workgroup>>
    %va = vector.transfer_read %a[%c0, %c0], %pad {in_bounds = [true, true]} : memref<16x8xf32, #gpu.address_space<workgroup>>, vector<16x8xf32>
    %vb = vector.transfer_read %b[%c0, %c0], %pad {in_bounds = [true, true]} : memref<8x8xf32, #gpu.address_space<workgroup>>, vector<8x8xf32>
    %vc = vector.transfer_read %c[%c0, %c0], %pad {in_bounds = [true, true]} : memref<16x8xf32, #gpu.address_space<workgroup>>, vector<16x8xf32>
    %r = vector.contract {indexing_maps = [#lhs, #rhs, #acc], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>}
        %va, %vb, %vc : vector<16x8xf32>, vector<8x8xf32> into vector<16x8xf32>
    vector.transfer_write %r, %c[%c0, %c0] {in_bounds = [true, true]} : vector<16x8xf32>, memref<16x8xf32, #gpu.address_space<workgroup>>
  } {mapping = [#gpu.warp<linear_dim_0>]}
  %p = arith.mulf %x, %x : f32
  memref.store %p, %out[] : memref<f32>
  return %d : index
}
