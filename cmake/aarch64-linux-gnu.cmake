# arm64 (Graviton) with Debian's g++-aarch64-linux-gnu and libc6-dev-arm64-cross.
set(CMAKE_SYSTEM_PROCESSOR aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/linux-gnu-cross.cmake)
