//===- InitAllSeqBoat.h - one registration point for every tool -*- C++ -*-===//
//
// Every seqboat tool registers dialects, extensions, passes and translations
// through these two functions, so all tools accept the same IR and pipelines.
//
//===----------------------------------------------------------------------===//

#ifndef SEQBOAT_INITALLSEQBOAT_H
#define SEQBOAT_INITALLSEQBOAT_H

namespace mlir {
class DialectRegistry;

namespace seqboat {

/// Upstream dialects, extensions and LLVM IR translations, plus seqboat's.
void registerAllSeqBoatDialects(DialectRegistry &registry);

/// Upstream passes and pipelines, plus seqboat's passes and named pipelines.
void registerAllSeqBoatPasses();

} // namespace seqboat
} // namespace mlir

#endif // SEQBOAT_INITALLSEQBOAT_H
