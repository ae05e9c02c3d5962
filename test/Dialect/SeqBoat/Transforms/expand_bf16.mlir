// RUN: seqboat-opt %s --seqboat-expand-bf16 | FileCheck %s
// RUN: seqboat-opt %s --seqboat-expand-bf16 --convert-arith-to-llvm | FileCheck %s --check-prefix=LLVM

// bf16 conversions become integer arithmetic: no fptrunc/fpext of bfloat
// reaches LLVM (which would call __truncsfbf2), vectors included.
// CHECK-LABEL: func @round
// CHECK-NOT: arith.truncf
// CHECK: arith.bitcast %{{.*}} : vector<8xf32> to vector<8xi32>
// CHECK: arith.shrui
// CHECK: arith.trunci %{{.*}} : vector<8xi32> to vector<8xi16>
// CHECK: arith.bitcast %{{.*}} : vector<8xi16> to vector<8xbf16>
// LLVM-LABEL: func @round
// LLVM-NOT: llvm.fptrunc
// LLVM-NOT: llvm.fpext
// LLVM: return
func.func @round(%v: vector<8xf32>, %s: bf16) -> (vector<8xbf16>, f32) {
  %t = arith.truncf %v : vector<8xf32> to vector<8xbf16>
  %e = arith.extf %s : bf16 to f32
  return %t, %e : vector<8xbf16>, f32
}
