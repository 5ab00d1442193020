// The VP engine on any source text: the JIT and the reference interpreter
// must agree byte for byte (diagnostics, output, runtime errors), and
// neither may crash, hang or touch memory it does not own. The script runs
// the events `vp run` would give it against a synthetic vCPU with a small
// window of mapped guest memory, so guest reads both hit and miss.
// A first byte below 0x08 is not source: it picks the engine's options
// (vprobe.version 1.0/1.1/1.2, and a small translation cache so that the
// JIT's "does not fit" paths run); any other first byte is source, so
// plain scripts are inputs as they are.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "vp/tests/harness.h"

namespace {

constexpr uint64_t kWindow = 0x1000;

void setupTarget(vp::SyntheticTarget& t) {
  std::vector<uint8_t> bytes(256);
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i * 37 + 11);
  bytes[200] = 0;  // a string ends inside the window
  t.addMemory(kWindow, bytes);
  t.set(vp::Global::RAX, 0x1234567890abcdefULL);
  t.set(vp::Global::RSP, kWindow + 64);
  t.set(vp::Global::RBP, kWindow + 128);
  t.set(vp::Global::RIP, kWindow);
}

const std::vector<std::string>& events() {
  static const std::vector<std::string> e = {
      "VMM1Hz", "Guest_IRQx2:0x20", "HV_Exit", "HV_Resume",
      "USEC:1000", "In:0x80,1,1", "VMX1Hz", "Disk_IOStart:0x76,0,0,1,7,8,1,1"};
  return e;
}

[[noreturn]] void mismatch(const char* what, const std::string& src,
                           const std::string& jit, const std::string& interp) {
  std::fprintf(stderr, "JIT and interpreter differ in %s\n--- script\n%s\n"
               "--- JIT\n%s\n--- interpreter\n%s\n",
               what, src.c_str(), jit.c_str(), interp.c_str());
  std::abort();
}

vp::Options optionsFrom(const uint8_t*& data, size_t& size) {
  vp::Options o;
  if (size == 0 || data[0] >= 0x08) return o;
  o.version = vp::Version{1, data[0] % 3};
  if (data[0] & 4) o.maxCodeBytes = 512;
  ++data;
  --size;
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 8192) return 0;  // longer inputs only slow the search down
  vp::Options opts = optionsFrom(data, size);
  std::string src(reinterpret_cast<const char*>(data), size);
  auto jit = vptest::runScript(src, events(), false, opts, setupTarget);
  auto interp = vptest::runScript(src, events(), true, opts, setupTarget);
  if (jit.diagnostics != interp.diagnostics)
    mismatch("diagnostics", src, jit.diagnostics, interp.diagnostics);
  if (jit.out != interp.out) mismatch("output", src, jit.out, interp.out);
  if (jit.err != interp.err) mismatch("runtime errors", src, jit.err, interp.err);
  return 0;
}
