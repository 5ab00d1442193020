// The VM process's control socket on any bytes a local client sends: the
// lines are split as ControlLoop splits them, decoded by decodeRequest and
// answered by handleLine, over stand-in machine and probe host (no VM, no
// socket). The socket is the VM's door to other processes, so garbage on
// it must cost an error reply and nothing else. Checked for every line:
//   - no crash or sanitizer report, and no exception out of decodeRequest,
//     which handleLine calls outside its try (handlers' std::exceptions are
//     caught; anything else would end the VM process);
//   - a decoded request, encoded again, decodes to the same request;
//   - each line gets exactly one reply line that a client reads, and a
//     line that does not decode gets ok=false with the decoder's sentence.
// Stop and an unconditional reset are decoded but not handled: they write
// vmx.log lines (stderr here) and act on the machine, which the stand-ins
// do not model.
#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "vmx-client/control_protocol.h"
#include "vmx-client/line_reader.h"
#include "vmx-engine/src/control_handlers.h"

namespace {

[[noreturn]] void fail(const std::string& what, std::string_view line,
                       const std::string& detail) {
  std::fprintf(stderr, "%s\n--- request line\n%.*s\n--- detail\n%s\n", what.c_str(),
               static_cast<int>(line.size()), line.data(), detail.c_str());
  std::abort();
}

class IdleMachine : public vmx::Machine {
 public:
  bool start(std::string&) override { return true; }
  void requestStop() override {}
  int waitStopped() override { return 0; }
  vmx::MachineState state() const override { return vmx::MachineState::Running; }
  std::string exitSummary() const override { return "exits=0"; }
};

// Nothing is ever loaded: the policy refuses loads before they get here.
class EmptyProbeHost : public vmx::ProbeHost {
 public:
  vmx::LoadResult load(std::string_view, const std::string&, vp::OutputFormat) override {
    std::abort();
  }
  void reset() override {}
  uint64_t loadedScript() override { return 0; }
  bool resetScript(uint64_t) override { return false; }
  std::vector<std::string> listProbes() override { return {"VMM1Hz"}; }
  std::vector<std::string> listGlobals() override { return {"RAX"}; }
  std::string version() override { return "1.2"; }
};

void removeOutputDir();

// The probe output files live in one folder per process.
const std::string& outputDir() {
  static const std::string* dir = [] {
    char tmpl[] = "/tmp/control-request-fuzz-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) std::abort();
    std::atexit(removeOutputDir);
    return new std::string(tmpl);
  }();
  return *dir;
}

void removeOutputDir() {
  std::error_code ec;
  std::filesystem::remove_all(outputDir(), ec);
}

vmx::ProbeOutput& output() {
  static vmx::ProbeOutput* out = [] {
    std::string error;
    auto o = vmx::ProbeOutput::open(outputDir() + "/vprobe.out", outputDir() + "/vprobe.err", {}, error);
    if (!o) std::abort();
    return o.release();
  }();
  return *out;
}

// A decoded request is written back as the protocol writes it and read
// again: the typed decoder and encoder agree on every field.
void checkDecoded(const vmx::Request& r, std::string_view line) {
  std::string again = vmx::encodeRequest(r);
  vmx::Request back;
  std::string error;
  if (!vmx::decodeRequest(std::string_view(again).substr(0, again.size() - 1), back, error))
    fail("a decoded request does not decode once re-encoded: " + error, line, again);
  if (!(back == r)) fail("a decoded request changes when re-encoded", line, again);
  if (auto* load = std::get_if<vmx::VprobeLoadRequest>(&r);
      load && (load->script.size() > line.size() || load->source.size() > line.size()))
    fail("a load's strings are longer than their line", line, "");
}

bool logsOrActs(const vmx::Request& r) {
  auto* reset = std::get_if<vmx::VprobeResetRequest>(&r);
  return std::holds_alternative<vmx::StopRequest>(r) || (reset && !reset->script);
}

// The reply decodes as a client decodes the answer to what it sent;
// `refusal` is set when it is an error reply.
template <class Req>
bool clientDecodes(const Req&, std::string_view reply, const vmx::ErrorReply*& refusal,
                   std::string& error) {
  static vmx::Response<Req> response;
  if (!vmx::decodeReply<Req>(reply, response, error)) return false;
  refusal = std::get_if<vmx::ErrorReply>(&response);
  return true;
}

void checkReply(const std::string& reply, std::string_view line, const vmx::Request* request,
                const std::string& decodeError) {
  if (reply.empty() || reply.back() != '\n' || reply.find('\n') != reply.size() - 1)
    fail("the reply is not one line", line, reply);
  std::string_view bare(reply.data(), reply.size() - 1);
  const vmx::ErrorReply* refusal = nullptr;
  std::string error;
  bool decodes = request ? std::visit([&](const auto& r) {
    return clientDecodes(r, bare, refusal, error);
  }, *request) : clientDecodes(vmx::StatusRequest{}, bare, refusal, error);
  if (!decodes) fail("a client cannot decode the reply: " + error, line, reply);
  if (!request && (!refusal || refusal->error != decodeError))
    fail("an undecodable request did not get the decoder's error", line, reply);
}

void handle(std::string_view line) {
  vmx::Request request;
  std::string error;
  bool decoded = vmx::decodeRequest(line, request, error);
  if (decoded) checkDecoded(request, line);
  else if (error.empty()) fail("a refused request without an error", line, "");
  if (decoded && logsOrActs(request)) return;
  IdleMachine machine;
  EmptyProbeHost probes;
  vmx::VprobePolicy policy{false, "/etc/vprobes/config", true, "/vm/fuzz.vmx"};
  vmx::ControlState state{{machine, probes, output(), policy, "/vm/fuzz.vmx", "fuzz"}};
  checkReply(vmx::handleLine(state, line), line, decoded ? &request : nullptr, error);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vmx::LineReader reader(vmx::kMaxRequestBytes);
  reader.feed(std::string_view(reinterpret_cast<const char*>(data), size));
  std::string line;
  for (;;) {
    vmx::LineReader::Status status = reader.next(line);
    if (status == vmx::LineReader::Status::NeedMore) break;
    if (status == vmx::LineReader::Status::Line) handle(line);
  }
  if (reader.takeRest(line)) handle(line);
  return 0;
}
