//===- seqboat-downstream.cpp - a user of the installed seqboat package ---===//
//
//   seqboat-downstream FILE.mlir
//
// Parses FILE with the seqboat dialect loaded, runs seqboat-decompose and
// prints the names of the ops left in it, one per line.
//
//===----------------------------------------------------------------------===//

#include "seqboat/Dialect/SeqBoat/IR/SeqBoatDialect.h"
#include "seqboat/Dialect/SeqBoat/Transforms/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include "llvm/Support/raw_ostream.h"

int main(int argc, char **argv) {
  if (argc != 2) {
    llvm::errs() << "usage: seqboat-downstream FILE.mlir\n";
    return 2;
  }
  mlir::DialectRegistry registry;
  registry.insert<mlir::func::FuncDialect, mlir::seqboat::SeqBoatDialect>();
  mlir::MLIRContext context(registry);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(argv[1], &context);
  if (!module)
    return 1;
  mlir::PassManager pm(&context);
  pm.addPass(mlir::seqboat::createSeqBoatDecompose());
  if (mlir::failed(pm.run(*module)))
    return 1;
  module->walk([](mlir::Operation *op) {
    llvm::outs() << op->getName().getStringRef() << "\n";
  });
  return 0;
}
