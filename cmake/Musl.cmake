# The toolchain of the shipped static binary: clang, libc++'s headers and musl's libc.a, all from
# Debian packages (clang-14, lld-14, libc++-14-dev, musl-dev for the target architecture).
#
# Why not glibc: a static glibc program that only calls write(2) is already about 680 KB, and
# libstdc++ adds its exception, locale and demangler machinery on top. musl links only what is
# called. Why libc++ as headers only: Debian's libc++.so and libc++.a are built for glibc; with
# extern templates disabled (cmake/libcxx-musl/__config_site) every template linger uses is
# instantiated from the headers, and the few out-of-line functions left are defined in
# src/runtime.cpp. Exceptions and RTTI are off, so no C++ runtime library (libc++abi) is needed.
#
# Defines the interface target linger_musl: compile and link options for the shipped executable.
# Everything else in the build (unit tests, process tests, helpers) keeps the compiler's default
# glibc and libstdc++: Catch2 needs exceptions, and one program cannot hold two C libraries.

if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "LINGER_STATIC builds with clang, libc++ and musl: use a release preset, "
    "which sets clang++-14")
endif()

set(linger_arch ${CMAKE_SYSTEM_PROCESSOR})
set(linger_musl_target ${linger_arch}-linux-musl)
set(linger_gnu_target ${linger_arch}-linux-gnu)

# Looks for FILE in the given directories of the build machine (never under a cross sysroot) and
# stores the directory that holds it in VAR, or stops with HINT.
function(linger_require_dir var file hint)
  find_path(${var} ${file} PATHS ${ARGN} NO_DEFAULT_PATH NO_CMAKE_FIND_ROOT_PATH)
  if(NOT ${var})
    message(FATAL_ERROR "${file} not found in ${ARGN}: ${hint}")
  endif()
endfunction()

string(REGEX MATCH "^[0-9]+" linger_clang_major ${CMAKE_CXX_COMPILER_VERSION})
linger_require_dir(LINGER_LIBCXX_HEADERS __config_site
  "install libc++-${linger_clang_major}-dev" /usr/lib/llvm-${linger_clang_major}/include/c++/v1)
linger_require_dir(LINGER_MUSL_HEADERS stdio.h "install musl-dev for ${linger_arch}"
  /usr/include/${linger_musl_target})
linger_require_dir(LINGER_MUSL_LIBS libc.a "install musl-dev for ${linger_arch}"
  /usr/lib/${linger_musl_target})
# musl ships no Linux kernel headers (linux/*.h, asm/*.h); they come from linux-libc-dev for this
# machine, or from the cross package for another one.
linger_require_dir(LINGER_KERNEL_ASM asm/unistd.h "install linux-libc-dev for ${linger_arch}"
  /usr/include/${linger_gnu_target} /usr/${linger_gnu_target}/include)
# Those headers sit beside glibc's, which must never reach the musl build: a folder that holds
# only the three kernel header folders stands in for them.
set(linger_kernel_headers ${CMAKE_BINARY_DIR}/kernel-headers)
file(MAKE_DIRECTORY ${linger_kernel_headers})
file(CREATE_LINK /usr/include/linux ${linger_kernel_headers}/linux SYMBOLIC)
file(CREATE_LINK /usr/include/asm-generic ${linger_kernel_headers}/asm-generic SYMBOLIC)
file(CREATE_LINK ${LINGER_KERNEL_ASM}/asm ${linger_kernel_headers}/asm SYMBOLIC)

# Compiler helpers (128-bit division, and on arm64 the quad-float arithmetic of musl's printf)
# come from the target's libgcc.a, as with musl-gcc; clang has no builtins library for arm64 here.
execute_process(
  COMMAND ${CMAKE_CXX_COMPILER} --target=${linger_gnu_target} --rtlib=libgcc
    -print-libgcc-file-name
  OUTPUT_VARIABLE LINGER_LIBGCC OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
if(NOT EXISTS ${LINGER_LIBGCC})
  message(FATAL_ERROR "no libgcc.a for ${linger_gnu_target} (${LINGER_LIBGCC}): install "
    "libgcc-12-dev for ${linger_arch} (g++, or the cross g++)")
endif()

add_library(linger_musl INTERFACE)
target_compile_options(linger_musl INTERFACE
  --target=${linger_musl_target}
  # Only these headers, in this order: libc++'s configuration for musl, libc++, musl, the kernel's.
  # The compiler's own headers (stddef.h, intrinsics) stay, after them.
  -nostdinc++ -nostdlibinc
  "SHELL:-isystem ${PROJECT_SOURCE_DIR}/cmake/libcxx-musl"
  "SHELL:-isystem ${LINGER_LIBCXX_HEADERS}"
  "SHELL:-isystem ${LINGER_MUSL_HEADERS}"
  "SHELL:-isystem ${linger_kernel_headers}"
  -fno-exceptions -fno-rtti
  # linger runs one thread, so a function-local static needs no lock: without this flag its
  # initialisation calls __cxa_guard_acquire/release, which only libc++abi would provide.
  -fno-threadsafe-statics
  # Code and data that nothing calls are dropped at link time (--gc-sections); -Oz is about 15%
  # smaller than -Os here, and nothing linger does is bound by the CPU. Link-time optimisation
  # sees the whole program (fmt's templates, libc++'s inline code) and takes off another 8-17%.
  -Oz -flto -ffunction-sections -fdata-sections
  # Without exceptions nothing unwinds, so the unwind tables (about 25 KB) are dead weight.
  -fno-asynchronous-unwind-tables -fno-unwind-tables
  -fPIE -fstack-protector-strong
  # Reproducible: no build or source directory in the binary (fmt's assertions use __FILE__).
  -ffile-prefix-map=${PROJECT_SOURCE_DIR}=.
  -ffile-prefix-map=${CMAKE_BINARY_DIR}=build
  # fmt reports a failure (stdout that cannot be written, a format error) by throwing, and without
  # exceptions it constructs the exception anyway for its message, which would pull in
  # std::system_error and std::runtime_error from libc++.so. This prints the failed expression and
  # aborts instead: the same end, and nothing to link (fputs, where fmt's own assertion handler
  # would bring in musl's printf). (A compile option: CMake drops function-like macros from
  # compile definitions.)
  "-DFMT_THROW(error)=(std::fputs(\"linger: internal error: \" #error \"\\n\", stderr), std::abort())")
# linger formats no floating-point number, but fmt's argument visitor reaches float, double and
# long double formatting from every format call: dragonbox, its tables, and musl's printf for long
# double, about 20 KB. These make fmt's floating-point writers return at once, so the linker drops
# them. The release tests run every process test against this binary, so a number that would now
# print as nothing would fail them.
target_compile_definitions(linger_musl INTERFACE FMT_USE_FLOAT=0 FMT_USE_DOUBLE=0
  FMT_USE_LONG_DOUBLE=0
  # Likewise 128-bit integers, which linger never formats, and a writer of its own for 32-bit
  # ones, where the 64-bit one does (3 KB).
  FMT_USE_INT128=0 FMT_REDUCE_INT_INSTANTIATIONS=1)
target_link_options(linger_musl INTERFACE
  --target=${linger_musl_target} -fuse-ld=lld -nostdlib -flto -Oz
  # A static PIE: no interpreter and no shared library, and the kernel still randomises where the
  # code is (musl's rcrt1.o relocates the program before main).
  -static-pie
  # Relocations read-only after start-up (RELRO, BIND_NOW), stack not executable.
  -Wl,-z,relro,-z,now,-z,noexecstack
  -Wl,--gc-sections -Wl,--icf=safe
  # The build id is a hash of the output, so two identical builds get the same one.
  -Wl,--build-id=sha1
  -s)
target_link_libraries(linger_musl INTERFACE
  ${LINGER_MUSL_LIBS}/rcrt1.o ${LINGER_MUSL_LIBS}/libc.a ${LINGER_LIBGCC})
