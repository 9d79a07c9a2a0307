# The readers of Go's releases as adapters (go@1.22 ... go@1.27 in gth diff):
# gthref-go1.XX beside gth, each gthref built from its own module under
# adapters/releases/go1.XX against the golang.org/x/exp/trace snapshot of that
# release's reader (adapters/RELEASES.md). The shared sources are gthref's; the
# build tag selects the shims of the snapshot's API generation.
option(GTH_GO_RELEASES "Build the Go release adapters (gthref-go1.22 ...) next to gth" ON)
if(GTH_GO_RELEASES AND GTH_GO_ADAPTER AND GTH_GO_EXE)
  # release:build tags ("-" = the current API)
  set(GTH_GO_RELEASE_LIST 1.22:xtrace_api22 1.23:xtrace_api23 1.24:xtrace_api23 1.25:- 1.26:- 1.27:-)
  foreach(entry IN LISTS GTH_GO_RELEASE_LIST)
    string(REPLACE ":" ";" parts ${entry})
    list(GET parts 0 rel)
    list(GET parts 1 tags)
    if(tags STREQUAL "-")
      set(tags "")
    endif()
    set(dir ${PROJECT_SOURCE_DIR}/adapters/releases/go${rel})
    set(out ${PROJECT_BINARY_DIR}/gthref-go${rel})
    add_custom_command(
      OUTPUT ${out}
      COMMAND ${GTH_GO_EXE} build "-tags=${tags}" -o ${out} golang.org/x/exp/trace/gthharness/cmd/gthref
      WORKING_DIRECTORY ${dir}
      DEPENDS ${GTH_GOREF_SOURCES} ${PROJECT_SOURCE_DIR}/adapters/go/go.mod ${dir}/go.mod ${dir}/go.sum
      COMMENT "Building the Go ${rel} reader adapter (gthref-go${rel})" VERBATIM)
    list(APPEND GTH_GO_RELEASE_OUTPUTS ${out})
  endforeach()
  add_custom_target(gth-go-releases ALL DEPENDS ${GTH_GO_RELEASE_OUTPUTS})
  # Beside gthref, where the installed gth looks for them.
  install(PROGRAMS ${GTH_GO_RELEASE_OUTPUTS} DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
