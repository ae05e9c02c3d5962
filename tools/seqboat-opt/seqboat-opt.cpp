//===- seqboat-opt.cpp - mlir-opt with the seqboat dialect ----------------===//

#include "seqboat/InitAllSeqBoat.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::seqboat::registerAllSeqBoatDialects(registry);
  mlir::seqboat::registerAllSeqBoatPasses();
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "seqboat optimizer and compiler driver\n", registry));
}
