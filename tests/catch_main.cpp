// The test runner's main() for cross builds, where Debian's Catch2WithMain (a library for the
// build machine) cannot be linked. Catch2 2.13 builds its main from the header.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
