// RUN: seqboat-opt %s | seqboat-opt | FileCheck %s
// RUN: seqboat-opt %s --mlir-print-op-generic | seqboat-opt | FileCheck %s
// RUN: seqboat-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC

// Every op in its custom form; each RUN line re-parses the printed form.

// CHECK-LABEL: func @ema_kernel
// CHECK: seqboat.ema_kernel %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} {length = 64 : i64} : tensor<16x4xf32> -> tensor<16x64xf32>
// GENERIC-LABEL: sym_name = "ema_kernel"
// GENERIC: "seqboat.ema_kernel"({{.*}}) <{length = 64 : i64}>
func.func @ema_kernel(%d: tensor<16x4xf32>, %a: tensor<16x4xf32>, %b: tensor<16x4xf32>, %g: tensor<16x4xf32>) -> tensor<16x64xf32> {
  %k = seqboat.ema_kernel %d, %a, %b, %g {length = 64 : i64} : tensor<16x4xf32> -> tensor<16x64xf32>
  return %k : tensor<16x64xf32>
}

// CHECK-LABEL: func @ema_conv
// CHECK: seqboat.ema_conv %{{[a-z0-9_, %]+}} : tensor<2x37x16xf32>, tensor<16x4xf32>, tensor<16xf32>
// CHECK: seqboat.ema_conv %{{[a-z0-9_, %]+}} {bidirectional = true} : tensor<2x37x16xf32>, tensor<32x4xf32>, tensor<16xf32>
// GENERIC-LABEL: sym_name = "ema_conv"
// GENERIC: "seqboat.ema_conv"({{.*}}) <{bidirectional = false}>
// GENERIC: "seqboat.ema_conv"({{.*}}) <{bidirectional = true}>
func.func @ema_conv(%x: tensor<2x37x16xf32>, %p: tensor<16x4xf32>, %p2: tensor<32x4xf32>, %om: tensor<16xf32>) -> (tensor<2x37x16xf32>, tensor<2x37x16xf32>) {
  %y = seqboat.ema_conv %x, %p, %p, %p, %p, %om : tensor<2x37x16xf32>, tensor<16x4xf32>, tensor<16xf32>
  %z = seqboat.ema_conv %x, %p2, %p2, %p2, %p2, %om {bidirectional = true} : tensor<2x37x16xf32>, tensor<32x4xf32>, tensor<16xf32>
  return %y, %z : tensor<2x37x16xf32>, tensor<2x37x16xf32>
}

// CHECK-LABEL: func @convs
// CHECK: seqboat.long_conv %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : tensor<2x64x16xf32>, tensor<16x8xf32>
// CHECK: seqboat.long_conv %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} {bidirectional = true} : tensor<2x64x16xf32>, tensor<32x8xf32>
// CHECK: seqboat.short_conv %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : tensor<2x64x16xf32>, tensor<16x4xf32>, tensor<16xf32>
func.func @convs(%x: tensor<2x64x16xf32>, %k: tensor<16x8xf32>, %k2: tensor<32x8xf32>, %w: tensor<16x4xf32>, %bias: tensor<16xf32>) -> (tensor<2x64x16xf32>, tensor<2x64x16xf32>, tensor<2x64x16xf32>) {
  %a = seqboat.long_conv %x, %k : tensor<2x64x16xf32>, tensor<16x8xf32>
  %b = seqboat.long_conv %x, %k2 {bidirectional = true} : tensor<2x64x16xf32>, tensor<32x8xf32>
  %c = seqboat.short_conv %x, %w, %bias : tensor<2x64x16xf32>, tensor<16x4xf32>, tensor<16xf32>
  return %a, %b, %c : tensor<2x64x16xf32>, tensor<2x64x16xf32>, tensor<2x64x16xf32>
}

// CHECK-LABEL: func @routing
// CHECK: %[[GATE:.*]], %[[ACTIVE:.*]] = seqboat.route %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : tensor<2x37x2xf32>, tensor<f32> -> tensor<2x37xf32>, tensor<2x37xi1>
// CHECK: %[[POS:.*]], %[[COUNT:.*]] = seqboat.compact_index %[[ACTIVE]] : tensor<2x37xi1> -> tensor<2x37xi32>, tensor<2xi32>
// CHECK: %[[XC:.*]] = seqboat.gather %{{[a-z0-9_]+}}, %[[POS]] : tensor<2x37x16xf32>, tensor<2x37xi32> -> tensor<2x37x16xf32>
// CHECK: seqboat.scatter %[[XC]], %[[POS]] {length = 37 : i64} : tensor<2x37x16xf32>, tensor<2x37xi32> -> tensor<2x37x16xf32>
func.func @routing(%u: tensor<2x37x2xf32>, %lt: tensor<f32>, %x: tensor<2x37x16xf32>) -> (tensor<2x37xf32>, tensor<2xi32>, tensor<2x37x16xf32>) {
  %gate, %active = seqboat.route %u, %lt : tensor<2x37x2xf32>, tensor<f32> -> tensor<2x37xf32>, tensor<2x37xi1>
  %pos, %count = seqboat.compact_index %active : tensor<2x37xi1> -> tensor<2x37xi32>, tensor<2xi32>
  %xc = seqboat.gather %x, %pos : tensor<2x37x16xf32>, tensor<2x37xi32> -> tensor<2x37x16xf32>
  %back = seqboat.scatter %xc, %pos {length = 37 : i64} : tensor<2x37x16xf32>, tensor<2x37xi32> -> tensor<2x37x16xf32>
  return %gate, %count, %back : tensor<2x37xf32>, tensor<2xi32>, tensor<2x37x16xf32>
}

// CHECK-LABEL: func @local_attention
// CHECK: seqboat.local_attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} rel_bias(%{{[a-z0-9_]+}}) {bidirectional = true, window = 4 : i64} : tensor<2x37x8xf32>, tensor<2x37x32xf32>, tensor<2x37xi32>, tensor<2xi32>, tensor<127xf32> -> tensor<2x37x32xf32>
// CHECK: seqboat.local_attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} {activation = #seqboat.activation<laplace>, window = 8 : i64} : tensor<2x37x8xf32>, tensor<2x37x32xf32>, tensor<2x37xi32>, tensor<2xi32> -> tensor<2x37x32xf32>
// GENERIC-LABEL: sym_name = "local_attention"
// GENERIC: "seqboat.local_attention"({{.*}}) <{activation = #seqboat.activation<softmax>, bidirectional = true, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 0>, window = 4 : i64}>
func.func @local_attention(%q: tensor<2x37x8xf32>, %v: tensor<2x37x32xf32>, %pos: tensor<2x37xi32>, %count: tensor<2xi32>, %rb: tensor<127xf32>) -> (tensor<2x37x32xf32>, tensor<2x37x32xf32>) {
  %o = seqboat.local_attention %q, %q, %v, %pos, %count rel_bias(%rb) {bidirectional = true, window = 4 : i64}
      : tensor<2x37x8xf32>, tensor<2x37x32xf32>, tensor<2x37xi32>, tensor<2xi32>, tensor<127xf32> -> tensor<2x37x32xf32>
  %p = seqboat.local_attention %q, %q, %v, %pos, %count {activation = #seqboat.activation<laplace>, window = 8 : i64}
      : tensor<2x37x8xf32>, tensor<2x37x32xf32>, tensor<2x37xi32>, tensor<2xi32> -> tensor<2x37x32xf32>
  return %o, %p : tensor<2x37x32xf32>, tensor<2x37x32xf32>
}

// CHECK-LABEL: func @state_scan
// CHECK: seqboat.state_scan %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} : tensor<2x8x16x4xf32>, tensor<16x4xf32>
func.func @state_scan(%u: tensor<2x8x16x4xf32>, %decay: tensor<16x4xf32>) -> tensor<2x8x16x4xf32> {
  %s = seqboat.state_scan %u, %decay : tensor<2x8x16x4xf32>, tensor<16x4xf32>
  return %s : tensor<2x8x16x4xf32>
}

// A tile of query rows (what tiling the op along its query slots makes).
// CHECK-LABEL: func @local_attention_rows
// CHECK: seqboat.local_attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} queries(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}) {window = 4 : i64} : tensor<2x37x8xf32>, tensor<2x37x32xf32>, tensor<2x37xi32>, tensor<2xi32> -> tensor<2x4x32xf32>
// GENERIC-LABEL: sym_name = "local_attention_rows"
// GENERIC: "seqboat.local_attention"({{.*}}) <{activation = #seqboat.activation<softmax>, bidirectional = false, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 0, 2>, window = 4 : i64}>
func.func @local_attention_rows(%q: tensor<2x37x8xf32>, %v: tensor<2x37x32xf32>, %pos: tensor<2x37xi32>, %count: tensor<2xi32>, %first: index) -> tensor<2x4x32xf32> {
  %n = arith.constant 4 : index
  %o = seqboat.local_attention %q, %q, %v, %pos, %count queries(%first, %n) {window = 4 : i64}
      : tensor<2x37x8xf32>, tensor<2x37x32xf32>, tensor<2x37xi32>, tensor<2xi32> -> tensor<2x4x32xf32>
  return %o : tensor<2x4x32xf32>
}

// CHECK-LABEL: func @linear_attention
// CHECK: seqboat.linear_attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} decay(%{{[a-z0-9_]+}}) {chunk = 32 : i64} : tensor<2x256x16xf32>, tensor<2x256x32xf32>, tensor<f32> -> tensor<2x256x32xf32>
// CHECK: seqboat.linear_attention %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}} {bidirectional = true} : tensor<2x256x16xf32>, tensor<2x256x32xf32> -> tensor<2x256x32xf32>
func.func @linear_attention(%q: tensor<2x256x16xf32>, %v: tensor<2x256x32xf32>, %g: tensor<f32>) -> (tensor<2x256x32xf32>, tensor<2x256x32xf32>) {
  %o = seqboat.linear_attention %q, %q, %v decay(%g) {chunk = 32 : i64} : tensor<2x256x16xf32>, tensor<2x256x32xf32>, tensor<f32> -> tensor<2x256x32xf32>
  %p = seqboat.linear_attention %q, %q, %v {bidirectional = true} : tensor<2x256x16xf32>, tensor<2x256x32xf32> -> tensor<2x256x32xf32>
  return %o, %p : tensor<2x256x32xf32>, tensor<2x256x32xf32>
}

// CHECK-LABEL: func @layer
// CHECK: seqboat.layer %{{[a-z0-9_]+}} norm(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}) ema(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}) hx(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}) route(%{{[a-z0-9_]+}}) mx(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}) qk(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}}) rel_bias(%{{[a-z0-9_]+}}) h(%{{[a-z0-9_]+}}, %{{[a-z0-9_]+}})
// CHECK-SAME: {activation = #seqboat.activation<relu2>, eps = 9.99999997E-7 : f32, norm = #seqboat.norm<rmsnorm>, prenorm = false, window = 16 : i64}
// CHECK-SAME: -> tensor<1x64x16xf32>
func.func @layer(%x: tensor<1x64x16xf32>, %nw: tensor<16xf32>, %p: tensor<16x4xf32>, %hxw: tensor<18x16xf32>,
                 %hxb: tensor<18xf32>, %lt: tensor<f32>, %mxw: tensor<72x16xf32>, %mxb: tensor<72xf32>,
                 %qg: tensor<2x8xf32>, %rb: tensor<31xf32>, %hw: tensor<16x32xf32>) -> tensor<1x64x16xf32> {
  %y = seqboat.layer %x norm(%nw, %nw) ema(%p, %p, %p, %p, %nw) hx(%hxw, %hxb) route(%lt) mx(%mxw, %mxb)
      qk(%qg, %qg) rel_bias(%rb) h(%hw, %nw)
      {activation = #seqboat.activation<relu2>, eps = 1.0e-6 : f32, norm = #seqboat.norm<rmsnorm>, prenorm = false, window = 16 : i64}
      : (tensor<1x64x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16x4xf32>, tensor<16x4xf32>, tensor<16x4xf32>,
         tensor<16x4xf32>, tensor<16xf32>, tensor<18x16xf32>, tensor<18xf32>, tensor<f32>, tensor<72x16xf32>,
         tensor<72xf32>, tensor<2x8xf32>, tensor<2x8xf32>, tensor<31xf32>, tensor<16x32xf32>, tensor<16xf32>)
      -> tensor<1x64x16xf32>
  return %y : tensor<1x64x16xf32>
}

// Dynamic dimensions verify against anything.
// CHECK-LABEL: func @dynamic
// CHECK: seqboat.ema_conv %{{[a-z0-9_, %]+}} : tensor<?x?x16xf32>, tensor<16x?xf32>, tensor<16xf32>
func.func @dynamic(%x: tensor<?x?x16xf32>, %p: tensor<16x?xf32>, %om: tensor<16xf32>) -> tensor<?x?x16xf32> {
  %y = seqboat.ema_conv %x, %p, %p, %p, %p, %om : tensor<?x?x16xf32>, tensor<16x?xf32>, tensor<16xf32>
  return %y : tensor<?x?x16xf32>
}
