# The installed command line (ctest install_run): installs the build into a
# scratch prefix, moves the prefix elsewhere, then checks that the installed gth
# finds the Go adapters installed beside it — gth diff with Go's reader and with
# each release's reader on a trace, and a small gth conform — and that the
# manual pages and the bash and zsh completions were installed (and that bash
# loads the completion).
#
#   cmake -DBUILD_DIR=... -DWORK=<scratch> "-DRELEASES=1.22;1.23;..."
#         -DTRACE=<a binary trace> [-DBASH=<bash>] -P cmake/InstallRunCheck.cmake
cmake_minimum_required(VERSION 3.22)
foreach(v BUILD_DIR WORK TRACE)
  if(NOT ${v})
    message(FATAL_ERROR "InstallRunCheck.cmake: ${v} is not set")
  endif()
endforeach()

# run(<what> <regex the output must match> COMMAND...): exit 0 and the output matching.
function(run what want)
  execute_process(COMMAND ${CMAKE_COMMAND} -E env --unset=GTH_GTHREF ${ARGN}
                  WORKING_DIRECTORY ${WORK}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0 OR NOT "${out}${err}" MATCHES "${want}")
    message(FATAL_ERROR "${what}: exit ${rc}, want 0 and output matching '${want}':\n${ARGN}\n${out}\n${err}")
  endif()
  message(STATUS "${what}: ok")
endfunction()

file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK}/staged
                RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed (${rc}): ${err}")
endif()
# Moved, so that nothing can be found through the place it was installed to.
file(RENAME ${WORK}/staged ${WORK}/prefix)
set(prefix ${WORK}/prefix)
set(gth ${prefix}/bin/gth)

# ---- What must be there ---------------------------------------------------------
set(want bin/gth bin/gthref share/man/man1/gth.1 share/man/man1/gth-validate.1
         share/man/man1/gth-conform.1 share/bash-completion/completions/gth
         share/zsh/site-functions/_gth)
foreach(rel IN LISTS RELEASES)
  list(APPEND want bin/gthref-go${rel})
endforeach()
foreach(f IN LISTS want)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "${f} was not installed")
  endif()
endforeach()
file(GLOB pages RELATIVE ${prefix}/share/man/man1 ${prefix}/share/man/man1/*.1)
list(LENGTH pages npages)
message(STATUS "manual pages (${npages}): ${pages}")
file(READ ${prefix}/share/man/man1/gth-validate.1 page)
if(NOT page MATCHES "\\.TH \"GTH\\\\-VALIDATE\" 1" OR NOT page MATCHES "\\\\-\\\\-profile")
  message(FATAL_ERROR "gth-validate.1 is not validate's manual page:\n${page}")
endif()
file(READ ${prefix}/share/zsh/site-functions/_gth zsh)
if(NOT zsh MATCHES "^#compdef gth")
  message(FATAL_ERROR "_gth is not a zsh completion:\n${zsh}")
endif()
if(BASH)
  run("bash loads the installed completion" "complete .*-F _gth gth"
      ${BASH} -c "source '${prefix}/share/bash-completion/completions/gth' && complete -p gth")
endif()

# ---- The installed gth finds the adapters beside it --------------------------------
run("installed gth diff, Go's reader against ours" "go:validate \\(reference\\).*no new disagreement"
    ${gth} diff --adapter go --adapter gth ${TRACE})
# Each release's reader against itself: the older ones differ from the newest
# on some traces by design (adapters/RELEASES.md); here only finding them counts.
foreach(rel IN LISTS RELEASES)
  run("installed gth diff, go@${rel}" "go@${rel}:validate \\(reference\\).*no new disagreement"
      ${gth} diff --adapter go@${rel} --adapter go@${rel} ${TRACE})
endforeach()
run("installed gth conform" "go:validate \\(reference\\).*no new disagreement"
    ${gth} conform --no-real --generated 1 --variants 10 --mutants 2)
