// The client side of the control protocol: the one send helper every
// `vmrun` command and vprobe's script session use. Connects to a VM's
// control socket, sends one request, reads and decodes its reply.
#pragma once

#include <chrono>
#include <string>

#include "vmx-client/control_protocol.h"

namespace vmx {

enum class SendStatus {
  Ok,          // `reply` holds a decoded reply (which may be an ErrorReply)
  NotRunning,  // nobody serves the socket: the VM is not powered on
  Failed,      // anything else; `error` says what
};

// Sends one request line, reads its reply line (without its '\n').
SendStatus exchangeLine(const std::string& socketPath, const std::string& requestLine,
                        std::string& replyLine, std::string& error,
                        std::chrono::milliseconds timeout);

template <class Req>
SendStatus sendRequest(const std::string& socketPath, const Req& request,
                       Response<Req>& reply, std::string& error,
                       std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
  std::string line;
  SendStatus status = exchangeLine(socketPath, encodeRequest(request), line, error, timeout);
  if (status == SendStatus::Ok && !decodeReply<Req>(line, reply, error)) return SendStatus::Failed;
  return status;
}

}  // namespace vmx
