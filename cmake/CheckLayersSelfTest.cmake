# The layering check must reject what it is there to reject: runs
# cmake/CheckLayers.cmake over small trees written under WORK and checks its
# verdicts (a clean tree passes; a forbidden edge, an installed header that
# includes by a root-relative path or reaches an internal header, a file in no
# module, and a table that allows a `never` edge are each rejected, with their
# own message).
#
#   cmake -DWORK=<scratch dir> -P cmake/CheckLayersSelfTest.cmake
cmake_minimum_required(VERSION 3.22)
if(NOT WORK)
  message(FATAL_ERROR "usage: cmake -DWORK=<scratch dir> -P ${CMAKE_CURRENT_LIST_FILE}")
endif()
set(checker ${CMAKE_CURRENT_LIST_DIR}/CheckLayers.cmake)
set(failures 0)

set(table "base:\nformat: base\nvalidator: format\ngenerator: format\napi.h: base format validator\n")
string(APPEND table "never generator -> validator\nnever validator -> generator\n")
string(APPEND table "umbrella api.h\ninternal base/hmap.h\n")

# A tree that keeps every rule; each case below adds one fault to it.
function(write_tree dir)
  file(REMOVE_RECURSE ${dir})
  file(WRITE ${dir}/layers.txt "${table}")
  file(WRITE ${dir}/base/base.h "#define BASE 1\n")
  file(WRITE ${dir}/base/hmap.h "#include \"base.h\"\n")
  file(WRITE ${dir}/format/event.h "#include \"../base/base.h\"\n")
  file(WRITE ${dir}/format/decode.c "#include \"format/event.h\"\n#include \"base/hmap.h\"\n")
  file(WRITE ${dir}/validator/reader.h "#include \"../format/event.h\"\n")
  file(WRITE ${dir}/validator/reader.c "#include \"validator/reader.h\"\n#include \"base/base.h\"\n")
  file(WRITE ${dir}/generator/gen.c "#include \"format/event.h\"\n")
  file(WRITE ${dir}/api.h "#include \"validator/reader.h\"\n")
endfunction()

# expect(<name> <dir> <0 = must pass, 1 = must fail> [<text the output must hold>...])
function(expect name dir want_fail)
  execute_process(COMMAND ${CMAKE_COMMAND} -DROOT=${dir} -DTABLE=${dir}/layers.txt -P ${checker}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  set(ok TRUE)
  if(want_fail AND rc EQUAL 0)
    set(ok FALSE)
    message(NOTICE "${name}: accepted, should have been rejected")
  elseif(NOT want_fail AND NOT rc EQUAL 0)
    set(ok FALSE)
    message(NOTICE "${name}: rejected, should have passed")
  endif()
  foreach(text IN LISTS ARGN)
    string(FIND "${out}" "${text}" at)
    if(at EQUAL -1)
      set(ok FALSE)
      message(NOTICE "${name}: the output lacks: ${text}")
    endif()
  endforeach()
  if(ok)
    message(STATUS "ok: ${name}")
  else()
    message(NOTICE "--- output of ${name}:\n${out}")
    math(EXPR n "${failures} + 1")
    set(failures ${n} PARENT_SCOPE)
  endif()
endfunction()

set(t ${WORK}/clean)
write_tree(${t})
expect("clean tree" ${t} 0 "all allowed")

set(t ${WORK}/validator-includes-generator)
write_tree(${t})
file(WRITE ${t}/generator/gen.h "#include \"../format/event.h\"\n")
file(APPEND ${t}/validator/reader.c "#include \"generator/gen.h\"\n")
expect("forbidden edge" ${t} 1 "validator/reader.c:3: #include \"generator/gen.h\": validator may not include generator"
       "1 violation(s)")

set(t ${WORK}/lower-includes-upper)
write_tree(${t})
file(WRITE ${t}/base/base.c "#include \"format/event.h\"\n")
expect("upward edge" ${t} 1 "base/base.c:1: #include \"format/event.h\": base may not include format")

set(t ${WORK}/root-relative-public)
write_tree(${t})
file(WRITE ${t}/format/event.h "#include \"base/base.h\"\n")
expect("installed header includes from the root" ${t} 1
       "format/event.h:1: #include \"base/base.h\": an installed header must include the others by a path relative to itself")

set(t ${WORK}/public-reaches-internal)
write_tree(${t})
file(WRITE ${t}/format/event.h "#include \"../base/hmap.h\"\n")
expect("installed header reaches an internal one" ${t} 1
       "base/hmap.h: internal, but reached from api.h")

set(t ${WORK}/no-module)
write_tree(${t})
file(WRITE ${t}/extra/x.c "#include \"base/base.h\"\n")
expect("file in no module" ${t} 1 "extra/x.c: in no module of")

set(t ${WORK}/table-allows-never)
write_tree(${t})
string(REPLACE "generator: format" "generator: format validator" bad "${table}")
file(WRITE ${t}/layers.txt "${bad}")
expect("table allows a never edge" ${t} 1 "the table lets generator include validator")

if(failures)
  message(FATAL_ERROR "layering self-test: ${failures} case(s) wrong")
endif()
message(STATUS "layering self-test: every case as expected")
