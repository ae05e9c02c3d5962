//===- SeqBoatOps.cpp - seqboat op verifiers and interfaces ---------------===//
//
// Every verifier message names the operand (or attribute) at fault and the
// shape it must have, written with SPEC.md's symbols and, where known, their
// values: "operand 'delta' must be [C, N] = [32, 4] with C = 2D (bidirectional),
// but got tensor<16x4xf32>". Dynamic dimensions match anything.
//
//===----------------------------------------------------------------------===//

#include "seqboat/Dialect/SeqBoat/IR/SeqBoatOps.h"

#include "seqboat/Support/CheckedArith.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/STLExtras.h"

#include <limits>

#include <variant>

using namespace mlir;
using namespace mlir::seqboat;

namespace {

constexpr int64_t kDyn = ShapedType::kDynamic;

/// One dimension of an expected shape: its SPEC.md symbol and its value, or
/// kDyn when the value is not known statically.
struct Dim {
  std::string name;
  int64_t value;
};

int64_t dimOf(Value v, unsigned i) {
  auto type = cast<RankedTensorType>(v.getType());
  return i < type.getRank() ? type.getDimSize(i) : kDyn;
}

/// Collects the shape checks of one op and emits the first failure.
class ShapeChecker {
public:
  /// Starts with the size check every op shares: the static part of each
  /// operand's and result's shape must have an element count that fits int64
  /// at 8 bytes per element, so that every size a lowering derives from it
  /// (B*L, B*L*D, byte offsets) fits too.
  explicit ShapeChecker(Operation *op) : op(op) {
    auto check = [&](StringRef kind, unsigned index, Type t) {
      auto type = dyn_cast<RankedTensorType>(t);
      if (failed(status) || !type)
        return;
      auto staticDims = llvm::make_filter_range(
          type.getShape(), [](int64_t d) { return !ShapedType::isDynamic(d); });
      if (checkedNumElements(staticDims))
        return;
      status = op->emitOpError()
               << kind << " #" << index << " has type " << type
               << ", whose size overflows int64 (at most "
               << std::numeric_limits<int64_t>::max() /
                      kMaxElementBytes
               << " elements)";
    };
    for (auto [i, t] : llvm::enumerate(op->getOperandTypes()))
      check("operand", i, t);
    for (auto [i, t] : llvm::enumerate(op->getResultTypes()))
      check("result", i, t);
  }

  /// The derived dimension `symbol` = a * b (dynamic when either is); an
  /// overflow of int64 fails the op: no tensor can have such a dimension.
  int64_t mul(StringRef symbol, int64_t a, int64_t b) {
    if (ShapedType::isDynamic(a) || ShapedType::isDynamic(b))
      return kDyn;
    return derived(symbol, checkedMul(a, b), a, "*", b);
  }

  /// The derived dimension `symbol` = a + b, checked like mul.
  int64_t add(StringRef symbol, int64_t a, int64_t b) {
    if (ShapedType::isDynamic(a) || ShapedType::isDynamic(b))
      return kDyn;
    return derived(symbol, checkedAdd(a, b), a, "+", b);
  }

  /// A float attribute must be a finite number: NaN compares false against
  /// every bound, so `eps = NaN` would pass a range check and poison every
  /// output.
  ShapeChecker &finite(StringRef attrName, const APFloat &value) {
    if (succeeded(status) && !value.isFinite())
      status = op->emitOpError()
               << "attribute '" << attrName
               << "' must be a finite number, but got "
               << value.convertToDouble();
    return *this;
  }

  /// `kind` is "operand" or "result"; `note` qualifies the expectation.
  ShapeChecker &expect(StringRef kind, StringRef name, Value value,
                       ArrayRef<Dim> expected, StringRef note = "") {
    if (failed(status))
      return *this;
    auto type = cast<RankedTensorType>(value.getType());
    bool ok = type.getRank() == static_cast<int64_t>(expected.size());
    for (auto [i, dim] : llvm::enumerate(expected)) {
      if (!ok)
        break;
      int64_t actual = type.getDimSize(i);
      ok = ShapedType::isDynamic(actual) || ShapedType::isDynamic(dim.value) ||
           actual == dim.value;
    }
    if (ok)
      return *this;
    InFlightDiagnostic diag = op->emitOpError()
                              << kind << " '" << name << "' must be [";
    llvm::interleaveComma(expected, diag,
                          [&](const Dim &d) { diag << d.name; });
    diag << "]";
    bool anyKnown = llvm::any_of(
        expected, [](const Dim &d) { return !ShapedType::isDynamic(d.value); });
    if (anyKnown && !expected.empty()) {
      diag << " = [";
      llvm::interleaveComma(expected, diag, [&](const Dim &d) {
        if (ShapedType::isDynamic(d.value))
          diag << "?";
        else
          diag << d.value;
      });
      diag << "]";
    }
    if (!note.empty())
      diag << " " << note;
    diag << ", but got " << type;
    status = failure();
    return *this;
  }

  ShapeChecker &operand(StringRef name, Value value, ArrayRef<Dim> expected,
                        StringRef note = "") {
    return expect("operand", name, value, expected, note);
  }
  ShapeChecker &result(StringRef name, Value value, ArrayRef<Dim> expected,
                       StringRef note = "") {
    return expect("result", name, value, expected, note);
  }

  /// Element types (docs/dialect.md, "Element types"): the `activations`
  /// (the first one names the op's type T) all have T, one of f32, f16 and
  /// bf16; the small `params` all have one type, T or (when T is 16-bit)
  /// f32. Absent optional operands are null and skipped.
  ShapeChecker &
  elementTypes(ArrayRef<std::pair<StringRef, Value>> activations,
               ArrayRef<std::pair<StringRef, Value>> params = {}) {
    if (failed(status) || activations.empty())
      return *this;
    auto [firstName, first] = activations.front();
    Type expected = getElementTypeOrSelf(first);
    if (!expected.isF32() && !expected.isF16() && !expected.isBF16()) {
      status = op->emitOpError()
               << "'" << firstName << "' has element type " << expected
               << ", but the element type must be f32, f16 or bf16";
      return *this;
    }
    for (auto [name, value] : activations.drop_front()) {
      Type actual = getElementTypeOrSelf(value);
      if (!value || actual == expected)
        continue;
      status = op->emitOpError() << "'" << name << "' has element type "
                                 << actual << ", but '" << firstName
                                 << "' has " << expected;
      return *this;
    }
    std::optional<std::pair<StringRef, Type>> paramType;
    for (auto [name, value] : params) {
      if (!value)
        continue;
      Type actual = getElementTypeOrSelf(value);
      if (paramType && actual != paramType->second) {
        status = op->emitOpError()
                 << "'" << name << "' has element type " << actual << ", but '"
                 << paramType->first << "' has " << paramType->second
                 << " (the small parameters share one type)";
        return *this;
      }
      paramType = {name, actual};
      if (actual == expected || actual.isF32())
        continue;
      status = op->emitOpError()
               << "'" << name << "' has element type " << actual << ", but '"
               << firstName << "' has " << expected
               << " (small parameters have the type of '" << firstName
               << "' or f32)";
      return *this;
    }
    return *this;
  }

  ShapeChecker &positive(StringRef attrName, int64_t value) {
    if (succeeded(status) && value <= 0)
      status = op->emitOpError() << "attribute '" << attrName
                                 << "' must be positive, but got " << value;
    return *this;
  }

  /// A relative-position bias table has odd length 2M-1.
  ShapeChecker &relBias(Value relBias) {
    if (failed(status) || !relBias)
      return *this;
    auto type = cast<RankedTensorType>(relBias.getType());
    if (type.getRank() != 1) {
      status = op->emitOpError()
               << "operand 'rel_bias' must be [2M-1], but got " << type;
    } else if (!type.isDynamicDim(0) && type.getDimSize(0) % 2 == 0) {
      status = op->emitOpError()
               << "operand 'rel_bias' must have odd length 2M-1, but got "
               << type;
    }
    return *this;
  }

  operator LogicalResult() const { return status; }

private:
  int64_t derived(StringRef symbol, std::optional<int64_t> value, int64_t a,
                  StringRef opText, int64_t b) {
    if (value)
      return *value;
    if (succeeded(status))
      status = op->emitOpError()
               << "dimension " << symbol << " = " << a << " " << opText << " "
               << b << " overflows int64";
    return kDyn;
  }

  Operation *op;
  LogicalResult status = success();
};

StringRef directionNote(bool bidirectional) {
  return bidirectional ? "with C = 2D (bidirectional)" : "with C = D (causal)";
}

/// Reified sizes: `sizes` holds, per result dimension, either a static
/// integer or (value, dim) of an operand to take a tensor.dim from.
struct SizeOf {
  Value value;
  int64_t dim;
};

SmallVector<OpFoldResult> reify(OpBuilder &b, Location loc,
                                ArrayRef<std::variant<SizeOf, int64_t>> dims) {
  SmallVector<OpFoldResult> sizes;
  for (const auto &d : dims) {
    if (auto *s = std::get_if<SizeOf>(&d))
      sizes.push_back(tensor::getMixedSize(b, loc, s->value, s->dim));
    else
      sizes.push_back(b.getIndexAttr(std::get<int64_t>(d)));
  }
  return sizes;
}

} // namespace

//===----------------------------------------------------------------------===//
// EmaKernelOp
//===----------------------------------------------------------------------===//

LogicalResult EmaKernelOp::verify() {
  int64_t c = dimOf(getDelta(), 0), n = dimOf(getDelta(), 1);
  return ShapeChecker(*this)
      .positive("length", getLengthAttr().getInt())
      .operand("delta", getDelta(), {{"C", c}, {"N", n}})
      .result("k", getK(), {{"C", c}, {"K", getLengthAttr().getInt()}}, "with K = length")
      .elementTypes({{"delta", getDelta()}, {"k", getK()}});
}

LogicalResult
EmaKernelOp::reifyResultShapes(OpBuilder &b,
                               ReifiedRankedShapedTypeDims &shapes) {
  shapes.push_back(reify(b, getLoc(), {SizeOf{getDelta(), 0}, getLengthAttr().getInt()}));
  return success();
}

//===----------------------------------------------------------------------===//
// Convolutions
//===----------------------------------------------------------------------===//

LogicalResult EmaConvOp::verify() {
  Value x = getX();
  int64_t bsz = dimOf(x, 0), len = dimOf(x, 1), d = dimOf(x, 2);
  ShapeChecker checker(*this);
  int64_t c = getBidirectional() ? checker.mul("C = 2D", 2, d) : d;
  int64_t n = dimOf(getDelta(), 1);
  StringRef note = directionNote(getBidirectional());
  return checker
      .operand("x", x, {{"B", bsz}, {"L", len}, {"D", d}})
      .operand("delta", getDelta(), {{"C", c}, {"N", n}}, note)
      .operand("omega", getOmega(), {{"D", d}})
      .elementTypes({{"x", x}}, {{"delta", getDelta()}, {"omega", getOmega()}});
}

LogicalResult
EmaConvOp::reifyResultShapes(OpBuilder &b,
                             ReifiedRankedShapedTypeDims &shapes) {
  shapes.push_back(tensor::getMixedSizes(b, getLoc(), getX()));
  return success();
}

LogicalResult LongConvOp::verify() {
  Value x = getX();
  int64_t bsz = dimOf(x, 0), len = dimOf(x, 1), d = dimOf(x, 2);
  ShapeChecker checker(*this);
  int64_t c = getBidirectional() ? checker.mul("C = 2D", 2, d) : d;
  return checker
      .operand("x", x, {{"B", bsz}, {"L", len}, {"D", d}})
      .operand("k", getK(), {{"C", c}, {"K", dimOf(getK(), 1)}},
               directionNote(getBidirectional()))
      .elementTypes({{"x", x}}, {{"k", getK()}});
}

LogicalResult
LongConvOp::reifyResultShapes(OpBuilder &b,
                              ReifiedRankedShapedTypeDims &shapes) {
  shapes.push_back(tensor::getMixedSizes(b, getLoc(), getX()));
  return success();
}

LogicalResult ShortConvOp::verify() {
  Value x = getX();
  int64_t bsz = dimOf(x, 0), len = dimOf(x, 1), d = dimOf(x, 2);
  return ShapeChecker(*this)
      .operand("x", x, {{"B", bsz}, {"L", len}, {"D", d}})
      .operand("w", getW(), {{"D", d}, {"W", dimOf(getW(), 1)}})
      .operand("bias", getBias(), {{"D", d}})
      .elementTypes({{"x", x}}, {{"w", getW()}, {"bias", getBias()}});
}

LogicalResult
ShortConvOp::reifyResultShapes(OpBuilder &b,
                               ReifiedRankedShapedTypeDims &shapes) {
  shapes.push_back(tensor::getMixedSizes(b, getLoc(), getX()));
  return success();
}

//===----------------------------------------------------------------------===//
// Routing and compaction
//===----------------------------------------------------------------------===//

LogicalResult RouteOp::verify() {
  Value u = getU();
  int64_t bsz = dimOf(u, 0), len = dimOf(u, 1);
  return ShapeChecker(*this)
      .operand("u", u, {{"B", bsz}, {"L", len}, {"2", 2}})
      .operand("log_temp", getLogTemp(), {})
      .result("gate", getGate(), {{"B", bsz}, {"L", len}})
      .result("active", getActive(), {{"B", bsz}, {"L", len}})
      .elementTypes({{"u", u}, {"gate", getGate()}},
                    {{"log_temp", getLogTemp()}});
}

LogicalResult RouteOp::reifyResultShapes(OpBuilder &b,
                                         ReifiedRankedShapedTypeDims &shapes) {
  SmallVector<OpFoldResult> sizes =
      reify(b, getLoc(), {SizeOf{getU(), 0}, SizeOf{getU(), 1}});
  shapes.assign({sizes, sizes});
  return success();
}

LogicalResult CompactIndexOp::verify() {
  Value active = getActive();
  int64_t bsz = dimOf(active, 0), len = dimOf(active, 1);
  return ShapeChecker(*this)
      .operand("active", active, {{"B", bsz}, {"L", len}})
      .result("pos", getPos(), {{"B", bsz}, {"S", len}}, "with capacity S = L")
      .result("count", getCount(), {{"B", bsz}});
}

LogicalResult
CompactIndexOp::reifyResultShapes(OpBuilder &b,
                                  ReifiedRankedShapedTypeDims &shapes) {
  Value active = getActive();
  shapes.push_back(reify(b, getLoc(), {SizeOf{active, 0}, SizeOf{active, 1}}));
  shapes.push_back(reify(b, getLoc(), {SizeOf{active, 0}}));
  return success();
}

LogicalResult GatherOp::verify() {
  Value x = getX();
  int64_t bsz = dimOf(x, 0), len = dimOf(x, 1), f = dimOf(x, 2);
  return ShapeChecker(*this)
      .operand("x", x, {{"B", bsz}, {"L", len}, {"F", f}})
      .operand("pos", getPos(), {{"B", bsz}, {"S", len}}, "with capacity S = L")
      .result("out", getOut(), {{"B", bsz}, {"S", len}, {"F", f}})
      .elementTypes({{"x", x}, {"out", getOut()}});
}

LogicalResult
GatherOp::reifyResultShapes(OpBuilder &b,
                            ReifiedRankedShapedTypeDims &shapes) {
  shapes.push_back(reify(b, getLoc(),
                         {SizeOf{getPos(), 0}, SizeOf{getPos(), 1},
                          SizeOf{getX(), 2}}));
  return success();
}

LogicalResult StateScanOp::verify() {
  Value u = getU();
  int64_t bsz = dimOf(u, 0), c = dimOf(u, 1), d = dimOf(u, 2), n = dimOf(u, 3);
  return ShapeChecker(*this)
      .operand("u", u, {{"B", bsz}, {"C", c}, {"D", d}, {"N", n}})
      .operand("decay", getDecay(), {{"D", d}, {"N", n}})
      .elementTypes({{"u", u}}, {{"decay", getDecay()}});
}

LogicalResult
StateScanOp::reifyResultShapes(OpBuilder &b,
                               ReifiedRankedShapedTypeDims &shapes) {
  shapes.push_back(reify(b, getLoc(),
                         {SizeOf{getU(), 0}, SizeOf{getU(), 1},
                          SizeOf{getU(), 2}, SizeOf{getU(), 3}}));
  return success();
}

LogicalResult ScatterOp::verify() {
  Value xc = getXc();
  // Without `length`, L = S (both possibly dynamic).
  int64_t bsz = dimOf(xc, 0),
          len = getLength() ? int64_t(*getLength()) : dimOf(xc, 1),
          f = dimOf(xc, 2);
  ShapeChecker checker(*this);
  if (getLength())
    checker.positive("length", len);
  return checker
      .operand("xc", xc, {{"B", bsz}, {"S", len}, {"F", f}},
               "with capacity S = L = length")
      .operand("pos", getPos(), {{"B", bsz}, {"S", len}})
      .result("out", getOut(), {{"B", bsz}, {"L", len}, {"F", f}})
      .elementTypes({{"xc", xc}, {"out", getOut()}});
}

LogicalResult
ScatterOp::reifyResultShapes(OpBuilder &b,
                             ReifiedRankedShapedTypeDims &shapes) {
  if (getLength()) {
    shapes.push_back(reify(b, getLoc(),
                           {SizeOf{getXc(), 0}, int64_t(*getLength()),
                            SizeOf{getXc(), 2}}));
    return success();
  }
  shapes.push_back(reify(
      b, getLoc(), {SizeOf{getXc(), 0}, SizeOf{getXc(), 1}, SizeOf{getXc(), 2}}));
  return success();
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

LogicalResult LocalAttentionOp::verify() {
  Value q = getQ();
  int64_t bsz = dimOf(q, 0), s = dimOf(q, 1), z = dimOf(q, 2);
  int64_t h = dimOf(getV(), 2);
  // A tile of queries: [offset, offset + n) of the S slots.
  int64_t rows = s;
  if (!getQueryTile().empty()) {
    if (getQueryTile().size() != 2)
      return emitOpError("'queries' takes two values (offset, count), got ")
             << getQueryTile().size();
    rows = dimOf(getOut(), 1);
    const char *names[] = {"offset", "count"};
    for (auto [value, what] : llvm::zip(getQueryTile(), names))
      if (std::optional<int64_t> c = getConstantIntValue(value); c && *c < 0)
        return emitOpError("'queries' ") << what << " must not be negative, got "
                                          << *c;
    std::optional<int64_t> n = getConstantIntValue(getQueryTile()[1]);
    if (n && !ShapedType::isDynamic(rows) && *n != rows)
      return emitOpError("result 'out' must hold the ")
             << *n << " rows of 'queries', but has " << rows;
    if (!ShapedType::isDynamic(rows) && !ShapedType::isDynamic(s) && rows > s)
      return emitOpError("result 'out' has ")
             << rows << " query rows, more than the S = " << s << " slots";
  }
  return ShapeChecker(*this)
      .positive("window", getWindowAttr().getInt())
      .operand("q", q, {{"B", bsz}, {"S", s}, {"Z", z}})
      .operand("v", getV(), {{"B", bsz}, {"S", s}, {"H", h}})
      .operand("pos", getPos(), {{"B", bsz}, {"S", s}})
      .operand("count", getCount(), {{"B", bsz}})
      .relBias(getRelBias())
      .result("out", getOut(), {{"B", bsz}, {"S", rows}, {"H", h}})
      .elementTypes({{"q", q}, {"v", getV()}, {"out", getOut()}},
                    {{"rel_bias", getRelBias()}});
}

LogicalResult
LocalAttentionOp::reifyResultShapes(OpBuilder &b,
                                    ReifiedRankedShapedTypeDims &shapes) {
  if (!getQueryTile().empty()) {
    // The rows of a tile: the result's static extent, else its count.
    auto out = cast<RankedTensorType>(getOut().getType());
    OpFoldResult rows = out.isDynamicDim(1)
                            ? getAsOpFoldResult(getQueryTile()[1])
                            : OpFoldResult(b.getIndexAttr(out.getDimSize(1)));
    shapes.push_back({tensor::getMixedSize(b, getLoc(), getQ(), 0), rows,
                      tensor::getMixedSize(b, getLoc(), getV(), 2)});
    return success();
  }
  shapes.push_back(reify(
      b, getLoc(), {SizeOf{getQ(), 0}, SizeOf{getQ(), 1}, SizeOf{getV(), 2}}));
  return success();
}

LogicalResult LinearAttentionOp::verify() {
  Value q = getQ();
  int64_t bsz = dimOf(q, 0), len = dimOf(q, 1), z = dimOf(q, 2);
  int64_t h = dimOf(getV(), 2);
  ShapeChecker checker(*this);
  checker.positive("chunk", getChunkAttr().getInt())
      .operand("q", q, {{"B", bsz}, {"L", len}, {"Z", z}})
      .operand("v", getV(), {{"B", bsz}, {"L", len}, {"H", h}});
  if (Value decay = getDecay())
    checker.operand("decay", decay, {});
  return checker.result("out", getOut(), {{"B", bsz}, {"L", len}, {"H", h}})
      .elementTypes({{"q", q}, {"v", getV()}, {"out", getOut()}},
                    {{"decay", getDecay()}});
}

LogicalResult
LinearAttentionOp::reifyResultShapes(OpBuilder &b,
                                     ReifiedRankedShapedTypeDims &shapes) {
  shapes.push_back(reify(
      b, getLoc(), {SizeOf{getQ(), 0}, SizeOf{getQ(), 1}, SizeOf{getV(), 2}}));
  return success();
}

//===----------------------------------------------------------------------===//
// LayerOp
//===----------------------------------------------------------------------===//

LogicalResult LayerOp::verify() {
  Value x = getX();
  int64_t bsz = dimOf(x, 0), len = dimOf(x, 1), d = dimOf(x, 2);
  ShapeChecker checker(*this);
  int64_t c = getBidirectional() ? checker.mul("C = 2D", 2, d) : d;
  int64_t n = dimOf(getEmaDelta(), 1);
  int64_t z = dimOf(getQkGamma(), 1), h = dimOf(getHW(), 1);
  int64_t zh = checker.add("Z+2H", z, checker.mul("2H", 2, h));
  int64_t d2 = checker.add("D+2", d, 2);
  StringRef note = directionNote(getBidirectional());
  checker.positive("window", getWindowAttr().getInt())
      .finite("eps", getEps());
  if (succeeded(LogicalResult(checker)) && getEps().convertToFloat() < 0)
    return emitOpError() << "attribute 'eps' must be non-negative, but got "
                         << getEps().convertToFloat();
  return checker.operand("x", x, {{"B", bsz}, {"L", len}, {"D", d}})
      .operand("norm_w", getNormW(), {{"D", d}})
      .operand("norm_b", getNormB(), {{"D", d}})
      .operand("ema_delta", getEmaDelta(), {{"C", c}, {"N", n}}, note)
      .operand("ema_alpha", getEmaAlpha(), {{"C", c}, {"N", n}}, note)
      .operand("ema_beta", getEmaBeta(), {{"C", c}, {"N", n}}, note)
      .operand("ema_gamma", getEmaGamma(), {{"C", c}, {"N", n}}, note)
      .operand("ema_omega", getEmaOmega(), {{"D", d}})
      .operand("hx_w", getHxW(), {{"D+2", d2}, {"D", d}})
      .operand("hx_b", getHxB(), {{"D+2", d2}})
      .operand("log_temp", getLogTemp(), {})
      .operand("qk_gamma", getQkGamma(), {{"2", 2}, {"Z", z}})
      .operand("qk_beta", getQkBeta(), {{"2", 2}, {"Z", z}})
      .operand("h_w", getHW(), {{"D", d}, {"H", h}})
      .operand("mx_w", getMxW(), {{"Z+2H", zh}, {"D", d}})
      .operand("mx_b", getMxB(), {{"Z+2H", zh}})
      .relBias(getRelBias())
      .operand("h_b", getHB(), {{"D", d}})
      .elementTypes({{"x", x},
                     {"hx_w", getHxW()},
                     {"hx_b", getHxB()},
                     {"mx_w", getMxW()},
                     {"mx_b", getMxB()},
                     {"h_w", getHW()},
                     {"h_b", getHB()}},
                    {{"norm_w", getNormW()},
                     {"norm_b", getNormB()},
                     {"ema_delta", getEmaDelta()},
                     {"ema_alpha", getEmaAlpha()},
                     {"ema_beta", getEmaBeta()},
                     {"ema_gamma", getEmaGamma()},
                     {"ema_omega", getEmaOmega()},
                     {"log_temp", getLogTemp()},
                     {"qk_gamma", getQkGamma()},
                     {"qk_beta", getQkBeta()},
                     {"rel_bias", getRelBias()}});
}

LogicalResult LayerOp::reifyResultShapes(OpBuilder &b,
                                         ReifiedRankedShapedTypeDims &shapes) {
  shapes.push_back(tensor::getMixedSizes(b, getLoc(), getX()));
  return success();
}

#define GET_OP_CLASSES
#include "seqboat/Dialect/SeqBoat/IR/SeqBoatOps.cpp.inc"

bool seqboat::isScanKernelRoot(Operation *op) {
  return op->hasTrait<ScanKernelRoot>();
}
