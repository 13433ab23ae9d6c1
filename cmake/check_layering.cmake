# Which library folders each folder's code may include, so dependencies keep pointing one way
# (docs/ARCHITECTURE.md draws the result). The two front ends, daemon/ and cli/, stand side by
# side on setup/: cli/ may never include edge/ (the HTTP edge) or daemon/ (the executable).
#
# Runs at configure time (included from the top-level CMakeLists.txt) and as the ctest
# `layering` (cmake -DROSTERD_SOURCE_DIR=... -P cmake/check_layering.cmake), so an include
# added without re-running CMake still fails the suite.

if(CMAKE_SCRIPT_MODE_FILE)
  cmake_minimum_required(VERSION 3.25)
endif()

set(rosterd_allowed_base      base)
set(rosterd_allowed_oauth     oauth base)
set(rosterd_allowed_vault     vault base)
set(rosterd_allowed_store     store base)
set(rosterd_allowed_roster    roster store base)
set(rosterd_allowed_notify    notify store base)
set(rosterd_allowed_lifecycle lifecycle roster notify store oauth vault base)
set(rosterd_allowed_http      http base)
set(rosterd_allowed_setup     setup lifecycle notify roster store oauth vault base)
set(rosterd_allowed_views     views lifecycle roster store base)
set(rosterd_allowed_edge      edge setup views http lifecycle notify roster store oauth vault base)
set(rosterd_allowed_daemon    daemon edge setup views http lifecycle notify roster store oauth vault
                              base)
set(rosterd_allowed_cli       cli setup views lifecycle notify roster store oauth vault base)

function(rosterd_check_layering source_dir)
  set(problems "")
  foreach(folder base oauth vault store roster notify lifecycle http setup views edge daemon cli)
    file(GLOB_RECURSE sources "${source_dir}/${folder}/*.cpp" "${source_dir}/${folder}/*.hpp"
         "${source_dir}/${folder}/*.in")
    foreach(source IN LISTS sources)
      file(STRINGS "${source}" includes REGEX "^[ \t]*#[ \t]*include[ \t]+\"[a-z_]+/")
      foreach(line IN LISTS includes)
        string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]+\"([a-z_]+)/.*" "\\1" target "${line}")
        if(NOT target IN_LIST rosterd_allowed_${folder})
          file(RELATIVE_PATH shown "${source_dir}" "${source}")
          string(APPEND problems "\n  ${shown} includes ${target}/ (${folder}/ may include: "
                 "${rosterd_allowed_${folder}})")
        endif()
      endforeach()
    endforeach()
  endforeach()
  if(problems)
    message(FATAL_ERROR "Library layering broken:${problems}\n"
            "Move the code to a library both may use, or change the allowed map in "
            "cmake/check_layering.cmake and docs/ARCHITECTURE.md together.")
  endif()
endfunction()

if(CMAKE_SCRIPT_MODE_FILE)
  rosterd_check_layering("${ROSTERD_SOURCE_DIR}")
endif()
