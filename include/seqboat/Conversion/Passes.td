//===- Passes.td - seqboat conversions ---------------------*- tablegen -*-===//

#ifndef SEQBOAT_CONVERSION_PASSES_TD
#define SEQBOAT_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertSeqBoatToLinalg : Pass<"convert-seqboat-to-linalg"> {
  let summary = "Lower seqboat ops to linalg, tensor, scf, arith and math on tensors";
  let description = [{
    Every primitive seqboat op becomes destination-style tensor code:

    - `ema_kernel`, `long_conv`, `short_conv`, `route`, `gather`: `linalg.generic`
      (convolutions index a zero-padded input with affine maps, no masking).
    - `ema_conv`: a chunked scan of the EMA recurrence. Within a chunk of
      `ema-chunk` steps a Toeplitz product, across chunks an `scf.for` over the
      `[B, N, D]` state: `O(L (chunk + N) D)` work, never `O(L^2)`. The
      bidirectional form runs the same scan on the reversed sequence.
    - `linear_attention`: intra-chunk masked products plus an `scf.for` over
      the `[B, Z, H]` key-value state (`chunk` attribute).
    - `compact_index`, `scatter`: an `scf.for` prefix scan / row loop.
    - `local_attention`: an `scf.forall` over (batch row, block of at most
      `attention-block` query slots); each block attends to one key tile
      holding all its windows as two contractions, and blocks past
      `count[b]` compute nothing. A tile of queries (the op's
      `queries(%first, %n)` form) is loops whose bounds come from `count[b]`
      and the window.
    - `ema_conv`'s states are laid out `[B, C, N, D]` (channels innermost).

    `seqboat.layer` must be decomposed first (`seqboat-decompose`). Dynamic
    shapes are not supported yet and are reported as an error.
  }];
  let options = [
    Option<"emaChunk", "ema-chunk", "int64_t", /*default=*/"32",
           "Chunk length of the ema_conv scan (intra-chunk Toeplitz size)">,
    Option<"skipKernels", "skip-kernels", "bool", /*default=*/"false",
           "Leave the ops of formed kernel functions (seqboat.kernel_kind) "
           "to their strategy, which lowers them after tiling">,
    Option<"attentionBlock", "attention-block", "int64_t", /*default=*/"64",
           "Query slots per block of local_attention (at most; a divisor of "
           "S is taken)">,
    Option<"attentionKeyBlock", "attention-key-block", "int64_t",
           /*default=*/"0",
           "Query tiles of local_attention on one batch row (the attention "
           "strategy's block tiles) as loops over tiles of this many keys: "
           "the online softmax with two linalg.matmul per key tile. 0: a "
           "tile is lowered one query at a time">,
    Option<"fuseEmaDirections", "fuse-ema-directions", "bool",
           /*default=*/"false",
           "Scan a bidirectional ema_conv's two directions as one scan over "
           "2D channels ([x | x reversed], its chunks gathered from x by "
           "one masked generic): the GPU kernels' form (half the kernels, "
           "twice the threads each). Off: two scans of D channels over "
           "padded copies, which the CPU host strategies vectorise">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::cf::ControlFlowDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def ConvertSeqBoatLayerToKernels : Pass<"seqboat-layer-to-kernels", "::mlir::func::FuncOp"> {
  let summary = "Lower seqboat.layer to six fused, block/thread-mapped kernels";
  let description = [{
    The GPU strategy for a whole layer, written as six `scf.forall` kernels on
    buffers. Each kernel is an `scf.forall` over a 1-D grid mapped to
    `#gpu.block<x>`, whose body is a sequence of phases: `scf.forall` loops
    mapped to `#gpu.thread<x>` (threads synchronise between phases) and
    block-uniform scalar code; `memref.alloca`s in the block body are the
    kernel's shared memory.

    1. `ema_chunks`: one block per (batch row, chunk of `ema-chunk`
       tokens): norm statistics of the chunk, then one thread per channel
       runs the EMA recurrence over the chunk from a zero state (both
       directions) and stores the chunk's final states.
    2. `ema_hx_route`: per chunk, each channel folds the preceding chunks'
       states into its entering state, replays the chunk (backward half
       first), applies silu, and hands tiles of `rows-per-block` rows of
       `mx` in shared memory to the hx projection and the router.
    3. `compact`: per batch row, a block-wide two-level prefix scan of
       `active` into `pos`, `count` and the inverse map.
    4. `mx_proj`: gathered rows of the active slots, the mx projection, silu
       and the q/k affine epilogue; blocks past `count[b]` do nothing.
    5. `attention`: `attn-queries` query slots per block, the scores of
       their windows in shared memory, softmax/relu2/laplace, weighted sums
       of v, gated by r; blocks past `count[b]` do nothing.
    6. `output`: the h projection of active rows (skipped for inactive
       ones), scatter, gate, residual, silu and the post-norm.

    The same IR runs on the CPU after `scf-forall-to-for` (phases execute in
    order, which is the barrier semantics), which is how its numerics are
    tested without a GPU; `seqboat-map-kernels-to-gpu` turns it into
    `gpu.launch` ops.
  }];
  let options = [
    Option<"threads", "threads", "int64_t", /*default=*/"128",
           "Threads per block (the extent every thread phase is strided over)">,
    Option<"rowsPerBlock", "rows-per-block", "int64_t", /*default=*/"8",
           "Rows (tokens) per block of the projection kernels; the shared "
           "tile is rows x features">,
    Option<"unroll", "unroll", "int64_t", /*default=*/"1",
           "Unroll factor of the dot-product loops (projections, attention)">,
    Option<"emaChunk", "ema-chunk", "int64_t", /*default=*/"64",
           "Tokens per block of the chunked EMA scan">,
    Option<"attnQueries", "attn-queries", "int64_t", /*default=*/"1",
           "Query slots per block of the attention kernel">,
    Option<"freeScratch", "free-scratch", "bool", /*default=*/"true",
           "Free the scratch buffers after the layer (off: left to "
           "ownership-based buffer deallocation)">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect"
  ];
}

def SeqBoatLaunchesToLoops : Pass<"seqboat-launches-to-loops"> {
  let summary = "Run gpu.launch ops whose threads do not communicate as CPU loops";
  let description = [{
    Replaces each `gpu.launch` by `scf.for` loops over its grid (z, y, x)
    and its block (z, y, x), the block and thread ids (block arguments and
    `gpu.block_id`/`gpu.thread_id`/`gpu.block_dim`/`gpu.grid_dim` ops) by
    the loops' induction variables and the launch's sizes. This is the
    sequential execution of the launch, valid when its threads do not
    communicate: no workgroup or private memory attributions, no workgroup
    buffers, no shuffles or lane ids, no nvgpu operations, and no
    `gpu.barrier` but one right before the terminator (the parallel and scan
    strategies' launches). Any other launch is an error naming the reason.
    `seqboat-kernels-cpu-pipeline{gpu-threads}` runs it after the GPU
    strategies of parallel and scan kernels, so their block and thread
    mapping (indices, the guards of partial tiles, runtime grids) is
    checked against the reference on the CPU.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::scf::SCFDialect"
  ];
}

def SeqBoatMapKernelsToGPU : Pass<"seqboat-map-kernels-to-gpu", "::mlir::func::FuncOp"> {
  let summary = "Map block/thread scf.forall kernels to gpu.launch";
  let description = [{
    Every top-level `scf.forall` mapped to `#gpu.block<x>` becomes a
    `gpu.launch` with the threads per block recorded in its `seqboat.threads`
    attribute (the `threads` option otherwise). Nested `scf.forall`s mapped
    to `#gpu.thread<x>` become loops strided by the block size, each followed
    by a `gpu.barrier`; `memref.alloca`s of the block body become workgroup
    (shared) memory attributions. Host buffers (`memref.alloc`/`dealloc`)
    become device memory (`gpu.alloc` / `gpu.dealloc`), constants the
    kernels read (`memref.get_global`) a device copy (`gpu.memcpy`), and
    host `memref.copy`s between them `gpu.memcpy`s; all of them in the
    synchronous form, which `gpu-async-region` puts on the function's
    stream.
  }];
  let options = [
    Option<"threads", "threads", "int64_t", /*default=*/"128",
           "Threads per block of every launch">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect"
  ];
}

def SeqBoatDeallocateHostBuffers : Pass<"seqboat-deallocate-host-buffers", "::mlir::ModuleOp"> {
  let summary = "Ownership-based deallocation of the host functions' buffers";
  let description = [{
    Runs upstream's ownership-based buffer deallocation
    (`memref-expand-realloc`, `ownership-based-buffer-deallocation`,
    `buffer-deallocation-simplification`) on every function of the module
    that is not a kernel function (`seqboat.kernel_kind`): the scratch
    buffers and kernel results of host code get their `memref.dealloc`s (or
    `bufferization.dealloc`s, which `bufferization-lower-deallocations`
    lowers afterwards). Kernel functions hold `gpu.launch` bodies
    (barriers, workgroup memory) that the deallocation analysis cannot see
    through; they allocate nothing on the host.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect"
  ];
}

def SeqBoatInlineKernelCalls : Pass<"seqboat-inline-kernel-calls", "::mlir::ModuleOp"> {
  let summary = "Inline the calls of kernel functions into the host code";
  let description = [{
    Every `func.call` tagged `seqboat.kernel_kind` (made by
    `seqboat-form-kernels`) is replaced by the body of its callee: after
    mapping and outlining that body is index arithmetic and the
    `gpu.launch_func` of the kernel. The host function then holds all its
    launches, allocations and copies in one block, which `gpu-async-region`
    puts on one stream with one synchronisation at the end (a call is an
    opaque side effect that would force a synchronisation before it).
    Callees left without calls are erased.
  }];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

def SeqBoatPrintTuningSpace : Pass<"seqboat-print-tuning-space", "::mlir::ModuleOp"> {
  let summary = "Print the tunable space of every op as JSON";
  let description = [{
    Writes one JSON document: the compiler version and, per tunable op (every
    `seqboat.layer`), its location, its database key (op name, operand types
    and inherent attributes), its shape symbols, each knob of
    `#seqboat.config` with its legal values and default, and the constraints
    that pruned them (e.g. the shared-memory tile of the projection kernels).
    `seqboat-tune` reads it.
  }];
  let options = [
    Option<"output", "output", "std::string", /*default=*/"\"-\"",
           "Where to write the JSON ('-' for stdout)">
  ];
}

def SeqBoatPrintKernelWork : Pass<"seqboat-print-kernel-work", "::mlir::ModuleOp"> {
  let summary = "Print the work of every formed kernel as JSON";
  let description = [{
    Run after `seqboat-form-kernels` (and before the strategies): writes, per
    kernel function, its kind, the bytes of its buffers (its compulsory
    traffic), its floating-point operations (linalg ops: iterations times the
    float ops of the body; seqboat ops of scan kernels: their formula with
    every slot active), and for contraction kernels (M, N, K) and their
    tiles, for parallel and scan kernels the points their strategy
    distributes over threads and the threads per block (their
    `seqboat.knobs`, or the option). `bench/kernel_model.py --generic` reads it.
  }];
  let options = [
    Option<"output", "output", "std::string", /*default=*/"\"-\"",
           "Where to write the JSON ('-' for stdout)">,
    Option<"scanChunk", "scan-chunk", "int64_t", /*default=*/"16",
           "The EMA chunk of scan kernels (as seqboat-apply-strategies')">,
    Option<"parallelThreads", "parallel-threads", "int64_t",
           /*default=*/"128",
           "Threads per block of parallel and scan kernels (as "
           "seqboat-apply-strategies')">,
    Option<"attentionQueryBlock", "attention-query-block", "int64_t",
           /*default=*/"64",
           "Query slots per block of the attention strategy (as "
           "seqboat-apply-strategies')">,
    Option<"attentionThreads", "attention-threads", "int64_t",
           /*default=*/"256",
           "Threads per block of the attention strategy (as "
           "seqboat-apply-strategies')">,
    Option<"attentionKeyBlock", "attention-key-block", "int64_t",
           /*default=*/"32",
           "Keys per tile of the attention strategy, 0 for the scan "
           "strategy (as seqboat-apply-strategies')">,
    Option<"precision", "precision", "std::string", /*default=*/"\"tf32\"",
           "tf32, ieee or autocast (as seqboat-apply-strategies'): whether "
           "the attention strategy's products run on tensor cores">
  ];
}

def SeqBoatApplyTuning : Pass<"seqboat-apply-tuning", "::mlir::ModuleOp"> {
  let summary = "Attach the best known #seqboat.config from a tuning database";
  let description = [{
    For every tunable op, looks up `<key>|<chip>|<compiler version>` in the
    JSON database written by `seqboat-tune` and attaches its best config as
    `seqboat.config`; ops without an entry keep the defaults. Each decision is
    reported as a remark on the op (which config, or that defaults are used).
    A database that cannot be read or parsed is an error.
  }];
  let options = [
    Option<"database", "db", "std::string", /*default=*/"",
           "Tuning database (JSON) written by seqboat-tune">,
    Option<"chip", "chip", "std::string", /*default=*/"\"sm_90\"",
           "Target chip the configs were tuned for">,
    Option<"precision", "precision", "std::string", /*default=*/"\"tf32\"",
           "Precision the configs were tuned under (tf32, ieee, autocast); "
           "keys of another than tf32 end in |precision=<p>">
  ];
  let dependentDialects = ["::mlir::seqboat::SeqBoatDialect"];
}

def SeqBoatFormKernels : Pass<"seqboat-form-kernels", "::mlir::ModuleOp"> {
  let summary = "Outline contraction kernels (fill + matmul + epilogue) into functions";
  let description = [{
    Kernel formation for the generic GPU path. Every contraction root whose
    neighbourhood the contraction strategy can compile as one kernel becomes
    a private function `@<caller>_contraction_<i>` tagged
    `seqboat.kernel_kind = "contraction"`, called from where it was:

    - the root: a `linalg.matmul` on static 2-D f32 tensors in the
      `nn.Linear` layout, `Y = X[M, K] . W[N, K]^T`;
    - its init, fused: a `linalg.fill` of a `tensor.empty`;
    - its only user, fused as the epilogue: an elementwise 2-D
      `linalg.generic` reading the accumulator (first input) and a bias
      `[N]` broadcast along the rows (second input), with any scalar body
      (bias add, silu, ...).

    The kernel function has a memref ABI (`X, W, bias, Y`); the caller passes
    `bufferization.to_buffer` views of its tensors and a fresh `Y` buffer, so
    the HBM traffic of the fused kernel is X, W and bias once and Y once.
    Contractions that do not fit the pattern are left alone. X and W are
    both f32, or both f16 or bf16 (into the f32 accumulator); a bias that is
    the extension of a 16-bit tensor is read as it is and extended in the
    epilogue. With `autocast`, an f32 X multiplying a W that is the
    extension of a 16-bit tensor is rounded to that type and W read as it
    is (the 16-bit tensor-core form PyTorch autocast computes); an X that
    is the extension of a tensor of that type is read as that tensor, and
    an X that is a scan kernel's f32 result read by nothing else is stored
    rounded by that kernel (its function then writes a 16-bit buffer). The
    same holds for any rounding to 16 bits of a scan kernel's result that
    is its only reader, and an element read by `tensor.extract` from the
    extension of a 16-bit tensor is read in 16 bits and extended. A projection
    in the form `seqboat-decompose` writes (a reduction generic over
    `x[..., K]` and a transposed copy of `W`, accumulating into the bias
    broadcast along the rows) is first raised to this pattern (rows
    collapsed, the matmul on `W` itself, a bias epilogue).

    With `parallel-kernels` (default), every other linalg op on static
    tensors, or tensors whose batch and length are runtime sizes, then becomes a kernel of its own, `@<caller>_parallel_<i>`
    (`seqboat.kernel_kind = "parallel"`): the op, the producers of its
    inits, the producers of inputs it reads one-to-one over its parallel
    loops (no other users; fused into its tiles), reading its inputs and the tensors its body captures
    (gathers through `tensor.extract`) as arguments. The parallel strategy
    spreads its parallel loops over blocks and threads; reductions run
    in order within a thread.
  }];
  let options = [
    Option<"parallel", "parallel-kernels", "bool", /*default=*/"true",
           "Form a parallel kernel of every other linalg op">,
    Option<"autocast", "autocast", "bool", /*default=*/"false",
           "Round the f32 X of a contraction whose W is the extension of a "
           "16-bit tensor to that type, and read W as it is: 16-bit tensor "
           "cores, as PyTorch autocast computes (precision=autocast)">
  ];
  let dependentDialects = [
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::func::FuncDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def SeqBoatFormScanKernels : Pass<"seqboat-form-scan-kernels", "::mlir::ModuleOp"> {
  let summary = "Outline the seqboat ops with a sequential part into scan kernels";
  let description = [{
    Kernel formation for the seqboat ops whose lowering is not a linalg op
    but a loop with a sequential part: `ema_conv` (the recurrence carried
    across chunks), `compact_index` (a prefix count), `scatter` (rows moved
    by slot) and `local_attention` (online softmax over the window). Each
    such op on tensors with non-empty static dims (B and L may be runtime
    sizes) becomes a private function
    `@<caller>_scan_<i>` tagged `seqboat.kernel_kind = "scan"`, holding the
    op itself, with a memref ABI (operands, then results) and a call where
    it was.

    Runs before `convert-seqboat-to-linalg{skip-kernels}`: the op stays a
    seqboat op until `seqboat-apply-strategies` has tiled it through its
    `TilingInterface` over its parallel loops (batch, channels, features);
    the scan strategy then lowers each thread's tile to linalg and loops,
    so the sequential part runs in order within a thread.

    A `local_attention` that takes the attention strategy (its key block,
    `attention-key-block` or the op's `seqboat.knobs` `key_block`, is
    positive) also takes the elementwise producers of its q, k and v into
    its kernel (a `linalg.generic` computing each element from tensors read
    at that element's batch, slot and feature, or at constants: the layer's
    q = z·γ₀ + β₀, an extension of a 16-bit operand; for k and v, gathered
    once per key tile, only producers of one tensor): the strategy computes
    them as it gathers its tiles, so the kernel reads their inputs, not
    their results, which saves a kernel and an HBM round trip per operand
    (and reads a 16-bit operand in 16 bits). Under `seqboat.autocast = T`
    a producer of k or v that stays a kernel of its own stores its result
    rounded to T (the strategy rounds those tiles to T as it gathers them).

    With `autocast`, in a function whose tensor arguments have one 16-bit
    type T, the local attentions are marked `seqboat.autocast = T` and,
    before any kernel is formed, each projection on 16-bit weights (raised
    as `seqboat-form-kernels` raises it, with the elementwise consumer it
    absorbs) stores its result rounded to T, as an autocast `nn.Linear`
    does: its readers read it extended, the extension moved below the
    reshapes and slices they read it through, so that each kernel reads its
    part in 16 bits.
  }];
  let options = [
    Option<"attentionKeyBlock", "attention-key-block", "int64_t", "32",
           "Keys per tile of the attention strategy (as seqboat-apply-strategies'); "
           "0: attention kernels take the scan strategy and no producers">,
    Option<"autocast", "autocast", "bool", "false",
           "precision=autocast: in a function whose tensor arguments have one "
           "16-bit type, projections on 16-bit weights store their results "
           "rounded to it (as a PyTorch autocast model's nn.Linear)">
  ];
  let dependentDialects = [
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::func::FuncDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def SeqBoatApplyStrategies : Pass<"seqboat-apply-strategies", "::mlir::ModuleOp"> {
  let summary = "Compile every formed kernel with its transform-dialect strategy";
  let description = [{
    Runs, for each kernel function formed by `seqboat-form-kernels`, the
    named sequence `@seqboat_<kind>_<target>` of the strategy library with
    the kernel's knobs bound as `!transform.param<i64>` arguments. The
    default library (`lib/Strategies/contraction.mlir`) is compiled into the
    tool; `library=FILE` loads a user's library instead, without rebuilding
    the compiler. Knobs come from the options or, per kernel, from a
    `seqboat.tiles = array<i64: TM, TN, BK>` attribute on the kernel
    function; they are checked against the problem (tiles must divide M, N,
    K) and, for the GPU, against 48 KiB of static shared memory.

    `target=gpu`: the kernel becomes a `gpu.launch` with cp.async-staged,
    double-buffered shared tiles and TF32 `nvgpu.mma.sync` (sm_80+), or with
    `precision=ieee` register-blocked exact-f32 FFMA per thread
    (`@seqboat_<kind>_gpu_ieee`).
    `target=cpu`: the same tiles as sequential loops and FMAs, for checking
    the schedule's numerics without a GPU.
    `target=gpu-mapped`: parallel and scan kernels take their GPU strategy
    (their `gpu.launch` then runs as CPU loops with
    `seqboat-launches-to-loops`), contraction kernels their CPU one; what
    is left on the host is not an error.
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"gpu\"",
           "Strategy target: gpu, cpu or gpu-mapped (the GPU mapping of "
           "parallel and scan kernels, the CPU contraction strategy)">,
    Option<"library", "library", "std::string", /*default=*/"\"\"",
           "Transform-dialect strategy library (default: the built-in one)">,
    Option<"tileM", "tile-m", "int64_t", /*default=*/"64",
           "Rows of the block tile of contraction kernels">,
    Option<"tileN", "tile-n", "int64_t", /*default=*/"64",
           "Columns of the block tile of contraction kernels">,
    Option<"tileK", "tile-k", "int64_t", /*default=*/"16",
           "Reduction tile (shared-memory stage depth) of contraction kernels">,
    Option<"precision", "precision", "std::string", /*default=*/"\"tf32\"",
           "f32 contractions on the GPU: tf32 (tensor cores, PyTorch's "
           "allow_tf32), ieee (exact f32 FFMA) or autocast (tf32 here; "
           "seqboat-form-kernels{autocast} made the 16-bit GEMMs); 16-bit "
           "contractions use 16-bit tensor cores under every precision">,
    Option<"scanChunk", "scan-chunk", "int64_t", /*default=*/"16",
           "Chunk of the EMA scan within one thread of a scan kernel "
           "(ema_conv), bound as the scan strategy's param">,
    Option<"parallelThreads", "parallel-threads", "int64_t",
           /*default=*/"128",
           "Threads per block of parallel and scan kernels (a multiple of 32, "
           "at most 1024), bound as their strategies' param">,
    Option<"attentionQueryBlock", "attention-query-block", "int64_t",
           /*default=*/"64",
           "Query slots per block of the attention strategy">,
    Option<"attentionThreads", "attention-threads", "int64_t",
           /*default=*/"256",
           "Threads per block of the attention strategy's kernels (a "
           "multiple of 32, at most 1024; seqboat.knobs `threads` overrides "
           "it per op); its products take 16 query rows per warp">,
    Option<"attentionKeyBlock", "attention-key-block", "int64_t",
           /*default=*/"32",
           "Keys per tile of the attention strategy's loop (the online "
           "softmax); 0: attention kernels take the scan strategy (a "
           "thread per query walks its window)">
  ];
  let dependentDialects = [
    "::mlir::transform::TransformDialect"
  ];
}

def SeqBoatApplyHostStrategies
    : Pass<"seqboat-apply-host-strategies", "::mlir::ModuleOp"> {
  let summary = "Compile the linalg contractions of bufferized host code "
                "with the host strategy (register-tiled vector FMAs)";
  let description = [{
    The CPU side of the strategy library: every linalg contraction on
    buffers outside kernel functions (one reduction dimension, one column
    dimension that is the innermost of both the right operand and the
    result, f32, static shapes; batch and further row dimensions allowed) is
    compiled by the named sequence `@seqboat_contraction_host` of the
    strategy library. The op is first made a `linalg.generic` whose first
    loop is the reduction (so that one step size tiles it whatever the
    rank); the library tiles the rows and columns into cache blocks
    (`scf.forall`), the blocks into register tiles, the reduction into short
    steps, vectorises the step to a `vector.contract`, keeps the accumulator
    tile in registers across the reduction and lowers the contraction to
    outer products, i.e. one FMA per register-tile row and step on the
    host's vectors.

    Every other linalg op on buffers whose operands are all contiguous along
    one parallel loop (elementwise ops, broadcasts, per-channel
    contractions such as the EMA's intra-chunk Toeplitz products, short
    reductions) is compiled by `@seqboat_rows_host`: that loop becomes
    vectors of `row-vector` lanes, the other parallel loops are tiled by 1,
    and reductions of at most `max-row-reduction` iterations are reduced
    across vector registers. What neither takes stays as it is (loops).

    The knobs are upper bounds: each tile is the largest that divides its
    dimension (the register tile divides the block tile), so every shape
    compiles without partial tiles.
  }];
  let options = [
    Option<"library", "library", "std::string", /*default=*/"\"\"",
           "Transform-dialect strategy library (default: the built-in one)">,
    Option<"tileM", "tile-m", "int64_t", /*default=*/"64",
           "Rows of a cache block (at most)">,
    Option<"tileN", "tile-n", "int64_t", /*default=*/"256",
           "Columns of a cache block (at most)">,
    Option<"regM", "reg-m", "int64_t", /*default=*/"0",
           "Rows of the register tile (at most; 0: from the host CPU, 8 "
           "with AVX-512, else 4)">,
    Option<"regN", "reg-n", "int64_t", /*default=*/"0",
           "Columns of the register tile (at most; a multiple of the vector "
           "width is best; 0: two of the host's vectors)">,
    Option<"tileK", "tile-k", "int64_t", /*default=*/"8",
           "Reduction step of one vector contraction (at most)">,
    Option<"rowVector", "row-vector", "int64_t", /*default=*/"16",
           "Lanes of the row strategy's vectors (at most)">,
    Option<"maxRowReduction", "max-row-reduction", "int64_t",
           /*default=*/"64",
           "Longest reduction the row strategy keeps in registers">
  ];
  let dependentDialects = [
    "::mlir::transform::TransformDialect"
  ];
}

def SeqBoatMmaSyncTF32 : Pass<"seqboat-mma-sync-tf32"> {
  let summary = "Run f32 nvgpu.mma.sync as TF32 (m16n8k8 tf32 operands)";
  let description = [{
    Rewrites `nvgpu.mma.sync` on f32 operands to take TF32 operands
    (upstream's `populateMmaSyncF32ToTF32Patterns`), the tensor-core form of
    f32 contractions on sm_80+ (PyTorch's `allow_tf32`).
  }];
  let dependentDialects = ["::mlir::nvgpu::NVGPUDialect"];
}

def SeqBoatVectorToMmaSync : Pass<"seqboat-vector-to-mma-sync",
                                   "::mlir::func::FuncOp"> {
  let summary = "Warp-level vector.contract tiles to mma.sync, bf16 included";
  let description = [{
    Upstream's `convert-vector-to-gpu{use-nvgpu}` (vector.contract tiles to
    `nvgpu.mma.sync`, their reads from shared memory to `nvgpu.ldmatrix`)
    for f32, f16 and the other types it takes, and for bf16, which it does
    not: a bf16 fragment has the register layout of an f16 one, so a
    function holding bf16 values is converted through the f16 path with its
    bf16 types and constants reinterpreted bit for bit, then reinterpreted
    back, and each bf16 `nvgpu.mma.sync` (which `convert-nvgpu-to-nvvm`
    cannot lower) is lowered to `nvvm.mma.sync` m16n8k16 bf16 -> f32. A
    function holding both f16 and bf16 values is refused.

    Upstream roots a conversion at every op it could apply to fragments,
    scalar ones included, and fails on those. Where the function has
    `scf.forall`s mapped to `#gpu.warp` holding contractions (the attention
    strategy's warp tiles, among scalar phases), each of them is converted
    on its own, after forwarding the values it writes to shared memory and
    reads back (a fill's zeros become a constant accumulator); otherwise
    the whole function is.
  }];
  let dependentDialects = ["::mlir::nvgpu::NVGPUDialect",
                           "::mlir::NVVM::NVVMDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::affine::AffineDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::vector::VectorDialect"];
}

def SeqBoatExternDynamicShared : Pass<"seqboat-extern-dynamic-shared"> {
  let summary = "Declare dynamic shared memory as the .extern .shared array "
                "CUDA uses";
  let description = [{
    `convert-gpu-to-nvvm` lowers `gpu.dynamic_shared_memory` to an internal,
    zero-length `llvm.mlir.global` in address space 3. The NVPTX backend
    demotes such an internal global into a one-byte `.shared` variable of its
    kernel, which is not the dynamic shared memory window a launch sizes.
    This pass gives every zero-length, uninitialised global in address space
    3 external linkage, which NVPTX emits as `.extern .shared .align A .b8
    name[];`, the form CUDA C++ uses for `extern __shared__` arrays.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

def SeqBoatLoopAnnotations : Pass<"seqboat-loop-annotations"> {
  let summary = "Give LLVM branches the loop annotations their scf.for carried";
  let description = [{
    `convert-scf-to-cf` copies an `scf.for`'s discardable attributes to the
    back edge of the loop it creates, so an `llvm.loop_annotation` a strategy
    set on the loop ends up as a discardable attribute of the `llvm.br`,
    which the LLVM IR translation ignores. This pass moves it to the
    branch's `loop_annotation`, which becomes `!llvm.loop` metadata. The scan
    strategy uses it to keep LLVM from fully unrolling a thread's loops over
    its local arrays (which made ptxas spill).
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // SEQBOAT_CONVERSION_PASSES_TD
