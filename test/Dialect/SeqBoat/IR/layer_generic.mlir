// RUN: seqboat-opt %s | FileCheck %s
// RUN: seqboat-opt %s | seqboat-opt --mlir-print-op-generic | seqboat-opt | FileCheck %s

// SPEC.md's literal generic form of seqboat.layer, verbatim.

// CHECK-LABEL: func @spec_layer
// CHECK: seqboat.layer %{{.*}} norm(
// CHECK-SAME: {bidirectional = true, window = 4 : i64}
// CHECK-SAME: -> tensor<2x37x16xf32>
func.func @spec_layer(%x: tensor<2x37x16xf32>, %nw: tensor<16xf32>, %nb: tensor<16xf32>, %d: tensor<32x4xf32>,
                      %a: tensor<32x4xf32>, %bt: tensor<32x4xf32>, %g: tensor<32x4xf32>, %om: tensor<16xf32>,
                      %hxw: tensor<18x16xf32>, %hxb: tensor<18xf32>, %lt: tensor<f32>, %mxw: tensor<72x16xf32>,
                      %mxb: tensor<72xf32>, %qg: tensor<2x8xf32>, %qb: tensor<2x8xf32>, %rb: tensor<127xf32>,
                      %hw: tensor<16x32xf32>, %hb: tensor<16xf32>) -> tensor<2x37x16xf32> {
%y = "seqboat.layer"(%x, %nw, %nb, %d, %a, %bt, %g, %om, %hxw, %hxb, %lt, %mxw, %mxb, %qg, %qb, %rb, %hw, %hb)
  <{activation = #seqboat.activation<softmax>, bidirectional = true, eps = 1.000000e-05 : f32,
    norm = #seqboat.norm<layernorm>, prenorm = true, window = 4 : i64}>
  : (tensor<2x37x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x4xf32>, tensor<32x4xf32>,
     tensor<32x4xf32>, tensor<32x4xf32>, tensor<16xf32>, tensor<18x16xf32>, tensor<18xf32>,
     tensor<f32>, tensor<72x16xf32>, tensor<72xf32>, tensor<2x8xf32>, tensor<2x8xf32>,
     tensor<127xf32>, tensor<16x32xf32>, tensor<16xf32>) -> tensor<2x37x16xf32>
  return %y : tensor<2x37x16xf32>
}
