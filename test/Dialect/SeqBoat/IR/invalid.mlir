// RUN: seqboat-opt %s --split-input-file --verify-diagnostics

// One case per verifier message (every message of
// lib/Dialect/SeqBoat/IR/SeqBoatOps.cpp appears at least once).

func.func @case0(%d: tensor<16x4xf32>) {
  // expected-error @+1 {{attribute 'length' must be positive, but got 0}}
  %r = seqboat.ema_kernel %d, %d, %d, %d {length = 0 : i64} : tensor<16x4xf32> -> tensor<16x0xf32>
  return
}

// -----

func.func @case1(%d: tensor<16xf32>) {
  // expected-error @+1 {{operand 'delta' must be [C, N] = [16, ?], but got 'tensor<16xf32>'}}
  %r = seqboat.ema_kernel %d, %d, %d, %d {length = 8 : i64} : tensor<16xf32> -> tensor<16x8xf32>
  return
}

// -----

func.func @case2(%d: tensor<16x4xf32>) {
  // expected-error @+1 {{result 'k' must be [C, K] = [16, 8] with K = length, but got 'tensor<16x9xf32>'}}
  %r = seqboat.ema_kernel %d, %d, %d, %d {length = 8 : i64} : tensor<16x4xf32> -> tensor<16x9xf32>
  return
}

// -----

func.func @case3(%d: tensor<16x4xf32>) {
  // expected-error @+1 {{'k' has element type 'f16', but 'delta' has 'f32'}}
  %r = seqboat.ema_kernel %d, %d, %d, %d {length = 8 : i64} : tensor<16x4xf32> -> tensor<16x8xf16>
  return
}

// -----

func.func @case4(%d: tensor<16x4xf32>, %e: tensor<16x5xf32>) {
  // expected-error @+1 {{failed to verify that all of {delta, alpha, beta, gamma} have same type}}
  %r = "seqboat.ema_kernel"(%d, %d, %e, %d) <{length = 8 : i64}> : (tensor<16x4xf32>, tensor<16x4xf32>, tensor<16x5xf32>, tensor<16x4xf32>) -> tensor<16x8xf32>
  return
}

// -----

func.func @case5(%x: tensor<2x37xf32>, %p: tensor<16x4xf32>, %om: tensor<16xf32>) {
  // expected-error @+1 {{operand 'x' must be [B, L, D] = [2, 37, ?], but got 'tensor<2x37xf32>'}}
  %r = seqboat.ema_conv %x, %p, %p, %p, %p, %om : tensor<2x37xf32>, tensor<16x4xf32>, tensor<16xf32>
  return
}

// -----

func.func @case6(%x: tensor<2x37x16xf32>, %p: tensor<32x4xf32>, %om: tensor<16xf32>) {
  // expected-error @+1 {{operand 'delta' must be [C, N] = [16, 4] with C = D (causal), but got 'tensor<32x4xf32>'}}
  %r = seqboat.ema_conv %x, %p, %p, %p, %p, %om : tensor<2x37x16xf32>, tensor<32x4xf32>, tensor<16xf32>
  return
}

// -----

func.func @case7(%x: tensor<2x37x16xf32>, %p: tensor<16x4xf32>, %om: tensor<16xf32>) {
  // expected-error @+1 {{operand 'delta' must be [C, N] = [32, 4] with C = 2D (bidirectional), but got 'tensor<16x4xf32>'}}
  %r = seqboat.ema_conv %x, %p, %p, %p, %p, %om {bidirectional = true} : tensor<2x37x16xf32>, tensor<16x4xf32>, tensor<16xf32>
  return
}

// -----

func.func @case8(%x: tensor<2x37x16xf32>, %p: tensor<16x4xf32>, %om: tensor<8xf32>) {
  // expected-error @+1 {{operand 'omega' must be [D] = [16], but got 'tensor<8xf32>'}}
  %r = seqboat.ema_conv %x, %p, %p, %p, %p, %om : tensor<2x37x16xf32>, tensor<16x4xf32>, tensor<8xf32>
  return
}

// -----

func.func @case9(%x: tensor<2x37x16xf32>, %p: tensor<16x4xf16>, %om: tensor<16xf32>) {
  // expected-error @+1 {{'delta' has element type 'f16', but 'x' has 'f32'}}
  %r = seqboat.ema_conv %x, %p, %p, %p, %p, %om : tensor<2x37x16xf32>, tensor<16x4xf16>, tensor<16xf32>
  return
}

// -----

func.func @case10(%x: tensor<2x64xf32>, %k: tensor<16x8xf32>) {
  // expected-error @+1 {{operand 'x' must be [B, L, D] = [2, 64, ?], but got 'tensor<2x64xf32>'}}
  %r = seqboat.long_conv %x, %k : tensor<2x64xf32>, tensor<16x8xf32>
  return
}

// -----

func.func @case11(%x: tensor<2x64x16xf32>, %k: tensor<16x8xf32>) {
  // expected-error @+1 {{operand 'k' must be [C, K] = [32, 8] with C = 2D (bidirectional), but got 'tensor<16x8xf32>'}}
  %r = seqboat.long_conv %x, %k {bidirectional = true} : tensor<2x64x16xf32>, tensor<16x8xf32>
  return
}

// -----

func.func @case12(%x: tensor<2x64x16xf32>, %k: tensor<16x8xf16>) {
  // expected-error @+1 {{'k' has element type 'f16', but 'x' has 'f32'}}
  %r = seqboat.long_conv %x, %k : tensor<2x64x16xf32>, tensor<16x8xf16>
  return
}

// -----

func.func @case13(%x: tensor<2x64x16xf32>, %w: tensor<8x4xf32>, %b: tensor<16xf32>) {
  // expected-error @+1 {{operand 'w' must be [D, W] = [16, 4], but got 'tensor<8x4xf32>'}}
  %r = seqboat.short_conv %x, %w, %b : tensor<2x64x16xf32>, tensor<8x4xf32>, tensor<16xf32>
  return
}

// -----

func.func @case14(%x: tensor<2x64x16xf32>, %w: tensor<16x4xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{operand 'bias' must be [D] = [16], but got 'tensor<4xf32>'}}
  %r = seqboat.short_conv %x, %w, %b : tensor<2x64x16xf32>, tensor<16x4xf32>, tensor<4xf32>
  return
}

// -----

func.func @case15(%x: tensor<64x16xf32>, %w: tensor<16x4xf32>, %b: tensor<16xf32>) {
  // expected-error @+1 {{operand 'x' must be [B, L, D] = [64, 16, ?], but got 'tensor<64x16xf32>'}}
  %r = seqboat.short_conv %x, %w, %b : tensor<64x16xf32>, tensor<16x4xf32>, tensor<16xf32>
  return
}

// -----

func.func @case16(%u: tensor<2x37x3xf32>, %t: tensor<f32>) {
  // expected-error @+1 {{operand 'u' must be [B, L, 2] = [2, 37, 2], but got 'tensor<2x37x3xf32>'}}
  %r:2 = seqboat.route %u, %t : tensor<2x37x3xf32>, tensor<f32> -> tensor<2x37xf32>, tensor<2x37xi1>
  return
}

// -----

func.func @case17(%u: tensor<2x37x2xf32>, %t: tensor<1xf32>) {
  // expected-error @+1 {{operand 'log_temp' must be [], but got 'tensor<1xf32>'}}
  %r:2 = seqboat.route %u, %t : tensor<2x37x2xf32>, tensor<1xf32> -> tensor<2x37xf32>, tensor<2x37xi1>
  return
}

// -----

func.func @case18(%u: tensor<2x37x2xf32>, %t: tensor<f32>) {
  // expected-error @+1 {{result 'gate' must be [B, L] = [2, 37], but got 'tensor<2x36xf32>'}}
  %r:2 = seqboat.route %u, %t : tensor<2x37x2xf32>, tensor<f32> -> tensor<2x36xf32>, tensor<2x37xi1>
  return
}

// -----

func.func @case19(%u: tensor<2x37x2xf32>, %t: tensor<f32>) {
  // expected-error @+1 {{result 'active' must be [B, L] = [2, 37], but got 'tensor<37xi1>'}}
  %r:2 = seqboat.route %u, %t : tensor<2x37x2xf32>, tensor<f32> -> tensor<2x37xf32>, tensor<37xi1>
  return
}

// -----

func.func @case20(%u: tensor<2x37x2xf32>, %t: tensor<f16>) {
  // expected-error @+1 {{'log_temp' has element type 'f16', but 'u' has 'f32'}}
  %r:2 = seqboat.route %u, %t : tensor<2x37x2xf32>, tensor<f16> -> tensor<2x37xf32>, tensor<2x37xi1>
  return
}

// -----

func.func @case21(%u: tensor<2x37x2xf32>, %t: tensor<f32>) {
  // expected-error @+1 {{result #1 must be ranked tensor of 1-bit signless integer values, but got 'tensor<2x37xi32>'}}
  %r:2 = seqboat.route %u, %t : tensor<2x37x2xf32>, tensor<f32> -> tensor<2x37xf32>, tensor<2x37xi32>
  return
}

// -----

func.func @case22(%a: tensor<37xi1>) {
  // expected-error @+1 {{operand 'active' must be [B, L] = [37, ?], but got 'tensor<37xi1>'}}
  %r:2 = seqboat.compact_index %a : tensor<37xi1> -> tensor<37xi32>, tensor<1xi32>
  return
}

// -----

func.func @case23(%a: tensor<2x37xi1>) {
  // expected-error @+1 {{result 'pos' must be [B, S] = [2, 37] with capacity S = L, but got 'tensor<2x16xi32>'}}
  %r:2 = seqboat.compact_index %a : tensor<2x37xi1> -> tensor<2x16xi32>, tensor<2xi32>
  return
}

// -----

func.func @case24(%a: tensor<2x37xi1>) {
  // expected-error @+1 {{result 'count' must be [B] = [2], but got 'tensor<3xi32>'}}
  %r:2 = seqboat.compact_index %a : tensor<2x37xi1> -> tensor<2x37xi32>, tensor<3xi32>
  return
}

// -----

func.func @case25(%x: tensor<2x37xf32>, %p: tensor<2x37xi32>) {
  // expected-error @+1 {{operand 'x' must be [B, L, F] = [2, 37, ?], but got 'tensor<2x37xf32>'}}
  %r = seqboat.gather %x, %p : tensor<2x37xf32>, tensor<2x37xi32> -> tensor<2x37x16xf32>
  return
}

// -----

func.func @case26(%x: tensor<2x37x16xf32>, %p: tensor<2x20xi32>) {
  // expected-error @+1 {{operand 'pos' must be [B, S] = [2, 37] with capacity S = L, but got 'tensor<2x20xi32>'}}
  %r = seqboat.gather %x, %p : tensor<2x37x16xf32>, tensor<2x20xi32> -> tensor<2x20x16xf32>
  return
}

// -----

func.func @case27(%x: tensor<2x37x16xf32>, %p: tensor<2x37xi32>) {
  // expected-error @+1 {{result 'out' must be [B, S, F] = [2, 37, 16], but got 'tensor<2x37x8xf32>'}}
  %r = seqboat.gather %x, %p : tensor<2x37x16xf32>, tensor<2x37xi32> -> tensor<2x37x8xf32>
  return
}

// -----

func.func @case28(%x: tensor<2x37x16xf32>, %p: tensor<2x37xi32>) {
  // expected-error @+1 {{'out' has element type 'f16', but 'x' has 'f32'}}
  %r = seqboat.gather %x, %p : tensor<2x37x16xf32>, tensor<2x37xi32> -> tensor<2x37x16xf16>
  return
}

// -----

func.func @case29(%x: tensor<2x37x16xf32>, %p: tensor<2x37xi32>) {
  // expected-error @+1 {{attribute 'length' must be positive, but got -1}}
  %r = seqboat.scatter %x, %p {length = -1 : i64} : tensor<2x37x16xf32>, tensor<2x37xi32> -> tensor<2x37x16xf32>
  return
}

// -----

func.func @case30(%x: tensor<2x37x16xf32>, %p: tensor<2x37xi32>) {
  // expected-error @+1 {{operand 'xc' must be [B, S, F] = [2, 40, 16] with capacity S = L = length, but got 'tensor<2x37x16xf32>'}}
  %r = seqboat.scatter %x, %p {length = 40 : i64} : tensor<2x37x16xf32>, tensor<2x37xi32> -> tensor<2x40x16xf32>
  return
}

// -----

func.func @case31(%x: tensor<2x37x16xf32>, %p: tensor<1x37xi32>) {
  // expected-error @+1 {{operand 'pos' must be [B, S] = [2, 37], but got 'tensor<1x37xi32>'}}
  %r = seqboat.scatter %x, %p {length = 37 : i64} : tensor<2x37x16xf32>, tensor<1x37xi32> -> tensor<2x37x16xf32>
  return
}

// -----

func.func @case32(%x: tensor<2x37x16xf32>, %p: tensor<2x37xi32>) {
  // expected-error @+1 {{result 'out' must be [B, L, F] = [2, 37, 16], but got 'tensor<2x37x15xf32>'}}
  %r = seqboat.scatter %x, %p {length = 37 : i64} : tensor<2x37x16xf32>, tensor<2x37xi32> -> tensor<2x37x15xf32>
  return
}

// -----

func.func @case33(%x: tensor<2x37x16xf32>, %p: tensor<2x37xf32>) {
  // expected-error @+1 {{operand #1 must be ranked tensor of 32-bit signless integer values, but got 'tensor<2x37xf32>'}}
  %r = "seqboat.scatter"(%x, %p) <{length = 37 : i64}> : (tensor<2x37x16xf32>, tensor<2x37xf32>) -> tensor<2x37x16xf32>
  return
}

// -----

func.func @case34(%q: tensor<2x37x8xf32>, %v: tensor<2x37x32xf32>, %p: tensor<2x37xi32>, %c: tensor<2xi32>) {
  // expected-error @+1 {{attribute 'window' must be positive, but got 0}}
  %r = seqboat.local_attention %q, %q, %v, %p, %c {window = 0 : i64} : tensor<2x37x8xf32>, tensor<2x37x32xf32>, tensor<2x37xi32>, tensor<2xi32> -> tensor<2x37x32xf32>
  return
}

// -----

func.func @case34a(%q: tensor<2x37x8xf32>, %v: tensor<2x37x32xf32>, %p: tensor<2x37xi32>, %c: tensor<2xi32>, %i: index) {
  // expected-error @+1 {{'queries' takes two values (offset, count), got 1}}
  %r = seqboat.local_attention %q, %q, %v, %p, %c queries(%i) {window = 4 : i64} : tensor<2x37x8xf32>, tensor<2x37x32xf32>, tensor<2x37xi32>, tensor<2xi32> -> tensor<2x4x32xf32>
  return
}

// -----

func.func @case34b(%q: tensor<2x37x8xf32>, %v: tensor<2x37x32xf32>, %p: tensor<2x37xi32>, %c: tensor<2xi32>, %i: index) {
  %n = arith.constant 3 : index
  // expected-error @+1 {{result 'out' must hold the 3 rows of 'queries', but has 4}}
  %r = seqboat.local_attention %q, %q, %v, %p, %c queries(%i, %n) {window = 4 : i64} : tensor<2x37x8xf32>, tensor<2x37x32xf32>, tensor<2x37xi32>, tensor<2xi32> -> tensor<2x4x32xf32>
  return
}

// -----

func.func @case34c(%q: tensor<2x37x8xf32>, %v: tensor<2x37x32xf32>, %p: tensor<2x37xi32>, %c: tensor<2xi32>, %i: index, %n: index) {
  // expected-error @+1 {{result 'out' has 38 query rows, more than the S = 37 slots}}
  %r = seqboat.local_attention %q, %q, %v, %p, %c queries(%i, %n) {window = 4 : i64} : tensor<2x37x8xf32>, tensor<2x37x32xf32>, tensor<2x37xi32>, tensor<2xi32> -> tensor<2x38x32xf32>
  return
}

// -----

func.func @case35(%q: tensor<2x37xf32>, %v: tensor<2x37x32xf32>, %p: tensor<2x37xi32>, %c: tensor<2xi32>) {
  // expected-error @+1 {{operand 'q' must be [B, S, Z] = [2, 37, ?], but got 'tensor<2x37xf32>'}}
  %r = seqboat.local_attention %q, %q, %v, %p, %c {window = 4 : i64} : tensor<2x37xf32>, tensor<2x37x32xf32>, tensor<2x37xi32>, tensor<2xi32> -> tensor<2x37x32xf32>
  return
}

// -----

func.func @case36(%q: tensor<2x37x8xf32>, %v: tensor<2x36x32xf32>, %p: tensor<2x37xi32>, %c: tensor<2xi32>) {
  // expected-error @+1 {{operand 'v' must be [B, S, H] = [2, 37, 32], but got 'tensor<2x36x32xf32>'}}
  %r = seqboat.local_attention %q, %q, %v, %p, %c {window = 4 : i64} : tensor<2x37x8xf32>, tensor<2x36x32xf32>, tensor<2x37xi32>, tensor<2xi32> -> tensor<2x37x32xf32>
  return
}

// -----

func.func @case37(%q: tensor<2x37x8xf32>, %v: tensor<2x37x32xf32>, %p: tensor<37xi32>, %c: tensor<2xi32>) {
  // expected-error @+1 {{operand 'pos' must be [B, S] = [2, 37], but got 'tensor<37xi32>'}}
  %r = seqboat.local_attention %q, %q, %v, %p, %c {window = 4 : i64} : tensor<2x37x8xf32>, tensor<2x37x32xf32>, tensor<37xi32>, tensor<2xi32> -> tensor<2x37x32xf32>
  return
}

// -----

func.func @case38(%q: tensor<2x37x8xf32>, %v: tensor<2x37x32xf32>, %p: tensor<2x37xi32>, %c: tensor<2x1xi32>) {
  // expected-error @+1 {{operand 'count' must be [B] = [2], but got 'tensor<2x1xi32>'}}
  %r = seqboat.local_attention %q, %q, %v, %p, %c {window = 4 : i64} : tensor<2x37x8xf32>, tensor<2x37x32xf32>, tensor<2x37xi32>, tensor<2x1xi32> -> tensor<2x37x32xf32>
  return
}

// -----

func.func @case39(%q: tensor<2x37x8xf32>, %v: tensor<2x37x32xf32>, %p: tensor<2x37xi32>, %c: tensor<2xi32>, %rb: tensor<8xf32>) {
  // expected-error @+1 {{operand 'rel_bias' must have odd length 2M-1, but got 'tensor<8xf32>'}}
  %r = seqboat.local_attention %q, %q, %v, %p, %c rel_bias(%rb) {window = 4 : i64} : tensor<2x37x8xf32>, tensor<2x37x32xf32>, tensor<2x37xi32>, tensor<2xi32>, tensor<8xf32> -> tensor<2x37x32xf32>
  return
}

// -----

func.func @case40(%q: tensor<2x37x8xf32>, %v: tensor<2x37x32xf32>, %p: tensor<2x37xi32>, %c: tensor<2xi32>, %rb: tensor<3x3xf32>) {
  // expected-error @+1 {{operand 'rel_bias' must be [2M-1], but got 'tensor<3x3xf32>'}}
  %r = seqboat.local_attention %q, %q, %v, %p, %c rel_bias(%rb) {window = 4 : i64} : tensor<2x37x8xf32>, tensor<2x37x32xf32>, tensor<2x37xi32>, tensor<2xi32>, tensor<3x3xf32> -> tensor<2x37x32xf32>
  return
}

// -----

func.func @case41(%q: tensor<2x37x8xf32>, %v: tensor<2x37x32xf32>, %p: tensor<2x37xi32>, %c: tensor<2xi32>) {
  // expected-error @+1 {{result 'out' must be [B, S, H] = [2, 37, 32], but got 'tensor<2x37x8xf32>'}}
  %r = seqboat.local_attention %q, %q, %v, %p, %c {window = 4 : i64} : tensor<2x37x8xf32>, tensor<2x37x32xf32>, tensor<2x37xi32>, tensor<2xi32> -> tensor<2x37x8xf32>
  return
}

// -----

func.func @case42(%q: tensor<2x37x8xf32>, %v: tensor<2x37x32xf32>, %p: tensor<2x37xi32>, %c: tensor<2xi32>, %rb: tensor<7xf16>) {
  // expected-error @+1 {{'rel_bias' has element type 'f16', but 'q' has 'f32'}}
  %r = seqboat.local_attention %q, %q, %v, %p, %c rel_bias(%rb) {window = 4 : i64} : tensor<2x37x8xf32>, tensor<2x37x32xf32>, tensor<2x37xi32>, tensor<2xi32>, tensor<7xf16> -> tensor<2x37x32xf32>
  return
}

// -----

func.func @case43(%q: tensor<2x37x8xf32>, %v: tensor<2x37x32xf32>, %p: tensor<2x37xi32>, %c: tensor<2xi32>) {
  // expected-error @+1 {{attribute 'activation' failed to satisfy constraint: attention score activation}}
  %r = seqboat.local_attention %q, %q, %v, %p, %c {window = 4 : i64, activation = #seqboat.norm<none>} : tensor<2x37x8xf32>, tensor<2x37x32xf32>, tensor<2x37xi32>, tensor<2xi32> -> tensor<2x37x32xf32>
  return
}

// -----

func.func @case44(%q: tensor<2x64x16xf32>, %v: tensor<2x64x32xf32>) {
  // expected-error @+1 {{attribute 'chunk' must be positive, but got 0}}
  %r = seqboat.linear_attention %q, %q, %v {chunk = 0 : i64} : tensor<2x64x16xf32>, tensor<2x64x32xf32> -> tensor<2x64x32xf32>
  return
}

// -----

func.func @case45(%q: tensor<2x64xf32>, %v: tensor<2x64x32xf32>) {
  // expected-error @+1 {{operand 'q' must be [B, L, Z] = [2, 64, ?], but got 'tensor<2x64xf32>'}}
  %r = seqboat.linear_attention %q, %q, %v : tensor<2x64xf32>, tensor<2x64x32xf32> -> tensor<2x64x32xf32>
  return
}

// -----

func.func @case46(%q: tensor<2x64x16xf32>, %v: tensor<2x63x32xf32>) {
  // expected-error @+1 {{operand 'v' must be [B, L, H] = [2, 64, 32], but got 'tensor<2x63x32xf32>'}}
  %r = seqboat.linear_attention %q, %q, %v : tensor<2x64x16xf32>, tensor<2x63x32xf32> -> tensor<2x64x32xf32>
  return
}

// -----

func.func @case47(%q: tensor<2x64x16xf32>, %v: tensor<2x64x32xf32>, %g: tensor<1xf32>) {
  // expected-error @+1 {{operand 'decay' must be [], but got 'tensor<1xf32>'}}
  %r = seqboat.linear_attention %q, %q, %v decay(%g) : tensor<2x64x16xf32>, tensor<2x64x32xf32>, tensor<1xf32> -> tensor<2x64x32xf32>
  return
}

// -----

func.func @case48(%q: tensor<2x64x16xf32>, %v: tensor<2x64x32xf32>) {
  // expected-error @+1 {{result 'out' must be [B, L, H] = [2, 64, 32], but got 'tensor<2x64x16xf32>'}}
  %r = seqboat.linear_attention %q, %q, %v : tensor<2x64x16xf32>, tensor<2x64x32xf32> -> tensor<2x64x16xf32>
  return
}

// -----

func.func @case49(%q: tensor<2x64x16xf32>, %v: tensor<2x64x32xf16>) {
  // expected-error @+1 {{'v' has element type 'f16', but 'q' has 'f32'}}
  %r = seqboat.linear_attention %q, %q, %v : tensor<2x64x16xf32>, tensor<2x64x32xf16> -> tensor<2x64x32xf16>
  return
}

// -----

func.func @case50(%a0: tensor<2x37xf32>, %a1: tensor<16xf32>, %a2: tensor<16xf32>, %a3: tensor<32x4xf32>, %a4: tensor<32x4xf32>, %a5: tensor<32x4xf32>, %a6: tensor<32x4xf32>, %a7: tensor<16xf32>, %a8: tensor<18x16xf32>, %a9: tensor<18xf32>, %a10: tensor<f32>, %a11: tensor<72x16xf32>, %a12: tensor<72xf32>, %a13: tensor<2x8xf32>, %a14: tensor<2x8xf32>, %a15: tensor<127xf32>, %a16: tensor<16x32xf32>, %a17: tensor<16xf32>) {
  // expected-error @+1 {{operand 'x' must be [B, L, D] = [2, 37, ?], but got 'tensor<2x37xf32>'}}
  %r = "seqboat.layer"(%a0, %a1, %a2, %a3, %a4, %a5, %a6, %a7, %a8, %a9, %a10, %a11, %a12, %a13, %a14, %a15, %a16, %a17) <{bidirectional = true, window = 4 : i64}> : (tensor<2x37xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<16xf32>, tensor<18x16xf32>, tensor<18xf32>, tensor<f32>, tensor<72x16xf32>, tensor<72xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<127xf32>, tensor<16x32xf32>, tensor<16xf32>) -> tensor<2x37xf32>
  return
}

// -----

func.func @case51(%a0: tensor<2x37x16xf32>, %a1: tensor<8xf32>, %a2: tensor<16xf32>, %a3: tensor<32x4xf32>, %a4: tensor<32x4xf32>, %a5: tensor<32x4xf32>, %a6: tensor<32x4xf32>, %a7: tensor<16xf32>, %a8: tensor<18x16xf32>, %a9: tensor<18xf32>, %a10: tensor<f32>, %a11: tensor<72x16xf32>, %a12: tensor<72xf32>, %a13: tensor<2x8xf32>, %a14: tensor<2x8xf32>, %a15: tensor<127xf32>, %a16: tensor<16x32xf32>, %a17: tensor<16xf32>) {
  // expected-error @+1 {{operand 'norm_w' must be [D] = [16], but got 'tensor<8xf32>'}}
  %r = "seqboat.layer"(%a0, %a1, %a2, %a3, %a4, %a5, %a6, %a7, %a8, %a9, %a10, %a11, %a12, %a13, %a14, %a15, %a16, %a17) <{bidirectional = true, window = 4 : i64}> : (tensor<2x37x16xf32>, tensor<8xf32>, tensor<16xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<16xf32>, tensor<18x16xf32>, tensor<18xf32>, tensor<f32>, tensor<72x16xf32>, tensor<72xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<127xf32>, tensor<16x32xf32>, tensor<16xf32>) -> tensor<2x37x16xf32>
  return
}

// -----

func.func @case52(%a0: tensor<2x37x16xf32>, %a1: tensor<16xf32>, %a2: tensor<17xf32>, %a3: tensor<32x4xf32>, %a4: tensor<32x4xf32>, %a5: tensor<32x4xf32>, %a6: tensor<32x4xf32>, %a7: tensor<16xf32>, %a8: tensor<18x16xf32>, %a9: tensor<18xf32>, %a10: tensor<f32>, %a11: tensor<72x16xf32>, %a12: tensor<72xf32>, %a13: tensor<2x8xf32>, %a14: tensor<2x8xf32>, %a15: tensor<127xf32>, %a16: tensor<16x32xf32>, %a17: tensor<16xf32>) {
  // expected-error @+1 {{operand 'norm_b' must be [D] = [16], but got 'tensor<17xf32>'}}
  %r = "seqboat.layer"(%a0, %a1, %a2, %a3, %a4, %a5, %a6, %a7, %a8, %a9, %a10, %a11, %a12, %a13, %a14, %a15, %a16, %a17) <{bidirectional = true, window = 4 : i64}> : (tensor<2x37x16xf32>, tensor<16xf32>, tensor<17xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<16xf32>, tensor<18x16xf32>, tensor<18xf32>, tensor<f32>, tensor<72x16xf32>, tensor<72xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<127xf32>, tensor<16x32xf32>, tensor<16xf32>) -> tensor<2x37x16xf32>
  return
}

// -----

func.func @case53(%a0: tensor<2x37x16xf32>, %a1: tensor<16xf32>, %a2: tensor<16xf32>, %a3: tensor<16x4xf32>, %a4: tensor<32x4xf32>, %a5: tensor<32x4xf32>, %a6: tensor<32x4xf32>, %a7: tensor<16xf32>, %a8: tensor<18x16xf32>, %a9: tensor<18xf32>, %a10: tensor<f32>, %a11: tensor<72x16xf32>, %a12: tensor<72xf32>, %a13: tensor<2x8xf32>, %a14: tensor<2x8xf32>, %a15: tensor<127xf32>, %a16: tensor<16x32xf32>, %a17: tensor<16xf32>) {
  // expected-error @+1 {{operand 'ema_delta' must be [C, N] = [32, 4] with C = 2D (bidirectional), but got 'tensor<16x4xf32>'}}
  %r = "seqboat.layer"(%a0, %a1, %a2, %a3, %a4, %a5, %a6, %a7, %a8, %a9, %a10, %a11, %a12, %a13, %a14, %a15, %a16, %a17) <{bidirectional = true, window = 4 : i64}> : (tensor<2x37x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<16xf32>, tensor<18x16xf32>, tensor<18xf32>, tensor<f32>, tensor<72x16xf32>, tensor<72xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<127xf32>, tensor<16x32xf32>, tensor<16xf32>) -> tensor<2x37x16xf32>
  return
}

// -----

func.func @case54(%a0: tensor<2x37x16xf32>, %a1: tensor<16xf32>, %a2: tensor<16xf32>, %a3: tensor<32x4xf32>, %a4: tensor<32x5xf32>, %a5: tensor<32x4xf32>, %a6: tensor<32x4xf32>, %a7: tensor<16xf32>, %a8: tensor<18x16xf32>, %a9: tensor<18xf32>, %a10: tensor<f32>, %a11: tensor<72x16xf32>, %a12: tensor<72xf32>, %a13: tensor<2x8xf32>, %a14: tensor<2x8xf32>, %a15: tensor<127xf32>, %a16: tensor<16x32xf32>, %a17: tensor<16xf32>) {
  // expected-error @+1 {{operand 'ema_alpha' must be [C, N] = [32, 4] with C = 2D (bidirectional), but got 'tensor<32x5xf32>'}}
  %r = "seqboat.layer"(%a0, %a1, %a2, %a3, %a4, %a5, %a6, %a7, %a8, %a9, %a10, %a11, %a12, %a13, %a14, %a15, %a16, %a17) <{bidirectional = true, window = 4 : i64}> : (tensor<2x37x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x4xf32>, tensor<32x5xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<16xf32>, tensor<18x16xf32>, tensor<18xf32>, tensor<f32>, tensor<72x16xf32>, tensor<72xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<127xf32>, tensor<16x32xf32>, tensor<16xf32>) -> tensor<2x37x16xf32>
  return
}

// -----

func.func @case55(%a0: tensor<2x37x16xf32>, %a1: tensor<16xf32>, %a2: tensor<16xf32>, %a3: tensor<32x4xf32>, %a4: tensor<32x4xf32>, %a5: tensor<32xf32>, %a6: tensor<32x4xf32>, %a7: tensor<16xf32>, %a8: tensor<18x16xf32>, %a9: tensor<18xf32>, %a10: tensor<f32>, %a11: tensor<72x16xf32>, %a12: tensor<72xf32>, %a13: tensor<2x8xf32>, %a14: tensor<2x8xf32>, %a15: tensor<127xf32>, %a16: tensor<16x32xf32>, %a17: tensor<16xf32>) {
  // expected-error @+1 {{operand 'ema_beta' must be [C, N] = [32, 4] with C = 2D (bidirectional), but got 'tensor<32xf32>'}}
  %r = "seqboat.layer"(%a0, %a1, %a2, %a3, %a4, %a5, %a6, %a7, %a8, %a9, %a10, %a11, %a12, %a13, %a14, %a15, %a16, %a17) <{bidirectional = true, window = 4 : i64}> : (tensor<2x37x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32xf32>, tensor<32x4xf32>, tensor<16xf32>, tensor<18x16xf32>, tensor<18xf32>, tensor<f32>, tensor<72x16xf32>, tensor<72xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<127xf32>, tensor<16x32xf32>, tensor<16xf32>) -> tensor<2x37x16xf32>
  return
}

// -----

func.func @case56(%a0: tensor<2x37x16xf32>, %a1: tensor<16xf32>, %a2: tensor<16xf32>, %a3: tensor<32x4xf32>, %a4: tensor<32x4xf32>, %a5: tensor<32x4xf32>, %a6: tensor<31x4xf32>, %a7: tensor<16xf32>, %a8: tensor<18x16xf32>, %a9: tensor<18xf32>, %a10: tensor<f32>, %a11: tensor<72x16xf32>, %a12: tensor<72xf32>, %a13: tensor<2x8xf32>, %a14: tensor<2x8xf32>, %a15: tensor<127xf32>, %a16: tensor<16x32xf32>, %a17: tensor<16xf32>) {
  // expected-error @+1 {{operand 'ema_gamma' must be [C, N] = [32, 4] with C = 2D (bidirectional), but got 'tensor<31x4xf32>'}}
  %r = "seqboat.layer"(%a0, %a1, %a2, %a3, %a4, %a5, %a6, %a7, %a8, %a9, %a10, %a11, %a12, %a13, %a14, %a15, %a16, %a17) <{bidirectional = true, window = 4 : i64}> : (tensor<2x37x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<31x4xf32>, tensor<16xf32>, tensor<18x16xf32>, tensor<18xf32>, tensor<f32>, tensor<72x16xf32>, tensor<72xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<127xf32>, tensor<16x32xf32>, tensor<16xf32>) -> tensor<2x37x16xf32>
  return
}

// -----

func.func @case57(%a0: tensor<2x37x16xf32>, %a1: tensor<16xf32>, %a2: tensor<16xf32>, %a3: tensor<32x4xf32>, %a4: tensor<32x4xf32>, %a5: tensor<32x4xf32>, %a6: tensor<32x4xf32>, %a7: tensor<32xf32>, %a8: tensor<18x16xf32>, %a9: tensor<18xf32>, %a10: tensor<f32>, %a11: tensor<72x16xf32>, %a12: tensor<72xf32>, %a13: tensor<2x8xf32>, %a14: tensor<2x8xf32>, %a15: tensor<127xf32>, %a16: tensor<16x32xf32>, %a17: tensor<16xf32>) {
  // expected-error @+1 {{operand 'ema_omega' must be [D] = [16], but got 'tensor<32xf32>'}}
  %r = "seqboat.layer"(%a0, %a1, %a2, %a3, %a4, %a5, %a6, %a7, %a8, %a9, %a10, %a11, %a12, %a13, %a14, %a15, %a16, %a17) <{bidirectional = true, window = 4 : i64}> : (tensor<2x37x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32xf32>, tensor<18x16xf32>, tensor<18xf32>, tensor<f32>, tensor<72x16xf32>, tensor<72xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<127xf32>, tensor<16x32xf32>, tensor<16xf32>) -> tensor<2x37x16xf32>
  return
}

// -----

func.func @case58(%a0: tensor<2x37x16xf32>, %a1: tensor<16xf32>, %a2: tensor<16xf32>, %a3: tensor<32x4xf32>, %a4: tensor<32x4xf32>, %a5: tensor<32x4xf32>, %a6: tensor<32x4xf32>, %a7: tensor<16xf32>, %a8: tensor<16x16xf32>, %a9: tensor<18xf32>, %a10: tensor<f32>, %a11: tensor<72x16xf32>, %a12: tensor<72xf32>, %a13: tensor<2x8xf32>, %a14: tensor<2x8xf32>, %a15: tensor<127xf32>, %a16: tensor<16x32xf32>, %a17: tensor<16xf32>) {
  // expected-error @+1 {{operand 'hx_w' must be [D+2, D] = [18, 16], but got 'tensor<16x16xf32>'}}
  %r = "seqboat.layer"(%a0, %a1, %a2, %a3, %a4, %a5, %a6, %a7, %a8, %a9, %a10, %a11, %a12, %a13, %a14, %a15, %a16, %a17) <{bidirectional = true, window = 4 : i64}> : (tensor<2x37x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<16xf32>, tensor<16x16xf32>, tensor<18xf32>, tensor<f32>, tensor<72x16xf32>, tensor<72xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<127xf32>, tensor<16x32xf32>, tensor<16xf32>) -> tensor<2x37x16xf32>
  return
}

// -----

func.func @case59(%a0: tensor<2x37x16xf32>, %a1: tensor<16xf32>, %a2: tensor<16xf32>, %a3: tensor<32x4xf32>, %a4: tensor<32x4xf32>, %a5: tensor<32x4xf32>, %a6: tensor<32x4xf32>, %a7: tensor<16xf32>, %a8: tensor<18x16xf32>, %a9: tensor<16xf32>, %a10: tensor<f32>, %a11: tensor<72x16xf32>, %a12: tensor<72xf32>, %a13: tensor<2x8xf32>, %a14: tensor<2x8xf32>, %a15: tensor<127xf32>, %a16: tensor<16x32xf32>, %a17: tensor<16xf32>) {
  // expected-error @+1 {{operand 'hx_b' must be [D+2] = [18], but got 'tensor<16xf32>'}}
  %r = "seqboat.layer"(%a0, %a1, %a2, %a3, %a4, %a5, %a6, %a7, %a8, %a9, %a10, %a11, %a12, %a13, %a14, %a15, %a16, %a17) <{bidirectional = true, window = 4 : i64}> : (tensor<2x37x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<16xf32>, tensor<18x16xf32>, tensor<16xf32>, tensor<f32>, tensor<72x16xf32>, tensor<72xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<127xf32>, tensor<16x32xf32>, tensor<16xf32>) -> tensor<2x37x16xf32>
  return
}

// -----

func.func @case60(%a0: tensor<2x37x16xf32>, %a1: tensor<16xf32>, %a2: tensor<16xf32>, %a3: tensor<32x4xf32>, %a4: tensor<32x4xf32>, %a5: tensor<32x4xf32>, %a6: tensor<32x4xf32>, %a7: tensor<16xf32>, %a8: tensor<18x16xf32>, %a9: tensor<18xf32>, %a10: tensor<1xf32>, %a11: tensor<72x16xf32>, %a12: tensor<72xf32>, %a13: tensor<2x8xf32>, %a14: tensor<2x8xf32>, %a15: tensor<127xf32>, %a16: tensor<16x32xf32>, %a17: tensor<16xf32>) {
  // expected-error @+1 {{operand 'log_temp' must be [], but got 'tensor<1xf32>'}}
  %r = "seqboat.layer"(%a0, %a1, %a2, %a3, %a4, %a5, %a6, %a7, %a8, %a9, %a10, %a11, %a12, %a13, %a14, %a15, %a16, %a17) <{bidirectional = true, window = 4 : i64}> : (tensor<2x37x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<16xf32>, tensor<18x16xf32>, tensor<18xf32>, tensor<1xf32>, tensor<72x16xf32>, tensor<72xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<127xf32>, tensor<16x32xf32>, tensor<16xf32>) -> tensor<2x37x16xf32>
  return
}

// -----

func.func @case61(%a0: tensor<2x37x16xf32>, %a1: tensor<16xf32>, %a2: tensor<16xf32>, %a3: tensor<32x4xf32>, %a4: tensor<32x4xf32>, %a5: tensor<32x4xf32>, %a6: tensor<32x4xf32>, %a7: tensor<16xf32>, %a8: tensor<18x16xf32>, %a9: tensor<18xf32>, %a10: tensor<f32>, %a11: tensor<70x16xf32>, %a12: tensor<72xf32>, %a13: tensor<2x8xf32>, %a14: tensor<2x8xf32>, %a15: tensor<127xf32>, %a16: tensor<16x32xf32>, %a17: tensor<16xf32>) {
  // expected-error @+1 {{operand 'mx_w' must be [Z+2H, D] = [72, 16], but got 'tensor<70x16xf32>'}}
  %r = "seqboat.layer"(%a0, %a1, %a2, %a3, %a4, %a5, %a6, %a7, %a8, %a9, %a10, %a11, %a12, %a13, %a14, %a15, %a16, %a17) <{bidirectional = true, window = 4 : i64}> : (tensor<2x37x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<16xf32>, tensor<18x16xf32>, tensor<18xf32>, tensor<f32>, tensor<70x16xf32>, tensor<72xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<127xf32>, tensor<16x32xf32>, tensor<16xf32>) -> tensor<2x37x16xf32>
  return
}

// -----

func.func @case62(%a0: tensor<2x37x16xf32>, %a1: tensor<16xf32>, %a2: tensor<16xf32>, %a3: tensor<32x4xf32>, %a4: tensor<32x4xf32>, %a5: tensor<32x4xf32>, %a6: tensor<32x4xf32>, %a7: tensor<16xf32>, %a8: tensor<18x16xf32>, %a9: tensor<18xf32>, %a10: tensor<f32>, %a11: tensor<72x16xf32>, %a12: tensor<71xf32>, %a13: tensor<2x8xf32>, %a14: tensor<2x8xf32>, %a15: tensor<127xf32>, %a16: tensor<16x32xf32>, %a17: tensor<16xf32>) {
  // expected-error @+1 {{operand 'mx_b' must be [Z+2H] = [72], but got 'tensor<71xf32>'}}
  %r = "seqboat.layer"(%a0, %a1, %a2, %a3, %a4, %a5, %a6, %a7, %a8, %a9, %a10, %a11, %a12, %a13, %a14, %a15, %a16, %a17) <{bidirectional = true, window = 4 : i64}> : (tensor<2x37x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<16xf32>, tensor<18x16xf32>, tensor<18xf32>, tensor<f32>, tensor<72x16xf32>, tensor<71xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<127xf32>, tensor<16x32xf32>, tensor<16xf32>) -> tensor<2x37x16xf32>
  return
}

// -----

func.func @case63(%a0: tensor<2x37x16xf32>, %a1: tensor<16xf32>, %a2: tensor<16xf32>, %a3: tensor<32x4xf32>, %a4: tensor<32x4xf32>, %a5: tensor<32x4xf32>, %a6: tensor<32x4xf32>, %a7: tensor<16xf32>, %a8: tensor<18x16xf32>, %a9: tensor<18xf32>, %a10: tensor<f32>, %a11: tensor<72x16xf32>, %a12: tensor<72xf32>, %a13: tensor<3x8xf32>, %a14: tensor<2x8xf32>, %a15: tensor<127xf32>, %a16: tensor<16x32xf32>, %a17: tensor<16xf32>) {
  // expected-error @+1 {{operand 'qk_gamma' must be [2, Z] = [2, 8], but got 'tensor<3x8xf32>'}}
  %r = "seqboat.layer"(%a0, %a1, %a2, %a3, %a4, %a5, %a6, %a7, %a8, %a9, %a10, %a11, %a12, %a13, %a14, %a15, %a16, %a17) <{bidirectional = true, window = 4 : i64}> : (tensor<2x37x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<16xf32>, tensor<18x16xf32>, tensor<18xf32>, tensor<f32>, tensor<72x16xf32>, tensor<72xf32>, tensor<3x8xf32>, tensor<2x8xf32>, tensor<127xf32>, tensor<16x32xf32>, tensor<16xf32>) -> tensor<2x37x16xf32>
  return
}

// -----

func.func @case64(%a0: tensor<2x37x16xf32>, %a1: tensor<16xf32>, %a2: tensor<16xf32>, %a3: tensor<32x4xf32>, %a4: tensor<32x4xf32>, %a5: tensor<32x4xf32>, %a6: tensor<32x4xf32>, %a7: tensor<16xf32>, %a8: tensor<18x16xf32>, %a9: tensor<18xf32>, %a10: tensor<f32>, %a11: tensor<72x16xf32>, %a12: tensor<72xf32>, %a13: tensor<2x8xf32>, %a14: tensor<2x9xf32>, %a15: tensor<127xf32>, %a16: tensor<16x32xf32>, %a17: tensor<16xf32>) {
  // expected-error @+1 {{operand 'qk_beta' must be [2, Z] = [2, 8], but got 'tensor<2x9xf32>'}}
  %r = "seqboat.layer"(%a0, %a1, %a2, %a3, %a4, %a5, %a6, %a7, %a8, %a9, %a10, %a11, %a12, %a13, %a14, %a15, %a16, %a17) <{bidirectional = true, window = 4 : i64}> : (tensor<2x37x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<16xf32>, tensor<18x16xf32>, tensor<18xf32>, tensor<f32>, tensor<72x16xf32>, tensor<72xf32>, tensor<2x8xf32>, tensor<2x9xf32>, tensor<127xf32>, tensor<16x32xf32>, tensor<16xf32>) -> tensor<2x37x16xf32>
  return
}

// -----

func.func @case65(%a0: tensor<2x37x16xf32>, %a1: tensor<16xf32>, %a2: tensor<16xf32>, %a3: tensor<32x4xf32>, %a4: tensor<32x4xf32>, %a5: tensor<32x4xf32>, %a6: tensor<32x4xf32>, %a7: tensor<16xf32>, %a8: tensor<18x16xf32>, %a9: tensor<18xf32>, %a10: tensor<f32>, %a11: tensor<72x16xf32>, %a12: tensor<72xf32>, %a13: tensor<2x8xf32>, %a14: tensor<2x8xf32>, %a15: tensor<128xf32>, %a16: tensor<16x32xf32>, %a17: tensor<16xf32>) {
  // expected-error @+1 {{operand 'rel_bias' must have odd length 2M-1, but got 'tensor<128xf32>'}}
  %r = "seqboat.layer"(%a0, %a1, %a2, %a3, %a4, %a5, %a6, %a7, %a8, %a9, %a10, %a11, %a12, %a13, %a14, %a15, %a16, %a17) <{bidirectional = true, window = 4 : i64}> : (tensor<2x37x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<16xf32>, tensor<18x16xf32>, tensor<18xf32>, tensor<f32>, tensor<72x16xf32>, tensor<72xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<128xf32>, tensor<16x32xf32>, tensor<16xf32>) -> tensor<2x37x16xf32>
  return
}

// -----

func.func @case66(%a0: tensor<2x37x16xf32>, %a1: tensor<16xf32>, %a2: tensor<16xf32>, %a3: tensor<32x4xf32>, %a4: tensor<32x4xf32>, %a5: tensor<32x4xf32>, %a6: tensor<32x4xf32>, %a7: tensor<16xf32>, %a8: tensor<18x16xf32>, %a9: tensor<18xf32>, %a10: tensor<f32>, %a11: tensor<72x16xf32>, %a12: tensor<72xf32>, %a13: tensor<2x8xf32>, %a14: tensor<2x8xf32>, %a15: tensor<127xf32>, %a16: tensor<18x32xf32>, %a17: tensor<16xf32>) {
  // expected-error @+1 {{operand 'h_w' must be [D, H] = [16, 32], but got 'tensor<18x32xf32>'}}
  %r = "seqboat.layer"(%a0, %a1, %a2, %a3, %a4, %a5, %a6, %a7, %a8, %a9, %a10, %a11, %a12, %a13, %a14, %a15, %a16, %a17) <{bidirectional = true, window = 4 : i64}> : (tensor<2x37x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<16xf32>, tensor<18x16xf32>, tensor<18xf32>, tensor<f32>, tensor<72x16xf32>, tensor<72xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<127xf32>, tensor<18x32xf32>, tensor<16xf32>) -> tensor<2x37x16xf32>
  return
}

// -----

func.func @case67(%a0: tensor<2x37x16xf32>, %a1: tensor<16xf32>, %a2: tensor<16xf32>, %a3: tensor<32x4xf32>, %a4: tensor<32x4xf32>, %a5: tensor<32x4xf32>, %a6: tensor<32x4xf32>, %a7: tensor<16xf32>, %a8: tensor<18x16xf32>, %a9: tensor<18xf32>, %a10: tensor<f32>, %a11: tensor<72x16xf32>, %a12: tensor<72xf32>, %a13: tensor<2x8xf32>, %a14: tensor<2x8xf32>, %a15: tensor<127xf32>, %a16: tensor<16x32xf32>, %a17: tensor<15xf32>) {
  // expected-error @+1 {{operand 'h_b' must be [D] = [16], but got 'tensor<15xf32>'}}
  %r = "seqboat.layer"(%a0, %a1, %a2, %a3, %a4, %a5, %a6, %a7, %a8, %a9, %a10, %a11, %a12, %a13, %a14, %a15, %a16, %a17) <{bidirectional = true, window = 4 : i64}> : (tensor<2x37x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<16xf32>, tensor<18x16xf32>, tensor<18xf32>, tensor<f32>, tensor<72x16xf32>, tensor<72xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<127xf32>, tensor<16x32xf32>, tensor<15xf32>) -> tensor<2x37x16xf32>
  return
}

// -----

func.func @case68(%a0: tensor<2x37x16xf32>, %a1: tensor<16xf32>, %a2: tensor<16xf32>, %a3: tensor<32x4xf32>, %a4: tensor<32x4xf32>, %a5: tensor<32x4xf32>, %a6: tensor<32x4xf32>, %a7: tensor<16xf32>, %a8: tensor<18x16xf32>, %a9: tensor<18xf32>, %a10: tensor<f32>, %a11: tensor<72x16xf32>, %a12: tensor<72xf32>, %a13: tensor<2x8xf32>, %a14: tensor<2x8xf32>, %a15: tensor<127xf32>, %a16: tensor<16x32xf32>, %a17: tensor<16xf32>) {
  // expected-error @+1 {{operand 'ema_delta' must be [C, N] = [16, 4] with C = D (causal), but got 'tensor<32x4xf32>'}}
  %r = "seqboat.layer"(%a0, %a1, %a2, %a3, %a4, %a5, %a6, %a7, %a8, %a9, %a10, %a11, %a12, %a13, %a14, %a15, %a16, %a17) <{bidirectional = false, window = 4 : i64}> : (tensor<2x37x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<16xf32>, tensor<18x16xf32>, tensor<18xf32>, tensor<f32>, tensor<72x16xf32>, tensor<72xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<127xf32>, tensor<16x32xf32>, tensor<16xf32>) -> tensor<2x37x16xf32>
  return
}

// -----

func.func @case69(%a0: tensor<2x37x16xf32>, %a1: tensor<16xf32>, %a2: tensor<16xf32>, %a3: tensor<32x4xf32>, %a4: tensor<32x4xf32>, %a5: tensor<32x4xf32>, %a6: tensor<32x4xf32>, %a7: tensor<16xf32>, %a8: tensor<18x16xf32>, %a9: tensor<18xf32>, %a10: tensor<f32>, %a11: tensor<72x16xf32>, %a12: tensor<72xf32>, %a13: tensor<2x8xf32>, %a14: tensor<2x8xf32>, %a15: tensor<127xf32>, %a16: tensor<16x32xf32>, %a17: tensor<16xf32>) {
  // expected-error @+1 {{attribute 'window' must be positive, but got 0}}
  %r = "seqboat.layer"(%a0, %a1, %a2, %a3, %a4, %a5, %a6, %a7, %a8, %a9, %a10, %a11, %a12, %a13, %a14, %a15, %a16, %a17) <{bidirectional = true, window = 0 : i64}> : (tensor<2x37x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<16xf32>, tensor<18x16xf32>, tensor<18xf32>, tensor<f32>, tensor<72x16xf32>, tensor<72xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<127xf32>, tensor<16x32xf32>, tensor<16xf32>) -> tensor<2x37x16xf32>
  return
}

// -----

func.func @case70(%a0: tensor<2x37x16xf32>, %a1: tensor<16xf32>, %a2: tensor<16xf32>, %a3: tensor<32x4xf32>, %a4: tensor<32x4xf32>, %a5: tensor<32x4xf32>, %a6: tensor<32x4xf32>, %a7: tensor<16xf32>, %a8: tensor<18x16xf32>, %a9: tensor<18xf32>, %a10: tensor<f32>, %a11: tensor<72x16xf32>, %a12: tensor<72xf32>, %a13: tensor<2x8xf32>, %a14: tensor<2x8xf32>, %a15: tensor<127xf32>, %a16: tensor<16x32xf32>, %a17: tensor<16xf32>) {
  // expected-error @+1 {{attribute 'eps' must be non-negative, but got -1}}
  %r = "seqboat.layer"(%a0, %a1, %a2, %a3, %a4, %a5, %a6, %a7, %a8, %a9, %a10, %a11, %a12, %a13, %a14, %a15, %a16, %a17) <{bidirectional = true, window = 4 : i64, eps = -1.0 : f32}> : (tensor<2x37x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<16xf32>, tensor<18x16xf32>, tensor<18xf32>, tensor<f32>, tensor<72x16xf32>, tensor<72xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<127xf32>, tensor<16x32xf32>, tensor<16xf32>) -> tensor<2x37x16xf32>
  return
}

// -----

func.func @case71(%a0: tensor<2x37x16xf32>, %a1: tensor<16xf32>, %a2: tensor<16xf32>, %a3: tensor<32x4xf32>, %a4: tensor<32x4xf32>, %a5: tensor<32x4xf32>, %a6: tensor<32x4xf32>, %a7: tensor<16xf32>, %a8: tensor<18x16xf32>, %a9: tensor<18xf32>, %a10: tensor<f32>, %a11: tensor<72x16xf32>, %a12: tensor<72xf32>, %a13: tensor<2x8xf32>, %a14: tensor<2x8xf32>, %a15: tensor<127xf32>, %a16: tensor<16x32xf32>, %a17: tensor<16xf16>) {
  // expected-error @+1 {{'h_b' has element type 'f16', but 'x' has 'f32'}}
  %r = "seqboat.layer"(%a0, %a1, %a2, %a3, %a4, %a5, %a6, %a7, %a8, %a9, %a10, %a11, %a12, %a13, %a14, %a15, %a16, %a17) <{bidirectional = true, window = 4 : i64}> : (tensor<2x37x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<16xf32>, tensor<18x16xf32>, tensor<18xf32>, tensor<f32>, tensor<72x16xf32>, tensor<72xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<127xf32>, tensor<16x32xf32>, tensor<16xf16>) -> tensor<2x37x16xf32>
  return
}

// -----

func.func @case72(%a0: tensor<2x37x16xf32>, %a1: tensor<16xf32>, %a2: tensor<16xf32>, %a3: tensor<32x4xf32>, %a4: tensor<32x4xf32>, %a5: tensor<32x4xf32>, %a6: tensor<32x4xf32>, %a7: tensor<16xf32>, %a8: tensor<18x16xf32>, %a9: tensor<18xf32>, %a10: tensor<f32>, %a11: tensor<72x16xf32>, %a12: tensor<72xf32>, %a13: tensor<2x8xf32>, %a14: tensor<2x8xf32>, %a15: tensor<127xf32>, %a16: tensor<16x32xf32>, %a17: tensor<16xf32>) {
  // expected-error @+1 {{Invalid attribute `norm` in property conversion: #seqboat.activation<relu2>}}
  %r = "seqboat.layer"(%a0, %a1, %a2, %a3, %a4, %a5, %a6, %a7, %a8, %a9, %a10, %a11, %a12, %a13, %a14, %a15, %a16, %a17) <{bidirectional = true, window = 4 : i64, norm = #seqboat.activation<relu2>}> : (tensor<2x37x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<16xf32>, tensor<18x16xf32>, tensor<18xf32>, tensor<f32>, tensor<72x16xf32>, tensor<72xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<127xf32>, tensor<16x32xf32>, tensor<16xf32>) -> tensor<2x37x16xf32>
  return
}

// -----

func.func @case73(%a0: tensor<2x37x16xf32>, %a1: tensor<16xf32>, %a2: tensor<16xf32>, %a3: tensor<32x4xf32>, %a4: tensor<32x4xf32>, %a5: tensor<32x4xf32>, %a6: tensor<32x4xf32>, %a7: tensor<16xf32>, %a8: tensor<18x16xf32>, %a9: tensor<18xf32>, %a10: tensor<f32>, %a11: tensor<72x16xf32>, %a12: tensor<72xf32>, %a13: tensor<2x8xf32>, %a14: tensor<2x8xf32>, %a15: tensor<127xf32>, %a16: tensor<16x32xf32>, %a17: tensor<16xf32>) {
  // expected-error @+1 {{Invalid attribute `window` in property conversion: 4.000000e+00 : f32}}
  %r = "seqboat.layer"(%a0, %a1, %a2, %a3, %a4, %a5, %a6, %a7, %a8, %a9, %a10, %a11, %a12, %a13, %a14, %a15, %a16, %a17) <{bidirectional = true, window = 4.0 : f32}> : (tensor<2x37x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<16xf32>, tensor<18x16xf32>, tensor<18xf32>, tensor<f32>, tensor<72x16xf32>, tensor<72xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<127xf32>, tensor<16x32xf32>, tensor<16xf32>) -> tensor<2x37x16xf32>
  return
}

// -----

func.func @state_scan_decay(%u: tensor<2x8x16x4xf32>, %decay: tensor<16x8xf32>) {
  // expected-error @+1 {{operand 'decay' must be [D, N] = [16, 4], but got 'tensor<16x8xf32>'}}
  %s = seqboat.state_scan %u, %decay : tensor<2x8x16x4xf32>, tensor<16x8xf32>
  return
}

// -----

func.func @state_scan_rank(%u: tensor<2x8x16xf32>, %decay: tensor<16x4xf32>) {
  // expected-error @+1 {{operand 'u' must be [B, C, D, N]}}
  %s = seqboat.state_scan %u, %decay : tensor<2x8x16xf32>, tensor<16x4xf32>
  return
}

// -----

func.func @negative_query_offset(%q: tensor<2x37x8xf32>, %v: tensor<2x37x32xf32>, %p: tensor<2x37xi32>, %c: tensor<2xi32>) {
  %first = arith.constant -2 : index
  %n = arith.constant 4 : index
  // expected-error @+1 {{'queries' offset must not be negative, got -2}}
  %r = seqboat.local_attention %q, %q, %v, %p, %c queries(%first, %n) {window = 4 : i64} : tensor<2x37x8xf32>, tensor<2x37x32xf32>, tensor<2x37xi32>, tensor<2xi32> -> tensor<2x4x32xf32>
  return
}

// -----

func.func @negative_query_count(%q: tensor<2x37x8xf32>, %v: tensor<2x37x32xf32>, %p: tensor<2x37xi32>, %c: tensor<2xi32>, %first: index) {
  %n = arith.constant -1 : index
  // expected-error @+1 {{'queries' count must not be negative, got -1}}
  %r = seqboat.local_attention %q, %q, %v, %p, %c queries(%first, %n) {window = 4 : i64} : tensor<2x37x8xf32>, tensor<2x37x32xf32>, tensor<2x37xi32>, tensor<2xi32> -> tensor<2x?x32xf32>
  return
}

// -----

func.func @f64(%x: tensor<2x37x16xf64>, %w: tensor<16x4xf64>, %b: tensor<16xf64>) {
  // expected-error @+1 {{'x' has element type 'f64', but the element type must be f32, f16 or bf16}}
  %r = seqboat.short_conv %x, %w, %b : tensor<2x37x16xf64>, tensor<16x4xf64>, tensor<16xf64>
  return
}

// -----

func.func @half_param(%x: tensor<2x37x16xbf16>, %p: tensor<16x4xf16>, %om: tensor<16xf16>) {
  // expected-error @+1 {{'delta' has element type 'f16', but 'x' has 'bf16' (small parameters have the type of 'x' or f32)}}
  %r = seqboat.ema_conv %x, %p, %p, %p, %p, %om : tensor<2x37x16xbf16>, tensor<16x4xf16>, tensor<16xf16>
  return
}

// -----

func.func @mixed_params(%x: tensor<2x37x16xbf16>, %p: tensor<16x4xf32>, %om: tensor<16xbf16>) {
  // expected-error @+1 {{'omega' has element type 'bf16', but 'delta' has 'f32' (the small parameters share one type)}}
  %r = seqboat.ema_conv %x, %p, %p, %p, %p, %om : tensor<2x37x16xbf16>, tensor<16x4xf32>, tensor<16xbf16>
  return
}

// -----

func.func @f32_dense_weight(%a0: tensor<2x37x16xbf16>, %a1: tensor<16xf32>, %a2: tensor<16xf32>, %a3: tensor<32x4xf32>, %a4: tensor<32x4xf32>, %a5: tensor<32x4xf32>, %a6: tensor<32x4xf32>, %a7: tensor<16xf32>, %a8: tensor<18x16xf32>, %a9: tensor<18xbf16>, %a10: tensor<f32>, %a11: tensor<72x16xbf16>, %a12: tensor<72xbf16>, %a13: tensor<2x8xf32>, %a14: tensor<2x8xf32>, %a15: tensor<127xf32>, %a16: tensor<16x32xbf16>, %a17: tensor<16xbf16>) {
  // expected-error @+1 {{'hx_w' has element type 'f32', but 'x' has 'bf16'}}
  %r = "seqboat.layer"(%a0, %a1, %a2, %a3, %a4, %a5, %a6, %a7, %a8, %a9, %a10, %a11, %a12, %a13, %a14, %a15, %a16, %a17) <{bidirectional = true, window = 4 : i64}> : (tensor<2x37x16xbf16>, tensor<16xf32>, tensor<16xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<32x4xf32>, tensor<16xf32>, tensor<18x16xf32>, tensor<18xbf16>, tensor<f32>, tensor<72x16xbf16>, tensor<72xbf16>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<127xf32>, tensor<16x32xbf16>, tensor<16xbf16>) -> tensor<2x37x16xbf16>
  return
}
