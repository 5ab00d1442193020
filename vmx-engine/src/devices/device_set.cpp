// Creates the platform's devices and registers their port ranges.
#include "vmm-engine/vm.h"
#include "vmx-engine/devices.h"
#include "vmx-engine/pci_bus.h"
#include "vmx-engine/virtio_blk.h"
#include "vmx-engine/virtio_net.h"
#include "vmx-engine/virtio_pci.h"

namespace vmx {
namespace {
template <class D>
bool claim(vmm::Vm& vm, D* dev, std::string& error) {
  return vm.ioBus().add(D::kBase, D::kPorts, dev, error);
}
}  // namespace

DeviceSet::DeviceSet() = default;
DeviceSet::~DeviceSet() = default;

DiskIoSource* DeviceSet::diskIo() {
  if (disk_) return disk_.get();
  return virtioBlk_.get();
}

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
  if (!c.diskPath.empty() && !c.pcPlatform) {
    s->disk_ = std::make_unique<DiskDevice>(vm, c.diskPath, c.diskSectors);
    if (!s->disk_->valid()) {
      error = s->disk_->error();
      return nullptr;
    }
  }
  if (c.pcPlatform && !c.serial1Log.empty()) {
    s->serial1_ = std::make_unique<SerialPort>(c.serial1Log);
    if (!s->serial1_->valid()) {
      error = s->serial1_->error();
      return nullptr;
    }
  }
  if (c.pcPlatform && !s->attachPc(vm, c, error)) return nullptr;
  if (!c.pcPlatform && c.ethernet && !s->attachDemoNet(vm, c, error)) return nullptr;
  s->post_ = std::make_unique<PostPort>();
  s->powerOff_ = std::make_unique<PowerOffPort>(vm);
  s->timer_ = std::make_unique<TimerDevice>(vm);
  if (!c.pcPlatform) s->apm_ = std::make_unique<ApmPort>();
  // The ranges are fixed and disjoint, so on a fresh VM these succeed.
  // On the PC platform COM1 is the 16550A (attachPc), which writes
  // through serial_.
  if ((s->serial_ && !c.pcPlatform && !claim(vm, s->serial_.get(), error)) ||
      (s->disk_ && !claim(vm, s->disk_.get(), error)) ||
      !claim(vm, s->post_.get(), error) ||
      !claim(vm, s->powerOff_.get(), error) ||
      !claim(vm, s->timer_.get(), error) || (s->apm_ && !claim(vm, s->apm_.get(), error)))
    return nullptr;
  return s;
}

bool DeviceSet::attachPc(vmm::Vm& vm, const DeviceConfig& c,
                         std::string& error) {
  pic_ = std::make_unique<PicPair>([&vm] { vm.vcpu(0).interruptLineRaised(); });
  PicPair* pic = pic_.get();
  IrqLine line = [pic](unsigned irq, bool level) { pic->setIrq(irq, level); };
  uart_ = std::make_unique<Uart16550>(serial_.get(), line);
  if (serial1_)
    com2_ = std::make_unique<Uart16550>(serial1_.get(), line, Uart16550::kCom2Irq);
  cmos_ = std::make_unique<CmosRtc>();
  pit_ = std::make_unique<Pit>(line);
  vmm::IoBus& bus = vm.ioBus();
  if (!bus.add(PicPair::kMasterBase, PicPair::kPorts, &pic->ports(0), error) ||
      !bus.add(PicPair::kSlaveBase, PicPair::kPorts, &pic->ports(1), error) ||
      !claim(vm, pit_.get(), error) ||
      !bus.add(Pit::kPortB, 1, &pit_->portB(), error) ||
      !claim(vm, uart_.get(), error) || !claim(vm, cmos_.get(), error) ||
      (com2_ && !bus.add(Uart16550::kCom2Base, Uart16550::kPorts, com2_.get(), error)))
    return false;
  if (!pci_ && (!c.diskPath.empty() || c.ethernet)) {
    pci_ = std::make_unique<PciBus>();
    if (!claim(vm, pci_.get(), error)) return false;
  }
  if (!c.diskPath.empty() && !attachVirtioBlk(vm, c, line, error)) return false;
  if (c.ethernet && !attachVirtioNet(vm, c, line, kVirtioNetIrq, error)) return false;
  vm.setInterruptSource(pic);
  return true;
}

// disk0 as a virtio disk at 00:01.0.
bool DeviceSet::attachVirtioBlk(vmm::Vm& vm, const DeviceConfig& c,
                                IrqLine line, std::string& error) {
  virtioBlk_ = std::make_unique<VirtioBlk>(c.diskPath, c.diskSectors);
  if (!virtioBlk_->valid()) {
    error = virtioBlk_->error();
    return false;
  }
  blkTransport_ = std::make_unique<VirtioPci>(vm.memory(), *virtioBlk_,
                                              kVirtioBlkPorts, kVirtioBlkIrq, line,
                                              "virtio disk 00:01.0", c.log);
  pci_->add(kVirtioBlkSlot, &blkTransport_->pciFunction());
  return vm.ioBus().add(blkTransport_->ioBase(), blkTransport_->ioSize(),
                        blkTransport_.get(), error);
}

// ethernet0 on the demo platform: the same bus and adapter, but no
// interrupt controller for INTx (its vectors come from devices that are
// told one), so the adapter has no interrupt pin and the driver polls the
// used rings (docs/platform.md).
bool DeviceSet::attachDemoNet(vmm::Vm& vm, const DeviceConfig& c, std::string& error) {
  pci_ = std::make_unique<PciBus>();
  if (!claim(vm, pci_.get(), error)) return false;
  return attachVirtioNet(vm, c, [](unsigned, bool) {}, 0xff, error);
}

// ethernet0 as a virtio network adapter at 00:02.0, interrupting on `irq`
// (0xff: no interrupt pin).
bool DeviceSet::attachVirtioNet(vmm::Vm& vm, const DeviceConfig& c,
                                IrqLine line, uint8_t irq, std::string& error) {
  virtioNet_ = std::make_unique<VirtioNet>(0, c.ethernetMac);
  if (!virtioNet_->valid()) {
    error = "ethernet0: " + virtioNet_->error();
    return false;
  }
  netTransport_ = std::make_unique<VirtioPci>(vm.memory(), *virtioNet_,
                                              kVirtioNetPorts, irq, line,
                                              "virtio net 00:02.0", c.log);
  pci_->add(kVirtioNetSlot, &netTransport_->pciFunction());
  return vm.ioBus().add(netTransport_->ioBase(), netTransport_->ioSize(),
                        netTransport_.get(), error);
}

}  // namespace vmx
