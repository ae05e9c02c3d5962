//===- KernelBuilder.cpp - scalar kernel code on buffers ------------------===//

#include "KernelBuilder.h"

#include "seqboat/Conversion/SeqBoatToGPU/SeqBoatToGPU.h"
#include "seqboat/Dialect/SeqBoat/Utils/LinalgBuilders.h"

using namespace mlir;
using namespace mlir::seqboat;

Value KernelBuilder::idx(int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}
Value KernelBuilder::fc(double v) { return constant(b, loc, ft, v); }
Value KernelBuilder::i32(int64_t v) {
  return constant(b, loc, b.getI32Type(), static_cast<double>(v));
}

Value KernelBuilder::add(Value a, Value c) {
  return arith::AddIOp::create(b, loc, a, c);
}
Value KernelBuilder::sub(Value a, Value c) {
  return arith::SubIOp::create(b, loc, a, c);
}
Value KernelBuilder::mul(Value a, Value c) {
  return arith::MulIOp::create(b, loc, a, c);
}
Value KernelBuilder::div(Value a, Value c) {
  return arith::DivUIOp::create(b, loc, a, c);
}
Value KernelBuilder::rem(Value a, Value c) {
  return arith::RemUIOp::create(b, loc, a, c);
}
Value KernelBuilder::min(Value a, Value c) {
  return arith::MinSIOp::create(b, loc, a, c);
}
Value KernelBuilder::max(Value a, Value c) {
  return arith::MaxSIOp::create(b, loc, a, c);
}
Value KernelBuilder::lt(Value a, Value c) {
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, a, c);
}
Value KernelBuilder::ge(Value a, Value c) {
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, a, c);
}
Value KernelBuilder::andI(Value a, Value c) {
  return arith::AndIOp::create(b, loc, a, c);
}
Value KernelBuilder::toIndex(Value v) {
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
}
Value KernelBuilder::toI32(Value v) {
  return arith::IndexCastOp::create(b, loc, b.getI32Type(), v);
}

// Multiplies and adds may contract into FMAs (one rounding instead of two):
// without the flag the NVPTX backend emits separate mul.rn/add.rn, which
// ptxas does not fuse.
static arith::FastMathFlags contract() {
  return arith::FastMathFlags::contract;
}
Value KernelBuilder::fadd(Value a, Value c) {
  return arith::AddFOp::create(b, loc, a, c, contract());
}
Value KernelBuilder::fsub(Value a, Value c) {
  return arith::SubFOp::create(b, loc, a, c, contract());
}
Value KernelBuilder::fmul(Value a, Value c) {
  return arith::MulFOp::create(b, loc, a, c, contract());
}
Value KernelBuilder::fdiv(Value a, Value c) {
  return arith::DivFOp::create(b, loc, a, c);
}
Value KernelBuilder::fmax(Value a, Value c) {
  return arith::MaximumFOp::create(b, loc, a, c);
}
Value KernelBuilder::exp(Value a) { return math::ExpOp::create(b, loc, a); }
Value KernelBuilder::sqrt(Value a) { return math::SqrtOp::create(b, loc, a); }
Value KernelBuilder::erf(Value a) { return math::ErfOp::create(b, loc, a); }
Value KernelBuilder::sigmoid(Value a) { return seqboat::sigmoid(b, loc, a); }
Value KernelBuilder::silu(Value a) { return seqboat::silu(b, loc, a); }
Value KernelBuilder::select(Value cond, Value a, Value c) {
  return arith::SelectOp::create(b, loc, cond, a, c);
}

Value KernelBuilder::load(Value mem, ValueRange indices) {
  Value v = memref::LoadOp::create(b, loc, mem, indices);
  auto narrow = dyn_cast<FloatType>(v.getType());
  if (narrow && narrow != ft &&
      narrow.getWidth() < cast<FloatType>(ft).getWidth())
    return arith::ExtFOp::create(b, loc, ft, v);
  return v;
}
void KernelBuilder::store(Value value, Value mem, ValueRange indices) {
  Type element = cast<MemRefType>(mem.getType()).getElementType();
  if (isa<FloatType>(element) && value.getType() == ft && element != ft)
    value = arith::TruncFOp::create(b, loc, element, value);
  memref::StoreOp::create(b, loc, value, mem, indices);
}
Value KernelBuilder::scratch(ArrayRef<int64_t> shape, Type elementType) {
  return memref::AllocaOp::create(b, loc, MemRefType::get(shape, elementType));
}

void KernelBuilder::loop(Value lb, Value ub, BodyFn body) {
  auto forOp = scf::ForOp::create(b, loc, lb, ub, idx(1));
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(forOp.getBody()->getTerminator());
  body(forOp.getInductionVar());
}

SmallVector<Value> KernelBuilder::loopAcc(Value lb, Value ub, ValueRange init,
                                          AccFn body) {
  auto forOp = scf::ForOp::create(
      b, loc, lb, ub, idx(1), init,
      [&](OpBuilder &nb, Location, Value iv, ValueRange args) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
        SmallVector<Value> next = body(iv, args);
        scf::YieldOp::create(b, loc, next);
      });
  return SmallVector<Value>(forOp.getResults());
}

SmallVector<Value> KernelBuilder::reductionLoop(Value lb, Value ub,
                                                ValueRange init, AccFn body) {
  SmallVector<Value> results = loopAcc(lb, ub, init, body);
  results.front().getDefiningOp()->setAttr(kUnrollAttrName, b.getUnitAttr());
  return results;
}

void KernelBuilder::ifThen(Value cond, llvm::function_ref<void()> then) {
  auto ifOp = scf::IfOp::create(b, loc, cond, /*withElseRegion=*/false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(ifOp.thenBlock()->getTerminator());
  then();
}

static scf::ForallOp mappedForall(OpBuilder &b, Location loc,
                                  OpFoldResult extent, Attribute mapping) {
  return scf::ForallOp::create(b, loc, ArrayRef<OpFoldResult>{extent},
                               ValueRange{}, b.getArrayAttr({mapping}));
}

void KernelBuilder::kernel(StringRef name, OpFoldResult gridSize,
                           BodyFn body) {
  auto forall = mappedForall(
      b, loc, gridSize,
      gpu::GPUBlockMappingAttr::get(b.getContext(), gpu::MappingId::DimX));
  forall->setAttr(kKernelNameAttr, b.getStringAttr(Twine(name) + kernelSuffix));
  forall->setAttr(kThreadsAttrName, b.getI64IntegerAttr(threadsPerBlock));
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(forall.getBody()->getTerminator());
  body(forall.getInductionVar(0));
}

void KernelBuilder::threads(OpFoldResult extent, BodyFn body) {
  auto forall = mappedForall(
      b, loc, extent,
      gpu::GPUThreadMappingAttr::get(b.getContext(), gpu::MappingId::DimX));
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(forall.getBody()->getTerminator());
  body(forall.getInductionVar(0));
}
