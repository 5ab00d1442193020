// Stacks in the folded format that flame-graph tools read (Brendan Gregg's
// stackcollapse output, which flamegraph.pl, speedscope and inferno take):
// one line per distinct stack, its frames from the root to the leaf joined
// by ';', a space, and the number of samples:
//
//   cruncher;cruncher_main;compute_for_a_second 812
//
// Plain values; any thread may use its own.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace flamegraph {

// Frames joined root first ("a;b;c") -> samples. Sorted, so the text is the
// same for the same profile.
using FoldedStacks = std::map<std::string, uint64_t>;

// The addresses of a `gueststack` value ("GUEST_0x<rip>_0x<ret>..."), RIP
// first. False for text that is not one (the VP reference's format,
// docs/vp-language.md).
bool parseGuestStack(std::string_view text, std::vector<uint64_t>& leafFirst);

// `name` made safe for a folded line: ';' separates frames and a line ends
// at '\n', so each of ';', '\r' and '\n' becomes '_'; an empty name "?".
std::string frameName(std::string_view name);

// "0x<hex>": how an address without a symbol, or an integer key, is named.
std::string hexFrame(uint64_t value);

// Adds `count` samples of `rootFirst` (frames already made safe).
void addStack(FoldedStacks& stacks, const std::vector<std::string>& rootFirst, uint64_t count);

// One "frame;frame;frame count" line per stack, in the map's order.
std::string foldedText(const FoldedStacks& stacks);

// Reads folded text back (what foldedText writes, or another tool's): a
// line's count is its last word. False with `error` ("line N: ...") at the
// first line that has no count.
bool parseFolded(std::string_view text, FoldedStacks& out, std::string& error);

}  // namespace flamegraph
