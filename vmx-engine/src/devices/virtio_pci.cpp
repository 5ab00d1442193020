// Legacy virtio PCI transport: the register block of BAR0 and the INTx
// interrupt (virtio 1.0, 4.1.4.8 and 4.1.5).
#include "vmx-engine/virtio_pci.h"

#include "vmx-engine/devices.h"

namespace vmx {
namespace {
enum : uint16_t {
  kDeviceFeatures = 0x00, kDriverFeatures = 0x04, kQueuePfn = 0x08,
  kQueueSize = 0x0c, kQueueSelect = 0x0e, kQueueNotify = 0x10,
  kStatus = 0x12, kIsr = 0x13
};
enum : uint8_t { kIsrQueue = 1 };

// The smallest power of two that holds the registers and the device's
// configuration (at least 32 ports).
uint16_t ioSizeFor(uint32_t configSize) {
  uint32_t need = VirtioPci::kDeviceConfig + configSize, size = 32;
  while (size < need && size < 256) size <<= 1;
  return uint16_t(size);
}

PciIds idsOf(const VirtioDevice& d) {
  return {VirtioPci::kVendor, uint16_t(0x0fff + d.virtioType()), 0,
          d.pciClass(), VirtioPci::kVendor, d.virtioType()};
}
}  // namespace

VirtioPci::VirtioPci(vmm::GuestMemory& memory, VirtioDevice& device,
                     uint16_t ioBase, uint8_t irq, IrqLine line,
                     std::string name, Log log)
    : memory_(memory),
      device_(device),
      ioBase_(ioBase),
      ioSize_(ioSizeFor(device.configSize())),
      irq_(irq),
      line_(std::move(line)),
      name_(std::move(name)),
      log_(std::move(log)),
      pci_(idsOf(device), ioBase, ioSize_, irq) {
  for (unsigned q = 0; q < device.queueCount(); ++q)
    queues_.push_back(std::make_unique<VirtQueue>(memory, device.queueSize()));
  device.connect(*this);
}

std::string VirtioPci::queueError() {
  std::lock_guard l(mu_);
  for (auto& q : queues_)
    if (q->broken()) return q->error();
  return "";
}

uint32_t VirtioPci::driverFeatures() {
  std::lock_guard l(mu_);
  return driverFeatures_;
}

uint8_t VirtioPci::readByteLocked(uint16_t offset) {
  VirtQueue* q = queueSelect_ < queues_.size() ? queues_[queueSelect_].get() : nullptr;
  auto byteOf = [&](uint32_t v, uint16_t reg) { return uint8_t(v >> (8 * (offset - reg))); };
  if (offset < kDriverFeatures) return byteOf(device_.features(), kDeviceFeatures);
  if (offset < kQueuePfn) return byteOf(driverFeatures_, kDriverFeatures);
  if (offset < kQueueSize) return byteOf(q ? q->pfn() : 0, kQueuePfn);
  if (offset < kQueueSelect) return byteOf(q ? q->size() : 0, kQueueSize);
  if (offset < kQueueNotify) return byteOf(queueSelect_, kQueueSelect);
  if (offset < kStatus) return 0;
  if (offset == kStatus) return status_;
  if (offset == kIsr) {
    // Reading ISR acknowledges the interrupt (4.1.4.5).
    uint8_t v = isr_;
    isr_ = 0;
    if (v) line_(irq_, false);
    return v;
  }
  uint32_t at = offset - kDeviceConfig;
  return at < device_.configSize() ? device_.configByte(at) : 0xff;
}

uint32_t VirtioPci::read(uint16_t offset, unsigned size) {
  std::lock_guard l(mu_);
  uint32_t v = 0;
  for (unsigned i = 0; i < size && i < 4; ++i)
    v |= uint32_t(readByteLocked(uint16_t(offset + i))) << (8 * i);
  return v;
}

// One write to a register; an access that is not exactly one register's
// offset and width is ignored. `notify` gets the queue to notify (or -1).
bool VirtioPci::writeRegisterLocked(uint16_t offset, unsigned size,
                                    uint32_t value, int& notify) {
  VirtQueue* q = queueSelect_ < queues_.size() ? queues_[queueSelect_].get() : nullptr;
  switch (offset) {
    case kDriverFeatures:
      if (size == 4) driverFeatures_ = value & device_.features();
      return false;
    case kQueuePfn:
      if (size == 4 && q && !q->setPfn(value)) logQueue(queueSelect_, q->error());
      return false;
    case kQueueSelect:
      if (size == 2) queueSelect_ = uint16_t(value);
      return false;
    case kQueueNotify:
      if (size == 2 && value < queues_.size()) notify = int(value);
      return false;
    case kStatus:
      if (size != 1) return false;
      if (value == 0) return true;
      status_ = uint8_t(value);
      return false;
    default:
      return false;
  }
}

void VirtioPci::write(uint16_t offset, unsigned size, uint32_t value) {
  int notify = -1;
  bool reset = false;
  {
    std::lock_guard l(mu_);
    if (offset >= kDeviceConfig) {
      uint32_t at = offset - kDeviceConfig;
      for (unsigned i = 0; i < size && i < 4 && at + i < device_.configSize(); ++i)
        device_.configWriteByte(at + i, uint8_t(value >> (8 * i)));
      return;
    }
    reset = writeRegisterLocked(offset, size, value, notify);
    if (reset) resetLocked();
  }
  if (reset) device_.reset();
  if (notify >= 0) device_.notify(unsigned(notify));
}

void VirtioPci::resetLocked() {
  for (auto& q : queues_) q->reset();
  driverFeatures_ = 0;
  queueSelect_ = 0;
  status_ = 0;
  if (isr_) line_(irq_, false);
  isr_ = 0;
  ++epoch_;
}

void VirtioPci::setIsrLocked(uint8_t bits) {
  if (!isr_) line_(irq_, true);
  isr_ |= bits;
}

void VirtioPci::in(vmm::Vcpu&, uint16_t offset, uint8_t* data,
                   unsigned size) {
  ioStore(data, size, read(offset, size));
}

void VirtioPci::out(vmm::Vcpu&, uint16_t offset, const uint8_t* data,
                    unsigned size) {
  write(offset, size, ioValue(data, size));
}

bool VirtioPci::pop(unsigned queue, VirtqChain& chain) {
  std::lock_guard l(mu_);
  if (queue >= queues_.size()) return false;
  chain.epoch = epoch_;
  VirtQueue& q = *queues_[queue];
  bool wasBroken = q.broken();
  VirtQueue::Pop r = q.pop(chain);
  if (r == VirtQueue::Pop::kBroken && !wasBroken) logQueue(queue, q.error());
  return r == VirtQueue::Pop::kChain;
}

void VirtioPci::logQueue(unsigned queue, const std::string& why) {
  if (log_)
    log_(name_ + ": queue " + std::to_string(queue) + " stopped: " + why +
         " (until the guest resets the device)");
}

void VirtioPci::complete(unsigned queue, const VirtqChain& chain,
                         uint32_t written) {
  std::lock_guard l(mu_);
  if (queue >= queues_.size() || chain.epoch != epoch_) return;
  VirtQueue& q = *queues_[queue];
  if (!q.pushUsed(chain.head, written)) return;
  // VRING_AVAIL_F_NO_INTERRUPT is a hint; interrupting anyway is allowed,
  // but honouring it spares the driver the exits.
  if (!q.interruptSuppressed()) setIsrLocked(kIsrQueue);
}

}  // namespace vmx
