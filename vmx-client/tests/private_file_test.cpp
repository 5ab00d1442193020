#include <catch2/catch.hpp>

#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "vmx-client/file_follower.h"
#include "vmx-client/private_file.h"
#include "vmx-client/tests/temp_dir.h"

namespace {

constexpr int kAppend = O_WRONLY | O_APPEND;
constexpr uid_t kNobody = 65534;

mode_t modeOf(const std::string& path) {
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

// Runs `open` with the loosest umask a caller could have.
vmx::UniqueFd openUnderUmask0(const std::string& path, const vmx::FileSharing& sharing,
                              std::string& error) {
  mode_t old = ::umask(0);
  vmx::UniqueFd fd = vmx::openPrivateFile(path, kAppend, sharing, error);
  ::umask(old);
  return fd;
}

void writeText(int fd, const std::string& text) {
  REQUIRE(::write(fd, text.data(), text.size()) == ssize_t(text.size()));
}

// A group this process may give its files to, other than its own when it
// can (root can give any).
vmx::FileSharing someGroup() {
  vmx::FileSharing s;
  s.withGroup = true;
  s.gid = ::getegid();
  if (::geteuid() == 0) {
    if (const group* g = ::getgrnam("nogroup")) s.gid = g->gr_gid;
  }
  const group* g = ::getgrgid(s.gid);
  s.groupName = g ? g->gr_name : std::to_string(s.gid);
  return s;
}

bool skipUnlessRoot(const char* what) {
  if (::geteuid() == 0) return false;
  std::printf("*** SKIP: %s needs root (to make another user's file) ***\n", what);
  return true;
}

}  // namespace

TEST_CASE("private file: a new file is the owner's alone, whatever the umask") {
  vmxtest::TempDir dir;
  std::string error;
  auto fd = openUnderUmask0(dir.file("vprobe.out"), {}, error);
  REQUIRE(fd);
  CHECK(modeOf(dir.file("vprobe.out")) == 0600);
}

TEST_CASE("private file: with a sharing group, a new file is 0640 and that group's") {
  vmxtest::TempDir dir;
  vmx::FileSharing group = someGroup();
  std::string error;
  auto fd = openUnderUmask0(dir.file("vprobe.out"), group, error);
  REQUIRE(fd);
  struct stat st {};
  REQUIRE(::stat(dir.file("vprobe.out").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0640);
  CHECK(st.st_gid == group.gid);

  // Even a umask that takes the group's bits does not take them here.
  mode_t old = ::umask(077);
  auto fd2 = vmx::openPrivateFile(dir.file("vprobe.err"), kAppend, group, error);
  ::umask(old);
  REQUIRE(fd2);
  CHECK(modeOf(dir.file("vprobe.err")) == 0640);
}

TEST_CASE("private file: an existing file is appended to and narrowed, never widened") {
  vmxtest::TempDir dir;
  std::string path = dir.write("vprobe.out", "old\n");
  REQUIRE(::chmod(path.c_str(), 0664) == 0);
  std::string error;
  {
    auto fd = vmx::openPrivateFile(path, kAppend, {}, error);
    REQUIRE(fd);
    writeText(fd.get(), "new\n");
  }
  CHECK(vmxtest::readAll(path) == "old\nnew\n");
  CHECK(modeOf(path) == 0600);

  REQUIRE(::chmod(path.c_str(), 0200) == 0);  // tighter than 0600: kept
  auto fd = vmx::openPrivateFile(path, kAppend, {}, error);
  REQUIRE(fd);
  CHECK(modeOf(path) == 0200);
}

TEST_CASE("private file: a symbolic link at the path is refused, nothing is written through it") {
  vmxtest::TempDir dir;
  std::string target = dir.write("elsewhere", "precious\n");
  std::string path = dir.file("vprobe.out");
  REQUIRE(::symlink(target.c_str(), path.c_str()) == 0);
  std::string error;
  auto fd = vmx::openPrivateFile(path, kAppend, {}, error);
  CHECK_FALSE(fd);
  CHECK(error == path + ": is a symbolic link; refused (the VM's files are never written "
                        "through one)");
  CHECK(vmxtest::readAll(target) == "precious\n");

  // A dangling one is not followed to create its target either.
  std::string missing = dir.file("created-through-link");
  std::string path2 = dir.file("vprobe.err");
  REQUIRE(::symlink(missing.c_str(), path2.c_str()) == 0);
  CHECK_FALSE(vmx::openPrivateFile(path2, kAppend, {}, error));
  CHECK(::access(missing.c_str(), F_OK) != 0);
}

TEST_CASE("private file: a file others may write, or not a regular file, is refused") {
  vmxtest::TempDir dir;
  std::string path = dir.write("vprobe.out", "x\n");
  REQUIRE(::chmod(path.c_str(), 0646) == 0);
  std::string error;
  CHECK_FALSE(vmx::openPrivateFile(path, kAppend, {}, error));
  CHECK(error == path + ": writable by other users; refused: remove it, or chmod o-w it");
  CHECK(modeOf(path) == 0646);  // left as it was

  std::string fifo = dir.file("fifo");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_FALSE(vmx::openPrivateFile(fifo, O_RDWR, {}, error));
  CHECK(error == fifo + ": not a regular file; refused");
}

TEST_CASE("private file: another user's file is refused and left alone") {
  if (skipUnlessRoot("private file: another user's file")) return;
  vmxtest::TempDir dir;
  std::string path = dir.write("vprobe.out", "theirs\n");
  REQUIRE(::chown(path.c_str(), kNobody, kNobody) == 0);
  REQUIRE(::chmod(path.c_str(), 0644) == 0);
  std::string error;
  CHECK_FALSE(vmx::openPrivateFile(path, kAppend, {}, error));
  CHECK(error == path + ": owned by another user (uid 65534); refused: remove it, or choose "
                        "another path");
  CHECK(vmxtest::readAll(path) == "theirs\n");
  CHECK(modeOf(path) == 0644);
}

TEST_CASE("private file: vprobe follows neither a symlink nor another user's output") {
  vmxtest::TempDir dir;
  std::string target = dir.write("secret", "not yours\n");
  std::string link = dir.file("vprobe.out");
  REQUIRE(::symlink(target.c_str(), link.c_str()) == 0);
  vmx::FileFollower follower(link, 0);
  std::string out, error;
  CHECK_FALSE(follower.poll(out, error));
  CHECK(error == link + ": is a symbolic link; not shown");
  CHECK(out.empty());

  if (skipUnlessRoot("private file: following another user's output")) return;
  // As another user (a child that gives up root), a file of root's is not
  // that user's to see, even where the mode would let them read it.
  std::string mine = dir.write("vprobe.err", "root's guest data\n");
  REQUIRE(::chmod(dir.path().c_str(), 0755) == 0);
  REQUIRE(::chmod(mine.c_str(), 0644) == 0);
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    if (::setresgid(kNobody, kNobody, kNobody) != 0 || ::setresuid(kNobody, kNobody, kNobody) != 0)
      ::_exit(2);
    vmx::FileFollower f(mine, 0);
    std::string o, e;
    bool ok = f.poll(o, e);
    ::_exit(!ok && o.empty() && e.find("owned by another user (uid 0)") != std::string::npos ? 0 : 1);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}
