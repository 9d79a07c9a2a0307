# The install-and-consume check (ctest install_consume): installs the build into
# a scratch prefix, moves the prefix elsewhere (the install must be
# relocatable), checks what was installed — no internal header, only public
# gth_* symbols exported by libgth.a — then builds tests/consumer/consume.c, which
# includes only <gth/gth.h>, twice: with the flags of `pkg-config --cflags --libs
# gth` and as a CMake project using find_package(gth) and gth::gth; each program
# must run and accept the trace it generates.
#
#   cmake -DSOURCE_DIR=... -DBUILD_DIR=... -DINTREE_LIB=<the build's libgth.a>
#         -DWORK=<scratch> -DCC=<compiler>
#         [-DFLAGS="<compile and link flags of the build: sanitizers, coverage>"]
#         -DPKG_CONFIG=<pkg-config> -DNM=<nm> -DGENERATOR=<cmake generator>
#         [-DMAKE_PROGRAM=<ninja/make>] -P cmake/InstallCheck.cmake
cmake_minimum_required(VERSION 3.22)
include(${CMAKE_CURRENT_LIST_DIR}/GthHeaders.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/GthSymbols.cmake)

foreach(v SOURCE_DIR BUILD_DIR INTREE_LIB WORK CC PKG_CONFIG NM GENERATOR)
  if(NOT ${v})
    message(FATAL_ERROR "InstallCheck.cmake: ${v} is not set")
  endif()
endforeach()
separate_arguments(flags UNIX_COMMAND "${FLAGS}")

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${ARGN}\n${out}\n${err}")
  endif()
  set(run_out "${out}" PARENT_SCOPE)
endfunction()

# ---- Install, then move the tree --------------------------------------------------
file(REMOVE_RECURSE ${WORK})
run("cmake --install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK}/staged)
file(RENAME ${WORK}/staged ${WORK}/prefix)
set(prefix ${WORK}/prefix)

# ---- Headers: the umbrella and what it reaches, no internal header -----------------
if(NOT EXISTS ${prefix}/include/gth/gth.h)
  message(FATAL_ERROR "include/gth/gth.h was not installed")
endif()
file(GLOB_RECURSE installed RELATIVE ${prefix}/include/gth ${prefix}/include/gth/*)
gth_internal_patterns(internal_res ${SOURCE_DIR}/cmake/layers.txt)
set(bad)
foreach(re IN LISTS internal_res)
  foreach(h IN LISTS installed)
    if(h MATCHES "${re}")
      list(APPEND bad ${h})
    endif()
  endforeach()
endforeach()
if(bad)
  message(FATAL_ERROR "internal headers installed: ${bad}")
endif()
list(LENGTH installed nheaders)
message(STATUS "installed headers (${nheaders}): ${installed}")

# ---- Symbols: every global libgth.a defines is a gth_* name of the headers ---------
file(GLOB libs ${prefix}/lib*/libgth.a ${prefix}/lib*/*/libgth.a)
list(LENGTH libs nlibs)
if(NOT nlibs EQUAL 1)
  message(FATAL_ERROR "want one installed libgth.a, found: ${libs}")
endif()
set(headers_file ${WORK}/installed-headers.txt)
list(TRANSFORM installed PREPEND ${prefix}/include/gth/ OUTPUT_VARIABLE installed_abs)
list(JOIN installed_abs "\n" text)
file(WRITE ${headers_file} "${text}\n")
gth_public_names(public ${headers_file})
gth_defined_globals(exported ${NM} ${libs})
gth_defined_globals(intree ${NM} ${INTREE_LIB})
set(leaked ${exported})
list(REMOVE_ITEM leaked ${public})
if(leaked)
  message(FATAL_ERROR "libgth.a exports names no installed header declares: ${leaked}")
endif()
set(hidden ${intree})
list(REMOVE_ITEM hidden ${exported})
list(LENGTH exported nexported)
list(LENGTH hidden nhidden)
if(nexported EQUAL 0)
  message(FATAL_ERROR "libgth.a exports nothing")
endif()
message(STATUS "libgth.a: ${nexported} symbols exported, ${nhidden} internal ones hidden")

# ---- Consumer 1: pkg-config ------------------------------------------------------------
set(ENV{PKG_CONFIG_PATH} "")
file(GLOB pcdirs ${prefix}/lib*/pkgconfig ${prefix}/lib*/*/pkgconfig)
set(ENV{PKG_CONFIG_LIBDIR} "${pcdirs}")
run("pkg-config" ${PKG_CONFIG} --cflags --libs gth)
string(STRIP "${run_out}" pc_flags)
message(STATUS "pkg-config --cflags --libs gth: ${pc_flags}")
separate_arguments(pc_list UNIX_COMMAND "${pc_flags}")
run("building the consumer with pkg-config's flags"
    ${CC} -std=c11 -Wall -Wextra -Wpedantic -Werror ${flags}
    ${SOURCE_DIR}/tests/consumer/consume.c ${pc_list} -o ${WORK}/consume-pkgconfig)
execute_process(COMMAND ${WORK}/consume-pkgconfig WORKING_DIRECTORY ${WORK}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "^[1-9][0-9]* events, accepted")
  message(FATAL_ERROR "consume-pkgconfig: exit ${rc}: ${out}${err}")
endif()
message(STATUS "consume-pkgconfig: ${out}")

# ---- Consumer 2: find_package(gth) + gth::gth -------------------------------------------
set(cfg ${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/consumer -B ${WORK}/consumer-build -G ${GENERATOR}
        -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_C_COMPILER=${CC} -DCMAKE_BUILD_TYPE=Release
        "-DCMAKE_C_FLAGS=-Wall -Wextra -Werror ${FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${FLAGS}")
if(MAKE_PROGRAM)
  list(APPEND cfg -DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM})
endif()
# The build's multiarch directory (lib/x86_64-linux-gnu), where find_package
# looks for libcrypto: CMake cannot always detect it under the coverage flags.
if(LIBARCH)
  list(APPEND cfg -DCMAKE_LIBRARY_ARCHITECTURE=${LIBARCH})
endif()
run("configuring the find_package consumer" ${cfg})
run("building the find_package consumer" ${CMAKE_COMMAND} --build ${WORK}/consumer-build)
execute_process(COMMAND ${WORK}/consumer-build/consume WORKING_DIRECTORY ${WORK}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "^[1-9][0-9]* events, accepted")
  message(FATAL_ERROR "consume (find_package): exit ${rc}: ${out}${err}")
endif()
message(STATUS "consume (find_package): ${out}")
