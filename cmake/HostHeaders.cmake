# When cross compiling, fmt and Catch2 come from Debian packages built for the build machine and
# are used as headers only. Two things differ from a native build: fmt's package config sits in
# the build machine's multiarch directory, and the include directory these packages name is
# /usr/include, which also holds the build machine's libc headers, which must never reach the
# target compiler. linger_host_headers() points a package's imported target at a directory that
# holds nothing but that package's own header folder.

set(LINGER_HOST_HEADERS ${CMAKE_BINARY_DIR}/host-headers)

# TARGET: an imported target of a header-only package; FOLDER: its folder under its include dir.
function(linger_host_headers target folder)
  get_target_property(dirs ${target} INTERFACE_INCLUDE_DIRECTORIES)
  find_path(linger_header_root ${folder} PATHS ${dirs} NO_DEFAULT_PATH NO_CMAKE_FIND_ROOT_PATH)
  if(NOT linger_header_root)
    message(FATAL_ERROR "${target}: no ${folder} folder in ${dirs}")
  endif()
  file(MAKE_DIRECTORY ${LINGER_HOST_HEADERS})
  file(CREATE_LINK ${linger_header_root}/${folder} ${LINGER_HOST_HEADERS}/${folder} SYMBOLIC)
  set_target_properties(${target} PROPERTIES INTERFACE_INCLUDE_DIRECTORIES ${LINGER_HOST_HEADERS})
  unset(linger_header_root CACHE)
endfunction()
