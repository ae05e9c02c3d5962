// RUN: seqboat-opt %s --seqboat-approximate-math | FileCheck %s

// math.exp becomes inline arithmetic (no libm call), with exact 0 below
// ln(FLT_MIN) and +inf above ln(FLT_MAX) selected around the polynomial.
// CHECK-LABEL: func @vector
// CHECK-NOT: math.exp
// CHECK-DAG: %[[LOW:.*]] = arith.constant dense<-87.3365402> : vector<8xf32>
// CHECK-DAG: %[[HIGH:.*]] = arith.constant dense<88.7228394> : vector<8xf32>
// CHECK-DAG: %[[UNDER:.*]] = arith.cmpf olt, %arg0, %[[LOW]]
// CHECK-DAG: %[[OVER:.*]] = arith.cmpf ogt, %arg0, %[[HIGH]]
// CHECK: %[[SAT:.*]] = arith.select %[[OVER]]
// CHECK: arith.select %[[UNDER]], %{{.*}}, %[[SAT]]
func.func @vector(%x: vector<8xf32>) -> vector<8xf32> {
  %0 = math.exp %x : vector<8xf32>
  return %0 : vector<8xf32>
}

// CHECK-LABEL: func @scalar
// CHECK-NOT: math.exp
// CHECK: arith.cmpf olt
func.func @scalar(%x: f32) -> f32 {
  %0 = math.exp %x : f32
  return %0 : f32
}

// Other functions and element types keep their libm lowering.
// CHECK-LABEL: func @others
// CHECK: math.exp %{{.*}} : f64
// CHECK: math.erf
// CHECK: math.powf
func.func @others(%x: f64, %y: f32) -> (f64, f32, f32) {
  %0 = math.exp %x : f64
  %1 = math.erf %y : f32
  %2 = math.powf %y, %y : f32
  return %0, %1, %2 : f64, f32, f32
}
