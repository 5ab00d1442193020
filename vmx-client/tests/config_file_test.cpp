#include <catch2/catch.hpp>

#include "vmx-client/config_file.h"

using vmx::ConfigError;
using vmx::ConfigFile;

namespace {

std::vector<std::string> errorsOf(const std::string& text) {
  ConfigFile file;
  std::vector<ConfigError> errors;
  ConfigFile::parse(text, "t.vmx", file, errors);
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.str());
  return out;
}

ConfigFile parseOk(const std::string& text) {
  ConfigFile file;
  std::vector<ConfigError> errors;
  REQUIRE(ConfigFile::parse(text, "t.vmx", file, errors));
  REQUIRE(errors.empty());
  return file;
}

}  // namespace

TEST_CASE("config: quoted and bare values, comments and blank lines") {
  ConfigFile f = parseOk(
      "# a comment\n"
      "\n"
      "memsize = \"128\"\n"
      "numvcpus=2\n"
      "   displayName   =   \"my vm\"   # trailing comment\n"
      "guest.cmdline = bare value # comment\n");
  REQUIRE(f.find("memsize") != nullptr);
  CHECK(f.find("memsize")->value == "128");
  CHECK(f.find("memsize")->line == 3);
  CHECK(f.find("numvcpus")->value == "2");
  CHECK(f.find("displayName")->value == "my vm");
  CHECK(f.find("guest.cmdline")->value == "bare value");
  CHECK(f.find("absent") == nullptr);
}

TEST_CASE("config: keys are case-insensitive and later duplicates win") {
  ConfigFile f = parseOk("vprobe.enable = \"FALSE\"\nVProbe.Enable = \"TRUE\"\n");
  REQUIRE(f.find("vprobe.enable") != nullptr);
  CHECK(f.find("vprobe.enable")->value == "TRUE");
  CHECK(f.find("VPROBE.ENABLE")->line == 2);
}

TEST_CASE("config: unknown keys are kept") {
  ConfigFile f = parseOk(".encoding = \"UTF-8\"\nscsi0:0.fileName = \"d.vmdk\"\n");
  CHECK(f.entries().size() == 2);
  CHECK(f.find("scsi0:0.filename")->value == "d.vmdk");
}

TEST_CASE("config: VMware |XX escapes inside quotes") {
  ConfigFile f = parseOk("a = \"say |22hi|22 |7C |zz\"\n");
  CHECK(f.find("a")->value == "say \"hi\" | |zz");
}

TEST_CASE("config: empty quoted value, hash inside quotes, CRLF, BOM") {
  ConfigFile f = parseOk("\xEF\xBB\xBF" "a = \"\"\r\nb = \"x # not a comment\"\r\n");
  CHECK(f.find("a")->value.empty());
  CHECK(f.find("b")->value == "x # not a comment");
}

TEST_CASE("config: every malformed line is reported with file and line") {
  auto errors = errorsOf(
      "ok = 1\n"
      "no equals sign\n"
      " = \"value\"\n"
      "bad key = 1\n"
      "k = \"unterminated\n"
      "k2 = \"v\" junk\n"
      "fine = \"2\"\n");
  REQUIRE(errors.size() == 5);
  CHECK(errors[0] == "t.vmx:2: error: expected 'key = \"value\"', found 'no equals sign'");
  CHECK(errors[1] == "t.vmx:3: error: missing key before '='");
  CHECK(errors[2] == "t.vmx:4: error: invalid character ' ' in key 'bad key'");
  CHECK(errors[3] == "t.vmx:5: error: missing closing quote");
  CHECK(errors[4] == "t.vmx:6: error: unexpected text after the closing quote: 'junk'");
}

TEST_CASE("config: errors without a line omit it") {
  CHECK(ConfigError{"x.vmx", 0, "boom"}.str() == "x.vmx: error: boom");
}

TEST_CASE("config: readTextFile reports missing files and directories") {
  std::string text, error;
  CHECK_FALSE(vmx::readTextFile("/nonexistent/file", text, error));
  CHECK(error == "No such file or directory");
  CHECK_FALSE(vmx::readTextFile("/tmp", text, error));
  CHECK(error == "Is a directory");
}
