// One include for Catch2 2.13 (Debian 12) and Catch2 3.
#pragma once

#if __has_include(<catch2/catch_all.hpp>)
#include <catch2/catch_all.hpp>
#else
#include <catch2/catch.hpp>
#endif

#include <cstdio>

// Ends the test case with a line that ctest's SKIP_REGULAR_EXPRESSION reports as skipped; the same
// on both Catch2 versions.
#define LINGER_SKIP(reason)                                 \
  do {                                                      \
    std::printf("SKIP: %s\n", std::string(reason).c_str()); \
    return;                                                 \
  } while (false)
