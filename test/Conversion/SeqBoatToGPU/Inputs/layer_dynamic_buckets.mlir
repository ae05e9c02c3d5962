// The dynamic example layer with per-length configs, as seqboat-apply-tuning
// writes them from a database tuned at two lengths (docs/tuning.md): L <= 64
// takes the first config, every longer L the second.
func.func @seqboat_layer_dynamic(%x: tensor<?x?x16xf32>, %nw: tensor<16xf32>, %nb: tensor<16xf32>,
                         %d: tensor<32x4xf32>, %a: tensor<32x4xf32>, %bt: tensor<32x4xf32>,
                         %g: tensor<32x4xf32>, %om: tensor<16xf32>, %hxw: tensor<18x16xf32>,
                         %hxb: tensor<18xf32>, %lt: tensor<f32>, %mxw: tensor<72x16xf32>,
                         %mxb: tensor<72xf32>, %qg: tensor<2x8xf32>, %qb: tensor<2x8xf32>,
                         %rb: tensor<127xf32>, %hw: tensor<16x32xf32>, %hb: tensor<16xf32>)
    -> tensor<?x?x16xf32> {
  %y = "seqboat.layer"(%x, %nw, %nb, %d, %a, %bt, %g, %om, %hxw, %hxb, %lt, %mxw, %mxb, %qg, %qb, %rb, %hw, %hb)
    <{activation = #seqboat.activation<softmax>, bidirectional = true, eps = 1.000000e-05 : f32,
      norm = #seqboat.norm<layernorm>, prenorm = true, window = 4 : i64}>
    {seqboat.bucket_max_l = array<i64: 64, 512>,
     seqboat.bucket_configs = [#seqboat.config<threads = 64, rows_per_block = 4, ema_chunk = 64, attn_queries = 4>,
                               #seqboat.config<threads = 128, rows_per_block = 8, unroll = 2, ema_chunk = 64, attn_queries = 8>]}
    : (tensor<?x?x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<32x4xf32>, tensor<32x4xf32>,
       tensor<32x4xf32>, tensor<32x4xf32>, tensor<16xf32>, tensor<18x16xf32>, tensor<18xf32>,
       tensor<f32>, tensor<72x16xf32>, tensor<72xf32>, tensor<2x8xf32>, tensor<2x8xf32>,
       tensor<127xf32>, tensor<16x32xf32>, tensor<16xf32>) -> tensor<?x?x16xf32>
  return %y : tensor<?x?x16xf32>
}
