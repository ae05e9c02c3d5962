//===- InitAllSeqBoat.cpp - one registration point for every tool ---------===//

#include "seqboat/InitAllSeqBoat.h"

#include "seqboat/Conversion/Passes.h"
#include "seqboat/Dialect/SeqBoat/IR/SeqBoatDialect.h"
#include "seqboat/Dialect/SeqBoat/TransformOps/SeqBoatTransformOps.h"
#include "seqboat/Dialect/SeqBoat/Transforms/Passes.h"
#include "seqboat/Pipelines/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

void mlir::seqboat::registerAllSeqBoatDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
  registry.insert<SeqBoatDialect>();
  registerTransformDialectExtension(registry);
}

void mlir::seqboat::registerAllSeqBoatPasses() {
  registerAllPasses();
  registerSeqBoatTransformsPasses();
  registerSeqBoatConversionPasses();
  registerSeqBoatPipelines();
}
