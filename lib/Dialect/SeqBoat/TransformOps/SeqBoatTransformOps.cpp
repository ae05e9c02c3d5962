//===- SeqBoatTransformOps.cpp - seqboat's transform-dialect ops ----------===//

#include "seqboat/Dialect/SeqBoat/TransformOps/SeqBoatTransformOps.h"
#include "seqboat/Dialect/SeqBoat/Utils/LinalgBuilders.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Interfaces/ValueBoundsOpInterface.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/TransformOps/GPUTransformOps.h"
#include "mlir/Dialect/GPU/TransformOps/Utils.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Transform/IR/TransformDialect.h"
#include "mlir/Interfaces/TilingInterface.h"

using namespace mlir;
using namespace mlir::seqboat;

#define GET_OP_CLASSES
#include "seqboat/Dialect/SeqBoat/TransformOps/SeqBoatTransformOps.cpp.inc"

namespace {

bool isNormalized(scf::ForallOp forall) {
  return llvm::all_of(forall.getMixedLowerBound(),
                      [](OpFoldResult f) { return isConstantIntValue(f, 0); }) &&
         llvm::all_of(forall.getMixedStep(),
                      [](OpFoldResult f) { return isConstantIntValue(f, 1); });
}

bool hasMapping(scf::ForallOp forall, bool blocks) {
  std::optional<ArrayAttr> mapping = forall.getMapping();
  return mapping && !mapping->empty() &&
         llvm::all_of(*mapping, [&](Attribute a) {
           return blocks ? isa<mlir::gpu::GPUBlockMappingAttr>(a)
                         : isa<mlir::gpu::GPUThreadMappingAttr,
                               mlir::gpu::GPUWarpMappingAttr>(a);
         });
}

/// A constant (inclusive) upper bound of the index `v`: through the min
/// and max a tile's clamped extent is built of (max(min(T, n - i), 0)),
/// else from ValueBounds.
std::optional<int64_t> upperBound(Value v, unsigned depth = 8) {
  if (std::optional<int64_t> c = getConstantIntValue(v))
    return c;
  if (depth == 0)
    return std::nullopt;
  if (auto max = v.getDefiningOp<arith::MaxSIOp>()) {
    std::optional<int64_t> a = upperBound(max.getLhs(), depth - 1),
                           b = upperBound(max.getRhs(), depth - 1);
    if (a && b)
      return std::max(*a, *b);
    return std::nullopt;
  }
  if (auto min = v.getDefiningOp<arith::MinSIOp>()) {
    std::optional<int64_t> a = upperBound(min.getLhs(), depth - 1),
                           b = upperBound(min.getRhs(), depth - 1);
    if (a && b)
      return std::min(*a, *b);
    return a ? a : b;
  }
  FailureOr<int64_t> bound = ValueBoundsConstraintSet::computeConstantBound(
      presburger::BoundType::UB, v, /*stopCondition=*/nullptr,
      /*closedUB=*/true);
  if (succeeded(bound))
    return *bound;
  return std::nullopt;
}

/// Gives each bufferized thread forall in `launch` with runtime trip counts
/// (the threads of a partial tile) static ones, their constant upper
/// bounds, and guards its body by the runtime counts: upstream's thread
/// mapping needs static counts.
LogicalResult boundThreadForalls(RewriterBase &rewriter,
                                 mlir::gpu::LaunchOp launch,
                                 scf::ForallOp &unbounded) {
  SmallVector<scf::ForallOp> foralls;
  launch.walk([&](scf::ForallOp forall) {
    if (hasMapping(forall, /*blocks=*/false) && forall.getNumResults() == 0 &&
        isNormalized(forall) &&
        llvm::any_of(forall.getMixedUpperBound(),
                     [](OpFoldResult f) { return isa<Value>(f); }))
      foralls.push_back(forall);
  });
  for (scf::ForallOp forall : foralls) {
    SmallVector<OpFoldResult> ubs = forall.getMixedUpperBound();
    SmallVector<OpFoldResult> bounds;
    for (OpFoldResult ub : ubs) {
      if (isa<Attribute>(ub)) {
        bounds.push_back(ub);
        continue;
      }
      std::optional<int64_t> bound = upperBound(cast<Value>(ub));
      if (!bound || *bound < 1) {
        unbounded = forall;
        return failure();
      }
      bounds.push_back(rewriter.getIndexAttr(*bound));
    }
    Location loc = forall.getLoc();
    rewriter.setInsertionPoint(forall);
    // (With its empty scf.forall.in_parallel terminator.)
    auto bounded = scf::ForallOp::create(rewriter, loc, bounds, ValueRange{},
                                         forall.getMapping());
    // The guard: every induction variable below its runtime count.
    rewriter.setInsertionPoint(bounded.getBody()->getTerminator());
    Value inside;
    for (auto [iv, ub] : llvm::zip(bounded.getInductionVars(), ubs)) {
      if (isa<Attribute>(ub))
        continue;
      Value below = arith::CmpIOp::create(rewriter, loc,
                                          arith::CmpIPredicate::ult, iv,
                                          cast<Value>(ub));
      inside = inside ? arith::AndIOp::create(rewriter, loc, inside, below)
                            .getResult()
                      : below;
    }
    auto guard = scf::IfOp::create(rewriter, loc, inside, /*withElse=*/false);
    Block *body = forall.getBody();
    // The old body without its (empty) terminator into the guard.
    rewriter.eraseOp(body->getTerminator());
    Block *then = guard.thenBlock();
    rewriter.inlineBlockBefore(body, then->getTerminator(),
                               bounded.getInductionVars());
    rewriter.eraseOp(forall);
  }
  return success();
}

} // namespace

DiagnosedSilenceableFailure SeqBoatMapForallToBlocksOp::apply(
    transform::TransformRewriter &rewriter,
    transform::TransformResults &results, transform::TransformState &state) {
  SmallVector<Operation *> launches;
  for (Operation *target : state.getPayloadOps(getTarget())) {
    SmallVector<scf::ForallOp> foralls;
    target->walk([&](scf::ForallOp forall) {
      if (hasMapping(forall, /*blocks=*/true) &&
          !forall->getParentOfType<scf::ForallOp>())
        foralls.push_back(forall);
    });
    if (foralls.size() != 1) {
      DiagnosedSilenceableFailure diag =
          emitSilenceableError()
          << "expects one block forall in the payload, found "
          << foralls.size();
      diag.attachNote(target->getLoc()) << "payload op";
      return diag;
    }
    scf::ForallOp forall = foralls.front();
    if (!isNormalized(forall) || forall.getNumResults() != 0) {
      DiagnosedSilenceableFailure diag =
          emitSilenceableError()
          << "expects a normalized block forall without results";
      diag.attachNote(forall.getLoc()) << "block forall";
      return diag;
    }
    Location loc = forall.getLoc();
    rewriter.setInsertionPoint(forall);
    auto transformOp = cast<transform::TransformOpInterface>(getOperation());
    if (llvm::all_of(forall.getMixedUpperBound(),
                     [](OpFoldResult f) { return isa<Attribute>(f); })) {
      // Static grids: exactly upstream's generate_gpu_launch mapping.
      mlir::gpu::LaunchOp launch;
      DiagnosedSilenceableFailure diag = transform::gpu::createGpuLaunch(
          rewriter, target->getLoc(), transformOp, launch);
      if (!diag.succeeded())
        return diag;
      rewriter.setInsertionPointToStart(&launch.getBody().front());
      auto moved = cast<scf::ForallOp>(rewriter.clone(*forall));
      rewriter.eraseOp(forall);
      SmallVector<int64_t> gridDims;
      transform::gpu::GpuBlockIdBuilder ids(getContext());
      diag = transform::gpu::mapForallToBlocksImpl(rewriter, transformOp,
                                                   moved, gridDims, ids);
      if (!diag.succeeded())
        return diag;
      gridDims.resize(3, 1);
      diag = transform::gpu::alterGpuLaunch(rewriter, launch, transformOp,
                                            gridDims[0], gridDims[1],
                                            gridDims[2]);
      if (!diag.succeeded())
        return diag;
      launches.push_back(launch);
      continue;
    }
    Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
    SmallVector<Value> grid(3, one);
    SmallVector<int64_t> ids;
    for (auto [attr, ub] :
         llvm::zip(*forall.getMapping(), forall.getMixedUpperBound())) {
      int64_t id =
          static_cast<int64_t>(cast<mlir::gpu::GPUBlockMappingAttr>(attr)
                                   .getBlock());
      if (id > 2 || llvm::is_contained(ids, id)) {
        DiagnosedSilenceableFailure diag =
            emitSilenceableError() << "expects distinct x, y, z block mappings";
        diag.attachNote(forall.getLoc()) << "block forall";
        return diag;
      }
      ids.push_back(id);
      grid[id] = getValueOrCreateConstantIndexOp(rewriter, loc, ub);
    }
    // A runtime grid: no launch when it has no blocks.
    Value any;
    for (Value g : grid) {
      if (getConstantIntValue(g))
        continue;
      Value positive = arith::CmpIOp::create(
          rewriter, loc, arith::CmpIPredicate::sgt, g,
          arith::ConstantIndexOp::create(rewriter, loc, 0));
      any = any ? arith::AndIOp::create(rewriter, loc, any, positive)
                      .getResult()
                : positive;
    }
    if (any) {
      auto guard = scf::IfOp::create(rewriter, loc, any, /*withElse=*/false);
      rewriter.setInsertionPoint(guard.thenBlock()->getTerminator());
    }
    auto launch = mlir::gpu::LaunchOp::create(rewriter, loc, grid[0], grid[1],
                                              grid[2], one, one, one);
    rewriter.setInsertionPointToEnd(&launch.getBody().front());
    auto terminator = mlir::gpu::TerminatorOp::create(rewriter, loc);
    Block *body = forall.getBody();
    rewriter.eraseOp(body->getTerminator());
    SmallVector<Value> ivs;
    mlir::gpu::KernelDim3 blockIds = launch.getBlockIds();
    Value byId[3] = {blockIds.x, blockIds.y, blockIds.z};
    for (int64_t id : ids)
      ivs.push_back(byId[id]);
    rewriter.inlineBlockBefore(body, terminator, ivs);
    rewriter.eraseOp(forall);
    launches.push_back(launch);
  }
  results.set(cast<OpResult>(getResult()), launches);
  return DiagnosedSilenceableFailure::success();
}

/// The threads per block a `block_threads` param holds (one integer in
/// [1, 1024]), or a definite failure of `op` saying what it holds instead.
static DiagnosedSilenceableFailure
readBlockThreads(Operation *op, ArrayRef<Attribute> params, int64_t &threads) {
  auto value = params.size() == 1 ? dyn_cast<IntegerAttr>(params.front())
                                  : IntegerAttr();
  if (!value || value.getInt() < 1 || value.getInt() > 1024) {
    std::string held;
    llvm::raw_string_ostream os(held);
    llvm::interleaveComma(params, os);
    return emitDefiniteFailure(op, "block_threads must be one integer in "
                                   "[1, 1024], got [" + held + "]");
  }
  threads = value.getInt();
  return DiagnosedSilenceableFailure::success();
}

DiagnosedSilenceableFailure SeqBoatMapNestedForallToThreadsOp::apply(
    transform::TransformRewriter &rewriter,
    transform::TransformResults &results, transform::TransformState &state) {
  int64_t threads = 0;
  DiagnosedSilenceableFailure read = readBlockThreads(
      getOperation(), state.getParams(getBlockThreads()), threads);
  if (!read.succeeded())
    return read;
  SmallVector<int64_t> blockDims = {threads, 1, 1};
  auto transformOp = cast<transform::TransformOpInterface>(getOperation());
  SmallVector<Operation *> mapped;
  for (Operation *target : state.getPayloadOps(getTarget())) {
    auto launch = dyn_cast<mlir::gpu::LaunchOp>(target);
    if (!launch) {
      DiagnosedSilenceableFailure diag =
          emitSilenceableError() << "expects a gpu.launch payload";
      diag.attachNote(target->getLoc()) << "payload op";
      return diag;
    }
    // As upstream's map_nested_forall_to_threads: the launch's block size
    // first, then each thread forall within it.
    DiagnosedSilenceableFailure diag = transform::gpu::checkGpuLimits(
        transformOp, std::nullopt, std::nullopt, std::nullopt, blockDims[0],
        blockDims[1], blockDims[2]);
    if (!diag.succeeded())
      return diag;
    diag = transform::gpu::alterGpuLaunch(rewriter, launch, transformOp,
                                          std::nullopt, std::nullopt,
                                          std::nullopt, blockDims[0],
                                          blockDims[1], blockDims[2]);
    if (!diag.succeeded())
      return diag;
    scf::ForallOp unbounded;
    if (failed(boundThreadForalls(rewriter, launch, unbounded))) {
      DiagnosedSilenceableFailure diag =
          emitSilenceableError() << "a thread forall with a runtime trip "
                                    "count that has no static upper bound";
      diag.attachNote(unbounded.getLoc())
          << "thread forall: " << *unbounded.getOperation();
      return diag;
    }
    rewriter.setInsertionPointToStart(&launch.getBody().front());
    diag = transform::gpu::mapNestedForallToThreadsImpl(
        rewriter, transformOp, launch, blockDims, /*warpSize=*/32,
        /*syncAfterDistribute=*/true);
    if (!diag.succeeded())
      return diag;
    mapped.push_back(launch);
  }
  results.set(cast<OpResult>(getResult()), mapped);
  return DiagnosedSilenceableFailure::success();
}

void SeqBoatMapNestedForallToThreadsOp::getEffects(
    SmallVectorImpl<MemoryEffects::EffectInstance> &effects) {
  transform::consumesHandle(getTargetMutable(), effects);
  transform::onlyReadsHandle(getBlockThreadsMutable(), effects);
  transform::producesHandle(getOperation()->getOpResults(), effects);
  transform::modifiesPayload(effects);
}

namespace {

constexpr int64_t kWarpSize = 32;
constexpr llvm::StringLiteral kWarpMatmulAttr = "seqboat.warp_matmul";

/// Whether `op` is a linalg.matmul the block's `warps` can run on tensor
/// cores: static M x N x K, M a multiple of 16, N a multiple of 8, K of 8
/// (f32 operands, TF32 m16n8k8) or 16 (f16/bf16, m16n8k16).
bool isWarpMatmul(Operation *op, int64_t warps) {
  auto mm = dyn_cast<linalg::MatmulOp>(op);
  if (!mm || warps < 1)
    return false;
  SmallVector<int64_t> ranges = mm.getStaticLoopRanges();
  int64_t mmaK =
      mmaSyncK(getElementTypeOrSelf(mm.getDpsInputs()[0].getType()));
  return ranges.size() == 3 && !ShapedType::isDynamicShape(ranges) &&
         ranges[0] % 16 == 0 && ranges[1] % 8 == 0 && ranges[2] % mmaK == 0 &&
         ranges[0] > 0 && ranges[1] > 0 && ranges[2] > 0;
}

/// Replaces `root` by its tiles' results, then erases `root` and the
/// producers fused into the tiles that nothing reads any more (recorded in
/// `erased`, so that a walk over a list holding them skips them).
void replaceTiledRoot(RewriterBase &rewriter, Operation *root,
                      const scf::SCFTileAndFuseResult &tiled,
                      llvm::SmallPtrSetImpl<Operation *> &erased) {
  for (OpResult r : root->getResults())
    rewriter.replaceAllUsesWith(r, tiled.replacements.lookup(r));
  rewriter.eraseOp(root);
  for (Operation *producer : tiled.fusedProducers) {
    if (producer == root || !producer->use_empty())
      continue;
    erased.insert(producer);
    rewriter.eraseOp(producer);
  }
}

/// Tiles `mm` (an isWarpMatmul) into an scf.forall over at most `warps`
/// warps: rows of 16 first, then columns of 8; each warp's matmul tagged
/// seqboat.warp_matmul. A fill of its accumulator is computed in the warp's
/// tile (tagged too: its zeros then feed the tensor cores' accumulator
/// directly) and erased where nothing else reads it (`erased`); nothing
/// else is fused into it.
LogicalResult tileMatmulToWarps(RewriterBase &rewriter, linalg::MatmulOp mm,
                                int64_t warps,
                                llvm::SmallPtrSetImpl<Operation *> &erased) {
  MLIRContext *ctx = mm.getContext();
  SmallVector<int64_t> ranges = mm.getStaticLoopRanges();
  int64_t warpsM = largestDivisor(ranges[0] / 16, warps);
  int64_t warpsN = largestDivisor(ranges[1] / 8, warps / warpsM);
  scf::SCFTilingOptions options;
  options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
  // (Counts, not sizes: the mapping takes normalised foralls.)
  options.setNumThreads(getAsIndexOpFoldResult(
      ctx, ArrayRef<int64_t>{warpsM, warpsN, 0}));
  options.setMapping(ArrayRef<Attribute>{
      mlir::gpu::GPUWarpMappingAttr::get(ctx, mlir::gpu::MappingId::LinearDim1),
      mlir::gpu::GPUWarpMappingAttr::get(ctx,
                                         mlir::gpu::MappingId::LinearDim0)});
  scf::SCFTileAndFuseOptions fuseOptions;
  fuseOptions.setTilingOptions(options);
  fuseOptions.setFusionControlFn(
      [&](tensor::ExtractSliceOp, OpResult producer, bool isDestination)
          -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
        // (A fill that other ops read stays for them.)
        if (isDestination && isa<linalg::FillOp>(producer.getOwner()))
          return scf::SCFTileAndFuseOptions::ControlFnResult{};
        return std::nullopt;
      });
  rewriter.setInsertionPoint(mm);
  FailureOr<scf::SCFTileAndFuseResult> tiled =
      scf::tileConsumerAndFuseProducersUsingSCF(
          rewriter, cast<TilingInterface>(mm.getOperation()), fuseOptions);
  if (failed(tiled))
    return failure();
  for (Operation *t : tiled->tiledAndFusedOps)
    t->setAttr(kWarpMatmulAttr, UnitAttr::get(ctx));
  replaceTiledRoot(rewriter, mm, *tiled, erased);
  return success();
}

/// Whether `op` is in a block forall and not in a thread forall.
bool inBlockNotThread(Operation *op) {
  bool block = false;
  for (Operation *p = op->getParentOp(); p; p = p->getParentOp())
    if (auto forall = dyn_cast<scf::ForallOp>(p)) {
      if (hasMapping(forall, /*blocks=*/false))
        return false;
      block |= hasMapping(forall, /*blocks=*/true);
    }
  return block;
}

} // namespace

DiagnosedSilenceableFailure SeqBoatPromoteBlockTensorsOp::apply(
    transform::TransformRewriter &rewriter,
    transform::TransformResults &results, transform::TransformState &state) {
  auto workgroup = mlir::gpu::AddressSpaceAttr::get(
      getContext(), mlir::gpu::AddressSpace::Workgroup);
  SmallVector<Operation *> targets;
  for (Operation *target : state.getPayloadOps(getTarget())) {
    SmallVector<tensor::EmptyOp> empties;
    target->walk([&](tensor::EmptyOp empty) {
      if (inBlockNotThread(empty))
        empties.push_back(empty);
    });
    for (tensor::EmptyOp empty : empties) {
      // (Left dead by empty-tensor elimination.)
      if (empty->use_empty()) {
        rewriter.eraseOp(empty);
        continue;
      }
      RankedTensorType type = empty.getType();
      if (!type.hasStaticShape()) {
        DiagnosedSilenceableFailure diag =
            emitSilenceableError()
            << "a block's scratch tensor of runtime size cannot be in "
               "workgroup memory";
        diag.attachNote(empty.getLoc()) << "tensor.empty: " << type;
        return diag;
      }
      rewriter.setInsertionPoint(empty);
      auto memType = MemRefType::get(type.getShape(), type.getElementType(),
                                     MemRefLayoutAttrInterface(), workgroup);
      Value buffer = memref::AllocaOp::create(rewriter, empty.getLoc(), memType);
      auto tensor = bufferization::ToTensorOp::create(
          rewriter, empty.getLoc(), type, buffer, /*restrict=*/true,
          /*writable=*/true);
      rewriter.replaceOp(empty, tensor.getResult());
    }
    targets.push_back(target);
  }
  results.set(cast<OpResult>(getResult()), targets);
  return DiagnosedSilenceableFailure::success();
}

DiagnosedSilenceableFailure SeqBoatTileBlockToThreadsOp::apply(
    transform::TransformRewriter &rewriter,
    transform::TransformResults &results, transform::TransformState &state) {
  int64_t threads = 0;
  DiagnosedSilenceableFailure read = readBlockThreads(
      getOperation(), state.getParams(getBlockThreads()), threads);
  if (!read.succeeded())
    return read;
  MLIRContext *ctx = getContext();
  SmallVector<Operation *> targets;
  for (Operation *target : state.getPayloadOps(getTarget())) {
    SmallVector<linalg::LinalgOp> ops;
    target->walk([&](linalg::LinalgOp op) {
      if (inBlockNotThread(op) && op->getNumResults() > 0)
        ops.push_back(op);
    });
    bool warpMatmuls = getWarpMatmuls();
    int64_t warps = threads / kWarpSize;
    // Consumers first: a fill, or a matmul read by one op only, is computed
    // in its consumer's thread tiles (one phase, one barrier fewer) instead
    // of as a phase of its own. A matmul on warps is a phase of its own.
    llvm::SmallPtrSet<Operation *, 16> fused;
    for (linalg::LinalgOp op : llvm::reverse(ops)) {
      if (fused.contains(op.getOperation()))
        continue;
      if (warpMatmuls && isWarpMatmul(op, warps)) {
        if (failed(tileMatmulToWarps(rewriter, cast<linalg::MatmulOp>(op),
                                     warps, fused))) {
          DiagnosedSilenceableFailure diag =
              emitSilenceableError() << "could not tile a block's matmul to warps";
          diag.attachNote(op.getLoc()) << "op: " << op->getName();
          return diag;
        }
        continue;
      }
      SmallVector<int64_t> ranges = op.getStaticLoopRanges();
      SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
      // Threads per parallel loop, innermost first.
      SmallVector<int64_t> numThreads(ranges.size(), 0);
      int64_t budget = threads;
      for (int64_t d = static_cast<int64_t>(ranges.size()) - 1;
           d >= 0 && budget > 1; --d) {
        if (iterators[d] != utils::IteratorType::parallel || ranges[d] == 1)
          continue;
        int64_t n = budget;
        if (!ShapedType::isDynamic(ranges[d])) {
          n = 1;
          for (int64_t c = std::min(budget, ranges[d]); c >= 1; --c)
            if (ranges[d] % c == 0 && budget % c == 0) {
              n = c;
              break;
            }
        }
        if (n <= 1)
          continue;
        numThreads[d] = n;
        budget /= n;
      }
      int64_t tiled = llvm::count_if(numThreads, [](int64_t n) { return n; });
      if (tiled == 0)
        continue;
      SmallVector<Attribute> mapping;
      for (int64_t d = tiled - 1; d >= 0; --d)
        mapping.push_back(mlir::gpu::GPUThreadMappingAttr::get(
            ctx, static_cast<mlir::gpu::MappingId>(
                     static_cast<int64_t>(mlir::gpu::MappingId::LinearDim0) +
                     d)));
      scf::SCFTilingOptions options;
      options.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
      options.setNumThreads(getAsIndexOpFoldResult(ctx, numThreads));
      options.setMapping(mapping);
      scf::SCFTileAndFuseOptions fuseOptions;
      fuseOptions.setTilingOptions(options);
      fuseOptions.setFusionControlFn(
          [&](tensor::ExtractSliceOp, OpResult producer, bool)
              -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
            Operation *def = producer.getOwner();
            if (!inBlockNotThread(def))
              return std::nullopt;
            if (warpMatmuls && isWarpMatmul(def, warps))
              return std::nullopt;
            if (isa<linalg::FillOp>(def) ||
                (isa<linalg::MatmulOp>(def) && producer.hasOneUse()))
              return scf::SCFTileAndFuseOptions::ControlFnResult{};
            return std::nullopt;
          });
      rewriter.setInsertionPoint(op);
      FailureOr<scf::SCFTileAndFuseResult> tiledOp =
          scf::tileConsumerAndFuseProducersUsingSCF(
              rewriter, cast<TilingInterface>(op.getOperation()), fuseOptions);
      if (failed(tiledOp)) {
        DiagnosedSilenceableFailure diag =
            emitSilenceableError() << "could not tile a block's op to threads";
        diag.attachNote(op.getLoc()) << "op: " << op->getName();
        return diag;
      }
      replaceTiledRoot(rewriter, op, *tiledOp, fused);
    }
    targets.push_back(target);
  }
  results.set(cast<OpResult>(getResult()), targets);
  return DiagnosedSilenceableFailure::success();
}

DiagnosedSilenceableFailure SeqBoatWorkgroupAllocasToDynamicSharedOp::apply(
    transform::TransformRewriter &rewriter,
    transform::TransformResults &results, transform::TransformState &state) {
  SmallVector<Operation *> targets;
  for (Operation *target : state.getPayloadOps(getTarget())) {
    SmallVector<mlir::gpu::LaunchOp> launches;
    target->walk([&](mlir::gpu::LaunchOp launch) { launches.push_back(launch); });
    for (mlir::gpu::LaunchOp launch : launches) {
      SmallVector<memref::AllocaOp> allocas;
      launch.walk([&](memref::AllocaOp alloca) {
        if (mlir::gpu::GPUDialect::hasWorkgroupMemoryAddressSpace(
                alloca.getType()))
          allocas.push_back(alloca);
      });
      if (allocas.empty())
        continue;
      // Byte offsets, 16-byte aligned.
      SmallVector<int64_t> offsets;
      int64_t total = 0;
      for (memref::AllocaOp alloca : allocas) {
        MemRefType type = alloca.getType();
        if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
            !type.getElementType().isIntOrFloat()) {
          DiagnosedSilenceableFailure diag =
              emitSilenceableError()
              << "a workgroup alloca that is not a static, identity-layout "
                 "buffer of scalars";
          diag.attachNote(alloca.getLoc()) << "alloca: " << type;
          return diag;
        }
        total = llvm::alignTo(total, 16);
        offsets.push_back(total);
        total += type.getNumElements() *
                 llvm::divideCeil(type.getElementTypeBitWidth(), 8);
      }
      if (total > getMaxBytes()) {
        DiagnosedSilenceableFailure diag =
            emitSilenceableError()
            << "the launch's workgroup buffers need " << total
            << " bytes of shared memory, more than " << getMaxBytes();
        diag.attachNote(launch.getLoc()) << "launch";
        return diag;
      }
      auto workgroup = mlir::gpu::AddressSpaceAttr::get(
          getContext(), mlir::gpu::AddressSpace::Workgroup);
      rewriter.setInsertionPoint(launch);
      Value size = arith::ConstantIntOp::create(rewriter, launch.getLoc(),
                                                rewriter.getI32Type(), total);
      launch.getDynamicSharedMemorySizeMutable().assign(size);
      Block &body = launch.getBody().front();
      rewriter.setInsertionPointToStart(&body);
      auto bytesType = MemRefType::get({ShapedType::kDynamic},
                                       rewriter.getI8Type(),
                                       MemRefLayoutAttrInterface(), workgroup);
      Value base = mlir::gpu::DynamicSharedMemoryOp::create(
          rewriter, launch.getLoc(), bytesType);
      for (auto [alloca, offset] : llvm::zip(allocas, offsets)) {
        rewriter.setInsertionPointAfterValue(base);
        Value at = arith::ConstantIndexOp::create(rewriter, alloca.getLoc(),
                                                  offset);
        Value view = memref::ViewOp::create(rewriter, alloca.getLoc(),
                                            alloca.getType(), base, at,
                                            ValueRange{});
        rewriter.replaceOp(alloca, view);
      }
    }
    targets.push_back(target);
  }
  results.set(cast<OpResult>(getResult()), targets);
  return DiagnosedSilenceableFailure::success();
}

void SeqBoatTileBlockToThreadsOp::getEffects(
    SmallVectorImpl<MemoryEffects::EffectInstance> &effects) {
  transform::consumesHandle(getTargetMutable(), effects);
  transform::onlyReadsHandle(getBlockThreadsMutable(), effects);
  transform::producesHandle(getOperation()->getOpResults(), effects);
  transform::modifiesPayload(effects);
}

namespace {
class SeqBoatTransformDialectExtension
    : public transform::TransformDialectExtension<
          SeqBoatTransformDialectExtension> {
public:
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(SeqBoatTransformDialectExtension)

  SeqBoatTransformDialectExtension() {
    declareGeneratedDialect<mlir::gpu::GPUDialect>();
    declareGeneratedDialect<arith::ArithDialect>();
    declareGeneratedDialect<bufferization::BufferizationDialect>();
    declareGeneratedDialect<memref::MemRefDialect>();
    declareGeneratedDialect<scf::SCFDialect>();
    declareGeneratedDialect<tensor::TensorDialect>();
    declareGeneratedDialect<affine::AffineDialect>();
    registerTransformOps<
#define GET_OP_LIST
#include "seqboat/Dialect/SeqBoat/TransformOps/SeqBoatTransformOps.cpp.inc"
        >();
  }
};
} // namespace

void mlir::seqboat::registerTransformDialectExtension(
    DialectRegistry &registry) {
  registry.addExtensions<SeqBoatTransformDialectExtension>();
}
