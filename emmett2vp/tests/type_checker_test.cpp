// Type errors, each with its exact text, caught before any VP exists.
#include <catch2/catch.hpp>

#include "emmett2vp/tests/test_util.h"

using namespace emmett::test;

TEST_CASE("types: string and integer mismatches") {
  CHECK(firstMessage("int x; VMM1Hz { x = \"a\"; }\n") == "t.emt:1:19: error: cannot assign string to 'x' of type int");
  CHECK(firstMessage("string s; VMM1Hz { s = 1; }\n") == "t.emt:1:22: error: cannot assign int to 's' of type string");
  // `+` with a string is concatenation (the 2011 dialect); the integer side is what is wrong.
  CHECK(firstMessage("string s; VMM1Hz { logint(s + 1); }\n") ==
        "t.emt:1:31: error: '+' joins two strings, got int (format an integer into a string with sprintf)");
  CHECK(firstMessage("string s; VMM1Hz { logint(s + \"b\"); }\n") == "t.emt:1:29: error: argument 1 of 'logint' must be an integer, got string");
  CHECK(firstMessage("string s; VMM1Hz { s += 1; }\n") == "t.emt:1:25: error: '+=' on a string appends a string, got int");
  CHECK(firstMessage("string s; VMM1Hz { logint(s == 1); }\n") == "t.emt:1:29: error: cannot compare string with int");
  CHECK(firstMessage("string s; VMM1Hz { logint(s < \"a\"); }\n") == "t.emt:1:27: error: operator '<' needs an integer, got string");
  CHECK(firstMessage("string s; VMM1Hz { if (s) { } }\n") == "t.emt:1:24: error: a condition must be an integer, got string");
  CHECK(firstMessage("VMM1Hz { logint(1 ? 2 : \"x\"); }\n") == "t.emt:1:19: error: the branches of '?:' have different types: int and string");
  CHECK(firstMessage("int x = \"a\";\n") == "t.emt:1:9: error: cannot initialize 'x' of type int with string");
  CHECK(firstMessage("int y; int x = y;\n") == "t.emt:1:16: error: the initializer of global 'x' must be an integer constant");
}

TEST_CASE("types: the 2011 compiler's names") {
  CHECK(firstMessage("VMM1Hz { x = &NULL; }\n") == "t.emt:1:14: error: cannot take the address of constant 'NULL'");
  CHECK(firstMessage("VMM1Hz { x = &RIP; }\n") == "t.emt:1:14: error: cannot take the address of built-in global 'RIP'");
  CHECK(firstMessage("VMM1Hz { x = &nosym; }\n") == "t.emt:1:15: error: unknown guest symbol 'nosym' (give the guest's symbol file with -s)");
  CHECK(firstMessage("aggr a[0][1]; VMM1Hz { a++; }\n") == "t.emt:1:24: error: aggregate 'a' takes 0 integer keys and 1 string key, got 0 integer keys and 0 string keys");
  CHECK(firstMessage("VMM1Hz { x = getvmcs(0x6c00); }\n").rfind("t.emt:1:22: error: the engine has no built-in global for VMCS field 0x6c00", 0) == 0);
}

TEST_CASE("types: aggregate keys") {
  CHECK(firstMessage("aggr a[1][0]; VMM1Hz { a[\"k\"] <- 1; }\n") ==
        "t.emt:1:25: error: aggregate 'a' takes 1 integer key and 0 string keys, got 0 integer keys and 1 string key");
  CHECK(firstMessage("aggr a[2]; VMM1Hz { a[1] <- 1; }\n") == "t.emt:1:22: error: aggregate 'a' takes 2 keys, got 1");
  CHECK(firstMessage("aggr a[2]; VMM1Hz { a[1, \"x\"] <- 1; }\nVMM10Hz { a[1, 2] <- 1; }\n") ==
        "t.emt:2:12: error: aggregate 'a' takes 1 integer key and 1 string key (as first used at line 1), got 2 integer keys and 0 string keys");
  CHECK(firstMessage("aggr a[1]; VMM1Hz { a[1] <- \"v\"; }\n") == "t.emt:1:29: error: the value stored with '<-' must be an integer, got string");
  CHECK(firstMessage("aggr a[1]; VMM1Hz { logint(a[1]); }\n") ==
        "t.emt:1:29: error: aggregate 'a' is write-only; add samples with 'a[...] <- value' or 'a[...]++'");
  CHECK(firstMessage("aggr a[1]; VMM1Hz { a[1]--; }\n") == "t.emt:1:22: error: aggregates can only be incremented ('++' adds a sample of 1)");
  CHECK(firstMessage("aggr a[9][0];\n") == "t.emt:1:6: error: aggregate 'a' has more than 8 integer or string keys");
}

TEST_CASE("types: an aggregate shaped by its first use has at most 8 keys of each kind") {
  // Implicit (9 and 17 keys) and `aggr a[N]`: the same error as the
  // declared form, at the use, and no VP (the engine refuses defaggr a 9 0).
  std::string nine = "1,2,3,4,5,6,7,8,9";
  CHECK(firstMessage("VMMLoad { a[" + nine + "]++; }\n") ==
        "t.emt:1:12: error: aggregate 'a' has more than 8 integer or string keys");
  CHECK(firstMessage("VMMLoad { a[" + nine + ",10,11,12,13,14,15,16,17] <- 1; }\n") ==
        "t.emt:1:12: error: aggregate 'a' has more than 8 integer or string keys");
  CHECK(firstMessage("aggr a[9]; VMMLoad { a[" + nine + "]++; }\n") ==
        "t.emt:1:23: error: aggregate 'a' has more than 8 integer or string keys");
  CHECK(firstMessage("VMMLoad { a[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\"]++; }\n") ==
        "t.emt:1:12: error: aggregate 'a' has more than 8 integer or string keys");
  CHECK_FALSE(compile("VMMLoad { a[" + nine + "]++; }\n").ok);
  CHECK(contains(vpBody("VMMLoad { a[1,2,3,4,5,6,7,8,\"x\",\"y\",\"z\",\"w\",\"v\",\"u\",\"t\",\"s\"]++; }\n"),
                 "(defaggr a 8 8)"));
}

TEST_CASE("types: bags") {
  CHECK(firstMessage("bag b; VMM1Hz { b[1, 2] <- 3; }\n") == "t.emt:1:18: error: bag 'b' takes one integer key, got 2");
  CHECK(firstMessage("bag b; VMM1Hz { b[\"k\"] <- 3; }\n") == "t.emt:1:19: error: bag keys are integers, got string");
  CHECK(firstMessage("bag b; VMM1Hz { b[1] = 3; }\n") == "t.emt:1:18: error: use '<-' to insert into a bag");
  CHECK(firstMessage("int x; VMM1Hz { x[1] <- 3; }\n") == "t.emt:1:18: error: cannot index int");
}

TEST_CASE("types: literal arguments the engine would refuse at load time") {
  // printa formats, by the engine's rules for an aggregate of 1 integer
  // and 1 string key (columns: the 2 keys, avg, count, min, max, pct).
  auto printa = [](const std::string& fmt) {
    return firstMessage("aggr a[1][1]; VMM1Hz { a[1, \"x\"]++; printa(a, \"" + fmt + "\"); }\n");
  };
  std::string at = "t.emt:1:47: error: bad printa format for aggregate 'a': ";
  CHECK(printa("%q") == at + "unknown conversion '%q' in the format");
  CHECK(printa("%2$d") == at + "no key 2 in this aggregate");
  CHECK(printa("%bogus$d") == at + "unknown field 'bogus'");
  CHECK(printa("%d %s %d %d %d %d %s %d") == at + "more conversions than columns");
  CHECK(printa("%avg$") == at + "the format ends in the middle of a conversion");
  CHECK(printa("%avg$*d") == at + "printa's fields take no '*' width or precision");
  CHECK(printa("%5000d") == at + "a field width larger than 4096 in the format");
  CHECK(printa("%count$hhhd") == at + "unknown conversion '%count$hhh' in the format");
  for (std::string ok : {"%d %s %d %d %d %d %s", "%1$s %0$#x %avg$=d %sum$d %latest$d %pct$s %%", "%=-8ld|%.3s", "%5% %-3%", ""})
    CHECK(compile("aggr a[1][1]; VMM1Hz { a[1, \"x\"]++; printa(a, \"" + ok + "\"); }\n").ok);
  // An implicit aggregate's shape comes from its use, even a later one.
  CHECK(firstMessage("VMMUnload { printa(b, \"%1$d\"); }\nVMM1Hz { b[RIP]++; }\n") ==
        "t.emt:1:23: error: bad printa format for aggregate 'b': no key 1 in this aggregate");
  CHECK(compile("VMMUnload { printa(b, \"%0$d\"); }\nVMM1Hz { b[RIP]++; }\n").ok);
  // printf's fields are bounded the same way.
  CHECK(firstMessage("VMM1Hz { printf(\"%.5000d\", 1); }\n") == "t.emt:1:17: error: a precision larger than 4096 in the format");
  CHECK(compile("VMM1Hz { printf(\"%4096d %hhx %lld\", 1, 2, 3); }\n").ok);
  // writeint writes 1 to 8 bytes; a size known only at run time is the engine's.
  CHECK(firstMessage("VMM1Hz { writeint(1, 9); }\n") == "t.emt:1:22: error: writeint writes 1 to 8 bytes, not 9");
  CHECK(firstMessage("VMM1Hz { writeint(1, 0); }\n") == "t.emt:1:22: error: writeint writes 1 to 8 bytes, not 0");
  CHECK(compile("VMM1Hz { writeint(1, 8); writeint(1, RAX); }\n").ok);
  // A script without probes.
  CHECK(firstMessage("// only a comment\n") == "t.emt:1:1: error: the script has no probes; VP runs a script only through its probes");
  CHECK(firstMessage("") == "t.emt:1:1: error: the script has no probes; VP runs a script only through its probes");
  CHECK(firstMessage("int f() { return 1; }\n") == "t.emt:1:1: error: the script has no probes; VP runs a script only through its probes");
}

TEST_CASE("types: calls") {
  CHECK(firstMessage("int f(int a) { return a; }\nVMM1Hz { logint(f(1, 2)); }\n") ==
        "t.emt:2:17: error: function 'f' takes 1 argument, got 2");
  CHECK(firstMessage("int f(int a) { return a; }\nVMM1Hz { logint(f(\"x\")); }\n") ==
        "t.emt:2:19: error: argument 1 of 'f' must be an integer, got string");
  CHECK(firstMessage("void f(string s) { logstr(s); }\nVMM1Hz { f(3); }\n") ==
        "t.emt:2:12: error: argument 1 of 'f' must be a string, got int");
  CHECK(firstMessage("VMM1Hz { logint(); }\n") == "t.emt:1:10: error: 'logint' takes 1 argument, got 0");
  CHECK(firstMessage("VMM1Hz { logstr(5); }\n") == "t.emt:1:17: error: argument 1 of 'logstr' must be a string, got int");
  CHECK(firstMessage("VMM1Hz { printf(\"%d %s\\n\", 1); }\n") == "t.emt:1:10: error: the format of 'printf' expects 2 arguments, got 1");
  CHECK(firstMessage("VMM1Hz { printf(\"%s\\n\", 1); }\n") == "t.emt:1:25: error: '%s' in the format of 'printf' needs a string, got int");
  // C's '*' width and precision take integer arguments before the value.
  CHECK(compile("VMM1Hz { printf(\"[%*d] [%-*.*s] [%5%]\\n\", 5, 3, 4, 2, \"abc\"); }\n").ok);
  CHECK(firstMessage("VMM1Hz { printf(\"%*d\\n\", 1); }\n") == "t.emt:1:10: error: the format of 'printf' expects 2 arguments, got 1");
  CHECK(firstMessage("VMM1Hz { printf(\"%.*s\\n\", \"a\", \"b\"); }\n") ==
        "t.emt:1:27: error: '*' of '%.*s' in the format of 'printf' needs an integer, got string");
  CHECK(firstMessage("VMM1Hz { sprintf(\"x\", \"y\"); }\n") == "t.emt:1:18: error: argument 1 of 'sprintf' must be a string variable");
  CHECK(firstMessage("int n; VMM1Hz { fetchadd(n, 1); }\n") ==
        "t.emt:1:26: error: argument 1 of 'fetchadd' must be a shared integer (declared pervm, pervmk or perhost)");
  CHECK(firstMessage("VMM1Hz { logint(getguest(RSP, 3)); }\n") ==
        "t.emt:1:31: error: the size argument of getguest must be the constant 1, 2, 4 or 8");
  CHECK(firstMessage("void f() { }\nVMM1Hz { logint(f()); }\n") ==
        "t.emt:2:17: error: argument 1 of 'logint' must be an integer, got no value (void)");
}

TEST_CASE("types: non-lvalues") {
  CHECK(firstMessage("VMM1Hz { RIP = 1; }\n") == "t.emt:1:10: error: cannot assign to built-in variable 'RIP'");
  CHECK(firstMessage("VMM1Hz { 3 = 1; }\n") == "t.emt:1:10: error: the left side of '=' is not assignable");
  CHECK(firstMessage("Guest_IRQ(int v) { v = 1; }\n") == "t.emt:1:20: error: cannot assign to probe parameter 'v'");
  CHECK(firstMessage("VMM1Hz { int *p; *p = 1; }\n") == "t.emt:1:18: error: cannot assign to guest memory: VProbes scripts never modify the guest");
  CHECK(firstMessage("enum E { A }; VMM1Hz { A++; }\n") == "t.emt:1:24: error: cannot assign to enum constant 'A'");
  CHECK(firstMessage("int x; VMM1Hz { logint(&x); }\n") == "t.emt:1:24: error: cannot take the address of script variable 'x'");
}

TEST_CASE("types: struct members and pointers") {
  std::string s = "struct S { int a; };\n";
  CHECK(firstMessage(s + "VMM1Hz { struct S *p; logint(p->b); }\n") == "t.emt:2:33: error: struct S has no member 'b'");
  CHECK(firstMessage(s + "VMM1Hz { struct S *p; logint(p.a); }\n") == "t.emt:2:32: error: '.' on a pointer (struct S *); use '->'");
  CHECK(firstMessage("struct T;\nVMM1Hz { struct T *p; logint(p->a); }\n") == "t.emt:2:33: error: struct T is incomplete (its fields are not declared)");
  CHECK(firstMessage("VMM1Hz { int x; logint(x->a); }\n") == "t.emt:1:27: error: '->' needs a pointer to a struct or union, got int");
  CHECK(firstMessage("VMM1Hz { void *p; logint(*p); }\n") == "t.emt:1:26: error: cannot dereference a void pointer (cast it to a typed pointer first)");
  CHECK(firstMessage(s + "struct S v;\n") == "t.emt:2:10: error: variable 'v' cannot have type struct S; structs and arrays exist only in guest memory (declare a pointer)");
  CHECK(firstMessage("struct S { string s; };\n") == "t.emt:1:19: error: member 's' cannot have type string (use a char array for text in guest memory)");
}

TEST_CASE("types: returns, loops, catch names") {
  CHECK(firstMessage("int f() { return; }\n") == "t.emt:1:11: error: function 'f' must return a value (int)");
  CHECK(firstMessage("void f() { return 1; }\n") == "t.emt:1:12: error: void function 'f' cannot return a value");
  CHECK(firstMessage("int f() { return \"s\"; }\n") == "t.emt:1:18: error: function 'f' returns int, not string");
  CHECK(firstMessage("VMM1Hz { return 1; }\n") == "t.emt:1:10: error: a probe cannot return a value");
  CHECK(firstMessage("VMM1Hz { break; }\n") == "t.emt:1:10: error: 'break' outside a loop");
  CHECK(firstMessage("VMM1Hz { try { } catch (Oops) { } }\n") ==
        "t.emt:1:25: error: unknown error 'Oops' in catch (known: MemAccessError, DivideError, StackError, BudgetError, "
        "BagEmptyError, AggrFullError, FormatError, VcpuStateError, DecodeError, BagFullError)");
  CHECK(firstMessage("int n; VMM1Hz { foreach (k, v) in n { } }\n") == "t.emt:1:35: error: foreach needs a bag, got 'n'");
}

TEST_CASE("types: string literals over 255 bytes") {
  CHECK(firstMessage("VMM1Hz { logstr(\"" + std::string(300, 'a') + "\"); }\n") ==
        "t.emt:1:17: error: string literal is longer than 255 bytes (VP's limit)");
}
