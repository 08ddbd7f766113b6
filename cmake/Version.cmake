# nsradar's version and the commit it was built from, for `nsradar --version`
# (and the package's version, from project()). Taken when CMake configures;
# a commit or checkout re-runs the configure step, because the files that
# name the checked-out commit are configure dependencies. Outside a git
# checkout (a source tarball) the commit is "unknown".
find_package(Git QUIET)
set(NSRADAR_GIT_COMMIT "unknown")
if(GIT_FOUND)
  execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse --short=12 HEAD
                  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                  OUTPUT_VARIABLE _commit OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE _rc ERROR_QUIET)
  if(_rc EQUAL 0)
    set(NSRADAR_GIT_COMMIT ${_commit})
    # HEAD, the branch it points at, and packed refs (a worktree has its own
    # HEAD and shares the rest).
    execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse --path-format=absolute --git-path HEAD
                            --symbolic-full-name HEAD --git-common-dir
                    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
                    OUTPUT_VARIABLE _paths OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    string(REPLACE "\n" ";" _paths "${_paths}")
    list(LENGTH _paths _n)
    if(_n EQUAL 3)
      list(GET _paths 0 _head)
      list(GET _paths 1 _ref)
      list(GET _paths 2 _common)
      set_property(DIRECTORY ${PROJECT_SOURCE_DIR} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_head})
      foreach(_f "${_common}/${_ref}" "${_common}/packed-refs")
        if(EXISTS ${_f})
          set_property(DIRECTORY ${PROJECT_SOURCE_DIR} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_f})
        endif()
      endforeach()
    endif()
  endif()
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/version.h.in ${PROJECT_BINARY_DIR}/generated/nsradar_version.h @ONLY)
