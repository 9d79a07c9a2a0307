# Symbols of libgth: which are public. A public symbol is a global defined in
# the library whose name appears in an installed header; every other global
# (the validator's helpers, the generator's gx_*, ...) is internal.
#
#   cmake -DNM=<nm> -DOBJECT=<object or archive> -DHEADERS=<file listing headers>
#         -DOUT=<file> -P cmake/GthSymbols.cmake
#
# writes the internal names to OUT, one a line (objcopy --localize-symbols).
# Names the toolchain reserves (a leading "__": sanitizer and profile runtime
# hooks) are left alone.
cmake_minimum_required(VERSION 3.22)

# gth_public_names(<out> <headers file>): the gth_* identifiers of the headers.
function(gth_public_names out headers_file)
  file(STRINGS ${headers_file} headers)
  set(names)
  foreach(h IN LISTS headers)
    file(READ ${h} text)
    string(REGEX MATCHALL "gth_[A-Za-z0-9_]+" found "${text}")
    list(APPEND names ${found})
  endforeach()
  list(REMOVE_DUPLICATES names)
  set(${out} "${names}" PARENT_SCOPE)
endfunction()

# gth_defined_globals(<out> <nm> <file>): the global symbols <file> defines.
function(gth_defined_globals out nm file)
  execute_process(COMMAND ${nm} -g --defined-only -P ${file}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE text ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${nm} ${file}: ${err}")
  endif()
  string(REPLACE "\n" ";" lines "${text}")
  set(names)
  foreach(line IN LISTS lines)
    # "name type value size"; an archive adds "member.o:" lines.
    if(line MATCHES "^([A-Za-z_][A-Za-z0-9_.$]*) [A-Za-z] ")
      set(name "${CMAKE_MATCH_1}")
      if(NOT name MATCHES "^__")
        list(APPEND names "${name}")
      endif()
    endif()
  endforeach()
  list(REMOVE_DUPLICATES names)
  list(SORT names)
  set(${out} "${names}" PARENT_SCOPE)
endfunction()

if(CMAKE_SCRIPT_MODE_FILE STREQUAL CMAKE_CURRENT_LIST_FILE AND OUT)
  gth_public_names(public ${HEADERS})
  gth_defined_globals(defined ${NM} ${OBJECT})
  set(internal ${defined})
  list(REMOVE_ITEM internal ${public})
  # objcopy refuses an empty file: the comment line keeps it non-empty.
  list(JOIN internal "\n" text)
  file(WRITE ${OUT} "# libgth globals that no installed header names: made local\n${text}\n")
endif()
