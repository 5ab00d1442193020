// The platform's devices (docs/platform.md, "I/O ports"), each a
// vmm::IoDevice on the VM's port bus, one per file in src/devices/:
//
//   0x3f8-0x3ff  SerialPort   COM1 subset, bytes to a log file
//   0x80         PostPort     POST code, the cheapest exit
//   0x500-0x507  TimerDevice  per-vCPU periodic interrupt
//   0x510-0x52f  DiskDevice   DMA block device backed by a file
//   0x5f0-0x5f3  PowerOffPort stops the VM with an exit code
// with ethernet0, the PCI bus and the virtio network adapter (pci_bus.h,
// virtio_net.h), and, for a Linux guest, the PC devices of pc_devices.h.
//
// Every register write comes from the guest and is treated as hostile:
// sizes, counts, guest-physical buffers and vectors are checked.
//
// Usual use (the VM process):
//   auto vm = vmm::Vm::create(cfg, err);
//   auto devs = vmx::DeviceSet::attach(*vm, devCfg, err);
//   vm->start(err); ... vm->wait();
//   devs.reset(); vm.reset();   // devices hold a Vm&: destroy them first
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "vmm-engine/io_bus.h"
#include "vmx-engine/pc_devices.h"

namespace vmm {
class Vm;
}

namespace vmx {

class PciBus;
class VirtioBlk;
class VirtioNet;
class VirtioPci;

// COM1, ports 0x3f8-0x3ff (a 16550 subset). Write THR (0x3f8): one byte to
// the log. Read LSR (0x3fd): 0x60, transmitter empty. Other registers:
// writes ignored, reads 0. The log is written a whole line at a time (so
// `tail -f` shows whole lines), with one line buffer per vCPU: KVM hands
// `rep outsb` over one byte per exit, and lines printed at the same time
// on two vCPUs must not interleave. Partial lines are written at
// destruction.
class SerialPort : public vmm::IoDevice {
 public:
  static constexpr uint16_t kBase = 0x3f8, kPorts = 8;
  // Appends to `logPath` (created if missing). valid() false on failure.
  explicit SerialPort(const std::string& logPath);
  ~SerialPort() override;
  bool valid() const { return fd_ >= 0; }
  const std::string& error() const { return error_; }
  void in(vmm::Vcpu&, uint16_t offset, uint8_t* data, unsigned size) override;
  void out(vmm::Vcpu&, uint16_t offset, const uint8_t* data,
           unsigned size) override;
  uint64_t bytesWritten() const { return bytes_.load(); }

 private:
  void writeLocked(std::string& line);
  int fd_ = -1;
  std::string error_;
  std::mutex mu_;
  std::vector<std::string> lines_;  // per vCPU index
  std::atomic<uint64_t> bytes_{0};
};

// POST code, port 0x80: writes ignored (counted), reads 0xff.
class PostPort : public vmm::IoDevice {
 public:
  static constexpr uint16_t kBase = 0x80, kPorts = 1;
  void in(vmm::Vcpu&, uint16_t, uint8_t* data, unsigned size) override;
  void out(vmm::Vcpu&, uint16_t, const uint8_t*, unsigned) override;
  uint64_t writes() const { return writes_.load(); }

 private:
  std::atomic<uint64_t> writes_{0};
};

// APM control and status, ports 0xb2 and 0xb3, as on PC chipsets: a
// write to 0xb2 raises an SMI on the writing vCPU (Vcpu::raiseSmi; the
// handler runs at its SMBASE + 0x8000), 0xb3 is a byte the guest keeps
// for its handler. Both read back what was last written. On a host without
// SMM the write raises nothing and is counted in ignored().
class ApmPort : public vmm::IoDevice {
 public:
  static constexpr uint16_t kBase = 0xb2, kPorts = 2;
  void in(vmm::Vcpu&, uint16_t offset, uint8_t* data, unsigned size) override;
  void out(vmm::Vcpu&, uint16_t offset, const uint8_t* data, unsigned size) override;
  uint64_t smis() const { return smis_.load(); }
  uint64_t ignored() const { return ignored_.load(); }

 private:
  std::atomic<uint8_t> regs_[kPorts] = {};
  std::atomic<uint64_t> smis_{0}, ignored_{0};
};

// Per-vCPU timer, ports 0x500 (period in µs, 32-bit write; 0 stops) and
// 0x504 (vector, 8-bit write, 32-255; others ignored). One thread per VM
// raises each vCPU's vector when its period elapses; a tick that finds
// the previous one still pending merges with it, and ticks missed while
// the thread was late are not replayed. Periods below kMinPeriodUs are
// raised to it so a guest cannot make the host thread spin.
class TimerDevice : public vmm::IoDevice {
 public:
  static constexpr uint16_t kBase = 0x500, kPorts = 8;
  static constexpr uint32_t kMinPeriodUs = 100;
  explicit TimerDevice(vmm::Vm& vm);
  ~TimerDevice() override;
  void in(vmm::Vcpu&, uint16_t offset, uint8_t* data, unsigned size) override;
  void out(vmm::Vcpu&, uint16_t offset, const uint8_t* data,
           unsigned size) override;
  // Interrupts raised on `vcpu` so far (merged ticks count once).
  uint64_t ticks(unsigned vcpu) const;

 private:
  struct PerVcpu;
  void threadMain();
  vmm::Vm& vm_;
  std::vector<std::unique_ptr<PerVcpu>> cpus_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool quit_ = false;
  std::thread thread_;
};

// One disk I/O as the VMX-domain probes see it (table 3-3 of the VP
// reference: Disk_IOStart / Disk_IOFinish, ARG0..ARG7).
struct DiskIoEvent {
  uint64_t adapterType;   // kAdapterType, kVirtioAdapterType (virtio_blk.h)
  uint64_t controllerId;  // 0
  uint64_t driveId;       // 0
  uint64_t isRead;        // 1 read, 0 write
  uint64_t ioId;          // unique, increasing from 1
  uint64_t startSector;
  uint64_t numSectors;
  uint64_t numSgEntries;  // guest buffers of the data (the DMA disk: 1)
  std::array<uint64_t, 8> args() const {
    return {adapterType, controllerId, driveId, isRead,
            ioId,        startSector,  numSectors, numSgEntries};
  }
};
// ARG0 of the disk probes for this device (VMware numbers its adapters by
// kind; ours is a platform-specific DMA disk with no VMware equivalent).
inline constexpr uint64_t kAdapterType = 0x76;  // 'v'

// Hooks for Disk_IOStart / Disk_IOFinish, called on the disk's device
// thread (never a vCPU thread). setHooks() may be called at any time from
// any thread except the hook itself; once it returns the old hooks are not
// running and will not be called again.
class DiskHooks {
 public:
  virtual ~DiskHooks() = default;
  virtual void onIoStart(const DiskIoEvent&) {}
  virtual void onIoFinish(const DiskIoEvent&) {}
};

// A disk whose I/O the disk probes see: the demo's DiskDevice or the
// Linux guest's virtio disk (virtio_blk.h).
class DiskIoSource {
 public:
  virtual ~DiskIoSource() = default;
  virtual void setHooks(DiskHooks* hooks) = 0;
};

// The DMA block device, ports 0x510-0x52f:
//   0x510/0x514 LBA low/high, 0x518 sector count (1-128), 0x51c buffer
//   (guest-physical, 32-bit), 0x520 command (8-bit: 1 read, 2 write),
//   0x521 completion vector (8-bit; 0 none, else 32-255), 0x524 status
//   (0 idle, 1 busy, 2 done, 3 error; reading 2 or 3 returns it to idle),
//   0x528/0x52c capacity in sectors, low/high.
// A command is checked at once (known command, count, LBA range within
// the capacity, buffer inside RAM); a bad one ends with status 3. A good
// one runs on the device thread (pread/pwrite straight into guest RAM);
// completion sets status 2 (3 on a host I/O error) and raises the vector on
// the vCPU that issued the command. One request at a time: a command while
// busy makes the running request end with status 3.
class DiskDevice : public vmm::IoDevice, public DiskIoSource {
 public:
  static constexpr uint16_t kBase = 0x510, kPorts = 0x20;
  static constexpr uint32_t kSectorBytes = 512, kMaxSectors = 128;
  enum Status : uint32_t { kIdle = 0, kBusy = 1, kDone = 2, kError = 3 };
  // Opens (creating, and extending to the capacity if shorter) `path`.
  DiskDevice(vmm::Vm& vm, const std::string& path, uint64_t sectors);
  ~DiskDevice() override;
  bool valid() const { return fd_ >= 0; }
  const std::string& error() const { return error_; }
  uint64_t sectors() const { return sectors_; }
  void setHooks(DiskHooks* hooks) override;
  void in(vmm::Vcpu&, uint16_t offset, uint8_t* data, unsigned size) override;
  void out(vmm::Vcpu&, uint16_t offset, const uint8_t* data,
           unsigned size) override;
  uint64_t requestsDone() const { return done_.load(); }

 private:
  struct Request {
    DiskIoEvent ev;
    uint64_t bufferGpa;
    unsigned vcpu;
    uint8_t vector;
  };
  void command(vmm::Vcpu& vcpu, uint8_t cmd);
  bool acceptable(uint8_t cmd, uint64_t& bytes) const;
  void finish(const Request& r, bool ok);
  void threadMain();
  bool transfer(const Request& r);

  vmm::Vm& vm_;
  int fd_ = -1;
  std::string error_;
  uint64_t sectors_ = 0;
  // Guest-visible registers, written by vCPU threads (mu_).
  uint64_t lba_ = 0;
  uint32_t count_ = 0, buffer_ = 0;
  uint8_t vector_ = 0;
  std::atomic<uint32_t> status_{kIdle};
  std::atomic<bool> failRunning_{false};
  std::atomic<uint64_t> nextId_{1}, done_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Request> queue_;
  bool quit_ = false;
  std::mutex hookMu_;  // held while a hook runs and while replacing it
  DiskHooks* hooks_ = nullptr;
  std::thread thread_;
};

// Power off, port 0x5f0 (32-bit write): the VM stops with the value as its
// exit code. Reads all ones.
class PowerOffPort : public vmm::IoDevice {
 public:
  static constexpr uint16_t kBase = 0x5f0, kPorts = 4;
  explicit PowerOffPort(vmm::Vm& vm) : vm_(vm) {}
  void in(vmm::Vcpu&, uint16_t, uint8_t* data, unsigned size) override;
  void out(vmm::Vcpu&, uint16_t offset, const uint8_t* data,
           unsigned size) override;

 private:
  vmm::Vm& vm_;
};

struct DeviceConfig {
  std::string serialLog;      // serial0.fileName; empty: no serial port
  std::string diskPath;       // disk0.fileName; empty: no disk
  uint64_t diskSectors = 0;   // disk0.sizeMB * 2048
  // A Linux guest: the PC devices of pc_devices.h too, COM1 is a 16550A
  // (writing to the serial log) instead of the demo's subset, and disk0 is
  // a virtio disk on the PCI bus instead of the DMA disk.
  bool pcPlatform = false;
  std::string serial1Log;     // serial1.fileName (PC platform only): COM2's
                              // output; empty: no COM2
  // Where devices report what the guest did wrong (vmx.log); may be empty.
  std::function<void(const std::string&)> log;
  // ethernet0: a virtio network adapter on slirp NAT, on the PCI bus (on
  // the demo platform the bus holds only it, and it has no interrupt).
  bool ethernet = false;
  std::array<uint8_t, 6> ethernetMac{};
};

// Where the Linux guest's virtio devices sit (docs/platform.md, "PCI").
inline constexpr unsigned kVirtioBlkSlot = 1;
inline constexpr uint16_t kVirtioBlkPorts = 0xc000;
inline constexpr uint8_t kVirtioBlkIrq = 10;
inline constexpr unsigned kVirtioNetSlot = 2;
inline constexpr uint16_t kVirtioNetPorts = 0xc040;
inline constexpr uint8_t kVirtioNetIrq = 11;

// All devices of one VM, registered on its bus. Destroy before the Vm.
// attach() fails only on a bad file or an already claimed port range; the
// Vm should then be discarded (its bus may name devices that are gone).
class DeviceSet {
 public:
  static std::unique_ptr<DeviceSet> attach(vmm::Vm& vm,
                                           const DeviceConfig& config,
                                           std::string& error);
  ~DeviceSet();
  SerialPort* serial() { return serial_.get(); }
  PostPort& post() { return *post_; }
  TimerDevice& timer() { return *timer_; }
  DiskDevice* disk() { return disk_.get(); }
  // disk0 as the disk probes see it: the DMA disk or the virtio disk.
  DiskIoSource* diskIo();
  VirtioBlk* virtioBlk() { return virtioBlk_.get(); }
  VirtioPci* virtioBlkTransport() { return blkTransport_.get(); }
  // ethernet0, or null.
  VirtioNet* virtioNet() { return virtioNet_.get(); }
  PicPair* pic() { return pic_.get(); }
  Pit* pit() { return pit_.get(); }
  Uart16550* uart() { return uart_.get(); }
  ApmPort* apm() { return apm_.get(); }  // the demo platform's
  Uart16550* com2() { return com2_.get(); }

 private:
  DeviceSet();
  bool attachPc(vmm::Vm& vm, const DeviceConfig& config, std::string& error);
  bool attachVirtioBlk(vmm::Vm& vm, const DeviceConfig& config,
                       IrqLine line, std::string& error);
  bool attachDemoNet(vmm::Vm& vm, const DeviceConfig& config, std::string& error);
  bool attachVirtioNet(vmm::Vm& vm, const DeviceConfig& config,
                       IrqLine line, uint8_t irq, std::string& error);
  // Declaration order = construction order; destruction stops the device
  // threads (disk, timer) before the rest.
  std::unique_ptr<SerialPort> serial_;
  std::unique_ptr<PostPort> post_;
  std::unique_ptr<PowerOffPort> powerOff_;
  std::unique_ptr<TimerDevice> timer_;
  std::unique_ptr<DiskDevice> disk_;
  std::unique_ptr<ApmPort> apm_;
  // PC devices (pcPlatform): the PIC first, the PIT (its thread raises
  // IRQ 0 on the PIC) destroyed before it.
  std::unique_ptr<PicPair> pic_;
  std::unique_ptr<Uart16550> uart_;
  std::unique_ptr<SerialPort> serial1_;  // COM2's log
  std::unique_ptr<Uart16550> com2_;
  std::unique_ptr<CmosRtc> cmos_;
  std::unique_ptr<Pit> pit_;
  // The PCI bus and the virtio disk (pcPlatform with a disk, or
  // ethernet0 on either platform): the disk's
  // thread stops first, then its transport, then the bus.
  std::unique_ptr<PciBus> pci_;
  std::unique_ptr<VirtioPci> blkTransport_;
  std::unique_ptr<VirtioBlk> virtioBlk_;
  // ethernet0 the same way (its thread stops before its transport).
  std::unique_ptr<VirtioPci> netTransport_;
  std::unique_ptr<VirtioNet> virtioNet_;
};

// Little-endian value of an access of `size` bytes (1, 2 or 4).
inline uint32_t ioValue(const uint8_t* data, unsigned size) {
  uint32_t v = 0;
  for (unsigned i = 0; i < size && i < 4; ++i) v |= uint32_t(data[i]) << (8 * i);
  return v;
}
inline void ioStore(uint8_t* data, unsigned size, uint32_t v) {
  for (unsigned i = 0; i < size; ++i) data[i] = uint8_t(v >> (8 * i));
}

}  // namespace vmx
