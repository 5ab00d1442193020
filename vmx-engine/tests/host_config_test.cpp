#include <catch2/catch.hpp>

#include <stdlib.h>

#include "vmx-engine/host_config.h"
#include "vmx-client/tests/temp_dir.h"

TEST_CASE("host config: path from VPROBE_HOST_CONFIG, else /etc/vprobes/config") {
  const char* saved = ::getenv("VPROBE_HOST_CONFIG");
  std::string keep = saved ? saved : "";
  ::setenv("VPROBE_HOST_CONFIG", "/some/where", 1);
  CHECK(vmx::hostConfigPath() == "/some/where");
  ::setenv("VPROBE_HOST_CONFIG", "", 1);
  CHECK(vmx::hostConfigPath() == "/etc/vprobes/config");
  ::unsetenv("VPROBE_HOST_CONFIG");
  CHECK(vmx::hostConfigPath() == "/etc/vprobes/config");
  if (saved) ::setenv("VPROBE_HOST_CONFIG", keep.c_str(), 1);
}

TEST_CASE("host config: a missing file allows nothing, without error") {
  vmx::HostConfig host;
  std::vector<vmx::ConfigError> errors;
  CHECK(vmx::loadHostConfig("/nonexistent/config", host, errors));
  CHECK(errors.empty());
  CHECK_FALSE(host.exists);
  CHECK_FALSE(host.vprobeAllow);
  CHECK(host.path == "/nonexistent/config");
}

TEST_CASE("host config: vprobe.allow") {
  vmxtest::TempDir dir;
  vmx::HostConfig host;
  std::vector<vmx::ConfigError> errors;
  REQUIRE(vmx::loadHostConfig(dir.write("c", "# site\nvprobe.allow = \"TRUE\"\n"), host, errors));
  CHECK(host.exists);
  CHECK(host.vprobeAllow);
  REQUIRE(vmx::loadHostConfig(dir.write("c", "other = 1\n"), host, errors));
  CHECK_FALSE(host.vprobeAllow);
  REQUIRE(vmx::loadHostConfig(dir.write("c", "VPROBE.ALLOW = false\n"), host, errors));
  CHECK_FALSE(host.vprobeAllow);
  CHECK(errors.empty());
}

TEST_CASE("host config: vprobe.allowFaultInjection") {
  vmxtest::TempDir dir;
  vmx::HostConfig host;
  std::vector<vmx::ConfigError> errors;
  REQUIRE(vmx::loadHostConfig(dir.write("c", "vprobe.allow = \"TRUE\"\n"), host, errors));
  CHECK_FALSE(host.allowFaultInjection);
  REQUIRE(vmx::loadHostConfig(
      dir.write("c", "vprobe.allow = \"TRUE\"\nvprobe.allowFaultInjection = \"TRUE\"\n"), host,
      errors));
  CHECK(host.allowFaultInjection);
  std::string path = dir.write("c", "vprobe.allow = \"TRUE\"\nvprobe.allowFaultInjection = \"maybe\"\n");
  CHECK_FALSE(vmx::loadHostConfig(path, host, errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].str() ==
        path + ":2: error: vprobe.allowFaultInjection: expected TRUE or FALSE, got \"maybe\"");
  CHECK_FALSE(host.allowFaultInjection);
  CHECK_FALSE(host.vprobeAllow);  // a malformed file allows nothing
}

TEST_CASE("host config: a malformed file is an error and allows nothing") {
  vmxtest::TempDir dir;
  vmx::HostConfig host;
  std::vector<vmx::ConfigError> errors;
  std::string path = dir.write("c", "vprobe.allow = \"TRUE\"\ngarbage line\n");
  CHECK_FALSE(vmx::loadHostConfig(path, host, errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].str() == path + ":2: error: expected 'key = \"value\"', found 'garbage line'");
  CHECK_FALSE(host.vprobeAllow);

  errors.clear();
  path = dir.write("c", "vprobe.allow = \"sure\"\n");
  CHECK_FALSE(vmx::loadHostConfig(path, host, errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].str() == path + ":1: error: vprobe.allow: expected TRUE or FALSE, got \"sure\"");
}

TEST_CASE("host config: an unreadable file is an error") {
  vmx::HostConfig host;
  std::vector<vmx::ConfigError> errors;
  CHECK_FALSE(vmx::loadHostConfig("/tmp", host, errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].str() == "/tmp: error: cannot read the host configuration: Is a directory");
}
