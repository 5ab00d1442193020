// Catch2's main, compiled once and linked into every unit-test binary: it
// is the costliest translation unit of the build.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
