// The client side of the control protocol: the one send helper every
// `vmrun` command uses. Connects to a VM's control socket, sends one
// request, reads one reply.
#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "vmx-engine/control_protocol.h"

namespace vmx {

enum class SendStatus {
  Ok,          // `reply` holds a well-formed reply (which may say ok:false)
  NotRunning,  // nobody serves the socket: the VM is not powered on
  Failed,      // anything else; `error` says what
};

SendStatus sendRequest(const std::string& socketPath, MessageType type,
                       const nlohmann::json& fields, nlohmann::json& reply,
                       std::string& error,
                       std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace vmx
