#include "cmdline/emmett_options.h"

namespace cmdline {

// Each takes one value per use (-D A -D B), so that a word after it is
// never taken as a second value: it is the script or the VMX.
void addEmmettInputOptions(CLI::App& app, const EmmettInputs& inputs) {
  app.add_option("-D", inputs.defines, "a preprocessor definition (NAME alone is 1)")
      ->type_name("NAME[=VAL]")
      ->allow_extra_args(false);
  app.add_option("-I", inputs.includeDirs, "a folder #include looks in")
      ->type_name("DIR")
      ->allow_extra_args(false);
  app.add_option("-T", inputs.symbolDatabases,
                 "a symbol database (emmett-symdb IMAGE): external types $NAME.T, line probes, "
                 "target variables")
      ->type_name("[NAME=]SYMDB")
      ->allow_extra_args(false);
}

}  // namespace cmdline
