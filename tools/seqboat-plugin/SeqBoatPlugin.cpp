//===- SeqBoatPlugin.cpp - seqboat as a plugin of stock mlir-opt ----------===//
//
//   mlir-opt --load-dialect-plugin=libSeqBoatPlugin.so \
//            --load-pass-plugin=libSeqBoatPlugin.so --seqboat-decompose ...
//
// mlir-opt already registers every upstream dialect and pass, so the plugin
// adds only seqboat's. It links the same libMLIR.so as mlir-opt: with static
// MLIR libraries the plugin would carry its own copies of the dialect and
// pass registries, and what it registers would be invisible to mlir-opt.
//
//===----------------------------------------------------------------------===//

#include "seqboat/Conversion/Passes.h"
#include "seqboat/Dialect/SeqBoat/IR/SeqBoatDialect.h"
#include "seqboat/Dialect/SeqBoat/TransformOps/SeqBoatTransformOps.h"
#include "seqboat/Dialect/SeqBoat/Transforms/Passes.h"
#include "seqboat/Pipelines/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "mlir/Tools/Plugins/PassPlugin.h"

#include "llvm/Config/llvm-config.h"
#include "llvm/Support/Compiler.h"

using namespace mlir;

/// Passes and named pipelines. Both entry points call this, so loading the
/// library as a dialect plugin alone also makes its passes available; the
/// pipelines must be registered only once.
static void registerSeqBoatPassesOnce() {
  static bool registered = [] {
    seqboat::registerSeqBoatTransformsPasses();
    seqboat::registerSeqBoatConversionPasses();
    seqboat::registerSeqBoatPipelines();
    return true;
  }();
  (void)registered;
}

extern "C" LLVM_ATTRIBUTE_WEAK DialectPluginLibraryInfo
mlirGetDialectPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "SeqBoat", LLVM_VERSION_STRING,
          [](DialectRegistry *registry) {
            registry->insert<seqboat::SeqBoatDialect>();
            seqboat::registerTransformDialectExtension(*registry);
            registerSeqBoatPassesOnce();
          }};
}

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "SeqBoatPasses", LLVM_VERSION_STRING,
          []() { registerSeqBoatPassesOnce(); }};
}
