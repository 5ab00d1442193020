// What a tracing user expects when a run ends: every aggregate the script
// filled is shown, even where the script never prints it (DTrace and
// bpftrace print their aggregations at exit). Hosts that run a script for a
// while and then unload it (the vprobe command) apply this before loading.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vp {

// The aggregates `source` defines (defaggr, defhist) that no printa or logaggr in it
// names, in definition order. Empty when `source` does not parse.
std::vector<std::string> unprintedAggregates(std::string_view source);

// `source` with one more probe appended: a VMXUnload that logaggr's each
// unprinted aggregate (the reference's format, which names the aggregate
// and works in every VP version; a histogram's bar charts). Returned unchanged when there is nothing
// to print, when the script does not parse, or when it already has the
// most probes the engine accepts. Appending keeps every position in
// `source` where it was, so messages about it stay right.
std::string withUnloadPrinting(std::string_view source);

}  // namespace vp
