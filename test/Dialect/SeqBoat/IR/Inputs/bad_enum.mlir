func.func @f(%q: tensor<2x37x8xf32>, %v: tensor<2x37x32xf32>, %p: tensor<2x37xi32>, %c: tensor<2xi32>) -> tensor<2x37x32xf32> {
  %o = seqboat.local_attention %q, %q, %v, %p, %c {activation = #seqboat.activation<tanh>, window = 4 : i64} : tensor<2x37x8xf32>, tensor<2x37x32xf32>, tensor<2x37xi32>, tensor<2xi32> -> tensor<2x37x32xf32>
  return %o : tensor<2x37x32xf32>
}
