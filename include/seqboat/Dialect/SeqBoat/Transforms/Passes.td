//===- Passes.td - seqboat dialect transforms --------------*- tablegen -*-===//

#ifndef SEQBOAT_DIALECT_SEQBOAT_TRANSFORMS_PASSES_TD
#define SEQBOAT_DIALECT_SEQBOAT_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def SeqBoatDecompose : Pass<"seqboat-decompose"> {
  let summary = "Decompose seqboat.layer into primitive seqboat ops and linalg";
  let description = [{
    Rewrites every `seqboat.layer` through its `AggregatedOpInterface`
    `decomposeOperation`: norms and projections become `linalg.generic`s, the
    sequence mixing becomes `seqboat.ema_conv`, `seqboat.route`,
    `seqboat.compact_index`, `seqboat.gather`, `seqboat.local_attention` and
    `seqboat.scatter`. The primitive ops are left for
    `convert-seqboat-to-linalg` or a GPU strategy.

    A projection is one `linalg.generic` over all tokens, whatever B and L
    are (kernel formation makes it one kernel). With `host-row-blocks` (the
    CPU pipeline `seqboat-to-llvm-cpu` sets it), a projection over a
    dynamic B or L is instead a host loop over batch rows and blocks of 64
    tokens, projections of static shape that the host contraction strategy
    compiles, then the last partial block.
  }];
  let options = [
    Option<"hostRowBlocks", "host-row-blocks", "bool", /*default=*/"false",
           "Projections over a dynamic B or L as host loops over blocks of "
           "64 tokens (for the CPU host strategies)">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def SeqBoatComputeInF32 : Pass<"seqboat-compute-in-f32"> {
  let summary = "Compute seqboat ops on f16/bf16 tensors in f32";
  let description = [{
    Rewrites every seqboat op (the layer included) that has an f16 or bf16
    tensor operand or result into the same op on f32 tensors: each 16-bit
    operand is extended (`arith.extf`, exact), the op computes in f32, and
    each 16-bit result is rounded once (`arith.truncf`, to nearest even).
    The conversions are elementwise `linalg.generic`s, so every lowering of
    the f32 op applies unchanged and kernel formation fuses them into the
    kernels that read or write the tensors. This is where a 16-bit op rounds:
    at its results and nowhere inside (docs/dialect.md, "Element types").
    The CPU and kernel pipelines run it first; `convert-seqboat-to-linalg`
    and the layer's decomposition apply the same rewrite to any 16-bit op
    they meet.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def SeqBoatExpandBF16 : Pass<"seqboat-expand-bf16"> {
  let summary = "bf16 conversions as integer arithmetic for the CPU";
  let description = [{
    Applies upstream `populateExpandBFloat16Patterns`: `arith.extf` from
    bf16 becomes a shift of the bits and `arith.truncf` to bf16 becomes
    round-to-nearest-even on the integer bits (NaN kept quiet), on scalars
    and vectors. LLVM would otherwise lower the rounding to a
    `__truncsfbf2` runtime call, which not every C runtime a JIT or a
    compiled library links against provides, and which does not vectorise.
    The CPU pipelines run it before the LLVM conversion.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def SeqBoatTileDynamicDims : Pass<"seqboat-tile-dynamic-dims"> {
  let summary = "Tile the dynamic parallel loops of linalg ops by 1";
  let description = [{
    For every linalg op on tensors whose iteration space has dynamic extents
    (a dynamic batch or sequence, docs/dialect.md) that are all parallel,
    tiles those loops by 1 through `TilingInterface` (`scf.forall`), so the
    op inside the loop has a static shape (unit dims for the tiled loops)
    and the host strategies vectorise and register-tile it as they do the
    static layer's. Ops with a dynamic reduction loop, and ops without
    dynamic extents, are left alone; static code is unchanged. The CPU
    pipeline runs it before bufferization.
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect"];
}

def SeqBoatExportAbi : Pass<"seqboat-export-abi", "::mlir::ModuleOp"> {
  let summary = "Record each public function's tensor signature for runners";
  let description = [{
    Attaches `seqboat.abi = <function type>` and `llvm.emit_c_interface` to
    every public `func.func`, and adds an external constant C string
    `__seqboat_abi_<name>` holding the same type. The attribute survives the
    lowering to the LLVM dialect, so `seqboat-run` can check `.npy` inputs
    against the shapes and element types of the original signature and call
    the C interface wrapper; the string survives into compiled libraries for
    `seqboat-exec`.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def SeqBoatFuseElementwise : Pass<"seqboat-fuse-elementwise"> {
  let summary = "Elementwise producer/consumer fusion that never recomputes";
  let description = [{
    Fuses an elementwise `linalg.generic` producer into its consumer only when
    the consumer reads it through a permutation map, i.e. every producer
    element is computed once. Upstream `linalg-fuse-elementwise-ops` also
    fuses broadcast producers, which would re-evaluate, say, the `q^(T-1-j)`
    weights of the EMA scan (a `powf`) once per multiply-accumulate.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def SeqBoatBoundByCount : Pass<"seqboat-bound-by-count"> {
  let summary = "Projections of compacted tokens only over the active slots";
  let description = [{
    A contraction whose left operand is `[B, S, K]` with rows `s >= count[b]`
    all zero, e.g. `seqboat.gather(x, pos)` with `pos, count` from
    `seqboat.compact_index`, `seqboat.local_attention`'s output, or an
    elementwise product of such a tensor, contributes nothing to those rows
    of its result: they keep the accumulator's initial value (the bias).
    This pass tiles such contractions into blocks of `row-block` rows (at
    most; a divisor of S) per batch row, an `scf.forall` over (b, block),
    and computes a block only when it starts before `count[b]`. The result
    is the same as the full contraction's (exactly, unless the weights hold
    inf or NaN, whose products with the zero rows the full contraction would
    have propagated), and its cost follows the active tokens.
  }];
  let options = [
    Option<"rowBlock", "row-block", "int64_t", /*default=*/"64",
           "Rows per block (at most; the largest divisor of S not above it)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect"];
}

def SeqBoatApproximateMath : Pass<"seqboat-approximate-math"> {
  let summary = "math.exp as an inline polynomial instead of a libm call";
  let description = [{
    Rewrites `math.exp` on f32 scalars and vectors into upstream MLIR's
    polynomial approximation (`populateMathPolynomialApproximationPatterns`:
    range reduction by ln 2, a degree-6 polynomial, the exponent built in
    the bits), which vectorises. Upstream clamps the input to about
    [-87.8, 88.8]; selects around it return exactly 0 below ln(FLT_MIN)
    (subnormal results are flushed) and +inf above ln(FLT_MAX), as `expf`
    does, so the weights of masked softmax scores stay exactly 0. On the CPU
    `math.exp` otherwise becomes `llvm.exp`, which LLVM scalarises into one
    `expf` call per lane: the silu of every projection and the softmax of
    the attention spent much of their time there. Other math functions
    keep their libm calls (`erf`, `powf`).
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

def SeqBoatHoistStaticAllocas : Pass<"seqboat-hoist-static-allocas", "::mlir::func::FuncOp"> {
  let summary = "Move statically sized allocas out of sequential loops";
  let description = [{
    Moves every statically shaped `memref.alloca` nested in `scf.for`,
    `scf.while` or `scf.if` regions of a function to the function's entry
    block. Each iteration's buffer is dead when the iteration ends, so
    sequential iterations may share it; this keeps the stack from growing
    per iteration when the GPU kernels' block and thread loops run on the CPU
    (after `scf-forall-to-for`). Allocas under parallel ops are left alone.
    Inside an OpenMP region (`omp.parallel`, an allocation scope of its own)
    they move to the region's entry block instead, so every thread keeps its
    own buffer.
  }];
}

def SeqBoatExpandShapesToCasts : Pass<"seqboat-expand-shapes-to-casts"> {
  let summary = "Rewrite memref.expand_shape with several runtime sizes in one "
                "group as memref.reinterpret_cast";
  let description = [{
    A `[B·L, F]` buffer viewed as `[B, L, F]` at a runtime B and L (a
    contraction kernel's rows expanded back) is a `memref.expand_shape`
    whose reassociation group holds two dynamic sizes. Upstream
    `expand-strided-metadata` (MLIR 22) derives an expanded dynamic size by
    division, which cannot work for two of them in one group, and crashes
    on it. This pass rewrites every `memref.expand_shape` with such a group
    into `memref.extract_strided_metadata` of its source and a
    `memref.reinterpret_cast` to the sizes of its `output_shape` and the
    strides they imply (the innermost size of a group keeps the source
    dim's stride, each outer one the stride within times the size within).
    Other expand_shapes are left to upstream. Run before
    `expand-strided-metadata`.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::affine::AffineDialect",
                           "::mlir::memref::MemRefDialect"];
}

def SeqBoatParallelizeOuterLoops
    : Pass<"seqboat-parallelize-outer-loops", "::mlir::func::FuncOp"> {
  let summary = "Make the outermost parallel loop of every loop nest the one "
                "that runs on threads";
  let description = [{
    Prepares bufferized host code for `convert-scf-to-openmp`: every
    `scf.forall` that is not nested in another parallel loop becomes an
    `scf.parallel` (its iterations are independent by definition), and every
    `scf.parallel` or `scf.forall` nested in a parallel loop becomes
    sequential loops. One parallel region per loop nest: the tiles of a host
    strategy, the blocks of a formed kernel or the parallel dimensions of a
    linalg op are spread over the threads, their inner loops run in order
    (so the kernels' thread phases keep their barrier semantics).

    A parallel loop inside sequential loops (`scf.for`, `scf.while`) of more
    than 16 iterations in all (or of unknown trip counts) also runs in
    order: each run of it would start and join the threads, which costs
    more than the work of a scan's per-chunk update or a scatter's row copy
    per slot.
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect"];
}

#endif // SEQBOAT_DIALECT_SEQBOAT_TRANSFORMS_PASSES_TD
