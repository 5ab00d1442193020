// BTF (the BPF Type Format a Linux kernel exports in
// /sys/kernel/btf/vmlinux and keeps in its image's .BTF section) into a
// Database: types only. BTF has no addresses, so there are no functions,
// lines or variables; the database says so (Database::fromBtf), and Emmett
// tells a script that asks for them.
#pragma once

#include <libelf.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "symdb/symdb.h"

namespace symdb::btf {

// The first bytes are BTF's magic, 0xeb9f, in either byte order.
bool isBtf(std::string_view bytes);

// Reads raw BTF bytes. libbpf checks the header, the sections and each
// type's length; what this reader indexes itself (type references, name
// offsets, qualifier chains) it checks too. `name` is what errors call
// the input: "linux.btf: error: ...".
bool read(const void* data, size_t size, const std::string& name, Database& db, std::string& error);

// An ELF image's .BTF section, if it has one with contents.
std::string_view section(Elf* elf);

}  // namespace symdb::btf
