//===- seqboat-run.cpp - JIT-run a seqboat module on .npy inputs ----------===//
//
//   seqboat-run FILE.mlir --entry NAME --input a.npy [--input ...]
//               --output out0.npy [--output ...] [--repeat N] [--time]
//
// FILE may hold seqboat/linalg/tensor IR (it is lowered with the
// seqboat-to-llvm-cpu pipeline) or LLVM-dialect IR produced by
// `seqboat-opt ... --seqboat-cpu-pipeline`, whose public functions carry their
// original tensor signature in `seqboat.abi`. Inputs bind to the arguments in
// order and are checked against that signature (shape and dtype) before
// anything runs; outputs are written only after a successful run, all or
// nothing (temporary files renamed into place once every one is complete).
//
//===----------------------------------------------------------------------===//

#include "seqboat/Support/CheckedArith.h"
#include "seqboat/Support/Npy.h"

#include "seqboat/Dialect/SeqBoat/Transforms/Passes.h"
#include "seqboat/InitAllSeqBoat.h"
#include "seqboat/Pipelines/Pipelines.h"
#include "seqboat/Runtime/HostAllocator.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include "llvm/Config/llvm-config.h"
#include "llvm/ExecutionEngine/Orc/Mangling.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <optional>
#include <set>

using namespace mlir;
using llvm::cl::opt;
using llvm::Twine;
namespace npy = ::seqboat::support;
using npy::NpyArray;
using npy::NpyDType;
namespace cl = llvm::cl;

// Only these options are listed by --help: the LLVM back-end flags that
// libLLVM registers are hidden (still accepted, listed by --help-hidden).
static cl::OptionCategory runCategory("seqboat-run options");

/// A failed run-time check of the compiled code (`cf.assert`, e.g. two
/// dynamic batch sizes that differ, docs/dialect.md) prints its message with
/// `puts` and calls `abort`; in the JIT both resolve here, so the message is
/// an error on stderr and the run exits with status 1, no output written.
static void seqboatCheckMessage(const char *message) {
  llvm::WithColor::error(llvm::errs(), "seqboat-run")
      << "run-time check failed: " << message << "\n";
}
static void seqboatCheckAbort() {
  llvm::errs().flush();
  std::_Exit(1);
}

static cl::opt<std::string> inputFilename(cl::Positional,
                                          cl::desc("<input .mlir file>"),
                                          cl::Required, cl::cat(runCategory));
static cl::opt<std::string> entryName("entry", cl::desc("Function to run"),
                                      cl::Required, cl::cat(runCategory));
static cl::list<std::string> inputFiles("input",
                                        cl::desc("An argument, as .npy"),
                                        cl::cat(runCategory));
static cl::list<std::string> outputFiles("output",
                                         cl::desc("Where a result goes (.npy)"),
                                         cl::cat(runCategory));
static cl::opt<unsigned> repeat("repeat", cl::desc("Number of timed runs"),
                                cl::init(1), cl::cat(runCategory));
static cl::opt<bool> printTime("time",
                               cl::desc("Print the median wall time of the runs"),
                               cl::cat(runCategory));
static cl::opt<bool> perfJitDump(
    "perf-jitdump",
    cl::desc("Let perf see the JIT-compiled code (writes jit-PID.dump files "
             "as LLVM's perf listener does; off by default)"),
    cl::cat(runCategory));
static cl::opt<unsigned> numThreads(
    "num-threads",
    cl::desc("Threads for the parallel loops of the code (OpenMP); 0: the "
             "OpenMP default (OMP_NUM_THREADS, else every core)"),
    cl::init(0), cl::cat(runCategory));
static cl::opt<int64_t>
    emaChunk("ema-chunk",
             cl::desc("ema_conv scan chunk when FILE still holds seqboat ops"),
             cl::init(32), cl::cat(runCategory));

namespace {

std::string print(Type type) {
  std::string text;
  llvm::raw_string_ostream(text) << type;
  return text;
}

int fail(const Twine &message) {
  llvm::WithColor::error(llvm::errs(), "seqboat-run") << message << "\n";
  return 1;
}

/// An argument or result of the entry function as seen by the C interface.
struct Slot {
  NpyDType dtype;
  std::vector<int64_t> shape;
};

/// Descriptor of a ranked memref: {allocated, aligned, offset, sizes[r],
/// strides[r]}, every field 8 bytes wide.
size_t descriptorWords(size_t rank) { return 3 + 2 * rank; }

FailureOr<Slot> slotOf(Type type, const Twine &what, std::string &error) {
  auto shaped = dyn_cast<ShapedType>(type);
  if (!shaped || !shaped.hasRank()) {
    error = (what + " has type " + Twine(print(type)) +
             ", but only ranked tensors can be bound to .npy files")
                .str();
    return failure();
  }
  Slot slot;
  Type et = shaped.getElementType();
  if (et.isF32())
    slot.dtype = NpyDType::F32;
  else if (et.isF16())
    slot.dtype = NpyDType::F16;
  else if (et.isBF16())
    slot.dtype = NpyDType::BF16;
  else if (et.isInteger(32))
    slot.dtype = NpyDType::I32;
  else if (et.isInteger(1))
    slot.dtype = NpyDType::Bool;
  else {
    error = (what + " has element type " + Twine(print(et)) +
             "; supported are f32, f16, bf16, i32 and i1")
                .str();
    return failure();
  }
  // The signature may come from a hand-written seqboat.abi attribute, which
  // no verifier checked.
  // Dynamic dims (kDynamic, kept in the slot) take the size of the file
  // bound to them; the static part must fit.
  SmallVector<int64_t> staticDims;
  for (int64_t d : shaped.getShape())
    if (!ShapedType::isDynamic(d))
      staticDims.push_back(d);
  if (!mlir::seqboat::checkedNumElements(staticDims)) {
    error = (what + " has type " + Twine(print(type)) +
             ", whose size overflows int64")
                .str();
    return failure();
  }
  slot.shape.assign(shaped.getShape().begin(), shaped.getShape().end());
  return slot;
}

/// The entry's tensor signature: from func.func before lowering, from the
/// `seqboat.abi` attribute after.
FailureOr<FunctionType> findSignature(ModuleOp module, std::string &error) {
  if (auto func = module.lookupSymbol<func::FuncOp>(entryName)) {
    if (func.isExternal()) {
      error = "function '" + entryName + "' has no body";
      return failure();
    }
    return func.getFunctionType();
  }
  if (auto func = module.lookupSymbol<LLVM::LLVMFuncOp>(entryName)) {
    auto abi = func->getAttrOfType<TypeAttr>(mlir::seqboat::kAbiAttrName);
    if (!abi || !isa<FunctionType>(abi.getValue())) {
      error = "function '" + entryName +
              "' has no seqboat.abi signature; lower it with "
              "--seqboat-cpu-pipeline (or pass the un-lowered module)";
      return failure();
    }
    return cast<FunctionType>(abi.getValue());
  }
  error = "no function named '" + entryName + "' in " + inputFilename;
  return failure();
}

bool isLoweredToLLVM(ModuleOp module) {
  for (Operation &op : module.getBody()->getOperations())
    if (!isa<LLVM::LLVMDialect>(op.getDialect()))
      return false;
  return true;
}

/// Copies a (possibly strided) result memref into a C-order array; its
/// shape is the descriptor's (which is the slot's where that is static).
NpyArray readResult(const Slot &slot, const int64_t *desc) {
  NpyArray array;
  array.dtype = slot.dtype;
  size_t rank = slot.shape.size();
  array.shape.assign(desc + 3, desc + 3 + rank);
  size_t elem = npy::npyElementSize(slot.dtype);
  const auto *base = reinterpret_cast<const uint8_t *>(desc[1]);
  int64_t offset = desc[2];
  const int64_t *strides = desc + 3 + rank;
  int64_t n = array.numElements();
  array.data.resize(n * elem);
  std::vector<int64_t> index(rank, 0);
  for (int64_t linear = 0; linear < n; ++linear) {
    int64_t at = offset;
    for (size_t d = 0; d < rank; ++d)
      at += index[d] * strides[d];
    std::memcpy(array.data.data() + linear * elem, base + at * elem, elem);
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < array.shape[d])
        break;
      index[d] = 0;
    }
  }
  return array;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // --mlir-print-ir-after-all and the other pass manager flags apply when
  // FILE still needs lowering; like LLVM's, they are left out of --help.
  registerPassManagerCLOptions();
  cl::HideUnrelatedOptions(runCategory);
  cl::SetVersionPrinter([](llvm::raw_ostream &os) {
    os << "seqboat-run (seqboat " SEQBOAT_VERSION ", LLVM " LLVM_VERSION_STRING
          ")\n";
  });
  // Past a file-size limit (ulimit -f) a write should fail with EFBIG and a
  // message, not kill the process with SIGXFSZ (and an LLVM crash report).
  std::signal(SIGXFSZ, SIG_IGN);
  cl::ParseCommandLineOptions(argc, argv, "seqboat JIT runner\n");
  if (repeat == 0)
    return fail("--repeat must be at least 1");
  // LLVM's OpenMP runtime caps a team at 32768 threads (and reads larger
  // values as negative).
  if (numThreads > 32768)
    return fail("--num-threads must be at most 32768, got " +
                Twine(static_cast<unsigned>(numThreads)));
  // Read by the OpenMP runtime when the first parallel region starts.
  if (numThreads != 0)
    ::setenv("OMP_NUM_THREADS", std::to_string(numThreads).c_str(),
             /*overwrite=*/1);
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();

  DialectRegistry registry;
  mlir::seqboat::registerAllSeqBoatDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();

  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagHandler(sourceMgr, &context);
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(inputFilename, sourceMgr, ParserConfig(&context));
  if (!module)
    return fail("cannot parse '" + inputFilename + "'");

  std::string error;
  FailureOr<FunctionType> signature = findSignature(*module, error);
  if (failed(signature))
    return fail(error);
  if (signature->getNumInputs() != inputFiles.size())
    return fail("function '" + entryName + "' takes " +
                Twine(signature->getNumInputs()) + " arguments, but " +
                Twine(inputFiles.size()) + " --input files were given");
  if (signature->getNumResults() != outputFiles.size())
    return fail("function '" + entryName + "' returns " +
                Twine(signature->getNumResults()) + " results, but " +
                Twine(outputFiles.size()) + " --output files were given");

  // Load and check every input before compiling anything.
  std::vector<NpyArray> args;
  std::vector<Slot> argSlots, resultSlots;
  for (auto [i, type] : llvm::enumerate(signature->getInputs())) {
    FailureOr<Slot> slot = slotOf(type, "argument #" + Twine(i), error);
    if (failed(slot))
      return fail(error);
    std::optional<NpyArray> array(std::in_place);
    if (!npy::readNpy(inputFiles[i], *array, error))
      return fail(error);
    if (array->dtype != slot->dtype || !npy::fitsShape(array->shape, slot->shape))
      return fail("'" + inputFiles[i] + "' holds " +
                  npy::npyDTypeName(array->dtype) + " " +
                  npy::formatShape(array->shape) + ", but argument #" +
                  Twine(i) + " of '" + entryName + "' is " +
                  npy::npyDTypeName(slot->dtype) + " " +
                  npy::formatShape(slot->shape));
    args.push_back(std::move(*array));
    argSlots.push_back(*slot);
  }
  for (auto [i, type] : llvm::enumerate(signature->getResults())) {
    FailureOr<Slot> slot = slotOf(type, "result #" + Twine(i), error);
    if (failed(slot))
      return fail(error);
    resultSlots.push_back(*slot);
  }

  if (!isLoweredToLLVM(*module)) {
    PassManager pm(&context, ModuleOp::getOperationName());
    if (failed(applyPassManagerCLOptions(pm)))
      return fail("invalid pass manager options");
    mlir::seqboat::CpuCompileOptions options;
    options.emaChunk = emaChunk;
    mlir::seqboat::buildSeqBoatToLLVMCpuPipeline(pm, options);
    if (failed(pm.run(*module)))
      return fail("lowering '" + inputFilename + "' to LLVM failed");
  }

  auto optimize = makeOptimizingTransformer(3, 0, nullptr);
  ExecutionEngineOptions engineOptions;
  engineOptions.transformer = optimize;
  SmallVector<llvm::StringRef> libs = {SEQBOAT_C_RUNNER_UTILS, SEQBOAT_OMP};
  engineOptions.sharedLibPaths = libs;
  // The perf listener leaves a jit-PID.dump file in the temp folder on every
  // run; only write one when asked to.
  engineOptions.enablePerfNotificationListener = perfJitDump;
  // Code compiled with the caching allocator (the CPU pipelines' default)
  // allocates through these two functions, results included.
  bool cachingAllocator =
      module->lookupSymbol("_mlir_memref_to_llvm_alloc") ||
      module->lookupSymbol("_mlir_memref_to_llvm_free");
  auto engine = ExecutionEngine::create(*module, engineOptions);
  if (!engine)
    return fail("cannot JIT-compile '" + inputFilename +
                "': " + llvm::toString(engine.takeError()));
  (*engine)->registerSymbols([](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap symbols;
    auto define = [&](StringRef name, auto *function) {
      symbols[interner(name)] = {llvm::orc::ExecutorAddr::fromPtr(function),
                                 llvm::JITSymbolFlags::Exported};
    };
    define("_mlir_memref_to_llvm_alloc", &seqboat_host_alloc);
    define("_mlir_memref_to_llvm_free", &seqboat_host_free);
    define("puts", &seqboatCheckMessage);
    define("abort", &seqboatCheckAbort);
    return symbols;
  });

  // Argument descriptors point straight at the .npy payloads.
  std::vector<std::vector<int64_t>> argDescs;
  std::set<void *> inputBuffers;
  for (auto [array, slot] : llvm::zip(args, argSlots)) {
    size_t rank = slot.shape.size();
    std::vector<int64_t> desc(descriptorWords(rank), 0);
    uint8_t *data = array.data.data();
    desc[0] = desc[1] = reinterpret_cast<int64_t>(data);
    int64_t stride = 1;
    for (size_t d = rank; d-- > 0;) {
      desc[3 + d] = array.shape[d];
      desc[3 + rank + d] = stride;
      stride *= array.shape[d];
    }
    inputBuffers.insert(data);
    argDescs.push_back(std::move(desc));
  }
  size_t resultWords = 0;
  for (const Slot &slot : resultSlots)
    resultWords += descriptorWords(slot.shape.size());
  std::vector<int64_t> resultStorage(std::max<size_t>(resultWords, 1), 0);

  // The C interface takes the result storage first (when there are results),
  // then one descriptor pointer per argument.
  SmallVector<void *> pointers;
  if (!resultSlots.empty())
    pointers.push_back(resultStorage.data());
  for (auto &desc : argDescs)
    pointers.push_back(desc.data());
  SmallVector<void *> packed;
  for (void *&p : pointers)
    packed.push_back(&p);

  // Results are owned by the caller; free each buffer once, never an input,
  // and clear the descriptors so that a second call frees nothing.
  auto freeResults = [&]() {
    std::set<void *> freed;
    size_t at = 0;
    for (const Slot &slot : resultSlots) {
      void *allocated = reinterpret_cast<void *>(resultStorage[at]);
      if (allocated && !inputBuffers.count(allocated) &&
          freed.insert(allocated).second)
        cachingAllocator ? seqboat_host_free(allocated) : std::free(allocated);
      at += descriptorWords(slot.shape.size());
    }
    std::fill(resultStorage.begin(), resultStorage.end(), 0);
  };
  // Every way out of here, errors included, frees the results.
  llvm::scope_exit freeOnExit(freeResults);

  std::string symbol = "_mlir_ciface_" + entryName;
  // The JIT compiles on the first lookup: done here, so that no timed run
  // includes it.
  auto entryFn = (*engine)->lookupPacked(symbol);
  if (!entryFn)
    return fail("cannot call '" + entryName +
                "': " + llvm::toString(entryFn.takeError()));
  std::vector<double> times;
  for (unsigned run = 0; run < repeat; ++run) {
    if (run)
      freeResults();
    auto start = std::chrono::steady_clock::now();
    (*entryFn)(packed.data());
    auto stop = std::chrono::steady_clock::now();
    times.push_back(std::chrono::duration<double, std::milli>(stop - start).count());
  }

  std::vector<NpyArray> results;
  size_t at = 0;
  for (const Slot &slot : resultSlots) {
    results.push_back(readResult(slot, resultStorage.data() + at));
    at += descriptorWords(slot.shape.size());
  }
  freeResults();
  if (!npy::writeNpyFiles({outputFiles.begin(), outputFiles.end()}, results,
                          error))
    return fail(error);

  if (printTime) {
    std::sort(times.begin(), times.end());
    double median = times.size() % 2
                        ? times[times.size() / 2]
                        : 0.5 * (times[times.size() / 2 - 1] +
                                 times[times.size() / 2]);
    llvm::outs() << "seqboat-run: " << entryName << ": median " << llvm::format("%.3f", median)
           << " ms over " << times.size() << " run(s)\n";
  }
  return 0;
}
