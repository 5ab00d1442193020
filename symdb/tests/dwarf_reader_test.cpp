// The DWARF reader on images that are not what they claim: never a crash,
// always an error naming the image. A real image (this test binary, built
// with -g) is cut and corrupted at many places.
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <random>

#include "symdb/symdb.h"

namespace {

std::string selfImage() {
  std::ifstream in("/proc/self/exe", std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool read(const std::string& bytes, std::string& error) {
  symdb::Database db;
  return symdb::readImageMemory(bytes.data(), bytes.size(), "img.elf", db, error);
}

}  // namespace

TEST_CASE("dwarf reader: neither an ELF image nor BTF") {
  std::string error;
  CHECK_FALSE(read("", error));
  CHECK(error == "img.elf: error: neither an ELF image nor BTF");
  CHECK_FALSE(read("#!/bin/sh\necho hi\n", error));
  CHECK(error == "img.elf: error: neither an ELF image nor BTF");
  symdb::Database db;
  CHECK_FALSE(symdb::readImage("/nonexistent/demo.elf", db, error));
  CHECK(error == "/nonexistent/demo.elf: error: cannot open the image");
}

TEST_CASE("dwarf reader: truncated images are refused or read, never a crash") {
  std::string image = selfImage();
  REQUIRE(image.size() > 4096);
  for (size_t n : {size_t{4}, size_t{16}, size_t{64}, size_t{1000}, image.size() / 2, image.size() - 1}) {
    std::string error;
    if (!read(image.substr(0, n), error)) CHECK(error.starts_with("img.elf: error: "));
  }
}

TEST_CASE("dwarf reader: an image with its ELF header corrupted") {
  std::string image = selfImage();
  std::mt19937 rng(17);
  for (int round = 0; round < 40; ++round) {
    std::string bad = image;
    // The header and the section headers' area: what tells libelf where
    // everything is.
    for (int i = 0; i < 8; ++i) bad[rng() % 64] = static_cast<char>(rng());
    std::string error;
    if (!read(bad, error)) CHECK(error.starts_with("img.elf: error: "));
  }
}

TEST_CASE("dwarf reader: the call frame address at each function's entry is RSP+8") {
  // x86-64: the call has just pushed the return address. The frame rules
  // come from this binary's call frame information.
  symdb::Database db;
  std::string error;
  REQUIRE(symdb::readImage("/proc/self/exe", db, error));
  size_t checked = 0;
  for (const auto& f : db.functions) {
    if (f.cfa.empty() || f.cfa[0].low != f.ranges[0].low) continue;
    CHECK(f.cfa[0].kind == symdb::Location::Kind::RegOffset);
    CHECK(f.cfa[0].reg == 7);
    CHECK(f.cfa[0].offset == 8);
    ++checked;
  }
  CHECK(checked > 10);
}
