// RUN: seqboat-opt %s --seqboat-export-abi | FileCheck %s

// Public functions get their tensor signature as seqboat.abi, the C
// interface, and the same signature as a C string global; private and
// external functions are left alone.

// CHECK: llvm.mlir.global external constant @__seqboat_abi_add("(tensor<2x3xf32>, tensor<3xi32>) -> (tensor<2x3xf32>, tensor<i1>)\00")
// CHECK-NOT: __seqboat_abi_helper
// CHECK-LABEL: func.func @add
// CHECK-SAME: attributes {llvm.emit_c_interface, seqboat.abi = (tensor<2x3xf32>, tensor<3xi32>) -> (tensor<2x3xf32>, tensor<i1>)}
func.func @add(%a: tensor<2x3xf32>, %b: tensor<3xi32>) -> (tensor<2x3xf32>, tensor<i1>) {
  %t = arith.constant dense<true> : tensor<i1>
  return %a, %t : tensor<2x3xf32>, tensor<i1>
}

// CHECK-LABEL: func.func private @helper
// CHECK-NOT: seqboat.abi
func.func private @helper(%a: tensor<4xf32>) -> tensor<4xf32> {
  return %a : tensor<4xf32>
}
