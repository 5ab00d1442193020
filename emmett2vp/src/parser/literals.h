// Decoding of Emmett literals (C syntax).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace emmett::parser {

// Decimal, 0x hexadecimal or 0 octal, with optional u/l suffixes; false on
// overflow of 64 bits.
bool parseIntLiteral(std::string_view text, uint64_t& out);
// C escapes: \n \t \r \a \b \f \v \0 \\ \" \' \xHH \ooo; `\c` is c.
std::string decodeEscapes(std::string_view text);

}  // namespace emmett::parser
