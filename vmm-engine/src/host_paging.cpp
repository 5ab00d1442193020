// kvmShadowsGuestPageTables (host_paging.h).
#include "vmm-engine/host_paging.h"

#include <cpuid.h>

#include <fstream>
#include <string>

namespace vmm {
namespace {

bool cpuHasHardwareVirtualization() {
  unsigned a, b, c, d;
  bool vmx = __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 5));
  bool svm = __get_cpuid(0x80000001, &a, &b, &c, &d) && (c & (1u << 2));
  return vmx || svm;
}

// A module parameter that reads as off ("N" or "0"); false when the
// module is not loaded.
bool parameterOff(const char* path) {
  std::ifstream f(path);
  std::string v;
  return f && (f >> v) && (v == "N" || v == "0");
}

bool detect() {
  if (!cpuHasHardwareVirtualization()) return true;
  return parameterOff("/sys/module/kvm_intel/parameters/ept") ||
         parameterOff("/sys/module/kvm_amd/parameters/npt");
}

}  // namespace

bool kvmShadowsGuestPageTables() {
  static const bool shadows = detect();
  return shadows;
}

}  // namespace vmm
