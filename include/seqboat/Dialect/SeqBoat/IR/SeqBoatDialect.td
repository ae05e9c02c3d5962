//===- SeqBoatDialect.td - seqboat dialect definition ------*- tablegen -*-===//
//
// The seqboat dialect: building blocks of SeqBoat-style long-sequence layers.
//
//===----------------------------------------------------------------------===//

#ifndef SEQBOAT_DIALECT_SEQBOAT_IR_SEQBOATDIALECT_TD
#define SEQBOAT_DIALECT_SEQBOAT_IR_SEQBOATDIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def SeqBoat_Dialect : Dialect {
  let name = "seqboat";
  let cppNamespace = "::mlir::seqboat";
  let summary = "Ops of SeqBoat-style long-sequence neural layers";
  let description = [{
    The `seqboat` dialect expresses the building blocks of SeqBoat layers
    (Sparse Modular Activation for Efficient Sequence Modeling): the damped
    multi-dimensional EMA and long/short depthwise convolutions, the router of
    Sparse Modular Activation with token compaction (`compact_index`, `gather`,
    `scatter`), local attention over the compacted tokens, tiled linear
    attention, and `seqboat.layer`, one whole layer that decomposes into the
    others. All ops work on ranked tensors with value semantics; activations
    are batch-major `[B, L, D]`, dense weights are stored `[out, in]` like
    PyTorch's `nn.Linear`.
  }];
  let useDefaultAttributePrinterParser = 1;
  // seqboat.knobs (the parallel and scan strategies' knobs on an op).
  let hasOperationAttrVerify = 1;
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

class SeqBoat_Op<string mnemonic, list<Trait> traits = []>
    : Op<SeqBoat_Dialect, mnemonic, traits>;

//===----------------------------------------------------------------------===//
// Enum attributes
//===----------------------------------------------------------------------===//

def SeqBoat_Activation : I32EnumAttr<"Activation",
    "attention score activation", [
      I32EnumAttrCase<"softmax", 0>,
      I32EnumAttrCase<"relu2", 1>,
      I32EnumAttrCase<"laplace", 2>
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::seqboat";
}

def SeqBoat_ActivationAttr
    : EnumAttr<SeqBoat_Dialect, SeqBoat_Activation, "activation"> {
  let assemblyFormat = "`<` $value `>`";
}

def SeqBoat_Norm : I32EnumAttr<"Norm", "normalization of a layer", [
      I32EnumAttrCase<"none", 0>,
      I32EnumAttrCase<"layernorm", 1>,
      I32EnumAttrCase<"rmsnorm", 2>
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::seqboat";
}

def SeqBoat_NormAttr : EnumAttr<SeqBoat_Dialect, SeqBoat_Norm, "norm"> {
  let assemblyFormat = "`<` $value `>`";
}

//===----------------------------------------------------------------------===//
// Tuning configuration
//===----------------------------------------------------------------------===//

def SeqBoat_ConfigAttr : AttrDef<SeqBoat_Dialect, "Config"> {
  let mnemonic = "config";
  let summary = "Knobs of the fused-kernel GPU strategy for one op";
  let description = [{
    Attached to a `seqboat.layer` as the discardable attribute
    `seqboat.config`, it overrides the `seqboat-layer-to-kernels` options for
    that op: `threads` per block (every phase of every kernel is strided over
    them) and `rows_per_block`, the token rows each block of the projection
    kernels keeps in shared memory (the weights are read once per block, so
    more rows mean less traffic but fewer, larger blocks).
    `seqboat-apply-tuning` sets it from a tuning database;
    `seqboat-print-tuning-space` lists the legal values.

    ```mlir
    #seqboat.config<threads = 128, rows_per_block = 16, unroll = 4, ema_chunk = 64, attn_queries = 4>
    ```
  }];
  let parameters = (ins "int64_t":$threads, "int64_t":$rows_per_block,
                        DefaultValuedParameter<"int64_t", "1">:$unroll,
                        DefaultValuedParameter<"int64_t", "64">:$ema_chunk,
                        DefaultValuedParameter<"int64_t", "1">:$attn_queries);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

#endif // SEQBOAT_DIALECT_SEQBOAT_IR_SEQBOATDIALECT_TD
