# x86-64 from an arm64 machine (BuildKit on Apple silicon or Graviton) with Debian's
# g++-x86-64-linux-gnu and libc6-dev-amd64-cross.
set(CMAKE_SYSTEM_PROCESSOR x86_64)
include(${CMAKE_CURRENT_LIST_DIR}/linux-gnu-cross.cmake)
