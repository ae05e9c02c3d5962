//===- LinalgBuilders.h - small builders of tensor-level linalg -*- C++ -*-===//
//
// Shared by the seqboat.layer decomposition and the seqboat-to-linalg
// lowering: destination-style linalg.generic ops on static-shaped tensors,
// written as index maps plus a scalar body.
//
//===----------------------------------------------------------------------===//

#ifndef SEQBOAT_DIALECT_SEQBOAT_UTILS_LINALGBUILDERS_H
#define SEQBOAT_DIALECT_SEQBOAT_UTILS_LINALGBUILDERS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"

namespace mlir::seqboat {

/// Scalar body of a generic: block arguments of the inputs (and, for
/// reductions, the accumulator last) -> yielded values.
using ScalarBody =
    llvm::function_ref<Value(OpBuilder &, Location, ValueRange args)>;

/// Maps `(d0, ..., d{numDims-1}) -> (exprs)`; `exprs` use getAffineDimExpr.
AffineMap map(MLIRContext *ctx, unsigned numDims, ArrayRef<AffineExpr> exprs);
/// `(d0, ..., d{numDims-1}) -> (d{dims[0]}, d{dims[1]}, ...)`.
AffineMap dimsMap(MLIRContext *ctx, unsigned numDims, ArrayRef<unsigned> dims);

/// tensor.empty of a static shape.
Value emptyTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                  Type elementType);
/// tensor.empty of mixed static/dynamic sizes.
Value emptyTensor(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes,
                  Type elementType);
/// A static tensor filled with `value`.
Value filledTensor(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                   Type elementType, double value);
/// A tensor of mixed sizes filled with `value`.
Value filledTensor(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes,
                   Type elementType, double value);
/// A float or integer constant of `type`.
Value constant(OpBuilder &b, Location loc, Type type, double value);

/// All-parallel generic producing `shape`; its output map is the identity.
Value parallelGeneric(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                      Type elementType, ValueRange inputs,
                      ArrayRef<AffineMap> inputMaps, ScalarBody body);
/// parallelGeneric with mixed static/dynamic sizes.
Value parallelGeneric(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes,
                      Type elementType, ValueRange inputs,
                      ArrayRef<AffineMap> inputMaps, ScalarBody body);

/// All-parallel generic that updates `dest` in place (destination passing,
/// so loop-carried tensors bufferize without copies); `body` receives the
/// input elements followed by the current element of `dest`.
Value parallelUpdate(OpBuilder &b, Location loc, Value dest, ValueRange inputs,
                     ArrayRef<AffineMap> inputMaps, ScalarBody body);

/// Generic over the result's dims followed by `numReductionDims` reduction
/// dims: `out = init + sum(term(inputs))`. `init` defaults to zeros.
Value reductionGeneric(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                       unsigned numReductionDims, ValueRange inputs,
                       ArrayRef<AffineMap> inputMaps, ScalarBody term,
                       Value init = {});
/// reductionGeneric with mixed static/dynamic result sizes.
Value reductionGeneric(OpBuilder &b, Location loc, ArrayRef<OpFoldResult> sizes,
                       unsigned numReductionDims, ValueRange inputs,
                       ArrayRef<AffineMap> inputMaps, ScalarBody term,
                       Value init = {});

/// `init[outputMap(i)] += term(inputs[inputMaps(i)])` over loops with the
/// given iterator types; reduction loops may sit anywhere (e.g. outside a
/// contiguous parallel dim so the inner loop vectorises). Float or integer
/// elements.
Value accumulateGeneric(OpBuilder &b, Location loc, Value init,
                        ValueRange inputs, ArrayRef<AffineMap> inputMaps,
                        AffineMap outputMap,
                        ArrayRef<utils::IteratorType> iterators,
                        ScalarBody term);

/// `x[..., I] . w[O, I]^T + bias[O]` for x of any rank >= 2: one
/// linalg.generic; with `hostRowBlocks` and a dynamic B or L, a host loop
/// over batch rows and blocks of 64 tokens (static-shape projections for the
/// host strategies) and the last partial block.
Value linearProjection(OpBuilder &b, Location loc, Value x, Value w,
                       Value bias, bool hostRowBlocks = false);

/// Discardable attribute on a seqboat.layer asking its decomposition for
/// host row blocks (seqboat-decompose{host-row-blocks}).
constexpr llvm::StringLiteral kHostRowBlocksAttr = "seqboat.host_row_blocks";

/// tensor.extract_slice with static offsets and sizes, unit strides. When
/// `resultShape` is given, unit dimensions are dropped (rank-reducing).
Value staticSlice(OpBuilder &b, Location loc, Value source,
                  ArrayRef<int64_t> offsets, ArrayRef<int64_t> sizes,
                  std::optional<ArrayRef<int64_t>> resultShape = std::nullopt);
/// tensor.extract_slice with mixed offsets and sizes, unit strides (the
/// result type has the static sizes, `?` for the others).
Value mixedSlice(OpBuilder &b, Location loc, Value source,
                 ArrayRef<OpFoldResult> offsets, ArrayRef<OpFoldResult> sizes);
/// tensor.insert_slice counterpart of staticSlice.
Value staticInsert(OpBuilder &b, Location loc, Value source, Value dest,
                   ArrayRef<OpFoldResult> offsets, ArrayRef<int64_t> sizes);
/// Zero padding with static amounts (dynamic dims stay dynamic).
Value zeroPad(OpBuilder &b, Location loc, Value source, ArrayRef<int64_t> low,
              ArrayRef<int64_t> high);
/// Zero padding with mixed amounts.
Value zeroPad(OpBuilder &b, Location loc, Value source,
              ArrayRef<OpFoldResult> low, ArrayRef<OpFoldResult> high);
/// x with dimension `dim` reversed.
Value reverseDim(OpBuilder &b, Location loc, Value x, unsigned dim);

/// Scalar helpers.
Value sigmoid(OpBuilder &b, Location loc, Value x);
Value silu(OpBuilder &b, Location loc, Value x);
/// linalg.index(dim) as a float of `type`.
Value indexAsFloat(OpBuilder &b, Location loc, unsigned dim, Type type);

/// Elementwise silu of a tensor.
Value siluTensor(OpBuilder &b, Location loc, Value x);

/// The largest divisor of `extent` that is at most `bound` and a multiple of
/// `unit` (which divides `extent`); `unit` when there is none larger.
int64_t largestDivisor(int64_t extent, int64_t bound, int64_t unit = 1);

/// Builds a tile [1, block, rest...] of a row-block forall's shared output,
/// given (batch row b, first row `start` of the block, the tile); returns
/// the tile's new value.
using RowBlockBody = llvm::function_ref<Value(
    OpBuilder &, Location, Value batch, Value start, Value tile)>;

/// An scf.forall over (batch row, block of `block` rows) of `init`
/// ([B, R, ...], B and R static or dynamic) in which iteration (b, t) owns
/// the rows [t * block, min((t + 1) * block, R)) of batch row b: `body`
/// computes that tile ([1, block, ...], or [1, ?, ...] when `block` does not
/// divide a static R or R is dynamic and the last block may be partial),
/// which is inserted back in parallel. Returns the forall's result.
Value rowBlockForall(OpBuilder &b, Location loc, Value init, int64_t block,
                     RowBlockBody body);

/// The k of the tensor cores' mma.sync for operands of `elementType`: 16
/// for f16/bf16 (m16n8k16), 8 for f32 as TF32 (m16n8k8).
inline int64_t mmaSyncK(Type elementType) {
  return elementType.getIntOrFloatBitWidth() == 16 ? 16 : 8;
}

/// The producer of `value` when a reader can compute any element of it on
/// its own: a linalg.generic on tensors over `value`'s dims, all parallel,
/// one result, its init identity-mapped and unread, a body of scalar
/// arith/math ops, every input read at dims or constants of the element's
/// index (the layer's q = z·γ₀ + β₀, an extension of a 16-bit tensor).
/// Null otherwise.
linalg::GenericOp getElementwiseProducer(Value value);

/// value[point], computed through its elementwise producer when it has one
/// (its inputs read at their maps of the point, its body cloned at the
/// builder's insertion point), else a tensor.extract.
Value readElement(OpBuilder &b, Location loc, Value value, ValueRange point);

} // namespace mlir::seqboat

#endif // SEQBOAT_DIALECT_SEQBOAT_UTILS_LINALGBUILDERS_H
