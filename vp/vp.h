// The VP engine: loads a VP script (parse, check, compile to x86-64) and
// runs its probes on behalf of a host (the monitor, or `vp run`).
//
// Lifecycle, as the host sees it:
//   1. Script::load() parses, checks and compiles. Errors come back as
//      diagnostics; nothing runs.
//   2. The host creates one Context per thread that will fire probes (each
//      vCPU thread, each VMX thread), giving each its Target.
//   3. For each event, the host calls Script::fire() on that thread's
//      context with the probe's arguments. A context is used by one thread at
//      a time; different contexts may fire concurrently.
//   4. When the script goes away the host fires the unload probes, then
//      destroys the contexts and the script.
//
// VP integer and string variables live in the context (they are per thread,
// as the reference says); aggregates and bags live in the script and are
// shared by all contexts.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vp/globals.h"
#include "vp/guest_symbols.h"
#include "vp/output_record.h"
#include "vp/probe_point.h"
#include "vp/version.h"

namespace vp {

// Groups of built-in globals a target fills in one go (one ioctl each in the
// monitor). See globals.h for which global belongs to which group.
enum class RegGroup : uint8_t { Gpr, Sreg, Debug, Msr, Exit, Misc, Host, Count };

// A change to the guest that a destructive built-in (VP 1.3: setgpr,
// setguest, skipfunction, genmce) asks of the vCPU that fired. It takes
// effect when the vCPU resumes.
struct GuestChange {
  enum class Kind : uint8_t {
    Register,      // setgpr: Gpr-group slot `reg` (globals.h order) = value
    Memory,        // setguest: `size` bytes of `value` at linear `addr`
    SkipFunction,  // skipfunction: return at once; RAX = value if hasValue
    MachineCheck,  // genmce: MCi_STATUS = value, MCi_ADDR = addr, bank
  };
  Kind kind = Kind::Register;
  unsigned reg = 0;
  unsigned size = 0;
  unsigned bank = 0;
  bool hasValue = true;
  uint64_t addr = 0;
  uint64_t value = 0;
  std::string_view probe;  // PROBENAME of the fire, for the host's log
};

enum class ChangeStatus : uint8_t {
  Done,
  BadAddress,  // Memory: a byte is not mapped or not writable
  Refused,     // anything else: `why` says what
};

// What probes read. Implemented by the monitor for a vCPU or VMX thread, and
// by SyntheticTarget for tests. Called only on the thread that fires.
class Target {
 public:
  virtual ~Target() = default;
  // Fills `out` (indexed by Global::slot within the group, see globals.h).
  // Returns false when the group is not available on this thread (vCPU state
  // on a VMX thread): the probe then fails with VcpuStateError.
  virtual bool fetch(RegGroup group, uint64_t* out) = 0;
  // Guest memory; false if any byte is not mapped. Linear reads use the
  // current vCPU's paging; they fail on threads without a vCPU.
  virtual bool readLinear(uint64_t addr, void* buf, size_t len) = 0;
  virtual bool readPhysical(uint64_t addr, void* buf, size_t len) = 0;
  // The pseudo TSC (monotonic, the same on every thread) and host time.
  virtual uint64_t tsc() = 0;
  virtual uint64_t systemTimeUs() = 0;
  // Makes a destructive built-in's change (only called on vCPU threads,
  // only for scripts loaded with fault injection on). The default refuses.
  virtual ChangeStatus change(const GuestChange& c, std::string& why) {
    (void)c;
    why = "this target cannot change the guest";
    return ChangeStatus::Refused;
  }
};

// Where printed text and error lines go. Called from any firing thread,
// one call per finished fire that produced output; `text` holds whole lines
// only (a fire's unfinished last line waits for the next fire on the same
// context, or for Context::flush). Implementations serialize as they need;
// OrderedSink (ordered_sink.h) merges in time order.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void output(uint64_t tsc, std::string_view text) = 0;
  virtual void error(uint64_t tsc, std::string_view line) = 0;
  // The same, naming the probe that printed (PROBENAME), which the engine
  // always does: a sink that has to drop output counts it per probe.
  virtual void outputFrom(uint64_t tsc, std::string_view text, std::string_view probe) {
    (void)probe;
    output(tsc, text);
  }
  virtual void errorFrom(uint64_t tsc, std::string_view line, std::string_view probe) {
    (void)probe;
    error(tsc, line);
  }
  // A script loaded with OutputFormat::Json prints only here: a fire's
  // records (output_record.h), one JSON object per line, its runtime error
  // last. By default they are output like text.
  virtual void recordsFrom(uint64_t tsc, std::string_view lines, std::string_view probe) {
    outputFrom(tsc, lines, probe);
  }
};

struct Options {
  uint32_t maxCodeBytes = 16384;   // vprobe.maxCodeBytes, at most 65536
  uint64_t bagBytes = 65536;       // vprobe.bagBytes: storage of all bags
  Version version = kEngineVersion;  // behave as this engine version
  bool interpret = false;          // run the reference interpreter, not the JIT
  // Destructive built-ins (VP 1.3: setgpr, setguest, skipfunction,
  // genmce) load only when this is empty; otherwise it says why they are
  // off, naming the setting to change (the load error's text).
  std::string faultInjectionOff =
      "fault injection is off (the host enables it for a VM with "
      "vprobe.allowFaultInjection and vprobe.faultInjection)";
  // What GUEST:symbol probes resolve against (vp run --syms, the .vmx's
  // vprobe.guestSyms); none: such a probe is an error.
  std::shared_ptr<const GuestSymbols> guestSymbols;
  // Text: what the reference prints, to Sink::outputFrom and errorFrom.
  // Json: records, to Sink::recordsFrom.
  OutputFormat format = OutputFormat::Text;
};

struct Diagnostic {
  enum class Severity { Error, Warning };
  Severity severity = Severity::Error;
  std::string file;
  uint32_t line = 0, col = 0;  // 1-based; 0 when not about a place
  std::string message;
  // "FILE:LINE:COL: error: MESSAGE", then the source line and a caret.
  std::string render(std::string_view source) const;
};

class Script;

// One thread's execution state: VP variables, the register cache for the
// current fire, buffered output. Create with Script::newContext.
class Context {
 public:
  virtual ~Context() = default;
  // Emits a pending unfinished output line (at unload).
  virtual void flush() = 0;
  // For error messages: "vcpu N" or "vmx".
  virtual int id() const = 0;
};

enum class FireStatus { Ok, Error, Exit };

class Script {
 public:
  virtual ~Script() = default;

  // Parses, checks and compiles `source`. On failure returns null with at
  // least one error in `diags`; warnings (version mismatches) may be
  // present either way.
  struct CodeReport;
  // With `code`, also reports the machine code sizes whenever the script
  // got as far as compiling, so also when it does not fit the cache.
  static std::unique_ptr<Script> load(std::string_view source,
                                      std::string filename,
                                      const Options& options, Sink& sink,
                                      std::vector<Diagnostic>& diags,
                                      CodeReport* code = nullptr);

  // The probes the script defines, in script order. fire() takes an index
  // into this list.
  virtual const std::vector<ProbePoint>& probes() const = 0;
  // The script's dispatch index: the indices into probes() of the probes
  // on static probe `p`, in script order. Every host thread that fires
  // `p` reads it (fire each index on that thread's context).
  virtual std::span<const uint32_t> probesOn(StaticProbe p) const = 0;

  // `isVcpu` false for VMX-domain threads. `id` is the vCPU index (or any
  // number for VMX threads) and is what VCPUID reads for vCPUs.
  virtual std::unique_ptr<Context> newContext(Target& target, int id,
                                              bool isVcpu) = 0;

  // Runs probe `index` on `ctx` with ARG0.. = args (at most 10; the rest
  // read 0). Runtime errors are reported to the sink and return Error.
  // Exit means the script called (exit): the host should unload it.
  virtual FireStatus fire(Context& ctx, size_t index,
                          std::span<const uint64_t> args) = 0;

  // Code size of each compiled probe and function ("vp dump").
  struct CodeSize {
    std::string name;
    size_t bytes;
  };
  virtual std::vector<CodeSize> codeSizes() const = 0;
  virtual size_t codeBytes() const = 0;
  // What load() reports: each probe's and function's code, and the total
  // (the runtime glue included). `total` is 0 when loading stopped before
  // compiling.
  struct CodeReport {
    std::vector<CodeSize> functions;
    size_t total = 0;
  };
  virtual const Options& options() const = 0;
  // Bits (1 << RegGroup) of the register groups the probes may read,
  // directly or through guest-memory built-ins: a host can prepare those
  // (e.g. have KVM hand them over at every exit) and skip the rest.
  virtual uint32_t registerGroups() const = 0;
};

}  // namespace vp
