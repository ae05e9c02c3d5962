// RUN: seqboat-opt %s --split-input-file --verify-diagnostics -o /dev/null

// Hostile sizes and attributes (issue 13): element counts and derived
// dimensions that overflow int64, and non-finite float attributes. Before
// the checks these verified (or gave negative shapes in diagnostics).

// The element count of a static shape overflows int64 (2^32 * 2^32 * 4).
func.func @count_overflow(%q: tensor<4294967296x4294967296x4xf32>, %v: tensor<4294967296x4294967296x4xf32>, %pos: tensor<4294967296x4294967296xi32>, %count: tensor<4294967296xi32>) {
  // expected-error @+1 {{operand #0 has type 'tensor<4294967296x4294967296x4xf32>', whose size overflows int64 (at most 1152921504606846975 elements)}}
  %o = seqboat.local_attention %q, %q, %v, %pos, %count {window = 4 : i64}
      : tensor<4294967296x4294967296x4xf32>, tensor<4294967296x4294967296x4xf32>, tensor<4294967296x4294967296xi32>, tensor<4294967296xi32> -> tensor<4294967296x4294967296x4xf32>
  return
}

// -----

// Fits int64 as a count, but not at 8 bytes per element.
func.func @bytes_overflow(%x: tensor<2x1152921504606846976x1xf32>, %w: tensor<1x4xf32>, %b: tensor<1xf32>) {
  // expected-error @+1 {{operand #0 has type 'tensor<2x1152921504606846976x1xf32>', whose size overflows int64}}
  %r = seqboat.short_conv %x, %w, %b : tensor<2x1152921504606846976x1xf32>, tensor<1x4xf32>, tensor<1xf32>
  return
}

// -----

// Dynamic dimensions are unknown; the static ones alone already overflow.
func.func @static_part_overflow(%x: tensor<?x4294967296x4294967296xf32>, %k: tensor<4294967296x8xf32>) {
  // expected-error @+1 {{operand #0 has type 'tensor<?x4294967296x4294967296xf32>', whose size overflows int64}}
  %r = seqboat.long_conv %x, %k : tensor<?x4294967296x4294967296xf32>, tensor<4294967296x8xf32>
  return
}

// -----

// An empty x can have any D; C = 2D must still be a dimension.
func.func @derived_overflow(%x: tensor<0x1x4611686018427387905xf32>, %k: tensor<2x0xf32>) {
  // expected-error @+1 {{dimension C = 2D = 2 * 4611686018427387905 overflows int64}}
  %r = seqboat.long_conv %x, %k {bidirectional = true} : tensor<0x1x4611686018427387905xf32>, tensor<2x0xf32>
  return
}

// -----

func.func @eps_nan(%a0: tensor<2x37x16xf32>, %a1: tensor<16xf32>, %a2: tensor<16xf32>, %a3: tensor<32x4xf32>, %a4: tensor<32x4xf32>, %a5: tensor<32x4xf32>, %a6: tensor<32x4xf32>, %a7: tensor<16xf32>, %a8: tensor<18x16xf32>, %a9: tensor<18xf32>, %a10: tensor<f32>, %a11: tensor<72x16xf32>, %a12: tensor<72xf32>, %a13: tensor<2x8xf32>, %a14: tensor<2x8xf32>, %a15: tensor<127xf32>, %a16: tensor<16x32xf32>, %a17: tensor<16xf32>) {
  // expected-error @+1 {{attribute 'eps' must be a finite number, but got nan}}
  %r = "seqboat.layer"(%a0, %a1, %a2, %a3, %a4, %a5, %a6, %a7, %a8, %a9, %a10, %a11, %a12, %a13, %a14, %a15, %a16, %a17) <{bidirectional = true, window = 4 : i64, eps = 0x7FC00000 : f32}> : (tensor<2x37x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<16xf32>, tensor<18x16xf32>, tensor<18xf32>, tensor<f32>, tensor<72x16xf32>, tensor<72xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<127xf32>, tensor<16x32xf32>, tensor<16xf32>) -> tensor<2x37x16xf32>
  return
}

// -----

func.func @eps_inf(%a0: tensor<2x37x16xf32>, %a1: tensor<16xf32>, %a2: tensor<16xf32>, %a3: tensor<32x4xf32>, %a4: tensor<32x4xf32>, %a5: tensor<32x4xf32>, %a6: tensor<32x4xf32>, %a7: tensor<16xf32>, %a8: tensor<18x16xf32>, %a9: tensor<18xf32>, %a10: tensor<f32>, %a11: tensor<72x16xf32>, %a12: tensor<72xf32>, %a13: tensor<2x8xf32>, %a14: tensor<2x8xf32>, %a15: tensor<127xf32>, %a16: tensor<16x32xf32>, %a17: tensor<16xf32>) {
  // expected-error @+1 {{attribute 'eps' must be a finite number, but got INF}}
  %r = "seqboat.layer"(%a0, %a1, %a2, %a3, %a4, %a5, %a6, %a7, %a8, %a9, %a10, %a11, %a12, %a13, %a14, %a15, %a16, %a17) <{bidirectional = true, window = 4 : i64, eps = 0x7F800000 : f32}> : (tensor<2x37x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<16xf32>, tensor<18x16xf32>, tensor<18xf32>, tensor<f32>, tensor<72x16xf32>, tensor<72xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<127xf32>, tensor<16x32xf32>, tensor<16xf32>) -> tensor<2x37x16xf32>
  return
}

// -----

// A window of 2^63 - 1 is legal: it reaches every token, like any window of
// L or more (see test/Integration/CPU/huge_window.test for the numbers).
// (--verify-diagnostics fails on any unexpected error.)
func.func @huge_window(%a0: tensor<2x37x16xf32>, %a1: tensor<16xf32>, %a2: tensor<16xf32>, %a3: tensor<32x4xf32>, %a4: tensor<32x4xf32>, %a5: tensor<32x4xf32>, %a6: tensor<32x4xf32>, %a7: tensor<16xf32>, %a8: tensor<18x16xf32>, %a9: tensor<18xf32>, %a10: tensor<f32>, %a11: tensor<72x16xf32>, %a12: tensor<72xf32>, %a13: tensor<2x8xf32>, %a14: tensor<2x8xf32>, %a15: tensor<127xf32>, %a16: tensor<16x32xf32>, %a17: tensor<16xf32>) {
  %r = "seqboat.layer"(%a0, %a1, %a2, %a3, %a4, %a5, %a6, %a7, %a8, %a9, %a10, %a11, %a12, %a13, %a14, %a15, %a16, %a17) <{bidirectional = true, window = 9223372036854775807 : i64}> : (tensor<2x37x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<16xf32>, tensor<18x16xf32>, tensor<18xf32>, tensor<f32>, tensor<72x16xf32>, tensor<72xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<127xf32>, tensor<16x32xf32>, tensor<16xf32>) -> tensor<2x37x16xf32>
  return
}
