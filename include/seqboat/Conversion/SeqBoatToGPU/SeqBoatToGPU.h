//===- SeqBoatToGPU.h - the fused-kernel GPU strategy -----------*- C++ -*-===//

#ifndef SEQBOAT_CONVERSION_SEQBOATTOGPU_SEQBOATTOGPU_H
#define SEQBOAT_CONVERSION_SEQBOATTOGPU_SEQBOATTOGPU_H

#include "seqboat/Dialect/SeqBoat/IR/SeqBoatDialect.h"
#include "seqboat/Dialect/SeqBoat/Utils/LinalgBuilders.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Transform/IR/TransformDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Pass/Pass.h"
#include "llvm/Support/JSON.h"
#include "llvm/ADT/StringMap.h"

namespace mlir::seqboat {

#define GEN_PASS_DECL_CONVERTSEQBOATLAYERTOKERNELS
#define GEN_PASS_DECL_SEQBOATMAPKERNELSTOGPU
#define GEN_PASS_DECL_SEQBOATLAUNCHESTOLOOPS
#define GEN_PASS_DECL_SEQBOATPRINTTUNINGSPACE
#define GEN_PASS_DECL_SEQBOATAPPLYTUNING
#define GEN_PASS_DECL_SEQBOATPRINTKERNELWORK
#define GEN_PASS_DECL_SEQBOATFORMKERNELS
#define GEN_PASS_DECL_SEQBOATFORMSCANKERNELS
#define GEN_PASS_DECL_SEQBOATAPPLYSTRATEGIES
#define GEN_PASS_DECL_SEQBOATAPPLYHOSTSTRATEGIES
#define GEN_PASS_DECL_SEQBOATMMASYNCTF32
#define GEN_PASS_DECL_SEQBOATVECTORTOMMASYNC
#define GEN_PASS_DECL_SEQBOATLOOPANNOTATIONS
#define GEN_PASS_DECL_SEQBOATEXTERNDYNAMICSHARED
#define GEN_PASS_DECL_SEQBOATDEALLOCATEHOSTBUFFERS
#define GEN_PASS_DECL_SEQBOATINLINEKERNELCALLS
#include "seqboat/Conversion/Passes.h.inc"

/// Name of the string attribute naming each kernel's block forall.
inline constexpr llvm::StringLiteral kKernelNameAttr = "seqboat.kernel";

/// Discardable attribute of a seqboat.layer holding its #seqboat.config.
inline constexpr llvm::StringLiteral kConfigAttrName = "seqboat.config";

/// Configs of a seqboat.layer with a dynamic L, one per tuned length
/// bucket (seqboat-apply-tuning): `seqboat.bucket_max_l = array<i64: ...>`
/// (ascending upper bounds of L) and `seqboat.bucket_configs = [...]`
/// (#seqboat.config each). The kernels are built once per bucket and
/// chosen by L at run time; lengths past the last bound take its config.
inline constexpr llvm::StringLiteral kBucketMaxLAttr = "seqboat.bucket_max_l";
inline constexpr llvm::StringLiteral kBucketConfigsAttr =
    "seqboat.bucket_configs";

/// Marks the reduction loops the `unroll` knob applies to.
inline constexpr llvm::StringLiteral kUnrollAttrName = "seqboat.unroll";

/// Threads per block of one kernel (on its block-mapped forall).
inline constexpr llvm::StringLiteral kThreadsAttrName = "seqboat.threads";

/// The gpu.module every kernel is outlined into (one gpu.binary per layer).
inline constexpr llvm::StringLiteral kKernelModule = "seqboat_kernels";

/// String attribute on a kernel function formed by seqboat-form-kernels:
/// which strategy compiles it ("contraction").
inline constexpr llvm::StringLiteral kKernelKindAttr = "seqboat.kernel_kind";

/// Per-kernel override of the contraction tiles: array<i64: TM, TN, BK>.
inline constexpr llvm::StringLiteral kTilesAttr = "seqboat.tiles";


/// The knobs of the parallel and scan strategies for one kernel.
struct KernelKnobs {
  int64_t threads;   // threads per block
  int64_t scanChunk; // the EMA chunk of a scan kernel's thread
  int64_t queryBlock; // the attention strategy's query slots per block
  int64_t keyBlock;   // its keys per tile (0: the scan strategy)
};

/// `defaults` overridden by the kernel's (or op's) kKnobsAttr (verified by
/// the dialect); an error at `kernel` for illegal defaults.
FailureOr<KernelKnobs> getKernelKnobs(Operation *kernel, KernelKnobs defaults);

/// Unit attribute marking the kernel a strategy is being applied to (what
/// the library's named sequences match).
inline constexpr llvm::StringLiteral kStrategyTargetAttr =
    "seqboat.strategy_target";

/// The strategy library at `path`, or the built-in one when `path` is
/// empty; an error naming `passName` when it cannot be loaded. Parsing may
/// load dialects, so passes call this from initialize().
FailureOr<OwningOpRef<ModuleOp>>
loadStrategyLibrary(MLIRContext *ctx, StringRef path, StringRef passName);

/// One tunable knob: its name (as in #seqboat.config) and legal values.
struct TuningKnob {
  std::string name;
  SmallVector<int64_t> values;
  int64_t defaultValue;
};

/// The tuning space of one op under the fused-kernel strategy.
struct TuningSpace {
  /// Stable identity of the op for tuning databases: op name, operand types
  /// and inherent attributes (not the config).
  std::string key;
  SmallVector<TuningKnob> knobs;
  /// Human-readable constraints already applied to `knobs`.
  SmallVector<std::string> constraints;
};

/// The space of a tunable op: a seqboat.layer (the fused-kernel strategy's
/// knobs) or a linalg.matmul rooting a contraction kernel (its tiles);
/// failure for other ops.
FailureOr<TuningSpace> getTuningSpace(Operation *op);

/// The epilogue of the contraction kernel `mm` roots, or null when
/// seqboat-form-kernels does not take `mm`.
linalg::GenericOp getContractionEpilogue(linalg::MatmulOp mm);

/// The name seqboat-form-kernels gives the kernel function `mm` roots:
/// `<caller>_contraction_<i>`, i counting roots in program order.
std::string getContractionKernelName(linalg::MatmulOp mm);

/// Why block tiles TM x TN and reduction tile BK cannot compile an
/// M x N x K contraction kernel whose X and W elements are `operandBytes`
/// wide (4: f32, 2: f16 or bf16); empty when they can. `gpu` adds the
/// shared-memory limit of a block.
std::string checkContractionTiles(int64_t m, int64_t n, int64_t k, int64_t tm,
                                  int64_t tn, int64_t bk, bool gpu,
                                  int64_t operandBytes = 4);

/// The width in bytes of a contraction kernel's X elements (4 for f32, 2
/// for f16 and bf16; 0 for anything else, which the strategy refuses).
int64_t getContractionOperandBytes(func::FuncOp kernel);

/// (M, N, K) of a contraction kernel function: its arguments are static
/// (X[M, K], W[N, K], bias[N], Y[M, N]) memrefs; nullopt otherwise. With
/// `dynamicRows`, M may be a runtime size (B·L rows; then
/// ShapedType::kDynamic).
std::optional<std::array<int64_t, 3>>
getContractionKernelShape(func::FuncOp kernel, bool dynamicRows = false);

/// The op whose result a formed kernel function stores (its root), if it
/// implements TilingInterface.
TilingInterface getKernelRoot(func::FuncOp kernel);

/// The loops of a parallel or scan kernel's root that its strategy spreads
/// over blocks and threads: up to three innermost parallel loops with more
/// than one iteration, innermost first.
SmallVector<unsigned>
getDistributedLoops(ArrayRef<utils::IteratorType> iterators,
                    ArrayRef<int64_t> ranges);

/// Whether `op` computes a row statistic: a static linalg reduction
/// (a row sum), or a cheap elementwise op on one (the mean from the sum, the
/// reciprocal standard deviation from the variance). Kernel formation fuses
/// such a producer into an all-parallel root that reads it broadcast along
/// some of its loops (a norm's normalisation reads [B, L] statistics over
/// [B, L, D]), and the strategy gives each thread whole rows along those
/// loops (getThreadGrains), so each statistic is computed once, by the
/// thread that uses it, instead of in a kernel of its own.
bool isRowStatistic(Operation *op);

/// Per loop of a parallel or scan kernel's root, the points one thread
/// takes along it: 1, but the whole loop along which the root reads a fused
/// row statistic broadcast (isRowStatistic), and for a local attention's
/// features of v a block of them (computing its query's scores once per
/// block). `ranges` are the loops' static extents.
SmallVector<int64_t> getThreadGrains(TilingInterface root,
                                     ArrayRef<int64_t> ranges);

/// The sizes of `op`'s iteration domain, ShapedType::kDynamic where not
/// constant; the IR is left as it was.
SmallVector<int64_t> getIterationDomainSizes(TilingInterface op);

/// The block of the attention strategy for a kernel computing a
/// local_attention (directly or through its epilogue): queries x features
/// of v per block (the queries clamped to S), keys per tile, Z, H and the
/// shared-memory bytes of its tiles (f32). Failure when the kernel has no
/// local_attention or its features are not static.
struct AttentionBlock {
  int64_t queries = 0, keys = 0, features = 0, z = 0, h = 0, sharedBytes = 0;
  /// The products' operand type (getAttentionProductType).
  Type productType;
  bool halfProducts() const { return mmaK() == 16; }
  int64_t mmaK() const { return mmaSyncK(productType); }
  /// Whether Q·Kᵀ and P·V have the tensor cores' shape (QB a multiple of
  /// 16; Z, resp. KB, of mmaK(); KB, resp. HB, of 8), which the strategy's
  /// warp tiles take (but under precision=ieee for f32 products).
  bool scoresFitMma() const {
    return queries % 16 == 0 && keys % 8 == 0 && z % mmaK() == 0;
  }
  bool valuesFitMma() const {
    return queries % 16 == 0 && keys % mmaK() == 0 && features % 8 == 0;
  }
};
FailureOr<AttentionBlock> getAttentionBlock(func::FuncOp kernel,
                                            int64_t queryBlock,
                                            int64_t keyBlock);

/// Per loop of a parallel or scan kernel's root, the units (points over
/// grains) of the block tile along it: for each distributed loop, innermost
/// first, the largest divisor of its units that fits what is left of
/// `threads`; 0 for the loops a thread runs whole. The product of the
/// nonzero entries is the threads of a block that have work.
SmallVector<int64_t> getBlockUnits(ArrayRef<utils::IteratorType> iterators,
                                   ArrayRef<int64_t> units, int64_t threads);

/// Writes `doc` as indented JSON to `path` ('-': stdout); an error at `op`
/// naming `what` when the file cannot be written.
LogicalResult writeJsonFile(Operation *op, StringRef path, StringRef what,
                            llvm::json::Value doc);

/// The knobs of one tuned config as a database gives them, by name. Which
/// knobs a config needs depends on the op it tunes (see getTuningSpace);
/// seqboat-apply-tuning checks that when it applies the config.
using TunedConfig = llvm::StringMap<int64_t>;

/// The best config of every database key that has one.
using TuningDatabase = llvm::StringMap<TunedConfig>;

/// Every knob name some tuning space has (getTuningSpace); a database
/// naming any other knob is refused.
ArrayRef<StringLiteral> getTuningKnobNames();

/// Largest tuning database read (seqboat-tune writes a few hundred KB).
inline constexpr size_t kMaxTuningDbBytes = 64 << 20;
/// Deepest JSON nesting read (seqboat-tune writes 5 levels).
inline constexpr size_t kMaxTuningDbDepth = 32;

/// Parses the JSON text of a tuning database and checks its schema: an
/// object with an 'entries' object whose values are objects, each with an
/// optional 'best' object of integer knobs named like the knobs of some
/// tuning space. Texts over kMaxTuningDbBytes or
/// nesting deeper than kMaxTuningDbDepth are refused before parsing. On
/// failure, `error` is one line to follow "tuning database 'PATH' ".
FailureOr<TuningDatabase> parseTuningDatabase(StringRef text,
                                              std::string &error);

/// "seqboat <version> (MLIR <version>)", part of every tuning database key.
StringRef getCompilerVersion();

} // namespace mlir::seqboat

#endif // SEQBOAT_CONVERSION_SEQBOATTOGPU_SEQBOATTOGPU_H
