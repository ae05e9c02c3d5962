// Stock mlir-opt (not seqboat-opt) loads libMLIR.so's registries from the
// plugin: the dialect parses and round-trips, and seqboat's passes and
// pipelines run from a textual pipeline (flags such as --seqboat-decompose
// are created before plugins load, so mlir-opt only accepts --pass-pipeline).
// The sanitized build's libraries need an instrumented host.
// UNSUPPORTED: sanitizer
// RUN: mlir-opt --load-dialect-plugin=%seqboat_plugin %s | FileCheck %s --check-prefix=ROUND
// RUN: mlir-opt --load-dialect-plugin=%seqboat_plugin %s | mlir-opt --load-dialect-plugin=%seqboat_plugin | FileCheck %s --check-prefix=ROUND
// RUN: mlir-opt --load-dialect-plugin=%seqboat_plugin --load-pass-plugin=%seqboat_plugin %s \
// RUN:   --pass-pipeline="builtin.module(seqboat-decompose)" | FileCheck %s --check-prefix=DECOMP
// RUN: mlir-opt --load-pass-plugin=%seqboat_plugin --load-dialect-plugin=%seqboat_plugin %s \
// RUN:   --pass-pipeline="builtin.module(seqboat-decompose,convert-seqboat-to-linalg,seqboat-cpu-pipeline)" \
// RUN:   | FileCheck %s --check-prefix=CPU
// RUN: not mlir-opt %s 2>&1 | FileCheck %s --check-prefix=NOPLUGIN

// ROUND-LABEL: func.func @one_layer
// ROUND: seqboat.layer %{{.*}} norm(
// ROUND-SAME: window = 2 : i64

// DECOMP-LABEL: func.func @one_layer
// DECOMP-NOT: seqboat.layer
// DECOMP: seqboat.ema_conv
// DECOMP: seqboat.route
// DECOMP: seqboat.compact_index
// DECOMP: seqboat.local_attention
// DECOMP: seqboat.scatter

// CPU-NOT: seqboat.
// CPU: llvm.func @one_layer

// NOPLUGIN: unregistered dialect

func.func @one_layer(%x: tensor<1x8x4xf32>, %nw: tensor<4xf32>, %nb: tensor<4xf32>,
    %d: tensor<4x2xf32>, %a: tensor<4x2xf32>, %bt: tensor<4x2xf32>, %g: tensor<4x2xf32>,
    %om: tensor<4xf32>, %hxw: tensor<6x4xf32>, %hxb: tensor<6xf32>, %lt: tensor<f32>,
    %mxw: tensor<20x4xf32>, %mxb: tensor<20xf32>, %qg: tensor<2x4xf32>, %qb: tensor<2x4xf32>,
    %rb: tensor<15xf32>, %hw: tensor<4x8xf32>, %hb: tensor<4xf32>) -> tensor<1x8x4xf32> {
  %y = "seqboat.layer"(%x, %nw, %nb, %d, %a, %bt, %g, %om, %hxw, %hxb, %lt, %mxw, %mxb, %qg, %qb, %rb, %hw, %hb)
    <{activation = #seqboat.activation<softmax>, bidirectional = false, eps = 1.000000e-05 : f32,
      norm = #seqboat.norm<layernorm>, prenorm = true, window = 2 : i64}>
    : (tensor<1x8x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4x2xf32>, tensor<4x2xf32>,
       tensor<4x2xf32>, tensor<4x2xf32>, tensor<4xf32>, tensor<6x4xf32>, tensor<6xf32>,
       tensor<f32>, tensor<20x4xf32>, tensor<20xf32>, tensor<2x4xf32>, tensor<2x4xf32>,
       tensor<15xf32>, tensor<4x8xf32>, tensor<4xf32>) -> tensor<1x8x4xf32>
  return %y : tensor<1x8x4xf32>
}
