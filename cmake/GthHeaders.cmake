# Helpers over the #include "..." lines of the C tree, shared by the build
# (which headers to install) and by cmake/CheckLayers.cmake (the layering test).
# Usable from a project and from cmake -P scripts.

# gth_quoted_includes(<out> <file>): the quoted includes of <file>, as a list of
# "<line>:<path>" items, in file order.
function(gth_quoted_includes out file)
  # Read the text whole and split it on newlines ourselves: file(STRINGS) and
  # list splitting would treat ';', '[', ']' and backslashes in the C text specially
  # and shift the line numbers.
  file(READ "${file}" text)
  string(REPLACE "\\" "<bs>" text "${text}")
  string(REPLACE ";" "<sc>" text "${text}")
  string(REPLACE "[" "<lb>" text "${text}")
  string(REPLACE "]" "<rb>" text "${text}")
  string(REPLACE "\n" ";" lines "${text}")
  set(result)
  set(n 0)
  foreach(line IN LISTS lines)
    math(EXPR n "${n} + 1")
    if(line MATCHES "^[ \t]*#[ \t]*include[ \t]*\"([^\"]+)\"")
      list(APPEND result "${n}:${CMAKE_MATCH_1}")
    endif()
  endforeach()
  set(${out} "${result}" PARENT_SCOPE)
endfunction()

# gth_public_headers(<out> <root> <umbrella>): every file that <umbrella> (a path
# relative to <root>) reaches through quoted includes, each resolved relative to
# the directory of the file that includes it — the only resolution that works
# both in the tree and installed. Paths relative to <root>, sorted, without the
# umbrella itself. Includes that do not resolve that way are left out (the
# layering test reports them).
function(gth_public_headers out root umbrella)
  set(seen "${umbrella}")
  set(todo "${umbrella}")
  while(todo)
    list(POP_FRONT todo file)
    get_filename_component(dir "${file}" DIRECTORY)
    gth_quoted_includes(incs "${root}/${file}")
    foreach(item IN LISTS incs)
      string(REGEX REPLACE "^[0-9]+:" "" inc "${item}")
      if(dir)
        set(rel "${dir}/${inc}")
      else()
        set(rel "${inc}")
      endif()
      cmake_path(NORMAL_PATH rel)
      if(EXISTS "${root}/${rel}" AND NOT rel IN_LIST seen)
        list(APPEND seen "${rel}")
        list(APPEND todo "${rel}")
      endif()
    endforeach()
  endwhile()
  list(REMOVE_ITEM seen "${umbrella}")
  list(SORT seen)
  set(${out} "${seen}" PARENT_SCOPE)
endfunction()

# gth_internal_patterns(<out> <table>): the `internal` globs of the layering
# table (cmake/layers.txt) as anchored regular expressions over paths relative
# to the root ('*' matches within one path component).
function(gth_internal_patterns out table)
  file(STRINGS ${table} lines REGEX "^internal[ \t]")
  set(res)
  foreach(line IN LISTS lines)
    string(REGEX REPLACE "^internal[ \t]+" "" globs "${line}")
    string(REGEX REPLACE "#.*$" "" globs "${globs}")
    separate_arguments(globs UNIX_COMMAND "${globs}")
    foreach(glob IN LISTS globs)
      string(REPLACE "." "\\." re "${glob}")
      string(REPLACE "*" "[^/]*" re "${re}")
      list(APPEND res "^${re}$")
    endforeach()
  endforeach()
  set(${out} "${res}" PARENT_SCOPE)
endfunction()
