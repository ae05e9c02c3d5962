# -*- Python -*-

import os

import lit.formats
import lit.util
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "SEQBOAT"
# The internal shell provides `not` (Debian ships no `not` binary).
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.seqboat_obj_root, "test")
config.excludes = ["Inputs", "CMakeLists.txt", "README.md", "lit.cfg.py", "lit.site.cfg.py"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%seqboat_src", config.seqboat_src_root))
config.substitutions.append(("%seqboat_build", config.seqboat_obj_root))

# Captured FileCheck variables do not leak across CHECK-LABELs.
config.environment["FILECHECK_OPTS"] = "--enable-var-scope"

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

tool_dirs = [config.seqboat_tools_dir, config.llvm_tools_dir]
tools = ["seqboat-opt", "seqboat-run", "seqboat-exec", "mlir-opt"]
llvm_config.add_tool_substitutions(tools, tool_dirs)
config.substitutions.append(("%seqboat-tune", os.path.join(config.seqboat_tools_dir, "seqboat-tune")))
# The plugin for stock mlir-opt (tools/seqboat-plugin).
config.substitutions.append(("%seqboat_plugin", os.path.join(config.seqboat_libs_dir, "SeqBoatPlugin.so")))
config.substitutions.append(("%{seqboat-exec-path}", os.path.join(config.seqboat_tools_dir, "seqboat-exec")))

# The toolchain of this build, for the out-of-tree build of an install.
config.substitutions.append(("%cmake", config.cmake_command))
config.substitutions.append(("%make_program", config.make_program))
config.substitutions.append(("%cxx", config.cxx_compiler))
config.substitutions.append(("%cc", config.c_compiler))

# NumPy reference: %python runs the Python that has NumPy, with the project's
# python/ package importable.
if config.seqboat_python:
    config.available_features.add("numpy")
    config.substitutions.append(("%python", config.seqboat_python))
    config.environment["PYTHONPATH"] = os.path.join(config.seqboat_src_root, "python")
    # %runcase OP [builder options]: build a random case, lower it with
    # seqboat-opt, run it with seqboat-run, compare with the NumPy reference.
    config.substitutions.append(
        ("%runcase", "%s -m seqboat.runcase --bin %s" % (config.seqboat_python, config.seqboat_tools_dir)))

# CUDA: ptxas assembles PTX (gpu-module-to-binary finds it through CUDA_HOME);
# cuda-device means kernels can run here; cuda-runtime that seqboat's mgpu
# runtime library was built (needs only cuda.h).
if config.seqboat_ptxas and not config.seqboat_ptxas.endswith("-NOTFOUND"):
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", config.seqboat_ptxas))
    config.environment["CUDA_HOME"] = os.path.dirname(os.path.dirname(config.seqboat_ptxas))
if config.seqboat_cuda_device:
    config.available_features.add("cuda-device")
if config.seqboat_cuda_runtime:
    config.available_features.add("cuda-runtime")
    # %cuda_include: the directory of the cuda.h the runtime was built with.
    config.substitutions.append(("%cuda_include", config.seqboat_cuda_include))
# An ASan/UBSan build (scripts/test.sh --sanitize): its libraries cannot be
# loaded by uninstrumented hosts (stock mlir-opt) or linked by an
# uninstrumented downstream project.
if getattr(config, "seqboat_sanitizer", ""):
    config.available_features.add("sanitizer")
if config.seqboat_python:
    # %aot FILE -o LIB.so [--options ...]: AOT-compile to a GPU library.
    config.substitutions.append(
        ("%aot", "%s -m seqboat.aot --build %s" % (config.seqboat_python, config.seqboat_obj_root)))
    # %kernels FILE: kernel count and ptxas resource report of a gpu.binary.
    config.substitutions.append(("%kernels", "%s -m seqboat.kernels" % config.seqboat_python))
    # The installed-style commands of the Python tools (tools/python-tools).
    for tool in ("seqboat-import", "seqboat-kernels", "seqboat-aot"):
        config.substitutions.append(("%" + tool, os.path.join(config.seqboat_tools_dir, tool)))
if config.seqboat_torch:
    config.available_features.add("torch")
