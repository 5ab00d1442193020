// Compile speed of the Emmett compiler on generated scripts of 5,000 and
// 50,000 lines (globals, small functions, probes calling them), per stage:
// preprocess, parse, check (names, probes, types), lower (to VP text).
// Each size runs in its own child process so that its peak memory is its
// own. Prints a table, the 50k/5k time ratio (10 means linear), and whether
// the targets (5k lines < 50 ms, 50k lines < 0.5 s) are met.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "emmett2vp/emmett2vp.h"

namespace {

// About 12 lines per unit: a global, a function with a local, a probe.
std::string generate(size_t targetLines, size_t& lines) {
  std::string s = "#define SCALE 3\nmemmodel guest64;\nstruct Rec { uint32 a; uint64 b; struct Rec *next; };\n";
  lines = 3;
  for (size_t i = 0; lines < targetLines; ++i) {
    std::string n = std::to_string(i);
    s += "int g" + n + " = " + n + ";\n";
    s += "int f" + n + "(int a, int b) {\n";
    s += "  int t;\n";
    s += "  t = a * SCALE + b;\n";
    s += "  if (t > 100) {\n";
    s += "    return t - g" + n + ";\n";
    s += "  }\n";
    s += "  return t + " + n + ";\n";
    s += "}\n";
    s += "VMM:TIMER:" + std::to_string(1 + i % 100) + "msec {\n";
    s += "  g" + n + " = f" + n + "(RAX, ((struct Rec *)RBX)->a) + (i == 0 ? 1 : 0);\n";
    s += "}\n";
    lines += 12;
  }
  return s;
}

double peakMiB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

struct Stage {
  double seconds;
  double peak;
};

// Runs in a child: times the four stages, writes 8 doubles to `fd`.
void measure(size_t targetLines, int fd) {
  size_t lines = 0;
  std::string src = "int i;\n" + generate(targetLines, lines);
  emmett::Compiler c({});
  Stage st[4];
  auto t = std::chrono::steady_clock::now();
  auto lap = [&](int k, bool ok) {
    auto now = std::chrono::steady_clock::now();
    st[k] = {std::chrono::duration<double>(now - t).count(), peakMiB()};
    t = now;
    if (!ok) std::fprintf(stderr, "stage %d failed:\n%s", k, c.result().messages.substr(0, 2000).c_str());
  };
  lap(0, c.preprocess(std::move(src), "bench.emt"));
  lap(1, c.parse());
  lap(2, c.check());
  lap(3, c.lower());
  double out[9] = {static_cast<double>(lines + 1)};
  for (int k = 0; k < 4; ++k) out[1 + 2 * k] = st[k].seconds, out[2 + 2 * k] = st[k].peak;
  if (write(fd, out, sizeof out) != sizeof out) _exit(1);
}

bool run(size_t targetLines, double out[9]) {
  int p[2];
  if (pipe(p) != 0) return false;
  pid_t pid = fork();
  if (pid == 0) {
    close(p[0]);
    measure(targetLines, p[1]);
    _exit(0);
  }
  close(p[1]);
  bool ok = read(p[0], out, 9 * sizeof(double)) == 9 * sizeof(double);
  close(p[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

}  // namespace

int main() {
  const char* names[] = {"preprocess", "parse", "check", "lower"};
  const size_t sizes[] = {5000, 50000};
  double res[2][9];
  std::printf("emmett_compile: Emmett -> VP compile speed by stage\n\n");
  std::printf("%8s  %-10s  %10s  %14s  %14s\n", "lines", "stage", "time (ms)", "lines/s", "peak RSS (MiB)");
  for (int s = 0; s < 2; ++s) {
    if (!run(sizes[s], res[s])) {
      std::printf("FAILED to compile the generated %zu-line script\n", sizes[s]);
      return 1;
    }
    double lines = res[s][0], total = 0;
    for (int k = 0; k < 4; ++k) {
      double sec = res[s][1 + 2 * k];
      total += sec;
      std::printf("%8.0f  %-10s  %10.2f  %14.0f  %14.1f\n", lines, names[k], sec * 1e3, lines / sec, res[s][2 + 2 * k]);
    }
    std::printf("%8.0f  %-10s  %10.2f  %14.0f  %14.1f\n\n", lines, "total", total * 1e3, lines / total, res[s][8]);
  }
  double t5 = 0, t50 = 0;
  for (int k = 0; k < 4; ++k) t5 += res[0][1 + 2 * k], t50 += res[1][1 + 2 * k];
  std::printf("50k/5k time ratio: %.1f (10 is linear); per stage:", t50 / t5);
  for (int k = 0; k < 4; ++k) std::printf(" %s %.1f", names[k], res[1][1 + 2 * k] / res[0][1 + 2 * k]);
  std::printf("\n");
  std::printf("target 5k lines < 50 ms: %.1f ms %s\n", t5 * 1e3, t5 < 0.05 ? "met" : "MISSED");
  std::printf("target 50k lines < 500 ms: %.1f ms %s\n", t50 * 1e3, t50 < 0.5 ? "met" : "MISSED");
  std::printf("(the 2011 OCaml Emmett compiler: ~140 ms and ~10.7 s)\n");
  return 0;
}
