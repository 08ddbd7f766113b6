# Warnings every target in the project is built with. CI turns them into
# errors (NSRADAR_WERROR=ON); a developer's build only reports them.
set(NSRADAR_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
    -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wnull-dereference
    -Wimplicit-fallthrough)
if(NSRADAR_WERROR)
  list(APPEND NSRADAR_WARNINGS -Werror)
endif()

function(nsradar_target_defaults target)
  target_compile_options(${target} PRIVATE ${NSRADAR_WARNINGS})
endfunction()
