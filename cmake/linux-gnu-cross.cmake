# Shared by the cross toolchain files: clang-14 for CMAKE_SYSTEM_PROCESSOR. The shipped binary is
# built for musl (cmake/Musl.cmake); the tests are built for the target's glibc and libstdc++ from
# Debian's cross packages (libc6-dev-arm64-cross, libstdc++-12-dev-arm64-cross), which clang finds
# through the cross g++ installation in /usr/lib/gcc-cross.
set(CMAKE_SYSTEM_NAME Linux)
set(LINGER_TRIPLET ${CMAKE_SYSTEM_PROCESSOR}-linux-gnu)
set(CMAKE_CXX_COMPILER clang++-14)
set(CMAKE_CXX_COMPILER_TARGET ${LINGER_TRIPLET})

# Libraries and headers come from the target's sysroot only; tools from the build machine.
set(CMAKE_FIND_ROOT_PATH /usr/${LINGER_TRIPLET})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
# fmt and Catch2 are used as headers only, from the build machine's packages (see
# cmake/HostHeaders.cmake).
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)

# ctest and catch_discover_tests run the target's executables through qemu-user when it is there.
# It is called by name because binfmt_misc may not be registered on the build machine; -L finds
# the target's dynamic loader and libraries for the (dynamically linked) test executables.
find_program(LINGER_QEMU NAMES qemu-${CMAKE_SYSTEM_PROCESSOR}-static qemu-${CMAKE_SYSTEM_PROCESSOR})
if(LINGER_QEMU)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${LINGER_QEMU} -L /usr/${LINGER_TRIPLET})
endif()
