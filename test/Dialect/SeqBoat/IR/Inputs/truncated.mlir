// CHECK-SAME: -> tensor<2x37x16xf32>
func.func @spec_layer(%x: tensor<2x37x16xf32>, %nw: tensor<16xf32>, %nb: tensor<16xf32>, %d: tensor<32x4xf32>,
                      %a: tensor<32x4xf32>, %bt: tensor<32x4xf32>, %g: tensor<32x4xf32>, %om: tensor<16xf32>,
                      %hxw: tensor<18x16xf32>, %hxb: tensor<18xf32>, %lt: tensor<f32>, %mxw: tensor<72x16xf32>,
                      %mxb: tensor<72xf32>, %qg: tensor<2x8xf32>, %qb: tensor<2x8xf32>, %rb: tensor<127xf32>,
                      %hw: tensor<16x32xf32>, %hb: tensor<16xf32>) -> tensor<2x37x16xf32> {
