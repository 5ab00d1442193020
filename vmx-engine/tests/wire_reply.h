// Sends a typed request to a control socket and returns the reply as the
// JSON the server wrote, so tests check the wire form field by field.
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "vmx-client/control_client.h"
#include "vmx-client/control_protocol.h"

namespace vmxtest {

inline nlohmann::json wireReply(const std::string& socket, const vmx::Request& request,
                                std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
  std::string line, error;
  REQUIRE(vmx::exchangeLine(socket, vmx::encodeRequest(request), line, error, timeout) ==
          vmx::SendStatus::Ok);
  return nlohmann::json::parse(line);
}

}  // namespace vmxtest
