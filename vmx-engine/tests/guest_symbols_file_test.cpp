#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>

#include "vmx-engine/guest_symbols_file.h"
#include "vmx-client/tests/temp_dir.h"

TEST_CASE("guest symbols file: missing, then written, then rewritten (another boot)") {
  vmxtest::TempDir dir;
  vmx::GuestSymbolsFile file(dir.file("kallsyms"), nullptr);
  std::shared_ptr<const vp::GuestSymbols> syms;
  std::string error;
  CHECK_FALSE(file.current(syms, error));
  CHECK_FALSE(file.exists());
  CHECK(error.find("cannot read guest symbols " + dir.file("kallsyms")) == 0);
  CHECK(error.find("vmrun getGuestSymbols") != std::string::npos);

  dir.write("kallsyms", "ffffffff81000000 T _text\n");
  REQUIRE(file.current(syms, error));
  CHECK(file.exists());
  CHECK(syms->find("_text") == 0xffffffff81000000ull);

  // KASLR: the next boot's file, same size; a different time.
  dir.write("kallsyms", "ffffffffa2000000 T _text\n");
  struct timespec times[2] = {{0, UTIME_NOW}, {12345, 0}};
  REQUIRE(::utimensat(AT_FDCWD, dir.file("kallsyms").c_str(), times, 0) == 0);
  REQUIRE(file.current(syms, error));
  CHECK(syms->find("_text") == 0xffffffffa2000000ull);

  dir.write("kallsyms", "ffffffffa2000000 T _text\nnonsense\n");
  CHECK_FALSE(file.current(syms, error));
  CHECK(error.find(dir.file("kallsyms") + ":2: malformed symbol line") == 0);
}
