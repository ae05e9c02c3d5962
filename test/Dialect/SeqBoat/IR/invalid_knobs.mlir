// RUN: seqboat-opt %s -split-input-file -verify-diagnostics

func.func @threads_not_warp(%x: tensor<2x37x16xf32>, %w: tensor<16x4xf32>, %b: tensor<16xf32>) -> tensor<2x37x16xf32> {
  // expected-error @+1 {{'seqboat.knobs' knob 'threads' must be a multiple of 32 in [32, 1024], got 48}}
  %y = "seqboat.short_conv"(%x, %w, %b) {seqboat.knobs = {threads = 48 : i64}}
      : (tensor<2x37x16xf32>, tensor<16x4xf32>, tensor<16xf32>) -> tensor<2x37x16xf32>
  return %y : tensor<2x37x16xf32>
}

// -----

func.func @unknown_knob(%x: tensor<2x37x16xf32>, %w: tensor<16x4xf32>, %b: tensor<16xf32>) -> tensor<2x37x16xf32> {
  // expected-error @+1 {{'seqboat.knobs' has no knob 'tile_m' (it takes 'threads', 'scan_chunk', 'query_block' and 'key_block')}}
  %y = "seqboat.short_conv"(%x, %w, %b) {seqboat.knobs = {tile_m = 64 : i64}}
      : (tensor<2x37x16xf32>, tensor<16x4xf32>, tensor<16xf32>) -> tensor<2x37x16xf32>
  return %y : tensor<2x37x16xf32>
}

// -----

func.func @not_integer(%x: tensor<2x37x16xf32>, %w: tensor<16x4xf32>, %b: tensor<16xf32>) -> tensor<2x37x16xf32> {
  // expected-error @+1 {{'seqboat.knobs' knob 'scan_chunk' must be an integer, got "8"}}
  %y = "seqboat.short_conv"(%x, %w, %b) {seqboat.knobs = {scan_chunk = "8"}}
      : (tensor<2x37x16xf32>, tensor<16x4xf32>, tensor<16xf32>) -> tensor<2x37x16xf32>
  return %y : tensor<2x37x16xf32>
}

// -----

func.func @chunk_zero(%x: tensor<2x37x16xf32>, %w: tensor<16x4xf32>, %b: tensor<16xf32>) -> tensor<2x37x16xf32> {
  // expected-error @+1 {{'seqboat.knobs' knob 'scan_chunk' must be positive, got 0}}
  %y = "seqboat.short_conv"(%x, %w, %b) {seqboat.knobs = {scan_chunk = 0 : i64}}
      : (tensor<2x37x16xf32>, tensor<16x4xf32>, tensor<16xf32>) -> tensor<2x37x16xf32>
  return %y : tensor<2x37x16xf32>
}

// -----

func.func @not_dict(%x: tensor<2x37x16xf32>, %w: tensor<16x4xf32>, %b: tensor<16xf32>) -> tensor<2x37x16xf32> {
  // expected-error @+1 {{'seqboat.knobs' must be a dictionary, got 64 : i64}}
  %y = "seqboat.short_conv"(%x, %w, %b) {seqboat.knobs = 64 : i64}
      : (tensor<2x37x16xf32>, tensor<16x4xf32>, tensor<16xf32>) -> tensor<2x37x16xf32>
  return %y : tensor<2x37x16xf32>
}

// -----

func.func @key_block_negative(%x: tensor<2x37x16xf32>, %w: tensor<16x4xf32>, %b: tensor<16xf32>) -> tensor<2x37x16xf32> {
  // expected-error @+1 {{'seqboat.knobs' knob 'key_block' must be in [0, 1024] (0: the scan strategy), got -8}}
  %y = "seqboat.short_conv"(%x, %w, %b) {seqboat.knobs = {key_block = -8 : i64}}
      : (tensor<2x37x16xf32>, tensor<16x4xf32>, tensor<16xf32>) -> tensor<2x37x16xf32>
  return %y : tensor<2x37x16xf32>
}

// -----

func.func @query_block_zero(%x: tensor<2x37x16xf32>, %w: tensor<16x4xf32>, %b: tensor<16xf32>) -> tensor<2x37x16xf32> {
  // expected-error @+1 {{'seqboat.knobs' knob 'query_block' must be in [1, 1024], got 0}}
  %y = "seqboat.short_conv"(%x, %w, %b) {seqboat.knobs = {query_block = 0 : i64}}
      : (tensor<2x37x16xf32>, tensor<16x4xf32>, tensor<16xf32>) -> tensor<2x37x16xf32>
  return %y : tensor<2x37x16xf32>
}

// -----

func.func @autocast_not_half(%q: tensor<1x8x4xf32>, %v: tensor<1x8x4xf32>, %pos: tensor<1x8xi32>, %count: tensor<1xi32>) -> tensor<1x8x4xf32> {
  // expected-error @+1 {{'seqboat.autocast' must be the type f16 or bf16, got f64}}
  %r = "seqboat.local_attention"(%q, %q, %v, %pos, %count) <{activation = #seqboat.activation<softmax>, bidirectional = true, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 0>, window = 2 : i64}> {seqboat.autocast = f64} : (tensor<1x8x4xf32>, tensor<1x8x4xf32>, tensor<1x8x4xf32>, tensor<1x8xi32>, tensor<1xi32>) -> tensor<1x8x4xf32>
  return %r : tensor<1x8x4xf32>
}

// -----

func.func @autocast_not_type(%q: tensor<1x8x4xf32>, %v: tensor<1x8x4xf32>, %pos: tensor<1x8xi32>, %count: tensor<1xi32>) -> tensor<1x8x4xf32> {
  // expected-error @+1 {{'seqboat.autocast' must be the type f16 or bf16, got "bf16"}}
  %r = "seqboat.local_attention"(%q, %q, %v, %pos, %count) <{activation = #seqboat.activation<softmax>, bidirectional = true, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 0>, window = 2 : i64}> {seqboat.autocast = "bf16"} : (tensor<1x8x4xf32>, tensor<1x8x4xf32>, tensor<1x8x4xf32>, tensor<1x8xi32>, tensor<1xi32>) -> tensor<1x8x4xf32>
  return %r : tensor<1x8x4xf32>
}

// -----

func.func @autocast_other_op(%x: tensor<2x37x16xf32>, %w: tensor<16x4xf32>, %b: tensor<16xf32>) -> tensor<2x37x16xf32> {
  // expected-error @+1 {{'seqboat.autocast' applies to seqboat.local_attention only}}
  %y = "seqboat.short_conv"(%x, %w, %b) {seqboat.autocast = bf16}
      : (tensor<2x37x16xf32>, tensor<16x4xf32>, tensor<16xf32>) -> tensor<2x37x16xf32>
  return %y : tensor<2x37x16xf32>
}
