//===- SeqBoatTransformOps.cpp - seqboat's transform-dialect ops ----------===//

#include "seqboat/Dialect/SeqBoat/TransformOps/SeqBoatTransformOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/TransformOps/GPUTransformOps.h"
#include "mlir/Dialect/GPU/TransformOps/Utils.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Transform/IR/TransformDialect.h"

using namespace mlir;
using namespace mlir::seqboat;

#define GET_OP_CLASSES
#include "seqboat/Dialect/SeqBoat/TransformOps/SeqBoatTransformOps.cpp.inc"

DiagnosedSilenceableFailure SeqBoatMapNestedForallToThreadsOp::apply(
    transform::TransformRewriter &rewriter,
    transform::TransformResults &results, transform::TransformState &state) {
  ArrayRef<Attribute> params = state.getParams(getBlockThreads());
  if (params.size() != 1)
    return emitDefiniteFailure()
           << "expects one block_threads value, got " << params.size();
  auto value = dyn_cast<IntegerAttr>(params.front());
  if (!value || value.getInt() < 1 || value.getInt() > 1024)
    return emitDefiniteFailure()
           << "block_threads must be an integer in [1, 1024], got "
           << params.front();
  SmallVector<int64_t> blockDims = {value.getInt(), 1, 1};
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
class SeqBoatTransformDialectExtension
    : public transform::TransformDialectExtension<
          SeqBoatTransformDialectExtension> {
public:
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(SeqBoatTransformDialectExtension)

  SeqBoatTransformDialectExtension() {
    declareGeneratedDialect<mlir::gpu::GPUDialect>();
    declareGeneratedDialect<arith::ArithDialect>();
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
