// Quoting user text inside messages: every error message is one line, so
// bytes that would break or garble it are written as escapes.
#pragma once

#include <string>
#include <string_view>

#include "vp/one_line.h"  // oneLine(), the last guard of every message

namespace vp {

// `text` as the body of a VP string literal would show it: \n, \t, \", \\,
// and \xNN for other control bytes and bytes from 0x7f up.
std::string escaped(std::string_view text);

// escaped(text) between double quotes.
std::string quoted(std::string_view text);

}  // namespace vp
