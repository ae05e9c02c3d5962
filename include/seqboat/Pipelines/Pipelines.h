//===- Pipelines.h - seqboat named pipelines --------------------*- C++ -*-===//

#ifndef SEQBOAT_PIPELINES_PIPELINES_H
#define SEQBOAT_PIPELINES_PIPELINES_H

#include "seqboat/Conversion/SeqBoatToGPU/SeqBoatToGPU.h"

#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace mlir::seqboat {

/// The lowering of host code to LLVM (see HostLoweringOptions).
struct HostLowering {
  bool parallel = false;
  bool cachingAllocator = false;
  bool approximateExp = false;
};

/// How host code (buffers) is lowered to LLVM: the options every CPU
/// pipeline shares.
template <typename Derived>
struct HostLoweringOptions : public PassPipelineOptions<Derived> {
  ::mlir::detail::PassOptions::Option<bool> parallel{
      *this, "parallel",
      llvm::cl::desc("Run the outermost parallel loop of every loop nest on "
                     "threads (OpenMP; seqboat-run --num-threads N); off: one "
                     "thread"),
      llvm::cl::init(true)};
  ::mlir::detail::PassOptions::Option<bool> cachingAllocator{
      *this, "caching-allocator",
      llvm::cl::desc("Allocate buffers with _mlir_memref_to_llvm_alloc/free, "
                     "which seqboat-run binds to seqboat's caching allocator "
                     "(lib/Runtime/HostAllocator.cpp); off: malloc/free"),
      llvm::cl::init(true)};
  ::mlir::detail::PassOptions::Option<bool> approximateExp{
      *this, "approximate-exp",
      llvm::cl::desc("math.exp as an inline, vectorisable polynomial "
                     "(seqboat-approximate-math, a few ulp); off: libm expf"),
      llvm::cl::init(true)};

  /// The flags buildBuffersToLLVM takes.
  HostLowering hostLowering() const {
    return {parallel, cachingAllocator, approximateExp};
  }
};

/// Options of `seqboat-to-llvm-cpu`, the whole way from seqboat to LLVM.
struct CpuCompileOptions : public HostLoweringOptions<CpuCompileOptions> {
  PassOptions::Option<int64_t> emaChunk{
      *this, "ema-chunk",
      llvm::cl::desc("Chunk length of the ema_conv scan"), llvm::cl::init(32)};
  PassOptions::Option<bool> countBounded{
      *this, "count-bounded",
      llvm::cl::desc("Projections of the compacted tokens only over blocks "
                     "that hold active slots (seqboat-bound-by-count); off: "
                     "over the whole capacity S"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> hostStrategies{
      *this, "host-strategies",
      llvm::cl::desc("Compile contractions and row-contiguous ops with the "
                     "host strategies (seqboat-apply-host-strategies); off: "
                     "plain loops"),
      llvm::cl::init(true)};
  // The CPU tuning knobs (what `seqboat-tune --path cpu` searches).
  PassOptions::Option<int64_t> attentionBlock{
      *this, "attention-block",
      llvm::cl::desc("Query slots per block of local_attention (at most)"),
      llvm::cl::init(64)};
  PassOptions::Option<int64_t> hostTileM{
      *this, "host-tile-m",
      llvm::cl::desc("Rows of a contraction's cache block (at most)"),
      llvm::cl::init(64)};
  PassOptions::Option<int64_t> hostTileN{
      *this, "host-tile-n",
      llvm::cl::desc("Columns of a contraction's cache block (at most)"),
      llvm::cl::init(256)};
  PassOptions::Option<int64_t> hostRegM{
      *this, "host-reg-m",
      llvm::cl::desc("Rows of the register tile (at most; 0: from the host "
                     "CPU)"),
      llvm::cl::init(0)};
  PassOptions::Option<int64_t> hostRegN{
      *this, "host-reg-n",
      llvm::cl::desc("Columns of the register tile (at most; 0: two of the "
                     "host's vectors)"),
      llvm::cl::init(0)};
  PassOptions::Option<int64_t> hostTileK{
      *this, "host-tile-k",
      llvm::cl::desc("Reduction step of one vector contraction (at most)"),
      llvm::cl::init(8)};
  PassOptions::Option<int64_t> rowBlock{
      *this, "row-block",
      llvm::cl::desc("Rows per block of the count-bounded projections (at "
                     "most)"),
      llvm::cl::init(64)};
};

/// Knobs of the fused-kernel strategy (seqboat-layer-to-kernels), shared by
/// both pipelines that run it.
template <typename Derived, typename Base = PassPipelineOptions<Derived>>
struct KernelKnobOptions : public Base {
  ::mlir::detail::PassOptions::Option<int64_t> threads{
      *this, "threads", llvm::cl::desc("Threads per block"), llvm::cl::init(128)};
  ::mlir::detail::PassOptions::Option<int64_t> rowsPerBlock{
      *this, "rows-per-block",
      llvm::cl::desc("Token rows per block of the projection kernels"),
      llvm::cl::init(8)};
  ::mlir::detail::PassOptions::Option<int64_t> unroll{
      *this, "unroll", llvm::cl::desc("Unroll factor of the dot-product loops"),
      llvm::cl::init(1)};
  ::mlir::detail::PassOptions::Option<int64_t> emaChunk{
      *this, "ema-chunk",
      llvm::cl::desc("Tokens per block of the chunked EMA scan"),
      llvm::cl::init(64)};
  ::mlir::detail::PassOptions::Option<int64_t> attnQueries{
      *this, "attn-queries",
      llvm::cl::desc("Query slots per block of the attention kernel"),
      llvm::cl::init(1)};

  ::mlir::detail::PassOptions::Option<std::string> strategyLibrary{
      *this, "strategy-library",
      llvm::cl::desc("Transform-dialect strategy library replacing the "
                     "built-in one (seqboat-apply-strategies)"),
      llvm::cl::init("")};
  ::mlir::detail::PassOptions::Option<int64_t> tileM{
      *this, "tile-m",
      llvm::cl::desc("Block tile rows of contraction kernels"),
      llvm::cl::init(64)};
  ::mlir::detail::PassOptions::Option<int64_t> tileN{
      *this, "tile-n",
      llvm::cl::desc("Block tile columns of contraction kernels"),
      llvm::cl::init(64)};
  ::mlir::detail::PassOptions::Option<int64_t> tileK{
      *this, "tile-k",
      llvm::cl::desc("Reduction tile of contraction kernels"),
      llvm::cl::init(16)};

  ::mlir::detail::PassOptions::Option<int64_t> scanChunk{
      *this, "scan-chunk",
      llvm::cl::desc("Chunk of the EMA scan within one thread of a scan "
                     "kernel (ema_conv)"),
      llvm::cl::init(16)};

  ::mlir::detail::PassOptions::Option<int64_t> parallelThreads{
      *this, "parallel-threads",
      llvm::cl::desc("Threads per block of parallel and scan kernels (a "
                     "multiple of 32, at most 1024); an op's seqboat.knobs "
                     "override it"),
      llvm::cl::init(128)};

  ::mlir::detail::PassOptions::Option<int64_t> attentionQueryBlock{
      *this, "attention-query-block",
      llvm::cl::desc("Query slots per block of the attention strategy"),
      llvm::cl::init(64)};

  ::mlir::detail::PassOptions::Option<int64_t> attentionThreads{
      *this, "attention-threads",
      llvm::cl::desc("Threads per block of the attention strategy's kernels "
                     "(seqboat.knobs `threads` overrides it per op)"),
      llvm::cl::init(256)};

  ::mlir::detail::PassOptions::Option<int64_t> attentionKeyBlock{
      *this, "attention-key-block",
      llvm::cl::desc("Keys per tile of the attention strategy's online "
                     "softmax; 0: attention kernels take the scan strategy"),
      llvm::cl::init(32)};

  ::mlir::detail::PassOptions::Option<std::string> kernelWork{
      *this, "kernel-work",
      llvm::cl::desc("Write the work of every formed kernel as JSON to this "
                     "file (seqboat-print-kernel-work; bench/kernel_model.py)"),
      llvm::cl::init("")};

  ::mlir::detail::PassOptions::Option<std::string> precision{
      *this, "precision",
      llvm::cl::desc("f32 contractions on the GPU: tf32 (tensor cores, "
                     "PyTorch's allow_tf32), ieee (exact f32 FFMA) or "
                     "autocast (as tf32, but a GEMM whose weights are f16 "
                     "or bf16 rounds its activations to that type and runs "
                     "on 16-bit tensor cores, as PyTorch autocast does; "
                     "on every target)"),
      llvm::cl::init("tf32")};

  SeqBoatApplyStrategiesOptions strategyOptions(StringRef target) const {
    SeqBoatApplyStrategiesOptions options;
    options.target = target.str();
    options.library = strategyLibrary;
    options.tileM = tileM;
    options.tileN = tileN;
    options.tileK = tileK;
    options.precision = precision;
    options.scanChunk = scanChunk;
    options.parallelThreads = parallelThreads;
    options.attentionQueryBlock = attentionQueryBlock;
    options.attentionThreads = attentionThreads;
    options.attentionKeyBlock = attentionKeyBlock;
    return options;
  }

  ConvertSeqBoatLayerToKernelsOptions strategyKnobs() const {
    ConvertSeqBoatLayerToKernelsOptions knobs;
    knobs.threads = threads;
    knobs.rowsPerBlock = rowsPerBlock;
    knobs.unroll = unroll;
    knobs.emaChunk = emaChunk;
    knobs.attnQueries = attnQueries;
    return knobs;
  }
};

/// Options of `seqboat-kernels-cpu-pipeline`.
struct KernelStrategyOptions
    : public KernelKnobOptions<KernelStrategyOptions,
                               HostLoweringOptions<KernelStrategyOptions>> {
  PassOptions::Option<bool> gpuThreads{
      *this, "gpu-threads",
      llvm::cl::desc("Parallel and scan kernels take their GPU strategy, "
                     "whose gpu.launch runs as loops over blocks and threads "
                     "(seqboat-launches-to-loops): checks their GPU mapping "
                     "on the CPU; contraction kernels take the CPU strategy"),
      llvm::cl::init(false)};
};

/// Options of `seqboat-gpu-pipeline`.
struct GpuPipelineOptions : public KernelKnobOptions<GpuPipelineOptions> {
  PassOptions::Option<std::string> chip{
      *this, "chip", llvm::cl::desc("Target SM, e.g. sm_90"),
      llvm::cl::init("sm_90")};
  PassOptions::Option<std::string> features{
      *this, "features", llvm::cl::desc("PTX features, e.g. +ptx80"),
      llvm::cl::init("+ptx80")};
  PassOptions::Option<std::string> format{
      *this, "format",
      llvm::cl::desc("gpu.binary format: isa (PTX), bin (cubin, needs "
                     "ptxas) or fatbin (needs ptxas and fatbinary)"),
      llvm::cl::init("fatbin")};
  PassOptions::Option<std::string> toolkit{
      *this, "toolkit",
      llvm::cl::desc("CUDA toolkit root (ptxas, fatbinary, libdevice); "
                     "default: CUDA_HOME/CUDA_ROOT/PATH"),
      llvm::cl::init("")};
  PassOptions::Option<int> optLevel{*this, "opt-level",
                                    llvm::cl::desc("NVVM optimisation level"),
                                    llvm::cl::init(3)};
  PassOptions::Option<std::string> tuningDb{
      *this, "tuning-db",
      llvm::cl::desc("Tuning database (seqboat-tune): attach the best known "
                     "#seqboat.config per op before lowering"),
      llvm::cl::init("")};
};

/// `seqboat-cpu-pipeline`: tensors (linalg/tensor/scf/arith/math) ->
/// bufferization -> loops -> LLVM dialect, with the C interface and the
/// `seqboat.abi` signature recorded on every public function.
void buildSeqBoatCpuPipeline(OpPassManager &pm,
                             const CpuCompileOptions &options = {});

/// `seqboat-to-llvm-cpu`: seqboat-decompose, convert-seqboat-to-linalg, then
/// seqboat-cpu-pipeline.
void buildSeqBoatToLLVMCpuPipeline(OpPassManager &pm,
                                   const CpuCompileOptions &options);

/// `seqboat-kernels-cpu-pipeline`: the fused-kernel strategy of
/// seqboat-gpu-pipeline, with its block/thread foralls run as CPU loops
/// (phases in order), lowered to LLVM for seqboat-run.
void buildSeqBoatKernelsCpuPipeline(OpPassManager &pm,
                                    const KernelStrategyOptions &options);

/// `seqboat-gpu-pipeline`: seqboat.layer -> six fused kernels, contractions
/// -> kernels compiled by their strategy -> gpu.launch -> NVVM -> gpu.binary,
/// host code lowered to LLVM calling the mgpu runtime.
void buildSeqBoatGpuPipeline(OpPassManager &pm,
                             const GpuPipelineOptions &options);

void registerSeqBoatPipelines();

/// One-shot bufferization across function boundaries with identity layouts.
bufferization::OneShotBufferizePassOptions boundaryBufferization();

/// The front of both kernel pipelines: export the ABI,
/// seqboat-layer-to-kernels with these knobs, kernel formation and the
/// strategies for `strategies.target`, bufferize.
/// With `kernelWork`, seqboat-print-kernel-work writes the formed kernels'
/// work there.
void buildKernelStrategy(OpPassManager &pm,
                         const ConvertSeqBoatLayerToKernelsOptions &knobs,
                         const SeqBoatApplyStrategiesOptions &strategies,
                         StringRef kernelWork = "");

/// Buffers (memref/scf/linalg/arith/math) -> LLVM dialect, for the CPU.
void buildBuffersToLLVM(OpPassManager &pm, const HostLowering &lowering = {});

} // namespace mlir::seqboat

#endif // SEQBOAT_PIPELINES_PIPELINES_H
