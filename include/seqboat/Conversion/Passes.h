//===- Passes.h - seqboat conversions ---------------------------*- C++ -*-===//

#ifndef SEQBOAT_CONVERSION_PASSES_H
#define SEQBOAT_CONVERSION_PASSES_H

#include "seqboat/Conversion/SeqBoatToGPU/SeqBoatToGPU.h"
#include "seqboat/Conversion/SeqBoatToLinalg/SeqBoatToLinalg.h"

namespace mlir::seqboat {

#define GEN_PASS_REGISTRATION
#include "seqboat/Conversion/Passes.h.inc"

} // namespace mlir::seqboat

#endif // SEQBOAT_CONVERSION_PASSES_H
