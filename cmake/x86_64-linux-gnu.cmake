# x86-64 from an arm64 machine (BuildKit on Apple silicon or Graviton): clang-14, with Debian's
# amd64 cross libraries for the tests.
set(CMAKE_SYSTEM_PROCESSOR x86_64)
include(${CMAKE_CURRENT_LIST_DIR}/linux-gnu-cross.cmake)
