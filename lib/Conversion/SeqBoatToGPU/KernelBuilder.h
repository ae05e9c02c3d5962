//===- KernelBuilder.h - scalar kernel code on buffers (internal) -*- C++ -*-===//
//
// A thin layer over OpBuilder for writing kernels as block/thread-mapped
// scf.forall nests with scalar loads, stores and loops. Index arithmetic is
// on `index`, data arithmetic on the kernel's float type.
//
//===----------------------------------------------------------------------===//

#ifndef SEQBOAT_LIB_CONVERSION_SEQBOATTOGPU_KERNELBUILDER_H
#define SEQBOAT_LIB_CONVERSION_SEQBOATTOGPU_KERNELBUILDER_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"

namespace mlir::seqboat {

class KernelBuilder {
public:
  using BodyFn = llvm::function_ref<void(Value)>;
  using AccFn = llvm::function_ref<SmallVector<Value>(Value, ValueRange)>;

  KernelBuilder(OpBuilder &b, Location loc, Type floatType,
                int64_t threadsPerBlock)
      : b(b), loc(loc), ft(floatType), threadsPerBlock(threadsPerBlock) {}

  /// Appended to every kernel name (kernels of one layer built several
  /// times, once per tuned length bucket, need distinct names).
  void setKernelSuffix(StringRef suffix) { kernelSuffix = suffix.str(); }

  OpBuilder &builder() { return b; }
  Location location() const { return loc; }
  Type floatType() const { return ft; }

  // Constants.
  Value idx(int64_t v);
  Value fc(double v);
  Value i32(int64_t v);

  // Index arithmetic.
  Value add(Value a, Value c);
  Value sub(Value a, Value c);
  Value mul(Value a, Value c);
  Value div(Value a, Value c); // unsigned
  Value rem(Value a, Value c); // unsigned
  Value min(Value a, Value c);
  Value max(Value a, Value c);
  Value lt(Value a, Value c);
  Value ge(Value a, Value c);
  Value andI(Value a, Value c);
  Value toIndex(Value i32Value);
  Value toI32(Value index);

  // Float arithmetic.
  Value fadd(Value a, Value c);
  Value fsub(Value a, Value c);
  Value fmul(Value a, Value c);
  Value fdiv(Value a, Value c);
  Value fmax(Value a, Value c);
  Value exp(Value a);
  Value sqrt(Value a);
  Value erf(Value a);
  Value sigmoid(Value a);
  Value silu(Value a);
  Value select(Value cond, Value a, Value c);

  // Memory.
  /// A float narrower than floatType() (f16/bf16 operands) is extended on
  /// load and rounded on store, so kernel arithmetic is in floatType().
  Value load(Value mem, ValueRange indices);
  void store(Value value, Value mem, ValueRange indices);
  /// memref.alloca: shared memory when in a block body, private memory in a
  /// thread body.
  Value scratch(ArrayRef<int64_t> shape, Type elementType);

  // Control flow.
  void loop(Value lb, Value ub, BodyFn body);
  /// scf.for with loop-carried values; returns the final values.
  SmallVector<Value> loopAcc(Value lb, Value ub, ValueRange init, AccFn body);
  /// loopAcc for a reduction the `unroll` knob applies to (tagged).
  SmallVector<Value> reductionLoop(Value lb, Value ub, ValueRange init,
                                   AccFn body);
  void ifThen(Value cond, llvm::function_ref<void()> then);

  /// A kernel: scf.forall over `gridSize` blocks mapped to #gpu.block<x>,
  /// tagged with `name` and its threads per block. A dynamic grid (a
  /// Value) is computed at run time before the launch.
  void kernel(StringRef name, OpFoldResult gridSize, BodyFn body);
  /// A phase of a block: scf.forall over `extent` mapped to #gpu.thread<x>.
  void threads(OpFoldResult extent, BodyFn body);
  void threads(int64_t extent, BodyFn body) {
    threads(b.getIndexAttr(extent), body);
  }

private:
  OpBuilder &b;
  Location loc;
  Type ft;
  int64_t threadsPerBlock;
  std::string kernelSuffix;
};

} // namespace mlir::seqboat

#endif // SEQBOAT_LIB_CONVERSION_SEQBOATTOGPU_KERNELBUILDER_H
