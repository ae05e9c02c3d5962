# Thin wrappers so every seqboat component is declared the same way.

# add_seqboat_library(name srcs... [DEPENDS tblgen-targets] [LINK_LIBS our-libs]
#                     [MLIR_LIBS upstream-libs]): a component library. Upstream
# MLIR libraries resolve to the single libMLIR.so (MLIR_LINK_MLIR_DYLIB).
function(add_seqboat_library name)
  cmake_parse_arguments(ARG "" "" "DEPENDS;LINK_LIBS;MLIR_LIBS" ${ARGN})
  add_mlir_library(${name} ${ARG_UNPARSED_ARGUMENTS}
    DEPENDS ${ARG_DEPENDS}
    LINK_LIBS PUBLIC ${ARG_LINK_LIBS})
  mlir_target_link_libraries(${name} PUBLIC ${ARG_MLIR_LIBS})
  # Installed (add_mlir_library's rule) and exported by SeqBoatConfig.cmake;
  # users of the installed library see the installed headers.
  target_include_directories(${name} INTERFACE $<INSTALL_INTERFACE:include>)
  set_property(GLOBAL APPEND PROPERTY SEQBOAT_LIBS ${name})
endfunction()
