// The signal that kicks a vCPU thread out of KVM_RUN. Its handler does
// nothing: the point is that the blocking ioctl returns EINTR. KVM's
// `immediate_exit` covers the window where the signal arrives just before
// the thread enters KVM_RUN.
#include <csignal>
#include <mutex>

#include "vmm-engine/vcpu.h"

namespace vmm {
namespace {
void onKick(int) {}
}  // namespace

int kickSignal() {
  static std::once_flag once;
  static int sig = SIGRTMIN + 4;  // kvmtool uses +0/+1; keep clear of them
  std::call_once(once, [] {
    struct sigaction sa {};
    sa.sa_handler = onKick;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: KVM_RUN must return
    sigaction(sig, &sa, nullptr);
  });
  return sig;
}

}  // namespace vmm
