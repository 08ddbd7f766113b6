# Warnings every target in the project is built with. CI turns them into
# errors (NSRADAR_WERROR=ON); a developer's build only reports them.
set(NSRADAR_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
    -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wnull-dereference
    -Wimplicit-fallthrough)
# GCC 12 reports -Wrestrict inside libstdc++'s std::string operator+ at -O3
# (GCC bug 105329); the warning is noise there, so it is off for GCC.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  list(APPEND NSRADAR_WARNINGS -Wno-restrict)
endif()
if(NSRADAR_WERROR)
  list(APPEND NSRADAR_WARNINGS -Werror)
endif()

function(nsradar_target_defaults target)
  target_compile_options(${target} PRIVATE ${NSRADAR_WARNINGS})
endfunction()
