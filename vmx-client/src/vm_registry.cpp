#include "vmx-client/vm_registry.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <nlohmann/json.hpp>

#include "vmx-client/config_file.h"
#include "vmx-client/unique_fd.h"
#include "vmx-client/vm_lock.h"
#include "vmx-client/vm_paths.h"

namespace vmx {
namespace {

// Held for the duration of one registry operation.
class DirLock {
 public:
  explicit DirLock(const std::string& dir)
      : fd_(::open((dir + "/registry.lck").c_str(),
                   O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) {
    if (fd_) ::flock(fd_.get(), LOCK_EX);
  }

 private:
  UniqueFd fd_;
};

bool parseEntry(const std::string& text, RegisteredVm& out) {
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_object()) return false;
  auto str = [&](const char* key, std::string& field) {
    auto it = json.find(key);
    if (it == json.end() || !it->is_string()) return false;
    field = it->get<std::string>();
    return true;
  };
  auto pid = json.find("pid");
  if (pid == json.end() || !pid->is_number_integer()) return false;
  out.pid = pid->get<pid_t>();
  return str("vmx", out.vmx) && str("socket", out.socket) && str("lock", out.lock);
}

std::vector<std::string> entryFiles(const std::string& dir) {
  std::vector<std::string> files;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return files;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name.size() > 3 && name.ends_with(".vm")) files.push_back(dir + "/" + name);
  }
  ::closedir(d);
  return files;
}

}  // namespace

std::string VmRegistry::entryPath(const std::string& vmx) const {
  return dir_ + "/" + vmId(vmx) + ".vm";
}

bool VmRegistry::add(const RegisteredVm& vm, std::string& error) {
  DirLock lock(dir_);
  nlohmann::json entry = {{"vmx", vm.vmx}, {"pid", vm.pid},
                          {"socket", vm.socket}, {"lock", vm.lock}};
  std::string text = entry.dump(-1, ' ', false,
                                nlohmann::json::error_handler_t::replace) + "\n";
  std::string path = entryPath(vm.vmx);
  std::string tmp = path + ".tmp";
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
  bool ok = fd && ::write(fd.get(), text.data(), text.size()) ==
                      static_cast<ssize_t>(text.size());
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    error = "cannot register the VM in " + dir_ + ": " + std::strerror(errno);
    ::unlink(tmp.c_str());
    return false;
  }
  return true;
}

void VmRegistry::remove(const std::string& vmx) {
  DirLock lock(dir_);
  ::unlink(entryPath(vmx).c_str());
}

std::vector<RegisteredVm> VmRegistry::running() {
  DirLock lock(dir_);
  std::vector<RegisteredVm> vms;
  for (const std::string& file : entryFiles(dir_)) {
    std::string text, error;
    RegisteredVm vm;
    bool live = readTextFile(file, text, error) && parseEntry(text, vm) &&
                VmLock::isHeld(vm.lock);
    if (live) {
      vms.push_back(vm);
    } else {
      ::unlink(file.c_str());
    }
  }
  std::sort(vms.begin(), vms.end(),
            [](const RegisteredVm& a, const RegisteredVm& b) { return a.vmx < b.vmx; });
  return vms;
}

}  // namespace vmx
