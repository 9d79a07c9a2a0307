# The manual pages and the shell completions, made at build time by the built
# gth from its own --help texts (gth man, gth completion):
#   OUT/man/gth.1, OUT/man/gth-COMMAND.1
#   OUT/completion/gth   (bash)
#   OUT/completion/_gth  (zsh)
#
#   cmake -DGTH=<the built gth> -DOUT=<dir> -P cmake/GthDocs.cmake
cmake_minimum_required(VERSION 3.22)
foreach(v GTH OUT)
  if(NOT ${v})
    message(FATAL_ERROR "GthDocs.cmake: ${v} is not set")
  endif()
endforeach()
file(REMOVE_RECURSE ${OUT}/man)
file(MAKE_DIRECTORY ${OUT}/completion)
execute_process(COMMAND ${GTH} man --out ${OUT}/man RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gth man --out ${OUT}/man failed (${rc}): ${err}")
endif()
foreach(shell_file bash:gth zsh:_gth)
  string(REPLACE ":" ";" parts ${shell_file})
  list(GET parts 0 shell)
  list(GET parts 1 file)
  execute_process(COMMAND ${GTH} completion ${shell} OUTPUT_FILE ${OUT}/completion/${file}
                  RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "gth completion ${shell} failed (${rc}): ${err}")
  endif()
endforeach()
