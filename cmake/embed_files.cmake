# rosterd_embed_files(TARGET <lib> NAMESPACE <ns> FUNCTION <fn> FILES <f>...)
# Generates a .cpp defining `std::span<const embedded_file> <ns>::<fn>()` with each file's name
# and bytes, so the binary carries its migrations (and later, pages) without reading the disk.
set(ROSTERD_EMBED_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/embed_generate.cmake)

function(rosterd_embed_files)
  cmake_parse_arguments(ARG "" "TARGET;NAMESPACE;FUNCTION;HEADER" "FILES" ${ARGN})
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${ARG_FUNCTION}_embedded.cpp)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNAMESPACE=${ARG_NAMESPACE}
            -DFUNCTION=${ARG_FUNCTION} -DHEADER=${ARG_HEADER} "-DFILES=${ARG_FILES}"
            -P ${ROSTERD_EMBED_SCRIPT}
    DEPENDS ${ARG_FILES} ${ROSTERD_EMBED_SCRIPT}
    COMMENT "Embedding ${ARG_FUNCTION}"
    VERBATIM)
  target_sources(${ARG_TARGET} PRIVATE ${out})
endfunction()
