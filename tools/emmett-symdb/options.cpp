#include "tools/emmett-symdb/options.h"

#include <vector>

#include "cmdline/cmdline.h"

namespace symdbcli {
namespace {

const cmdline::ToolText& toolText() {
  static const cmdline::ToolText text{
      .name = "emmett-symdb",
      .usage = "usage: emmett-symdb IMAGE [-n NAME] [-o FILE]\n"
               "       emmett-symdb -l [-v] PATTERN FILE|IMAGE",
      .description =
          "Reads a guest image's DWARF once into a symbol database, the file `emmett -T` and\n"
          "`vprobe -T` load for external types ($NAME.T), line probes (GUEST:file.c:42),\n"
          "target variables ($name, $args->x) and `vprobe -l -T` listings; -l lists what a\n"
          "database (or an image) holds: functions, types and lines whose names match PATTERN.\n"
          "IMAGE may also be a Linux kernel's BTF (/sys/kernel/btf/vmlinux, what `vmrun\n"
          "getGuestSymbols` saves as FILE.btf) or an image with only a .BTF section: types only.",
      .examples = "  emmett-symdb guests/demo/demo.elf -o guests/demo/demo.symdb\n"
                  "  emmett-symdb guests/linux/kallsyms.btf -n vmlinux -o guests/linux/vmlinux.symdb\n"
                  "  emmett-symdb -l -v 'task*' guests/demo/demo.symdb",
  };
  return text;
}

// Every option emmett-symdb has: the one place they are defined.
void defineOptions(CLI::App& app, Args& a, std::vector<std::string>& words) {
  CLI::Option* list = app.add_flag("-l", a.list, "list the functions, types and lines matching PATTERN");
  app.add_flag("-v", a.verbose, "with -l: each type's members and layout")->needs(list);
  app.add_option("-n", a.name, "the image's name in the database (default: the file's)")
      ->type_name("NAME")
      ->excludes(list);
  app.add_option("-o", a.output, "the database to write (default: IMAGE with .symdb)")
      ->type_name("FILE")
      ->excludes(list);
  app.add_option("ARGS", words, "IMAGE; with -l, PATTERN and the FILE or IMAGE to list");
}

// The words after the options: IMAGE, or with -l PATTERN and FILE.
std::string readWords(const std::vector<std::string>& words, Args& a) {
  if (a.list && words.size() != 2) return "-l takes a PATTERN and the FILE or IMAGE to list";
  if (!a.list && words.size() != 1) return words.empty() ? "no IMAGE given" : "one IMAGE at a time";
  if (a.list) a.pattern = words[0];
  a.image = words.back();
  return {};
}

}  // namespace

std::optional<int> parseArgs(int argc, const char* const* argv, Args& out) {
  Args a;
  std::vector<std::string> words;
  auto status = cmdline::parse(
      toolText(), argc, argv, [&](CLI::App& app) { defineOptions(app, a, words); },
      [&] { return readWords(words, a); });
  if (!status) out = std::move(a);
  return status;
}

}  // namespace symdbcli
