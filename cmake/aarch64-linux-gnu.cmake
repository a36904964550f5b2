# arm64 (Graviton): clang-14, with Debian's arm64 cross libraries for the tests.
set(CMAKE_SYSTEM_PROCESSOR aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/linux-gnu-cross.cmake)
