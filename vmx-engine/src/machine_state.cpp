#include "vmx-engine/machine.h"

namespace vmx {

std::string_view machineStateName(MachineState state) {
  switch (state) {
    case MachineState::Running: return "running";
    case MachineState::Stopping: return "stopping";
    case MachineState::Stopped: return "stopped";
  }
  return "unknown";
}

}  // namespace vmx
