#include "tiny_guest.h"

#include <cstdio>
#include <cstring>
#include <elf.h>
#include <fcntl.h>
#include <fstream>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <unistd.h>

namespace vmm_test {

std::vector<uint8_t> makeElf(const std::vector<uint8_t>& code, uint64_t base,
                             uint64_t extraZero) {
  Elf64_Ehdr eh{};
  memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = ET_EXEC;
  eh.e_machine = EM_X86_64;
  eh.e_version = EV_CURRENT;
  eh.e_entry = base;
  eh.e_phoff = sizeof eh;
  eh.e_ehsize = sizeof eh;
  eh.e_phentsize = sizeof(Elf64_Phdr);
  eh.e_phnum = 1;
  Elf64_Phdr ph{};
  ph.p_type = PT_LOAD;
  ph.p_flags = PF_R | PF_W | PF_X;
  ph.p_offset = 0x1000;
  ph.p_vaddr = ph.p_paddr = base;
  ph.p_filesz = code.size();
  ph.p_memsz = code.size() + extraZero;
  ph.p_align = 0x1000;
  std::vector<uint8_t> out(0x1000 + code.size());
  memcpy(out.data(), &eh, sizeof eh);
  memcpy(out.data() + sizeof eh, &ph, sizeof ph);
  memcpy(out.data() + 0x1000, code.data(), code.size());
  return out;
}

std::vector<uint8_t> codeOf(const Xbyak::CodeGenerator& g) {
  const uint8_t* p = g.getCode();
  return std::vector<uint8_t>(p, p + g.getSize());
}

std::string tempDir() {
  static std::string dir = [] {
    char tmpl[] = "/tmp/vmm-engine-tests.XXXXXX";
    const char* d = mkdtemp(tmpl);
    return std::string(d ? d : "/tmp");
  }();
  return dir;
}

std::string writeTempFile(const std::string& name,
                          const std::vector<uint8_t>& bytes) {
  std::string path = tempDir() + "/" + name;
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(bytes.data()),
          std::streamsize(bytes.size()));
  return path;
}

bool kvmOrSkip(const char* what) {
  int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
  errno = fd < 0 ? errno : ENODEV;
  if (fd >= 0 && ioctl(fd, KVM_GET_API_VERSION, 0) == KVM_API_VERSION) {
    close(fd);
    return true;
  }
  if (fd >= 0) close(fd);
  fprintf(stderr,
          "\n*** SKIP: %s: /dev/kvm is not available (%s); KVM tests "
          "skipped ***\n\n",
          what, strerror(errno));
  return false;
}

void emitPowerOff(Xbyak::CodeGenerator& g, uint32_t code) {
  using namespace Xbyak::util;
  g.mov(eax, code);
  g.mov(dx, 0x5f0);
  g.out_(dx, eax);
  Xbyak::Label forever;
  g.L(forever);
  g.hlt();
  g.jmp(forever);
}

}  // namespace vmm_test

namespace vmm_test {

void emitIdtGate(Xbyak::CodeGenerator& g, uint64_t idtBase, uint8_t vector,
                 const Xbyak::Label& handler) {
  using namespace Xbyak::util;
  g.lea(rax, ptr[rip + handler]);
  g.mov(rdi, idtBase + vector * 16ull);
  g.mov(word[rdi], ax);
  g.mov(word[rdi + 2], 0x08);    // kernel code selector
  g.mov(word[rdi + 4], 0x8e00);  // present, DPL0, 64-bit interrupt gate
  g.shr(rax, 16);
  g.mov(word[rdi + 6], ax);
  g.shr(rax, 16);
  g.mov(dword[rdi + 8], eax);
  g.mov(dword[rdi + 12], 0);
  emitLidt(g, idtBase, 4095);
}

void emitLidt(Xbyak::CodeGenerator& g, uint64_t idtBase, uint16_t limit) {
  using namespace Xbyak::util;
  g.sub(rsp, 16);
  g.mov(word[rsp], limit);
  g.mov(rax, idtBase);
  g.mov(qword[rsp + 2], rax);
  g.db(0x0f), g.db(0x01), g.db(0x1c), g.db(0x24);  // lidt [rsp]
  g.add(rsp, 16);
}

}  // namespace vmm_test
