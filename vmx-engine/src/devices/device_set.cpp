// Creates the platform's devices and registers their port ranges.
#include "vmm-engine/vm.h"
#include "vmx-engine/devices.h"

namespace vmx {
namespace {
template <class D>
bool claim(vmm::Vm& vm, D* dev, std::string& error) {
  return vm.ioBus().add(D::kBase, D::kPorts, dev, error);
}
}  // namespace

std::unique_ptr<DeviceSet> DeviceSet::attach(vmm::Vm& vm,
                                             const DeviceConfig& c,
                                             std::string& error) {
  std::unique_ptr<DeviceSet> s(new DeviceSet());
  // Construct everything first: the bus only ever sees devices that exist.
  if (!c.serialLog.empty()) {
    s->serial_ = std::make_unique<SerialPort>(c.serialLog);
    if (!s->serial_->valid()) {
      error = s->serial_->error();
      return nullptr;
    }
  }
  if (!c.diskPath.empty()) {
    s->disk_ = std::make_unique<DiskDevice>(vm, c.diskPath, c.diskSectors);
    if (!s->disk_->valid()) {
      error = s->disk_->error();
      return nullptr;
    }
  }
  s->post_ = std::make_unique<PostPort>();
  s->powerOff_ = std::make_unique<PowerOffPort>(vm);
  s->timer_ = std::make_unique<TimerDevice>(vm);
  // The ranges are fixed and disjoint, so on a fresh VM these succeed.
  if ((s->serial_ && !claim(vm, s->serial_.get(), error)) ||
      (s->disk_ && !claim(vm, s->disk_.get(), error)) ||
      !claim(vm, s->post_.get(), error) ||
      !claim(vm, s->powerOff_.get(), error) ||
      !claim(vm, s->timer_.get(), error))
    return nullptr;
  return s;
}

}  // namespace vmx
