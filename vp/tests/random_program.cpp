#include "vp/tests/random_program.h"

#include <functional>

namespace vptest {

namespace {

class Gen {
 public:
  Gen(uint64_t seed, bool v11) : rng_(seed), v11_(v11) {}

  RandomProgram program();

 private:
  uint64_t pick(uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng_); }
  bool chance(int percent) { return pick(100) < static_cast<uint64_t>(percent); }

  std::string literal();
  std::string intExpr(int depth);
  std::string strExpr(int depth);
  std::string intLeaf();
  std::string statement(int depth);
  std::string format(std::vector<char>& args);
  std::string printfCall(int depth);
  std::string function(size_t i);
  std::string intVar() { return intVars_[pick(intVars_.size())]; }
  std::string strVar() { return strVars_[pick(strVars_.size())]; }

  std::mt19937_64 rng_;
  bool v11_;
  std::vector<std::string> intVars_{"i0", "i1", "i2"};
  std::vector<std::string> strVars_{"s0", "s1"};
  // Parameters in scope (the function being generated): int ones, string ones.
  std::vector<std::string> intParams_, strParams_;
  std::vector<std::string> intLocals_;  // VP 1.1 let locals in scope
  int loopDepth_ = 0;
  size_t functions_ = 0;      // functions that can be called (defined so far + self)
  size_t defining_ = SIZE_MAX;  // the function being generated
  std::vector<bool> fnRetStr_;
  std::vector<int> fnParams_;  // number of int params (each also has one string param)
};

std::string Gen::literal() {
  static const char* special[] = {"0", "1", "-1", "0xffffffffffffffff", "63", "64", "0x8000000000000000", "255"};
  if (chance(30)) return special[pick(8)];
  if (chance(50)) return std::to_string(pick(100));
  return std::to_string(rng_());
}

std::string Gen::intLeaf() {
  switch (pick(7)) {
    case 0: return literal();
    case 1: return intVar();
    case 2: return "ARG" + std::to_string(pick(3));
    case 3: return pick(2) ? "RAX" : "VCPUID";
    case 4:
      if (!intParams_.empty()) return intParams_[pick(intParams_.size())];
      return literal();
    case 5:
      if (!intLocals_.empty()) return intLocals_[pick(intLocals_.size())];
      return intVar();
    default: return std::to_string(pick(10));
  }
}

std::string Gen::intExpr(int depth) {
  if (depth <= 0 || chance(25)) return intLeaf();
  static const char* binops[] = {"+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^",
                                 "&&", "||", "==", "=", "!=", "<", ">", "<=", ">="};
  auto e = [&] { return intExpr(depth - 1); };
  switch (pick(v11_ ? 17 : 13)) {
    case 0: case 1: case 2:
      return "(" + std::string(binops[pick(19)]) + " " + e() + " " + e() + ")";
    case 3: return "(" + std::string(pick(2) ? "~ " : "! ") + e() + ")";
    case 4: return "(- " + e() + ")";
    case 5: return "(cond (" + e() + " " + e() + ") (" + e() + " " + e() + "))";
    case 6: return "(do " + statement(depth - 1) + " " + e() + ")";
    case 7: return "(setint " + intVar() + " " + e() + ")";
    case 8:
      if (functions_ > 0) {
        size_t f = pick(functions_);
        std::string call = "(f" + std::to_string(f);
        for (int i = 0; i < fnParams_[f]; ++i) call += " " + e();
        call += " " + (chance(50) ? strVar() : strExpr(depth - 1)) + ")";
        if (fnRetStr_[f]) return "(strcmp " + call + " " + strExpr(depth - 1) + ")";
        return call;
      }
      return e();
    case 9: return "(strcmp " + strExpr(depth - 1) + " " + strExpr(depth - 1) + ")";
    case 10: {
      // Reads inside and outside the mapped window (and straddling its end).
      uint64_t addr = kMappedBase + pick(kMappedSize + 16) - 4;
      return "(getguest " + std::to_string(addr) + ")";
    }
    case 11:
      switch (pick(4)) {
        case 0: return "(baginsert b " + e() + " " + e() + ")";
        case 1: return "(bagremove b " + std::to_string(pick(4)) + ")";
        case 2: return "(aggr a (" + e() + ") (" + strExpr(depth - 1) + ") " + e() + ")";
        default: return printfCall(depth - 1);
      }
    case 12: return "(sprintf " + strVar() + " \"%d-%s\" " + e() + " " + strExpr(depth - 1) + ")";
    case 13: {  // 1.1: let
      std::string name = "l" + std::to_string(intLocals_.size());
      std::string init = e();
      intLocals_.push_back(name);
      std::string body = e();
      intLocals_.pop_back();
      return "(let ((" + name + " " + init + ")) " + body + ")";
    }
    case 14:  // 1.1: try
      if (chance(15)) {  // an endless loop ended by the time budget
        return "(try (do (while 1 (setint i1 (+ i1 1))) 0) (catch (BudgetError) (% i1 1000)))";
      }
      return "(try " + e() + " (catch (" + std::string(pick(2) ? "DivideError" : "MemAccessError") +
             ") " + e() + ") (catch () " + e() + "))";
    case 15: {  // 1.1: a bounded loop over a let counter, with break/continue
      std::string n = "n" + std::to_string(loopDepth_);
      ++loopDepth_;
      intLocals_.push_back(n);
      std::string body = statement(depth - 1);
      std::string jump = chance(30) ? (pick(2) ? "(break)" : "(continue)") : "0";
      std::string form = pick(3) == 0 ? "dowhile" : "while";
      std::string loop = "(let ((" + n + " " + std::to_string(pick(5)) + ")) (" + form + " (> " + n +
                         " 0) (setint " + n + " (- " + n + " 1)) (cond (" + e() + " " + jump + ")) " +
                         body + ") " + n + ")";  // a let's value is its last form: n
      intLocals_.pop_back();
      --loopDepth_;
      return loop;
    }
    default:
      if (loopDepth_ > 0 && chance(20)) return "(do (cond (" + e() + " (break))) " + e() + ")";
      return "(do (for (setint i2 0) (< i2 " + std::to_string(pick(4)) + ") (setint i2 (+ i2 1)) " +
             statement(depth - 1) + ") i2)";
  }
}

std::string Gen::strExpr(int depth) {
  static const char* lits[] = {"\"\"", "\"abc\"", "\"x y\\tz\"", "\"%d\"", "\"quote\\\"d\""};
  if (depth <= 0 || chance(35)) {
    switch (pick(4)) {
      case 0: return lits[pick(5)];
      case 1: return strVar();
      case 2: return "PROBENAME";
      default: return strParams_.empty() ? strVar() : strParams_[pick(strParams_.size())];
    }
  }
  switch (pick(4)) {
    case 0: return "(setstr " + strVar() + " " + strExpr(depth - 1) + ")";
    case 1:
      return "(cond (" + intExpr(depth - 1) + " " + strExpr(depth - 1) + ") (1 " +
             strExpr(depth - 1) + "))";
    case 2: {
      // Not the function being defined: a string function whose value is
      // only its own result has no inferable type.
      for (size_t f = 0; f < fnRetStr_.size() && f < functions_; ++f) {
        if (!fnRetStr_[f] || f == defining_) continue;
        std::string call = "(f" + std::to_string(f);
        for (int i = 0; i < fnParams_[f]; ++i) call += " " + intExpr(depth - 1);
        return call + " " + strExpr(depth - 1) + ")";
      }
      return strVar();
    }
    default:
      return "(do (sprintf " + strVar() + " \"<%s|%x>\" " + strExpr(depth - 1) + " " +
             intExpr(depth - 1) + ") " + strVar() + ")";
  }
}

// The format's arguments go in `args`: 'i' integer, 's' string, '*' a
// '*' width or precision.
std::string Gen::format(std::vector<char>& args) {
  static const char* convs[] = {"%d",   "%u",   "%x",    "%X",  "%o",  "%5d",  "%-4x",
                                "%08x", "%#x",  "%lld",  "%hd", "%hhu", "%c",   "%s",
                                "%.2s", "%10s", "%-6s|", "%p",  "%%",   "%*d",  "%-*.*x",
                                "%.*s", "%*s",  "%5%",   "%*%"};
  constexpr size_t kCount = sizeof convs / sizeof convs[0];
  std::string f;
  int n = static_cast<int>(pick(4));
  for (int i = 0; i < n; ++i) {
    std::string c = convs[pick(kCount)];
    f += "[" + c + "]";
    for (char ch : c) {
      if (ch == '*') args.push_back('*');
    }
    if (c.back() == '%') continue;
    args.push_back(c.find('s') != std::string::npos ? 's' : 'i');
  }
  return f + "\\n";
}

std::string Gen::printfCall(int depth) {
  std::vector<char> args;
  std::string f = format(args);
  std::string call = "(printf \"" + f + "\"";
  for (char a : args) {
    // '*' values from -16 to 15, so most render (and C's rules for
    // negative ones are exercised); any value is valid in both back ends.
    if (a == '*') call += " (- (& " + intExpr(depth) + " 31) 16)";
    else call += " " + (a == 's' ? strExpr(depth) : intExpr(depth));
  }
  return call + ")";
}

std::string Gen::statement(int depth) {
  switch (pick(4)) {
    case 0: return printfCall(depth);
    case 1: return "(logint " + intExpr(depth) + ")";
    case 2: return "(setint " + intVar() + " " + intExpr(depth) + ")";
    default: return intExpr(depth);
  }
}

std::string Gen::function(size_t i) {
  int nparams = static_cast<int>(pick(3));
  bool retStr = chance(30);
  fnParams_.push_back(nparams);
  fnRetStr_.push_back(retStr);
  functions_ = i + 1;  // a function may call itself
  defining_ = i;
  intParams_.clear();
  std::string params;
  for (int p = 0; p < nparams; ++p) {
    intParams_.push_back("p" + std::to_string(p));
    params += "p" + std::to_string(p) + " ";
  }
  strParams_ = {"sp"};
  params += "sp";
  // The string parameter is used as a string so the engine infers it.
  std::string body = "(setstr sp (cond ((strcmp sp \"\") sp) (1 \"e\")))";
  body += " " + statement(3);
  // Recursion guarded by a decreasing first parameter when there is one;
  // otherwise it may recurse until the stack or budget stops it.
  std::string tail = retStr ? strExpr(2) : intExpr(3);
  body += " " + tail;
  intParams_.clear();
  strParams_.clear();
  defining_ = SIZE_MAX;
  return "(defun f" + std::to_string(i) + " (" + params + ") " + body + ")\n";
}

RandomProgram Gen::program() {
  RandomProgram out;
  std::string& s = out.source;
  s += "(definteger i0 " + literal() + ")\n(definteger i1)\n(definteger i2 3)\n";
  s += "(defstring s0 \"init\")\n(defstring s1)\n(defaggr a 1 1)\n(defbag b 4)\n";
  size_t nfn = pick(4);
  for (size_t i = 0; i < nfn; ++i) s += function(i);
  functions_ = nfn;
  const char* probes[] = {"VMM1Hz", "Guest_IRQ", "HV_Exit", "VMX1Hz"};
  size_t nprobes = 1 + pick(3);
  for (size_t i = 0; i < nprobes; ++i) {
    s += "(vprobe " + std::string(probes[pick(4)]);
    size_t n = 1 + pick(3);
    for (size_t k = 0; k < n; ++k) s += "\n  " + statement(4);
    s += ")\n";
  }
  s += "(vprobe VMMUnload (logaggr a) (printf \"%d %d %d %s %s\\n\" i0 i1 i2 s0 s1))\n";
  for (size_t i = 0, n = 1 + pick(6); i < n; ++i) {
    switch (pick(4)) {
      case 0: out.events.push_back("VMM1Hz"); break;
      case 1: out.events.push_back("Guest_IRQ:" + std::to_string(pick(256))); break;
      case 2: out.events.push_back("HV_Exit:" + std::to_string(pick(3))); break;
      default: out.events.push_back("VMX1Hz"); break;
    }
  }
  return out;
}

}  // namespace

RandomProgram randomProgram(uint64_t seed, bool useV11) {
  Gen g(seed, useV11);
  return g.program();
}

}  // namespace vptest
